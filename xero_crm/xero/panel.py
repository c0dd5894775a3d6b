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
from .cache_rows import (
	column_date,
	column_decimal,
	contact_from_row,
	credit_from_row,
	invoice_from_row,
	loaded,
	organisation_of,
)
from .matching import MatchKeys, keys_of, match_each_organisation
from .queries import InvoiceFilter, Tables
from .records import XeroContact
from .semantics import (
	DEFAULT_VIEW,
	LIST_VIEWS,
	VIEWS,
	CurrencyAging,
	CurrencyOverdue,
	CurrencyTotals,
	Kind,
	credit_counted,
	credit_in_view,
	overdue_summary,
	present,
	present_credit,
	quantize,
)

MAX_PAGE_LENGTH = 100
MAX_SEARCH_LENGTH = 100
MAX_START = 1_000_000_000
# part of the memo's key: facts kept before their shape changed (aging, overdue added) are never read back
FACTS_SHAPE = 5

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
	if view not in LIST_VIEWS:
		raise InvalidArgument(f"Unknown view {str(view)[:30]!r}: use one of {', '.join(LIST_VIEWS)}.")
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


@dataclass(frozen=True)
class OrgInfo:
	"""A connected Xero organisation as the panel names it and links into it."""

	organisation: str  # its tenant id: the prefix of its records' cache keys
	name: str
	short_code: str = ""


class Panel:
	def __init__(
		self,
		run: Run,
		tables: Tables,
		today: date,
		short_code: str = "",
		deep_link_base: str | None = None,
		memo: Memo | None = None,
		generation: str = "",
		organisations: dict[str, OrgInfo] | None = None,
	):
		"""`generation` names the cache's current contents: whatever writes the cache moves it on,
		so a summary kept under an older generation is never read again. `organisations` names and
		links each organisation (by tenant id); `short_code` serves records of no organisation."""
		self.run = run
		self.tables = tables
		self.today = today
		self.short_code = short_code
		self.deep_link_base = deep_link_base
		self.memo = memo
		self.generation = generation
		self.organisations = organisations or {}

	def org(self, organisation: str) -> OrgInfo:
		return self.organisations.get(organisation) or OrgInfo(organisation, "", self.short_code)

	def involved(self, contact_ids: tuple[str, ...]) -> list[dict]:
		"""The organisations these contacts belong to, by name: the panel's organisation filter."""
		orgs = [self.org(o) for o in dict.fromkeys(organisation_of(c) for c in contact_ids)]
		return [
			{"organisation": o.organisation, "name": o.name, "short_code": o.short_code}
			for o in sorted(orgs, key=lambda o: (o.name.casefold(), o.organisation))
		]

	def _labelled(self, row: dict, key: str) -> dict:
		org = self.org(organisation_of(key))
		return {**row, "organisation": org.organisation, "organisation_name": org.name}

	def invoices(self, contact_ids: tuple[str, ...], args: ListArgs, pinned_ids: tuple[str, ...]) -> dict:
		"""A page of the view, with what the whole list adds up to (`list_totals`: per currency, the
		counted invoices' amount paid and amount due) and how many invoices every view holds under the
		same search and dates (`counts`), so a search that finds nothing here can say where it finds
		something."""
		f = InvoiceFilter(
			contact_ids, args.view, self.today, pinned_ids, args.search, args.from_date, args.to_date
		)
		listing = queries.list_all if args.view == "all" else queries.list_invoices
		rows = self.run(listing(self.tables, f, args.start, args.page_length)) if contact_ids else []
		payments: dict[str, list[dict]] = {}
		if invoice_ids := tuple(r["name"] for r in rows if not _is_credit(r)):
			for p in self.run(queries.payments_of(self.tables, invoice_ids)):
				payments.setdefault(p["parent"], []).append(p)
		pinned = set(pinned_ids)
		invoices = [
			self._labelled(
				present_credit(
					credit_from_row(queries.credit_columns(r)),
					self.org(organisation_of(r["name"])).short_code,
					self.deep_link_base,
				)
				if _is_credit(r)
				else present(
					invoice_from_row(r, payments.get(r["name"], [])),
					self.today,
					self.org(organisation_of(r["name"])).short_code,
					r["name"] in pinned,
					self.deep_link_base,
				),
				r["name"],
			)
			for r in rows
		]
		# the view's count under the same search and dates is its total: one grouped pass, not a COUNT
		facts = self.facts(contact_ids, pinned_ids, args.search, args.from_date, args.to_date)
		return {
			"invoices": invoices,
			"total_count": facts["counts"][args.view],
			"view": args.view,
			"filtered": bool(args.search or args.from_date or args.to_date),
			"counts": facts["counts"],
			"list_totals": facts["list_totals"][args.view],
		}

	def summary(self, contact_ids: tuple[str, ...], pinned_ids: tuple[str, ...]) -> dict:
		facts = self.facts(contact_ids, pinned_ids)
		return {
			"totals": facts["totals"],
			"aging": facts["aging"],
			"overdue": facts["overdue"],
			"counts": {view: facts["counts"][view] for view in VIEWS},
			"views": list(VIEWS),
		}

	def facts(
		self,
		contact_ids: tuple[str, ...],
		pinned_ids: tuple[str, ...],
		search: str | None = None,
		from_date: date | None = None,
		to_date: date | None = None,
	) -> dict:
		"""The boxes' totals, every view's count and every list's totals, for the invoices that match
		the search and dates (all of the record's without them). Kept in the memo without a search or
		dates: what every panel view reads until the cache changes."""
		filtered = bool(search or from_date or to_date)
		if self.memo is None or not contact_ids or filtered:
			return self._facts(contact_ids, pinned_ids, search, from_date, to_date)
		key = (
			"facts:"
			+ hashlib.sha256(
				json.dumps(
					[
						FACTS_SHAPE,
						self.generation,
						self.today.isoformat(),
						sorted(contact_ids),
						sorted(pinned_ids),
						sorted((o.organisation, o.name) for o in self.organisations.values()),
					]
				).encode()
			).hexdigest()
		)
		kept = self.memo.get(key)
		if kept is not None:
			return kept
		result = self._facts(contact_ids, pinned_ids)
		self.memo.set(key, result)
		return result

	def _facts(self, contact_ids, pinned_ids, search=None, from_date=None, to_date=None) -> dict:
		"""One grouped pass per organisation involved (usually one): each organisation's totals stay
		its own, and each pass reads the record's invoices from the index alone."""
		facts = Facts(self.today, self.org)
		by_org: dict[str, list[str]] = {}
		for contact_id in contact_ids:
			by_org.setdefault(organisation_of(contact_id), []).append(contact_id)
		for org, ids in by_org.items():
			f = InvoiceFilter(tuple(ids), DEFAULT_VIEW, self.today, pinned_ids, search, from_date, to_date)
			for group in self.run(queries.view_groups(self.tables, f)):
				facts.add(group, org)
			for group in self.run(queries.credit_groups(self.tables, f)):
				facts.add_credit(group, org)
		return facts.as_dict()


