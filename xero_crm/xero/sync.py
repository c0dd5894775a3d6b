"""Filling and refreshing the local cache from Xero. One upsert path for the initial sync, the
catch-up sync and webhook-driven refreshes, so every route converges to Xero's current state.

The initial sync streams page by page (memory flat in the number of invoices), asks for the largest
page Xero allows, and records a cursor after each committed page, so a killed job resumes where it
stopped instead of starting over."""

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from .client import MAX_PAGE_SIZE, Page, XeroClient
from .errors import XeroNotFound, XeroTenantChanged
from .records import (
	CREDIT_RESOURCES,
	Credit,
	Invoice,
	Payment,
	XeroContact,
	allocated_invoice_ids,
	merge_payments,
	parse_contact,
	parse_credit,
	parse_invoice,
	parse_payment,
)

CREDIT_PHASES = tuple(CREDIT_RESOURCES)  # CreditNotes, Overpayments, Prepayments: customer credit
PHASES = ("Contacts", "Invoices", "Payments", *CREDIT_PHASES)
# A large organisation's initial sync would not fit its day (1,000 calls on Xero's Starter tier): after
# the first page of invoices says how many there are, it is staged. First what every panel's figures
# need: what is owed (totals, overdue, aging), the last 12 months (the lists reps open), and customer
# credit; then the history, day after day, resumed from its cursor when the day's budget runs out.
OWED, RECENT, HISTORY = "Invoices:owed", "Invoices:recent", "Invoices:history"
STAGED_PHASES = ("Contacts", OWED, RECENT, *CREDIT_PHASES, HISTORY, "Payments")
RECENT_DAYS = 365
# Calls kept back each day, beside an initial sync, for webhook refreshes and catch-ups (benchmarks.
# daily_budget: a day of 2,000 changes costs 838 of 1,000 calls; a quiet day's catch-ups 288).
DAY_RESERVE = 300
# Catch-up asks a little further back than the last success, for clock skew between us and Xero.
CATCH_UP_OVERLAP = timedelta(minutes=5)
WRITE_ATTEMPTS = 3  # a page whose write deadlocks is written again, this many times in all


class Cache(Protocol):
	"""The sync's view of the cache: `cache_writer.CacheWriter` over a database's Store."""

	transient: tuple[type[BaseException], ...]  # errors after which the same writes are retried

	def key(self, xero_id: str) -> str:
		"""The cache's name for a record of the organisation being synced (cache_rows.cache_key)."""

	def write_contacts(self, contacts: list[XeroContact]) -> list[XeroContact]: ...

	def write_invoices(self, invoices: list[Invoice]) -> list[Invoice]:
		"""Replace each invoice and its payment rows unless the cache holds a newer version."""

	def known_payments(self, invoice_ids: list[str]) -> dict[str, Payment]: ...

	def write_credits(self, credits: list[Credit]) -> list[Credit]:
		"""Replace each credit note, overpayment or prepayment unless the cache holds a newer one."""

	def write_payments(self, by_invoice: dict[str, list[Payment]], deleted_ids: list[str]) -> None:
		"""Upsert payment rows under their invoices; drop deleted payments."""

	def load_cursor(self) -> dict | None: ...

	def save_cursor(self, cursor: dict | None) -> None: ...

	def commit(self) -> None: ...

	def rollback(self) -> None: ...

	def lock(self) -> AbstractContextManager:
		"""Held while a page is written and committed: one writer at a time, so the newer-wins
		check and the write see the same rows."""

	def holds(self, tenant_id: str) -> bool:
		"""Is the cache still this organisation's? Checked before every write."""


@dataclass
class SyncReport:
	started_at: datetime
	contacts: int = 0
	invoices: int = 0
	payments: int = 0
	credits: int = 0  # credit notes, overpayments and prepayments written
	contact_ids: set[str] = field(default_factory=set)  # cache keys of contacts whose invoices changed
	resumed_from: dict | None = None
	payments_incomplete: bool = False  # some invoice's payments lack a date or amount

	def add(self, page: "SyncReport") -> None:
		self.contacts += page.contacts
		self.invoices += page.invoices
		self.payments += page.payments
		self.credits += page.credits
		self.contact_ids |= page.contact_ids
		self.payments_incomplete |= page.payments_incomplete


Progress = Callable[[str, int, int | None], None]  # phase, page done, page count if known


