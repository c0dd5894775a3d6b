"""The cache DocTypes as SQLite tables, built from their DocType JSON, for the CI tier.

The schema comes from the same JSON Frappe migrates from, and the queries are the connector's own,
so what passes here ran the app's real SQL over the app's real columns (on another engine)."""

import json
import re
import sqlite3
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from pypika import SQLLiteQuery

from xero_crm.xero.cache_rows import contact_row, invoice_row, payment_from_row, payment_row, payment_rows
from xero_crm.xero.queries import Tables

DOCTYPES = Path(__file__).resolve().parent.parent / "xero_crm" / "xero_crm" / "doctype"
# Frappe makes numeric columns NOT NULL DEFAULT 0 on MariaDB: so does this, to fail the same way.
_TYPES = {
	"Currency": "NUMERIC NOT NULL DEFAULT 0",
	"Float": "REAL NOT NULL DEFAULT 0",
	"Int": "INTEGER NOT NULL DEFAULT 0",
	"Check": "INTEGER NOT NULL DEFAULT 0",
}
_NO_COLUMN = {"Section Break", "Column Break", "Tab Break", "Table", "HTML", "Button"}
STANDARD = ("name", "parent", "parenttype", "parentfield", "idx")

sqlite3.register_adapter(Decimal, str)
sqlite3.register_adapter(date, date.isoformat)
sqlite3.register_adapter(datetime, lambda d: d.isoformat(sep=" "))


def doctype_columns(doctype: str) -> list[str]:
	folder = doctype.lower().replace(" ", "_")
	meta = json.loads((DOCTYPES / folder / f"{folder}.json").read_text())
	return [f["fieldname"] for f in meta["fields"] if f["fieldtype"] not in _NO_COLUMN]


def _create(db, doctype: str) -> None:
	folder = doctype.lower().replace(" ", "_")
	meta = json.loads((DOCTYPES / folder / f"{folder}.json").read_text())
	columns = [f'"{c}" TEXT' if c != "idx" else '"idx" INTEGER' for c in STANDARD]
	columns[0] = '"name" TEXT PRIMARY KEY'
	for f in meta["fields"]:
		if f["fieldtype"] not in _NO_COLUMN:
			columns.append(f'"{f["fieldname"]}" {_TYPES.get(f["fieldtype"], "TEXT")}')
	db.execute(f'CREATE TABLE "tab{doctype}" ({", ".join(columns)})')


class SQLiteCache:
	"""Implements the connector's sync Cache protocol and runs the panel's queries."""

	def __init__(self, path: str = ":memory:"):
		self.db = sqlite3.connect(path, check_same_thread=False)
		self.db.row_factory = sqlite3.Row
		for doctype in (
			"Xero Invoice",
			"Xero Invoice Payment",
			"Xero Contact",
			"Pinned Invoice",
			"Xero Contact Link",
			"Xero Webhook Event",
		):
			_create(self.db, doctype)
		self.db.execute(
			'CREATE INDEX inv_contact_date ON "tabXero Invoice" (xero_contact, invoice_date, invoice_number)'
		)
		self.db.execute('CREATE INDEX pay_parent ON "tabXero Invoice Payment" (parent)')
		self.tables = Tables.plain(SQLLiteQuery)
		self.cursor: dict | None = None
		self.commits = 0
		self.fail_after_commits: int | None = None  # a job "killed" after N committed pages

	# ------------------------------------------------------------------ queries

	def run(self, query) -> list[dict]:
		sql = query.get_sql() if hasattr(query, "get_sql") else str(query)
		return [dict(r) for r in self.db.execute(sql)]

	# ------------------------------------------------------------------ Cache protocol

	def write_contacts(self, contacts) -> None:
		self._replace("Xero Contact", [contact_row(c) for c in contacts])

	def write_invoices(self, invoices) -> None:
		ids = [i.invoice_id for i in invoices]
		self._delete_children(ids)
		self._replace("Xero Invoice", [invoice_row(i) for i in invoices])
		self._insert("Xero Invoice Payment", [row for i in invoices for row in payment_rows(i)])

	def known_payments(self, invoice_ids):
		if not invoice_ids:
			return {}
		marks = ",".join("?" * len(invoice_ids))
		rows = self.db.execute(
			f'SELECT * FROM "tabXero Invoice Payment" WHERE parent IN ({marks})', invoice_ids
		)
		return {r["name"]: payment_from_row(dict(r)) for r in rows}

	def write_payments(self, by_invoice, deleted_ids) -> None:
		if deleted_ids:
			marks = ",".join("?" * len(deleted_ids))
			self.db.execute(f'DELETE FROM "tabXero Invoice Payment" WHERE name IN ({marks})', deleted_ids)
		existing = (
			{r[0] for r in self.db.execute('SELECT name FROM "tabXero Invoice"')} if by_invoice else set()
		)
		rows = [
			payment_row(invoice_id, p)
			for invoice_id, payments in by_invoice.items()
			if invoice_id
			in existing  # a payment on an invoice we do not hold (yet): the invoice sync brings it
			for p in payments
		]
		self._replace("Xero Invoice Payment", rows)

	def load_cursor(self):
		return self.cursor

	def save_cursor(self, cursor) -> None:
		self.cursor = cursor

	def commit(self) -> None:
		self.db.commit()
		self.commits += 1
		if self.fail_after_commits is not None and self.commits >= self.fail_after_commits:
			self.fail_after_commits = None
			raise KeyboardInterrupt("job killed")

	# ------------------------------------------------------------------ helpers

	def pin(self, doctype: str, name: str, invoice_id: str) -> None:
		self._insert(
			"Pinned Invoice",
			[
				{
					"name": f"{doctype}:{name}:{invoice_id}",
					"reference_doctype": doctype,
					"reference_name": name,
					"xero_invoice": invoice_id,
				}
			],
		)

	def count(self, doctype: str) -> int:
		return self.db.execute(f'SELECT COUNT(*) FROM "tab{doctype}"').fetchone()[0]

	def _delete_children(self, parent_ids) -> None:
		for start in range(0, len(parent_ids), 500):
			chunk = parent_ids[start : start + 500]
			marks = ",".join("?" * len(chunk))
			self.db.execute(f'DELETE FROM "tabXero Invoice Payment" WHERE parent IN ({marks})', chunk)

	def _replace(self, doctype: str, rows: list[dict]) -> None:
		self._insert(doctype, rows, verb="INSERT OR REPLACE")

	def _insert(self, doctype: str, rows: list[dict], verb: str = "INSERT") -> None:
		if not rows:
			return
		columns = list(rows[0])
		assert all(re.fullmatch(r"[a-z_]+", c) for c in columns)
		sql = f'{verb} INTO "tab{doctype}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
		self.db.executemany(sql, [tuple(r[c] for c in columns) for r in rows])
