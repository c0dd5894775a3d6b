"""The local cache's one writer: what to delete, insert and keep for each page the sync brings.

Its rules hold on every database: a record replaces the cached one unless the cached one is newer
(Xero's UpdatedDateUTC), so an older page never overwrites a newer webhook refresh; an invoice's
payment rows go with it; a record the cache cannot hold is quarantined and the rest of the page goes
on. A backend (`Store`) offers only primitives: select, delete and insert rows, commit, roll back."""

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from .cache_rows import (
	cache_key,
	contact_email_rows,
	contact_row,
	credit_row,
	invoice_row,
	payment_from_row,
	payment_row,
	payment_rows,
	too_long,
	xero_id_of,
)
from .doctypes import CONTACT, CONTACT_EMAIL, CREDIT, INVOICE, PAYMENT
from .records import Credit, Invoice, Payment, XeroContact

PAYMENT_READ = ("name", "payment_date", "amount", "reference", "status")


class Store(Protocol):
	"""Primitives of one database. `rejected` are the errors meaning "this row cannot be stored";
	`transient` the ones meaning "try the same writes again" (a deadlock)."""

	rejected: tuple[type[BaseException], ...]
	transient: tuple[type[BaseException], ...]

	def select(self, doctype: str, column: str, values: list[str], fields: Iterable[str]) -> list[dict]: ...

	def delete(self, doctype: str, column: str, values: list[str]) -> None: ...

	def insert(self, doctype: str, rows: list[dict]) -> None: ...

	def load_cursor(self) -> dict | None: ...

	def save_cursor(self, cursor: dict | None) -> None: ...

	def commit(self) -> None: ...

	def rollback(self) -> None: ...

	def lock(self) -> AbstractContextManager: ...

	def holds(self, tenant_id: str) -> bool:
		"""Is the cache still this organisation's? (The admin may have switched mid-sync.)"""


@dataclass(frozen=True)
class Quarantined:
	"""A record Xero sent that the cache could not hold: reported, never blocking the others."""

	kind: str  # Contact | Invoice | Payment | Credit
	xero_id: str
	reason: str