def full_sync_calls(
	contacts: int,
	invoices: int,
	payments: int,
	page_size: int = MAX_PAGE_SIZE,
	credits: tuple[int, ...] = (0,) * len(CREDIT_PHASES),
) -> int:
	"""About how many Xero calls a full sync of this much data makes: a page per `page_size` records
	of each phase, and at least one call per phase (`credits`: credit notes, overpayments and
	prepayments, one count each)."""
	return sum(max(1, -(-n // page_size)) for n in (contacts, invoices, payments, *credits))


def progress_percent(phase: str, page: int, pages: int | None) -> int | None:
	"""How far a full sync is, in whole percent: each phase of its plan an equal share, done page by
	page. None where Xero did not say how many pages a phase has."""
	if not pages:
		return None
	plan = PHASES if phase in PHASES else STAGED_PHASES
	done = plan.index(phase) + min(page, pages) / pages
	return int(100 * done / len(plan))


def phase_query(phase: str, cutoff: date | None) -> tuple[str, dict]:
	"""The Xero resource a phase lists and its filters (the SDK's `statuses`, `where`)."""
	if phase == OWED:
		return "Invoices", {"statuses": ["AUTHORISED"]}
	if phase == RECENT:
		return "Invoices", {"where": f"Date >= {_xero_date(cutoff)}"}
	if phase == HISTORY:
		return "Invoices", {"where": f'Date < {_xero_date(cutoff)} AND Status != "AUTHORISED"'}
	return phase, {}


def _xero_date(day: date) -> str:
	return f"DateTime({day.year}, {day.month:02d}, {day.day:02d})"


def should_stage(invoice_pages: int | None, calls_left: int | None) -> bool:
	"""Stage an initial sync whose invoices alone (plus a page of each phase left) would spend more of
	today than is left after the reserve for webhooks and catch-ups."""
	if invoice_pages is None or calls_left is None:
		return False
	rest = len(PHASES) - 2  # payments and the three credit phases, a page each at least
	return invoice_pages + rest > max(0, calls_left - DAY_RESERVE)


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
		cursor, plan, report = self._resumed()
		cutoff = date.fromisoformat(cursor["cutoff"]) if cursor and cursor.get("cutoff") else None
		first = plan.index(cursor["phase"]) if cursor else 0
		for phase in plan[first:]:
			start_page = int(cursor["page"]) if cursor and cursor["phase"] == phase else 1
			for page in self._pages(phase, start_page, cutoff):
				if plan is PHASES and phase == "Invoices" and page.number == 1 and self._stage(page):
					cutoff = (self._clock() - timedelta(days=RECENT_DAYS)).date()
					self._apply(phase, page.records, report, self._cursor(report, OWED, 1, cutoff))
					self.progress(phase, page.number, page.count)
					return self._staged(report, cutoff)
				self._apply(phase, page.records, report, self._cursor(report, phase, page.number + 1, cutoff))
				self.progress(phase, page.number, page.count)
		return self._finished(report)

	def _resumed(self) -> tuple[dict | None, tuple[str, ...], SyncReport]:
		"""The cursor to resume from, its plan, and the report: a cursor is resumed only by a sync of
		the organisation that wrote it (a staged one, still staged)."""
		cursor = self.cache.load_cursor()
		plan = STAGED_PHASES if cursor and cursor.get("plan") == "staged" else PHASES
		if cursor and cursor.get("phase") in plan and cursor.get("tenant_id") == self.client.tenant_id:
			return (
				cursor,
				plan,
				SyncReport(datetime.fromisoformat(cursor["started_at"]), resumed_from=dict(cursor)),
			)
		return None, PHASES, SyncReport(self._clock())

	def _finished(self, report: SyncReport) -> SyncReport:
		self.cache.save_cursor(None)
		self.cache.commit()
		return report

	def _staged(self, report: SyncReport, cutoff: date) -> SyncReport:
		"""The rest of a sync staged after its first page of invoices: from the owed invoices on."""
		for phase in STAGED_PHASES[STAGED_PHASES.index(OWED) :]:
			for page in self._pages(phase, 1, cutoff):
				self._apply(phase, page.records, report, self._cursor(report, phase, page.number + 1, cutoff))
				self.progress(phase, page.number, page.count)
		return self._finished(report)

	def _pages(self, phase: str, start_page: int, cutoff: date | None):
		resource, filters = phase_query(phase, cutoff)
		return self.client.iter_pages(resource, start_page=start_page, **filters)

	def _stage(self, first_invoices: Page) -> bool:
		return should_stage(first_invoices.count, self.client.limiter.left_today())

	def _cursor(self, report: SyncReport, phase: str, page: int, cutoff: date | None) -> dict:
		cursor = {
			"tenant_id": self.client.tenant_id,
			"phase": phase,
			"page": page,
			"started_at": report.started_at.isoformat(),
		}
		if cutoff is not None:  # a staged sync: resumed as one, with the same 12 months
			cursor.update(plan="staged", cutoff=cutoff.isoformat())
		return cursor

	def catch_up(self, since: datetime) -> SyncReport:
		"""Everything Xero changed since `since` (If-Modified-Since), through the same upsert path."""
		report = SyncReport(self._clock())
		for phase in PHASES:
			for page in self.client.iter_pages(phase, modified_since=since - self.overlap):
				self._apply(phase, page.records, report)
		return report

	def refresh(
		self,
		invoice_ids: Iterable[str] = (),
		contact_ids: Iterable[str] = (),
		payments_since: datetime | None = None,
		credit_note_ids: Iterable[str] = (),
	) -> SyncReport:
		"""Fetch exactly these records (batched `IDs=`) and the payments changed since a time.
		A credit note is fetched (one call each: Xero takes no `IDs=` for credit notes) and cached,
		and changes the invoices it is allocated to: those are fetched too."""
		report = SyncReport(self._clock())
		invoice_ids = list(invoice_ids)
		for credit_note_id in dict.fromkeys(credit_note_ids):
			notes = self._credit_note(credit_note_id)
			self._apply("CreditNotes", notes, report)
			invoice_ids += allocated_invoice_ids(notes)
		for batch in self.client.get_by_ids("Contacts", contact_ids):
			self._apply("Contacts", batch, report)
		for batch in self.client.get_by_ids("Invoices", invoice_ids):
			self._apply("Invoices", batch, report)
		# Xero embeds each payment's date and amount in the invoice; only where they are missing
		# (xero-local sends bare ids) is /Payments worth a call.
		if payments_since is not None and report.payments_incomplete:
			for page in self.client.iter_pages("Payments", modified_since=payments_since - self.overlap):
				self._apply("Payments", page.records, report)
		return report

	def _credit_note(self, credit_note_id: str) -> list[dict]:
		try:
			data = self.client.call("get_credit_note", credit_note_id=credit_note_id)
		except XeroNotFound:
			return []
		return [n for n in data.get("CreditNotes") or [] if n.get("CreditNoteID")]

	def _apply(self, phase: str, records: list[dict], report: SyncReport, cursor: dict | None = None) -> None:
		"""Write one page under the cache's lock and commit it (with the resume cursor, if any). A
		deadlock rolls the page back and writes it again; the records are already fetched."""
		resource = phase.split(":")[0]  # a staged phase writes as its resource does
		write = {"Contacts": self._contacts, "Invoices": self._invoices, "Payments": self._payments}.get(
			resource, lambda records, page: self._credits(resource, records, page)
		)
		for attempt in range(1, WRITE_ATTEMPTS + 1):
			try:
				with self.cache.lock():
					if not self.cache.holds(self.client.tenant_id):
						raise XeroTenantChanged(
							"This organisation was removed from Xero Settings: its sync stopped before writing."
						)
					page = SyncReport(report.started_at)
					write(records, page)
					if cursor is not None:
						self.cache.save_cursor(cursor)
					self.cache.commit()
			except self.cache.transient:
				self.cache.rollback()
				if attempt == WRITE_ATTEMPTS:
					raise
				continue
			report.add(page)
			return

	def _contacts(self, records: list[dict], page: SyncReport) -> None:
		written = self.cache.write_contacts([parse_contact(r) for r in records if r.get("ContactID")])
		page.contacts += len(written)
		page.contact_ids.update(self.cache.key(c.contact_id) for c in written)

	def _invoices(self, records: list[dict], page: SyncReport) -> None:
		invoices = [parse_invoice(r) for r in records if r.get("InvoiceID")]
		known = self.cache.known_payments([i.invoice_id for i in invoices])
		invoices = [replace(i, payments=merge_payments(i.payments, known)) for i in invoices]
		written = self.cache.write_invoices(invoices)
		page.payments_incomplete |= any(
			p.date is None or p.amount is None for i in written for p in i.payments
		)
		page.invoices += len(written)
		page.contact_ids.update(self.cache.key(i.contact_id) for i in written)

	def _credits(self, resource: str, records: list[dict], page: SyncReport) -> None:
		id_field = CREDIT_RESOURCES[resource][1]
		written = self.cache.write_credits([parse_credit(resource, r) for r in records if r.get(id_field)])
		page.credits += len(written)
		page.contact_ids.update(self.cache.key(c.contact_id) for c in written)

	def _payments(self, records: list[dict], page: SyncReport) -> None:
		by_invoice: dict[str, list[Payment]] = {}
		deleted = []
		for r in records:
			invoice = r.get("Invoice") or {}
			payment = parse_payment(r)
			if not payment.payment_id:
				continue
			if payment.status == "DELETED":
				deleted.append(payment.payment_id)
			elif invoice.get("InvoiceID"):
				by_invoice.setdefault(invoice["InvoiceID"], []).append(payment)
			if contact := (invoice.get("Contact") or {}).get("ContactID"):
				page.contact_ids.add(self.cache.key(contact))
		self.cache.write_payments(by_invoice, deleted)
		page.payments += sum(len(v) for v in by_invoice.values()) + len(deleted)
