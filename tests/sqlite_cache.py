"""The cache DocTypes as SQLite tables, built from their DocType JSON, for the CI tier.

The schema comes from the same JSON Frappe migrates from, and the queries are the connector's own,
so what passes here ran the app's real SQL over the app's real columns (on another engine)."""

import json
import re
import sqlite3
import threading
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from pypika import SQLLiteQuery

from xero_crm.xero.cache_writer import CacheWriter
from xero_crm.xero.matching import MatchKeys
from xero_crm.xero.queries import Tables

DOCTYPES = Path(__file__).resolve().parent.parent / "xero_crm" / "xero_crm" / "doctype"
# Frappe makes numeric columns NOT NULL DEFAULT 0 on MariaDB: so does this, to fail the same way.
_TYPES = {
	"Currency": "NUMERIC NOT NULL DEFAULT 0",
	"Float": "REAL NOT NULL DEFAULT 0",
	"Int": "INTEGER NOT NULL DEFAULT 0",
	"Check": "INTEGER NOT NULL DEFAULT 0",
}
_VARCHAR = {"Data", "Link", "Dynamic Link", "Select"}
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
		if f["fieldtype"] in _VARCHAR:  # as wide as MariaDB's varchar: too long a value is refused
			width = f.get("length") or 140
			columns.append(f'"{f["fieldname"]}" TEXT CHECK (length("{f["fieldname"]}") <= {width})')
		elif f["fieldtype"] not in _NO_COLUMN:
			columns.append(f'"{f["fieldname"]}" {_TYPES.get(f["fieldtype"], "TEXT")}')
	db.execute(f'CREATE TABLE "tab{doctype}" ({", ".join(columns)})')


class SQLiteStore:
	"""The Store primitives on SQLite. No rules live here: they are the connector's CacheWriter's."""

	rejected = (sqlite3.IntegrityError, sqlite3.DataError)
	transient = (sqlite3.OperationalError,)  # "database is locked": SQLite's deadlock

	def __init__(self, db: sqlite3.Connection):
		self.db = db
		self.cursor: dict | None = None
		self.tenant_id: str | None = None  # None: any organisation's sync may write
		self.commits = 0
		self.fail_after_commits: int | None = None  # a job "killed" after N committed pages
		self._lock = threading.RLock()

	def select(self, doctype, column, values, fields):
		rows = []
		for chunk in _chunks(values):
			sql = f'SELECT {", ".join(_names(fields))} FROM "tab{doctype}" WHERE {_name(column)} IN ({_marks(chunk)})'
			rows += [dict(r) for r in self.db.execute(sql, chunk)]
		return rows

	def delete(self, doctype, column, values) -> None:
		for chunk in _chunks(values):
			self.db.execute(f'DELETE FROM "tab{doctype}" WHERE {_name(column)} IN ({_marks(chunk)})', chunk)

	def insert(self, doctype, rows) -> None:
		if not rows:
			return
		columns = list(rows[0])
		sql = f'INSERT INTO "tab{doctype}" ({", ".join(_names(columns))}) VALUES ({_marks(columns)})'
		self.db.executemany(sql, [tuple(r[c] for c in columns) for r in rows])

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

	def rollback(self) -> None:
		self.db.rollback()

	def lock(self):
		return self._lock

	def holds(self, tenant_id: str) -> bool:
		return self.tenant_id in (None, tenant_id)


class SQLiteCache(CacheWriter):
	"""The connector's real writer over SQLite, plus what tests read back (rows, counts, pins)."""

	def __init__(self, path: str = ":memory:"):
		db = sqlite3.connect(path, check_same_thread=False)
		db.row_factory = sqlite3.Row
		for doctype in (
			"Xero Invoice",
			"Xero Invoice Payment",
			"Xero Contact",
			"Xero Contact Email",
			"Pinned Invoice",
			"Xero Contact Link",
			"Xero Webhook Event",
			"Xero Credit",
		):
			_create(db, doctype)
		db.execute(
			'CREATE INDEX inv_contact_date ON "tabXero Invoice" (xero_contact, invoice_date, invoice_number)'
		)
		db.execute('CREATE INDEX credit_contact_date ON "tabXero Credit" (xero_contact, credit_date, number)')
		db.execute('CREATE INDEX pay_parent ON "tabXero Invoice Payment" (parent)')
		db.execute('CREATE INDEX contact_email ON "tabXero Contact Email" (email)')
		super().__init__(SQLiteStore(db))
		self.db = db
		self.tables = Tables.plain(SQLLiteQuery)

	# the store's test knobs, where tests have always found them
	cursor = property(lambda self: self.store.cursor)
	commits = property(lambda self: self.store.commits)

	@property
	def fail_after_commits(self):
		return self.store.fail_after_commits

	@fail_after_commits.setter
	def fail_after_commits(self, value):
		self.store.fail_after_commits = value

	def run(self, query) -> list[dict]:
		sql = query.get_sql() if hasattr(query, "get_sql") else str(query)
		return [dict(r) for r in self.db.execute(sql)]

	def pin(self, doctype: str, name: str, invoice_id: str) -> None:
		self.store.insert(
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


def _chunks(values, size: int = 500):
	values = list(values)
	for start in range(0, len(values), size):
		yield values[start : start + size]


def _name(column: str) -> str:
	assert re.fullmatch(r"[a-z_]+", column), column
	return f'"{column}"'


def _names(columns) -> list[str]:
	return [_name(c) for c in columns]


def _marks(values) -> str:
	return ", ".join("?" * len(values))


def customer_keys(name, customer_name, tax_id=None):
	"""A Customer's match keys, as party.customer_keys_of makes them (its ID doubles as account number)."""
	return MatchKeys.of(names=[customer_name, name], account_numbers=[name], tax_numbers=[tax_id])


class Counting:
	"""A query runner over a cache that counts the queries it runs."""

	def __init__(self, cache):
		self.cache = cache
		self.queries = 0

	def __call__(self, query):
		self.queries += 1
		return self.cache.run(query)
