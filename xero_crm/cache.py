"""The local cache's writer and reader on Frappe's database, for the connector's sync engine and
panel queries. Bulk SQL, not one Document per invoice: a 50,000-invoice sync must stay fast."""

import json

import frappe
from frappe.utils import now_datetime

from xero_crm.xero.cache_rows import (
	contact_from_row,
	contact_row,
	invoice_row,
	payment_from_row,
	payment_row,
	payment_rows,
)
from xero_crm.xero.matching import MatchKeys
from xero_crm.xero.queries import CONTACT, INVOICE, PAYMENT, Tables, contact_candidates, contacts_by_id
from xero_crm.xero.records import Payment

SETTINGS = "Xero Settings"


def tables() -> Tables:
	return Tables(frappe.qb, frappe.qb.DocType)


def run(query) -> list[dict]:
	return query.run(as_dict=True)


class FrappeCache:
	def write_contacts(self, contacts) -> None:
		bump_generation()
		rows = [contact_row(c) for c in contacts]
		_replace(CONTACT, rows)

	def write_invoices(self, invoices) -> None:
		bump_generation()
		ids = [i.invoice_id for i in invoices]
		if ids:
			frappe.db.delete(PAYMENT, {"parent": ("in", ids), "parenttype": INVOICE})
		_replace(INVOICE, [invoice_row(i) for i in invoices])
		_insert(PAYMENT, [row for i in invoices for row in payment_rows(i)])

	def known_payments(self, invoice_ids) -> dict[str, Payment]:
		if not invoice_ids:
			return {}
		rows = frappe.get_all(
			PAYMENT,
			filters={"parent": ("in", invoice_ids), "parenttype": INVOICE},
			fields=["name", "payment_date", "amount", "reference", "status"],
		)
		return {r.name: payment_from_row(r) for r in rows}

	def write_payments(self, by_invoice, deleted_ids) -> None:
		bump_generation()
		if deleted_ids:
			frappe.db.delete(PAYMENT, {"name": ("in", deleted_ids)})
		if not by_invoice:
			return
		held = set(frappe.get_all(INVOICE, filters={"name": ("in", list(by_invoice))}, pluck="name"))
		rows = [
			payment_row(invoice_id, p)
			for invoice_id, payments in by_invoice.items()
			if invoice_id in held  # payments on invoices we do not hold arrive with the invoice sync
			for p in payments
		]
		_replace(PAYMENT, rows)

	def load_cursor(self) -> dict | None:
		raw = frappe.db.get_single_value(SETTINGS, "sync_cursor", cache=False)
		return json.loads(raw) if raw else None

	def save_cursor(self, cursor) -> None:
		frappe.db.set_single_value(SETTINGS, "sync_cursor", json.dumps(cursor) if cursor else None)

	def commit(self) -> None:
		frappe.db.commit()
		bump_generation()


def _generation_key() -> str:
	return f"{frappe.local.site}:xero_crm:cache_generation"


def generation() -> str:
	"""Names the cache's current contents, for summaries kept in Redis."""
	value = frappe.cache.get(_generation_key())
	return value.decode() if isinstance(value, bytes) else str(value or 0)


def bump_generation() -> None:
	"""On every write and again after the commit: a summary computed in between, from what was then
	committed, is kept under a generation no one reads any more."""
	frappe.cache.incr(_generation_key())


class RedisMemo:
	"""Panel summaries kept for an hour, per site (frappe.cache keys carry the site)."""

	def get(self, key: str):
		# expires=True: read Redis itself; a miss must not stick in this request's local cache.
		return frappe.cache.get_value(f"xero_crm:{key}", expires=True)

	def set(self, key: str, value) -> None:
		frappe.cache.set_value(f"xero_crm:{key}", value, expires_in_sec=3600)


def forget_organisation() -> None:
	"""The cache (and pins and links, which point into it) belong to one organisation: connecting
	another starts from empty, never mixing two organisations' invoices."""
	for doctype in (PAYMENT, INVOICE, CONTACT, "Pinned Invoice", "Xero Contact Link"):
		frappe.db.delete(doctype)
	frappe.db.set_single_value(
		SETTINGS,
		{
			"sync_cursor": None,
			"cache_tenant_id": None,
			"last_sync_at": None,
			"last_webhook_sync_at": None,
			"invoice_count": 0,
			"contact_count": 0,
		},
	)
	bump_generation()


class ContactDirectory:
	"""Cached Xero contacts, for matching."""

	def find(self, keys: MatchKeys):
		query = contact_candidates(tables(), keys.names, keys.account_numbers, keys.tax_numbers, keys.emails)
		return [contact_from_row(r) for r in run(query)]

	def get(self, ids):
		return [contact_from_row(r) for r in run(contacts_by_id(tables(), tuple(ids)))]


def _replace(doctype: str, rows: list[dict]) -> None:
	if not rows:
		return
	frappe.db.delete(doctype, {"name": ("in", [r["name"] for r in rows])})
	_insert(doctype, rows)


def _insert(doctype: str, rows: list[dict]) -> None:
	if not rows:
		return
	now = now_datetime()
	standard = {
		"creation": now,
		"modified": now,
		"owner": "Administrator",
		"modified_by": "Administrator",
		"docstatus": 0,
	}
	fields = [*rows[0].keys(), *standard.keys()]
	values = [[*r.values(), *standard.values()] for r in rows]
	frappe.db.bulk_insert(doctype, fields, values)