def _is_credit(row: dict) -> bool:
	return bool(int(row.get("is_credit") or 0))


Totals = tuple[str, str]  # (organisation, currency): what is added up together, never across either


class Facts:
	"""view_groups' groups folded: each view's count and list totals, and the boxes' totals, per
	organisation and currency."""

	def __init__(self, today: date, org: Callable[[str], OrgInfo] | None = None):
		self.today = today
		self.org = org or (lambda organisation: OrgInfo(organisation, ""))
		self.counts = dict.fromkeys(LIST_VIEWS, 0)
		self.lists: dict[str, dict[Totals, ListTotal]] = {view: {} for view in LIST_VIEWS}
		self.boxes: dict[Totals, CurrencyTotals] = {}
		self.aging: dict[Totals, CurrencyAging] = {}
		self.overdue: dict[Totals, CurrencyOverdue] = {}

	def add(self, group: dict, organisation: str = "") -> None:
		kind, pinned = _kind_of(group), bool(int(group["pinned"]))
		n, paid, due = (
			int(group["n"]),
			column_decimal(group["amount_paid"]),
			column_decimal(group["amount_due"]),
		)
		currency = loaded(group["currency"])
		key = (organisation, currency)
		for view in LIST_VIEWS:
			if kind.in_view(view, pinned):
				self.counts[view] += n
				if kind.counted:
					self.lists[view].setdefault(key, ListTotal(currency)).add(n, paid, due)
		if kind.counted:
			self.boxes.setdefault(key, CurrencyTotals(currency)).add(kind, paid, due)
			self.aging.setdefault(key, CurrencyAging(currency)).add(kind, due, n)
			earliest = column_date(group.get("earliest_due"))
			self.overdue.setdefault(key, CurrencyOverdue(currency)).add(kind, due, n, earliest)

	def add_credit(self, group: dict, organisation: str = "") -> None:
		"""A group of credit notes, overpayments or prepayments (queries.credit_groups): counted in
		the views that list them, and in Credit available when they count."""
		xero_type, status = loaded(group["xero_type"]), loaded(group["status"])
		currency, n = loaded(group["currency"]), int(group["n"])
		for view in LIST_VIEWS:
			if credit_in_view(status, view):
				self.counts[view] += n
		if credit_counted(xero_type, status):
			remaining = column_decimal(group["remaining_credit"])
			self.boxes.setdefault((organisation, currency), CurrencyTotals(currency)).credit += remaining

	def _order(self, keys) -> list[Totals]:
		return sorted(keys, key=lambda k: (self.org(k[0]).name.casefold(), k[0], k[1]))

	def _named(self, key: Totals, row: dict) -> dict:
		return {**row, "organisation": key[0], "organisation_name": self.org(key[0]).name}

	def as_dict(self) -> dict:
		return {
			"totals": [self._named(k, self.boxes[k].as_dict()) for k in self._order(self.boxes)],
			# per organisation and currency with something owed: every bucket, in order, zeros included
			"aging": [
				self._named(k, self.aging[k].as_dict()) for k in self._order(self.aging) if self.aging[k].owed
			],
			"overdue": overdue_summary(self.overdue, self.today, self._order, self._named),
			"counts": self.counts,
			"list_totals": {
				view: [self._named(k, by[k].as_dict()) for k in self._order(by)]
				for view, by in self.lists.items()
			},
		}