class CacheWriter:
	"""Implements the sync engine's Cache protocol over a Store, for one organisation: its records are
	stored under cache keys (cache_rows.cache_key), so two organisations' ids never collide."""

	def __init__(self, store: Store, organisation: str = ""):
		self.store = store
		self.organisation = organisation
		self.quarantined: list[Quarantined] = []

	def key(self, xero_id: str) -> str:
		"""The cache's name for one of this organisation's records (what panels and pins know)."""
		return cache_key(self.organisation, xero_id)

	@property
	def transient(self) -> tuple[type[BaseException], ...]:
		return self.store.transient

	def lock(self) -> AbstractContextManager:
		return self.store.lock()

	def holds(self, tenant_id: str) -> bool:
		return self.store.holds(tenant_id)

	def write_contacts(self, contacts: list[XeroContact]) -> list[XeroContact]:
		"""Replace each contact and its email rows; returns the contacts written (newer than, or as
		new as, what the cache held)."""
		org = self.organisation
		return self._replace(
			contacts,
			(CONTACT, "Contact", lambda c: contact_row(c, org)),
			(CONTACT_EMAIL, "Contact", lambda c: contact_email_rows(c, org)),
		)

	def write_invoices(self, invoices: list[Invoice]) -> list[Invoice]:
		"""Replace each invoice and its payment rows; returns the invoices written."""
		org = self.organisation
		return self._replace(
			invoices,
			(INVOICE, "Invoice", lambda i: invoice_row(i, org)),
			(PAYMENT, "Payment", lambda i: payment_rows(i, org)),
		)

	def write_credits(self, credits: list[Credit]) -> list[Credit]:
		"""Replace each credit note, overpayment or prepayment (no child rows); returns those written."""
		credits = self._newer(CREDIT, credits)
		rows = []
		for credit in credits:
			row = credit_row(credit, self.organisation)
			if column := too_long(CREDIT, row):
				self._quarantine("Credit", credit.credit_id, f"{column} longer than the cache holds")
			else:
				rows.append(row)
		self.store.delete(CREDIT, "name", [self.key(c.credit_id) for c in credits])
		stored = self._insert(CREDIT, "Credit", rows)
		return [c for c in credits if self.key(c.credit_id) in stored]

	def _replace(self, records: list, parent: tuple, child: tuple) -> list:
		"""Records (contacts, invoices) replace their cached rows and child rows, unless the cache
		holds a newer version; a record any of whose rows cannot be held is quarantined whole."""
		doctype, kind, to_row = parent
		child_doctype, child_kind, to_children = child
		records = self._newer(doctype, records)
		kept = []
		for record in records:
			row, children = to_row(record), to_children(record)
			if column := _first_too_long(doctype, [row]) or _first_too_long(child_doctype, children):
				self._quarantine(kind, xero_id_of(row["name"]), f"{column} longer than the cache holds")
			else:
				kept.append((row, children))
		ids = [to_row(r)["name"] for r in records]
		self.store.delete(child_doctype, "parent", ids)
		self.store.delete(doctype, "name", ids)
		stored = self._insert(doctype, kind, [row for row, _children in kept])
		self._insert(child_doctype, child_kind, [c for row, cs in kept if row["name"] in stored for c in cs])
		return [r for r, name in zip(records, ids, strict=True) if name in stored]

	def known_payments(self, invoice_ids: list[str]) -> dict[str, Payment]:
		"""The cached payments of these invoices (Xero's ids), by Xero's payment id."""
		rows = self.store.select(PAYMENT, "parent", [self.key(i) for i in invoice_ids], PAYMENT_READ)
		known = {}
		for r in rows:
			payment = payment_from_row(r)
			known[xero_id_of(r["name"])] = replace(payment, payment_id=xero_id_of(payment.payment_id))
		return known

	def write_payments(self, by_invoice: dict[str, list[Payment]], deleted_ids: list[str]) -> None:
		"""Upsert payment rows under invoices the cache holds (payments on other invoices arrive with
		their invoice's sync); drop deleted payments."""
		keys = [self.key(i) for i in by_invoice]
		held = {r["name"] for r in self.store.select(INVOICE, "name", keys, ("name",))}
		rows = []
		for invoice_id, payments in by_invoice.items():
			for p in payments if self.key(invoice_id) in held else ():
				if p.amount is None:  # NOT NULL money column: the invoice's own sync fills it
					continue
				row = payment_row(self.key(invoice_id), p, organisation=self.organisation)
				if column := too_long(PAYMENT, row):
					self._quarantine("Payment", p.payment_id, f"{column} longer than the cache holds")
				else:
					rows.append(row)
		self.store.delete(PAYMENT, "name", [*(self.key(i) for i in deleted_ids), *(r["name"] for r in rows)])
		self._insert(PAYMENT, "Payment", rows)

	def load_cursor(self) -> dict | None:
		return self.store.load_cursor()

	def save_cursor(self, cursor: dict | None) -> None:
		self.store.save_cursor(cursor)

	def commit(self) -> None:
		self.store.commit()

	def rollback(self) -> None:
		self.store.rollback()

	def _newer(self, doctype: str, records: list) -> list:
		"""Drop the records the cache holds a newer version of; the last of duplicates wins."""
		unique = list({_id(r): r for r in records}.values())
		keys = [self.key(_id(r)) for r in unique]
		cached = {
			r["name"]: r["xero_updated_at"]
			for r in self.store.select(doctype, "name", keys, ("name", "xero_updated_at"))
		}
		return [r for r, key in zip(unique, keys, strict=True) if not _older(r.updated_at, cached.get(key))]

	def _insert(self, doctype: str, kind: str, rows: list[dict]) -> set[str]:
		"""Insert the rows; where the database rejects the batch, row by row, quarantining the ones
		it rejects. Returns the names stored."""
		if not rows:
			return set()
		try:
			self.store.insert(doctype, rows)
			return {r["name"] for r in rows}
		except self.store.rejected:
			# A database may keep the rows before the one it refused (SQLite does; MariaDB undoes
			# the statement): start the row-by-row retry from none of them.
			self.store.delete(doctype, "name", [r["name"] for r in rows])
		stored = set()
		for row in rows:
			try:
				self.store.insert(doctype, [row])
				stored.add(row["name"])
			except self.store.rejected as e:
				self._quarantine(
					kind, xero_id_of(row["name"]), f"rejected by the database ({type(e).__name__})"
				)
		return stored

	def _quarantine(self, kind: str, xero_id: str, reason: str) -> None:
		entry = Quarantined(kind, xero_id, reason)
		if entry not in self.quarantined:  # a page written again (after a deadlock) reports it once
			self.quarantined.append(entry)


def _id(record: Invoice | XeroContact | Credit) -> str:
	if isinstance(record, Credit):
		return record.credit_id
	return record.invoice_id if isinstance(record, Invoice) else record.contact_id


def _first_too_long(doctype: str, rows: list[dict]) -> str | None:
	return next((column for row in rows if (column := too_long(doctype, row))), None)


def _older(incoming: datetime | None, cached) -> bool:
	"""Is the incoming version older than the cached one? Unknown stamps never block a write."""
	if incoming is None or cached in (None, ""):
		return False
	if isinstance(cached, str):
		cached = datetime.fromisoformat(cached)
	if incoming.tzinfo:
		incoming = incoming.astimezone(UTC)
	return incoming.replace(tzinfo=None) < cached.replace(tzinfo=None)  # cached: naive UTC
