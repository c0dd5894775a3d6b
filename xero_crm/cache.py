"""The local cache on Frappe's database: the Store primitives the connector's CacheWriter writes
through, and the readers the panel and matching use. Bulk SQL, not one Document per invoice: a
50,000-invoice sync must stay fast. The rules of writing live in the connector (cache_writer)."""

import json

import frappe
import pymysql
from frappe.utils import now_datetime

from xero_crm.constants import CONTACT, CONTACT_EMAIL, CREDIT, INVOICE, LINK, ORGANISATION, PAYMENT, PIN
from xero_crm.redis_stores import bump_generation
from xero_crm.xero.cache_rows import contact_from_row
from xero_crm.xero.cache_writer import CacheWriter
from xero_crm.xero.matching import MatchKeys
from xero_crm.xero.queries import Tables, contact_candidates, contacts_by_id

CHUNK = 500


def tables() -> Tables:
	return Tables(frappe.qb, frappe.qb.DocType)


def run(query) -> list[dict]:
	return query.run(as_dict=True)


def frappe_cache(organisation: str) -> CacheWriter:
	"""The cache writer of one organisation (its tenant id): its rows under its own cache keys."""
	return CacheWriter(FrappeStore(organisation), organisation)


class FrappeStore:
	# A row MariaDB will not take (too long, a bad date, a duplicate key); a write to try again.
	rejected = (pymysql.err.DataError, pymysql.err.IntegrityError, frappe.UniqueValidationError)
	transient = (frappe.QueryDeadlockError, frappe.QueryTimeoutError)

	def __init__(self, organisation: str):
		self.organisation = organisation

	def select(self, doctype, column, values, fields) -> list[dict]:
		t = frappe.qb.DocType(doctype)
		rows = []
		for chunk in _chunks(values):
			rows += (
				frappe.qb.from_(t)
				.select(*(t[f] for f in fields))
				.where(t[column].isin(chunk))
				.run(as_dict=True)
			)
		return rows

	def delete(self, doctype, column, values) -> None:
		if values:
			bump_generation()
		for chunk in _chunks(values):
			frappe.db.delete(doctype, {column: ("in", chunk)})

	def insert(self, doctype, rows) -> None:
		if not rows:
			return
		bump_generation()
		now = now_datetime()
		standard = {
			"creation": now,
			"modified": now,
			"owner": "Administrator",
			"modified_by": "Administrator",
			"docstatus": 0,
		}
		fields = [*rows[0].keys(), *standard.keys()]
		frappe.db.bulk_insert(doctype, fields, [[*r.values(), *standard.values()] for r in rows])

	def load_cursor(self) -> dict | None:
		raw = frappe.db.get_value(ORGANISATION, self.organisation, "sync_cursor")
		return json.loads(raw) if raw else None

	def save_cursor(self, cursor) -> None:
		frappe.db.set_value(
			ORGANISATION, self.organisation, "sync_cursor", json.dumps(cursor) if cursor else None
		)

	def commit(self) -> None:
		frappe.db.commit()
		bump_generation()

	def rollback(self) -> None:
		frappe.db.rollback()

	def lock(self):
		"""One cache writer at a time per organisation (a full sync, a catch-up, a webhook drain): the
		newer-wins check and the write then see the same rows, and the writers cannot deadlock.
		Organisations' rows never overlap, so two organisations write side by side."""
		return frappe.cache.lock(
			f"{frappe.local.site}:xero_crm:cache_write:{self.organisation}", timeout=300, blocking_timeout=300
		)

	def holds(self, tenant_id: str) -> bool:
		"""The organisation is still connected here (not removed mid-sync) and this is its writer."""
		return tenant_id == self.organisation and bool(frappe.db.exists(ORGANISATION, tenant_id))


def forget_organisation(organisation: str) -> None:
	"""Everything cached of one organisation, and the pins and links that point into it; the other
	organisations' rows stay. Under its writers' lock: a sync of it writes no page after this."""
	with FrappeStore(organisation).lock():
		for parent, child in ((INVOICE, PAYMENT), (CONTACT, CONTACT_EMAIL)):
			table, rows = frappe.qb.DocType(child), frappe.qb.DocType(parent)
			frappe.qb.from_(table).delete().where(
				table.parent.isin(
					frappe.qb.from_(rows).select(rows.name).where(rows.organisation == organisation)
				)
			).run()
		for doctype in (INVOICE, CREDIT, CONTACT, PIN, LINK):
			frappe.db.delete(doctype, {"organisation": organisation})
		bump_generation()


class ContactDirectory:
	"""Cached Xero contacts, for matching (every organisation's: matching keeps those it may see)."""

	def find(self, keys: MatchKeys):
		query = contact_candidates(tables(), keys.names, keys.account_numbers, keys.tax_numbers, keys.emails)
		return [contact_from_row(r) for r in run(query)]

	def get(self, ids):
		return [contact_from_row(r) for r in run(contacts_by_id(tables(), tuple(ids)))]


def _chunks(values, size: int = CHUNK):
	values = list(values)
	for start in range(0, len(values), size):
		yield values[start : start + size]