@dataclass
class ListTotal:
	"""What the counted invoices of a list add up to, in one currency (bills, drafts, voided: none)."""

	currency: str
	count: int = 0
	amount_paid: Decimal = Decimal("0")
	amount_due: Decimal = Decimal("0")

	def add(self, n: int, amount_paid: Decimal, amount_due: Decimal) -> None:
		self.count += n
		self.amount_paid += amount_paid
		self.amount_due += amount_due

	def as_dict(self) -> dict:
		return {
			"currency": self.currency,
			"count": self.count,
			"amount_paid": quantize(self.amount_paid, self.currency),
			"amount_due": quantize(self.amount_due, self.currency),
		}


def record_candidates(
	run: Run, tables: Tables, contact_id: str, doctypes: frozenset[str], limit: int = 50
) -> tuple[XeroContact | None, list[tuple[str, str]]]:
	"""A cached Xero contact and the CRM records (doctype, name) that may already show its invoices:
	those linked to it (or to a contact merged into it) by hand, then those holding one of its keys.
	Candidates only: matching.records_matching confirms each one forwards."""
	found = [contact_from_row(r) for r in run(queries.contacts_by_id(tables, (contact_id,)))]
	if not found:
		return None, []
	merged = [contact_from_row(r) for r in run(queries.merged_into(tables, (contact_id,)))]
	ids = (contact_id, *(m.contact_id for m in merged))
	candidates = [
		(r["reference_doctype"], r["reference_name"]) for r in run(queries.linked_records(tables, ids, limit))
	]
	keys = keys_of([found[0], *merged])
	for record in queries.keyed_records(
		tables, keys.names, keys.account_numbers, keys.tax_numbers, keys.emails, doctypes, limit
	):
		candidates += [(record.doctype, r["name"]) for r in run(record.query)]
	return found[0], candidates


