"""What the panel's API methods return, from the local cache: validated arguments in, plain dicts
out. The app passes a `run(query) -> rows` that executes on its database."""

import hashlib
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from . import queries
from .cache_rows import invoice_from_row, loaded
from .queries import InvoiceFilter, Tables
from .semantics import DEFAULT_VIEW, VIEWS, CurrencyTotals, Kind, present

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
	"""The caller's arguments checked one by one; the first wrong one raises with what to fix."""
	start_date = _iso_date(from_date, "From date")
	end_date = _iso_date(to_date, "To date")
	if start_date and end_date and start_date > end_date:
		raise InvalidArgument("From date must be on or before To date.")
	return ListArgs(
		_view(view), _search(search), start_date, end_date, _start(start), _page_length(page_length)
	)


def _view(value) -> str:
	view = (value or DEFAULT_VIEW).strip().lower() if isinstance(value, str) or value is None else value
	if view not in VIEWS:
		raise InvalidArgument(f"Unknown view {str(view)[:30]!r}: use one of {', '.join(VIEWS)}.")
	return view


def _search(value) -> str | None:
	if value is not None and not isinstance(value, str):
		raise InvalidArgument("Search must be text.")
	search = (value or "").strip() or None
	if search and len(search) > MAX_SEARCH_LENGTH:
		raise InvalidArgument(f"Search is limited to {MAX_SEARCH_LENGTH} characters.")
	if search and any(unicodedata.category(ch) == "Cc" for ch in search):
		raise InvalidArgument("Search may not contain control characters.")
	return search


def _start(value) -> int:
	return _bounded(_whole(value, "start", 0), "start", 0, MAX_START, "0 or more")


def _page_length(value) -> int:
	return _bounded(_whole(value, "page_length", 20), "page_length", 1, MAX_PAGE_LENGTH, "at least 1")


def _bounded(number: int, label: str, low: int, high: int, low_words: str) -> int:
	if number < low:
		raise InvalidArgument(f"{label} must be {low_words}.")
	if number > high:
		raise InvalidArgument(f"{label} is limited to {high:,}.")
	return number


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
			return {"totals": [], "counts": counts, "views": list(VIEWS)}
		by_currency: dict[str, CurrencyTotals] = {}
		for group in self.run(queries.summary_groups(self.tables, contact_ids, self.today)):
			kind = Kind(
				group["invoice_type"] or "",
				loaded(group["status"]),
				bool(int(group["owing"])),
				bool(int(group["past_due"])),
			)
			n = int(group["n"])
			for view in VIEWS:
				if view != "pinned" and kind.in_view(view):
					counts[view] += n
			if kind.counted:
				currency = loaded(group["currency"])
				by_currency.setdefault(currency, CurrencyTotals(currency)).add(
					kind, _dec(group["amount_paid"]), _dec(group["amount_due"])
				)
		if pinned_ids:
			counts["pinned"] = int(
				self.run(queries.pinned_count(self.tables, contact_ids, pinned_ids))[0]["n"]
			)
		return {
			"totals": [by_currency[c].as_dict() for c in sorted(by_currency)],
			"counts": counts,
			"views": list(VIEWS),
		}


def _dec(value) -> Decimal:
	return value if isinstance(value, Decimal) else Decimal(str(value or 0))
