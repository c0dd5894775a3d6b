"""What the panel's API methods return, from the local cache: validated arguments in, plain dicts
out. The app passes a `run(query) -> rows` that executes on its database."""

import hashlib
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from . import queries
from .cache_rows import invoice_from_row
from .queries import InvoiceFilter, Tables
from .records import Invoice
from .semantics import DEFAULT_VIEW, VIEWS, CurrencyTotals, counts_in_totals, in_view, present

MAX_PAGE_LENGTH = 100
MAX_SEARCH_LENGTH = 100
MAX_START = 1_000_000_000

Run = Callable[[object], list[dict]]


class InvalidArgument(ValueError):
	"""A caller's argument is wrong; the message says which and how."""


@dataclass(frozen=True)
class ListArgs:
	view: str = DEFAULT_VIEW
	search: str | None = None
	from_date: date | None = None
	to_date: date | None = None
	start: int = 0
	page_length: int = 20


def parse_list_args(
	view=None, search=None, from_date=None, to_date=None, start=0, page_length=20
) -> ListArgs:
	view = (view or DEFAULT_VIEW).strip().lower() if isinstance(view, str) or view is None else view
	if view not in VIEWS:
		raise InvalidArgument(f"Unknown view {str(view)[:30]!r}: use one of {', '.join(VIEWS)}.")
	if search is not None and not isinstance(search, str):
		raise InvalidArgument("Search must be text.")
	search = (search or "").strip() or None
	if search and len(search) > MAX_SEARCH_LENGTH:
		raise InvalidArgument(f"Search is limited to {MAX_SEARCH_LENGTH} characters.")
	if search and any(unicodedata.category(ch) == "Cc" for ch in search):
		raise InvalidArgument("Search may not contain control characters.")
	start_date = _iso_date(from_date, "From date")
	end_date = _iso_date(to_date, "To date")
	if start_date and end_date and start_date > end_date:
		raise InvalidArgument("From date must be on or before To date.")
	start = _whole(start, "start", 0)
	page_length = _whole(page_length, "page_length", 20)
	if start < 0 or page_length < 1:
		raise InvalidArgument("start must be 0 or more and page_length at least 1.")
	if start > MAX_START:
		raise InvalidArgument(f"start is limited to {MAX_START:,}.")
	if page_length > MAX_PAGE_LENGTH:
		raise InvalidArgument(f"page_length is limited to {MAX_PAGE_LENGTH}.")
	return ListArgs(view, search, start_date, end_date, start, page_length)


def _iso_date(value, label: str) -> date | None:
	if value is None or value == "":
		return None
	if isinstance(value, date):
		return value
	try:
		if not isinstance(value, str) or len(value) != 10:
			raise ValueError
		return date.fromisoformat(value)
	except ValueError:
		raise InvalidArgument(f"{label} must be a date written YYYY-MM-DD.") from None


def _whole(value, label: str, default: int) -> int:
	if value is None or value == "":
		return default
	if isinstance(value, bool):
		raise InvalidArgument(f"{label} must be a whole number.")
	try:
		number = int(value)
	except (TypeError, ValueError):
		raise InvalidArgument(f"{label} must be a whole number.") from None
	if isinstance(value, float) and value != number:
		raise InvalidArgument(f"{label} must be a whole number.")
	return number


class Memo(Protocol):
	"""Somewhere to keep computed summaries (Redis in the app)."""

	def get(self, key: str) -> dict | None: ...

	def set(self, key: str, value: dict) -> None: ...


class Panel:
	def __init__(
		self,
		run: Run,
		tables: Tables,
		today: date,
		short_code: str,
		deep_link_base: str | None = None,
		memo: Memo | None = None,
		generation: str = "",
	):
		"""`generation` names the cache's current contents: whatever writes the cache moves it on,
		so a summary kept under an older generation is never read again."""
		self.run = run
		self.tables = tables
		self.today = today
		self.short_code = short_code
		self.deep_link_base = deep_link_base
		self.memo = memo
		self.generation = generation

	def invoices(self, contact_ids: tuple[str, ...], args: ListArgs, pinned_ids: tuple[str, ...]) -> dict:
		f = InvoiceFilter(
			contact_ids, args.view, self.today, pinned_ids, args.search, args.from_date, args.to_date
		)
		rows = (
			self.run(queries.list_invoices(self.tables, f, args.start, args.page_length))
			if contact_ids
			else []
		)
		total = int(self.run(queries.count_invoices(self.tables, f))[0]["n"] or 0) if contact_ids else 0
		payments: dict[str, list[dict]] = {}
		if rows:
			for p in self.run(queries.payments_of(self.tables, tuple(r["name"] for r in rows))):
				payments.setdefault(p["parent"], []).append(p)
		pinned = set(pinned_ids)
		invoices = [
			present(
				invoice_from_row(r, payments.get(r["name"], [])),
				self.today,
				self.short_code,
				r["name"] in pinned,
				self.deep_link_base,
			)
			for r in rows
		]
		return {"invoices": invoices, "total_count": total, "view": args.view}

	def summary(self, contact_ids: tuple[str, ...], pinned_ids: tuple[str, ...]) -> dict:
		if self.memo is None or not contact_ids:
			return self._summary(contact_ids, pinned_ids)
		key = (
			"summary:"
			+ hashlib.sha256(
				json.dumps(
					[self.generation, self.today.isoformat(), sorted(contact_ids), sorted(pinned_ids)]
				).encode()
			).hexdigest()
		)
		kept = self.memo.get(key)
		if kept is not None:
			return kept
		result = self._summary(contact_ids, pinned_ids)
		self.memo.set(key, result)
		return result

	def _summary(self, contact_ids: tuple[str, ...], pinned_ids: tuple[str, ...]) -> dict:
		counts = dict.fromkeys(VIEWS, 0)
		if not contact_ids:
			return {"totals": [], "counts": counts}
		by_currency: dict[str, CurrencyTotals] = {}
		for group in self.run(queries.summary_groups(self.tables, contact_ids, self.today)):
			probe = self._probe(group)
			n = int(group["n"])
			for view in VIEWS:
				if view != "pinned" and in_view(probe, view, self.today):
					counts[view] += n
			if counts_in_totals(probe):
				by_currency.setdefault(probe.currency, CurrencyTotals(probe.currency)).add(
					probe, self.today, _dec(group["amount_paid"]), _dec(group["amount_due"])
				)
		if pinned_ids:
			counts["pinned"] = int(
				self.run(queries.pinned_count(self.tables, contact_ids, pinned_ids))[0]["n"]
			)
		return {"totals": [by_currency[c].as_dict() for c in sorted(by_currency)], "counts": counts}

	def _probe(self, group: dict) -> Invoice:
		"""An invoice standing for its group: the same type, status, currency, due side and owing."""
		due = self.today - timedelta(days=1) if int(group["past_due"]) else None
		return Invoice(
			invoice_id="",
			invoice_number="",
			reference="",
			type=group["invoice_type"] or "",
			contact_id="",
			status=group["status"] or "",
			date=None,
			due_date=due,
			currency=group["currency"] or "",
			total=Decimal(0),
			amount_due=Decimal(1) if int(group["owing"]) else Decimal(0),
			amount_paid=Decimal(0),
			amount_credited=Decimal(0),
			updated_at=None,
		)


def _dec(value) -> Decimal:
	return value if isinstance(value, Decimal) else Decimal(str(value or 0))