def overdue_for_records(
	run: Run,
	tables: Tables,
	today: date,
	keys: dict[str, MatchKeys],
	links: dict[str, tuple[str, ...]],
	allowed: Callable[[str], bool] = lambda organisation: True,
) -> dict[str, dict]:
	"""For a page of CRM records (name → its match keys; name → Xero contacts linked by hand), each
	one's overdue heads-up (overdue_summary), only for those with something overdue. The records are
	matched as the panel matches one (matching.match: a link wins, merges followed, customers only),
	from one look-up of every record's keys, then one grouped query over all their contacts' invoices;
	organisations not `allowed` (tenant id -> bool) are never matched."""
	matched = matched_customers(run, tables, keys, links, allowed)
	ids = tuple({i for found in matched.values() for i in found})
	rows_by_contact: dict[str, list[dict]] = {}
	if ids:
		for row in run(queries.overdue_by_contact(tables, ids, today)):
			rows_by_contact.setdefault(row["xero_contact"], []).append(row)
	result = {}
	for name, found in matched.items():
		summary = overdue_summary(
			_overdue_of(rows_by_contact, found), today, label=lambda key, row: {**row, "organisation": key[0]}
		)
		if summary["count"]:
			result[name] = summary
	return result


def matched_customers(
	run: Run,
	tables: Tables,
	keys: dict[str, MatchKeys],
	links: dict[str, tuple[str, ...]],
	allowed: Callable[[str], bool] = lambda organisation: True,
) -> dict[str, tuple[str, ...]]:
	"""Each record's Xero contacts that are customers, as the panel matches one record: in each
	organisation on its own (a link by hand wins there, merges followed), organisations not
	`allowed` never looked at. Every record's keys in one look-up, the links in another."""
	pool = Contacts(run, tables)
	pool.fetch_keys(keys.values())
	pool.fetch_ids(tuple({i for ids in links.values() for i in ids}))
	return {
		name: match_each_organisation(
			record_keys, pool.find, pool.get, links.get(name, ()), allowed
		).customer_ids
		for name, record_keys in keys.items()
	}


def _overdue_of(rows_by_contact: dict[str, list[dict]], contact_ids) -> dict[Totals, CurrencyOverdue]:
	"""Per organisation and currency (never added across either), the overdue of these contacts."""
	overdue_kind = Kind("ACCREC", "AUTHORISED", owing=True, past_due=True)
	by_currency: dict[Totals, CurrencyOverdue] = {}
	for contact_id in contact_ids:
		for row in rows_by_contact.get(contact_id, []):
			currency = loaded(row["currency"])
			key = (organisation_of(contact_id), currency)
			by_currency.setdefault(key, CurrencyOverdue(currency)).add(
				overdue_kind,
				column_decimal(row["amount_due"]),
				int(row["n"]),
				column_date(row["earliest_due"]),
			)
	return by_currency


class Contacts:
	"""Cached Xero contacts looked up once for many records: every record's keys in one query, links
	in another; a merge target not yet seen is fetched when matching follows it."""

	def __init__(self, run: Run, tables: Tables):
		self.run = run
		self.tables = tables
		self.by_id: dict[str, XeroContact] = {}

	def _keep(self, rows: list[dict]) -> list[XeroContact]:
		found = [contact_from_row(r) for r in rows]
		self.by_id.update((c.contact_id, c) for c in found)
		return found

	def fetch_keys(self, all_keys) -> None:
		names, accounts, taxes, emails = set(), set(), set(), set()
		for k in all_keys:
			names.update(k.names)
			accounts.update(k.account_numbers)
			taxes.update(k.tax_numbers)
			emails.update(k.emails)
		if names or accounts or taxes or emails:
			query = queries.contact_candidates(
				self.tables, *(tuple(sorted(x)) for x in (names, accounts, taxes, emails))
			)
			self._keep(self.run(query))

	def fetch_ids(self, ids: tuple[str, ...]) -> None:
		missing = tuple(i for i in ids if i not in self.by_id)
		if missing:
			self._keep(self.run(queries.contacts_by_id(self.tables, missing)))

	def find(self, keys: MatchKeys) -> list[XeroContact]:
		"""Candidates among those fetched (matching.match re-checks each against the keys)."""
		return list(self.by_id.values())

	def get(self, ids: tuple[str, ...]) -> list[XeroContact]:
		self.fetch_ids(tuple(ids))
		return [self.by_id[i] for i in ids if i in self.by_id]


def _kind_of(group: dict) -> Kind:
	"""The Kind of a group of invoices that view_groups folded together."""
	return Kind(
		group["invoice_type"] or "",
		loaded(group["status"]),
		bool(int(group["owing"])),
		bool(int(group["past_due"])),
		bool(int(group["received"])),
		group["aging"],  # a literal of queries.aging_case, not stored text
	)
