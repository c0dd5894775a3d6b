"""Filling and refreshing the local cache from Xero. One upsert path for the initial sync, the
catch-up sync and webhook-driven refreshes, so every route converges to Xero's current state.

The initial sync streams page by page (memory flat in the number of invoices), asks for the largest
page Xero allows, and records a cursor after each committed page, so a killed job resumes where it
stopped instead of starting over."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from .client import XeroClient
from .records import (
	Invoice,
	Payment,
	XeroContact,
	merge_payments,
	parse_contact,
	parse_invoice,
	parse_payment,
)

PHASES = ("Contacts", "Invoices", "Payments")
# Catch-up asks a little further back than the last success, for clock skew between us and Xero.
CATCH_UP_OVERLAP = timedelta(minutes=5)


class Cache(Protocol):
	def write_contacts(self, contacts: list[XeroContact]) -> None: ...

	def write_invoices(self, invoices: list[Invoice]) -> None:
		"""Replace each invoice and its payment rows (idempotent upsert)."""

	def known_payments(self, invoice_ids: list[str]) -> dict[str, Payment]: ...

	def write_payments(self, by_invoice: dict[str, list[Payment]], deleted_ids: list[str]) -> None:
		"""Upsert payment rows under their invoices; drop deleted payments."""

	def load_cursor(self) -> dict | None: ...

	def save_cursor(self, cursor: dict | None) -> None: ...

	def commit(self) -> None: ...


@dataclass
class SyncReport:
	started_at: datetime
	contacts: int = 0
	invoices: int = 0
	payments: int = 0
	contact_ids: set[str] = field(default_factory=set)  # whose invoices changed: open panels to refresh
	resumed_from: dict | None = None
	payments_incomplete: bool = False  # some invoice's payments lack a date or amount


Progress = Callable[[str, int, int | None], None]  # phase, page done, page count if known


class Syncer:
	def __init__(
		self,
		client: XeroClient,
		cache: Cache,
		progress: Progress | None = None,
		clock=None,
		overlap: timedelta = CATCH_UP_OVERLAP,
	):
		self.overlap = overlap
		self.client = client
		self.cache = cache
		self.progress = progress or (lambda phase, page, pages: None)
		self._clock = clock or (lambda: datetime.now(UTC))

	def full_sync(self) -> SyncReport:
		cursor = self.cache.load_cursor()
		if cursor and cursor.get("phase") in PHASES:
			report = SyncReport(datetime.fromisoformat(cursor["started_at"]), resumed_from=dict(cursor))
		else:
			cursor = None
			report = SyncReport(self._clock())
		first = PHASES.index(cursor["phase"]) if cursor else 0
		for phase in PHASES[first:]:
			start_page = int(cursor["page"]) if cursor and cursor["phase"] == phase else 1
			for page, records in self.client.iter_pages(phase, start_page=start_page):
				self._apply(phase, records, report)
				self.cache.save_cursor(
					{"phase": phase, "page": page + 1, "started_at": report.started_at.isoformat()}
				)
				self.cache.commit()
				self.progress(phase, page, None)
		self.cache.save_cursor(None)
		self.cache.commit()
		return report

	def catch_up(self, since: datetime) -> SyncReport:
		"""Everything Xero changed since `since` (If-Modified-Since), through the same upsert path."""
		report = SyncReport(self._clock())
		for phase in PHASES:
			for _page, records in self.client.iter_pages(phase, modified_since=since - self.overlap):
				self._apply(phase, records, report)
				self.cache.commit()
		return report

	def refresh(
		self,
		invoice_ids: Iterable[str] = (),
		contact_ids: Iterable[str] = (),
		payments_since: datetime | None = None,
		credit_note_ids: Iterable[str] = (),
	) -> SyncReport:
		"""Fetch exactly these records (batched `IDs=`) and the payments changed since a time.
		A credit note changes the invoices it is allocated to: those are fetched too."""
		report = SyncReport(self._clock())
		invoice_ids = list(invoice_ids)
		for credit_note_id in dict.fromkeys(credit_note_ids):
			invoice_ids += self.client.credit_note_invoice_ids(credit_note_id)
		for batch in self.client.get_by_ids("Contacts", contact_ids):
			self._apply("Contacts", batch, report)
		for batch in self.client.get_by_ids("Invoices", invoice_ids):
			self._apply("Invoices", batch, report)
		# Xero embeds each payment's date and amount in the invoice; only where they are missing
		# (xero-local sends bare ids) is /Payments worth a call.
		if payments_since is not None and report.payments_incomplete:
			for _page, records in self.client.iter_pages(
				"Payments", modified_since=payments_since - self.overlap
			):
				self._apply("Payments", records, report)
		self.cache.commit()
		return report

	def _apply(self, phase: str, records: list[dict], report: SyncReport) -> None:
		if phase == "Contacts":
			contacts = [parse_contact(r) for r in records if r.get("ContactID")]
			self.cache.write_contacts(contacts)
			report.contacts += len(contacts)
			report.contact_ids.update(c.contact_id for c in contacts)
		elif phase == "Invoices":
			invoices = [parse_invoice(r) for r in records if r.get("InvoiceID")]
			known = self.cache.known_payments([i.invoice_id for i in invoices])
			invoices = [replace(i, payments=merge_payments(i.payments, known)) for i in invoices]
			report.payments_incomplete |= any(
				p.date is None or p.amount is None for i in invoices for p in i.payments
			)
			self.cache.write_invoices(invoices)
			report.invoices += len(invoices)
			report.contact_ids.update(i.contact_id for i in invoices)
		else:
			by_invoice: dict[str, list[Payment]] = {}
			deleted = []
			for r in records:
				invoice_id = (r.get("Invoice") or {}).get("InvoiceID")
				payment = parse_payment(r)
				if not payment.payment_id:
					continue
				if payment.status == "DELETED":
					deleted.append(payment.payment_id)
				elif invoice_id:
					by_invoice.setdefault(invoice_id, []).append(payment)
				contact = ((r.get("Invoice") or {}).get("Contact") or {}).get("ContactID")
				if contact:
					report.contact_ids.add(contact)
			self.cache.write_payments(by_invoice, deleted)
			report.payments += sum(len(v) for v in by_invoice.values()) + len(deleted)
