"""Receivables for many customers at once: the sales manager's report ("Xero Receivables by
Customer"), the Workspace's number cards and its aging chart, from the local cache.

The same rules as the panel's (semantics): what is owed is the unpaid sales invoices' amount due
(AUTHORISED, amount due > 0, ACCREC only: bills never count), split into the aging buckets by days
overdue; credit available is the remaining credit of AUTHORISED customer credit (credit_counted).
Everything is per organisation and currency, never added across either. A page of CRM records is
matched as the panel matches one, in each organisation on its own (matching.match_each_organisation:
a link by hand wins in its own organisation, merges followed, customers only, organisations the
viewer may not see never looked at) from one look-up of every record's keys, then each kind of
figure is one grouped query over all their contacts: a page of 500 Customers costs a handful of
queries, not one per Customer. An organisation's own figures (the cards, the chart) filter by the
invoice's `organisation` column, which leads the index they read (xero_owed_index)."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pypika import functions as fn
from pypika.queries import QueryBuilder
from pypika.terms import Criterion, Term

from .cache_rows import column_date, column_decimal, loaded, organisation_of, stored
from .doctypes import CREDIT, INVOICE, PAYMENT
from .matching import MatchKeys
from .panel import Run, matched_customers
from .queries import Tables, aging_case, view_criterion
from .semantics import AGING_BUCKETS, COUNTED_STATUSES, credit_counted, quantize

SALES = "ACCREC"
# The report's money columns, in order: the buckets, then what they add up to.
BUCKET_COLUMNS = AGING_BUCKETS


# Which organisations an organisation-wide figure counts: None, every row (a cache of no
# organisation: the connector's own tests); else each tenant id -> the one currency counted there
# (None: every currency), as `scope` makes it.
Scope = dict[str, str | None] | None


def scope(organisations: Iterable[str] | Mapping[str, str | None] | None) -> Scope:
	"""The organisations to count: tenant ids (every currency), or tenant id -> the one currency."""
	if organisations is None or isinstance(organisations, Mapping):
		return None if organisations is None else dict(organisations)
	return dict.fromkeys(organisations)


def _in_scope(t, organisations: Scope, currency: str | None) -> Criterion | None:
	"""Rows of these organisations (each in its own currency, where one is named), in `currency`
	where one is named. None: no condition at all."""
	if organisations is None:
		return t.currency == stored(currency) if currency else None
	pairs = _currency_of(organisations, currency)
	currencies = set(pairs.values())
	if len(currencies) > 1:  # each organisation in its own currency
		return Criterion.any(_organisation_in(t, org, cur) for org, cur in sorted(pairs.items()))
	# one currency everywhere (or every currency): one range of the index per organisation
	return _organisation_in(t, tuple(sorted(pairs)), next(iter(currencies), None))


def _currency_of(organisations: dict[str, str | None], currency: str | None) -> dict[str, str | None]:
	"""Each organisation's one currency counted (None: every currency); an organisation whose own
	currency is not `currency` counts nothing, so it is left out."""
	return {
		org: cur or currency
		for org, cur in organisations.items()
		if not (cur and currency and cur != currency)
	}


def _organisation_in(t, organisation: str | tuple[str, ...], currency: str | None) -> Criterion:
	if isinstance(organisation, tuple):
		criterion = t.organisation.isin(organisation or ("",))
	else:
		criterion = t.organisation == organisation
	return criterion & (t.currency == stored(currency)) if currency else criterion


def _owed(t, today: date, contact_ids: tuple[str, ...] | None, currency: str | None) -> Criterion:
	"""Unpaid sales invoices (the panel's Unpaid view), of these contacts (None: every contact)."""
	criterion = view_criterion(t, "unpaid", today, ())
	if contact_ids is not None:
		criterion &= t.xero_contact.isin(contact_ids or ("",))
	if currency:
		criterion &= t.currency == stored(currency)
	return criterion


def owed_by_contact(
	tables: Tables, contact_ids: tuple[str, ...], today: date, currency: str | None = None
) -> QueryBuilder:
	"""Per Xero contact, currency and aging bucket: how many unpaid sales invoices, their amount due."""
	t = tables.table(INVOICE)
	return (
		tables.query.from_(t)
		.select(
			t.xero_contact,
			t.currency,
			aging_case(t, today).as_("aging"),
			fn.Count("*").as_("n"),
			fn.Sum(t.amount_due).as_("amount_due"),
		)
		.where(_owed(t, today, contact_ids, currency))
		.groupby(t.xero_contact, t.currency, Term.wrap_constant(3))  # by position, as view_groups does
	)


def owed_by_organisation(
	tables: Tables, today: date, organisations: Scope = None, currency: str | None = None
) -> QueryBuilder:
	"""What whole organisations are owed (every sales invoice in their cache, whoever it is for):
	per organisation, currency and aging bucket, how many unpaid sales invoices and their amount
	due. Filtered by the invoice's organisation first, as xero_owed_index leads."""
	t = tables.table(INVOICE)
	criterion = _owed(t, today, None, None)
	if (within := _in_scope(t, organisations, currency)) is not None:
		criterion = within & criterion
	return (
		tables.query.from_(t)
		.select(
			t.organisation,
			t.currency,
			aging_case(t, today).as_("aging"),
			fn.Count("*").as_("n"),
			fn.Sum(t.amount_due).as_("amount_due"),
		)
		.where(criterion)
		.groupby(t.organisation, t.currency, Term.wrap_constant(3))
	)


def last_payments_by_contact(
	tables: Tables, contact_ids: tuple[str, ...], currency: str | None = None
) -> QueryBuilder:
	"""Per Xero contact and currency, the date of the latest payment on its sales invoices (those
	that count: authorised or paid; a deleted payment does not count)."""
	t, p = tables.table(INVOICE), tables.table(PAYMENT)
	criterion = (
		t.xero_contact.isin(contact_ids or ("",))
		& (t.invoice_type == SALES)
		& t.status.isin(COUNTED_STATUSES)
		& (p.parenttype == INVOICE)
		& (p.status != "DELETED")
		& p.payment_date.notnull()
	)
	if currency:
		criterion &= t.currency == stored(currency)
	return (
		tables.query.from_(p)
		.join(t)
		.on(p.parent == t.name)
		.select(t.xero_contact, t.currency, fn.Max(p.payment_date).as_("last_payment"))
		.where(criterion)
		.groupby(t.xero_contact, t.currency)
	)


def credit_by_contact(
	tables: Tables, contact_ids: tuple[str, ...], currency: str | None = None
) -> QueryBuilder:
	"""Per Xero contact, currency, Xero type and status: the remaining credit.
	semantics.credit_counted decides which groups count, as for the panel's Credit available."""
	c = tables.table(CREDIT)
	criterion = (c.status != "DELETED") & c.xero_contact.isin(contact_ids or ("",))
	if currency:
		criterion &= c.currency == stored(currency)
	keys = [c.xero_contact, c.currency, c.xero_type, c.status]
	return (
		tables.query.from_(c)
		.select(*keys, fn.Sum(c.remaining_credit).as_("remaining_credit"))
		.where(criterion)
		.groupby(*keys)
	)


def credit_by_organisation(
	tables: Tables, organisations: Scope = None, currency: str | None = None
) -> QueryBuilder:
	"""Per organisation, currency, Xero type and status: the remaining credit of whole organisations."""
	c = tables.table(CREDIT)
	criterion = c.status != "DELETED"
	if (within := _in_scope(c, organisations, currency)) is not None:
		criterion = within & criterion
	keys = [c.organisation, c.currency, c.xero_type, c.status]
	return (
		tables.query.from_(c)
		.select(*keys, fn.Sum(c.remaining_credit).as_("remaining_credit"))
		.where(criterion)
		.groupby(*keys)
	)


@dataclass
class Receivable:
	"""One organisation's receivables in one currency (for a customer, or the whole organisation)."""

	currency: str
	organisation: str = ""  # its tenant id ("" for a cache of no organisation)
	amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(AGING_BUCKETS, Decimal("0")))
	count: int = 0  # unpaid sales invoices
	credit: Decimal = Decimal("0")
	last_payment: date | None = None

	def add_owed(self, bucket: str, amount_due: Decimal, n: int) -> None:
		self.amounts[bucket] += amount_due
		self.count += n

	def add_payment(self, when: date | None) -> None:
		if when is not None and (self.last_payment is None or when > self.last_payment):
			self.last_payment = when

	@property
	def owed(self) -> Decimal:
		return sum(self.amounts.values(), Decimal("0"))

	@property
	def overdue(self) -> Decimal:
		return sum((self.amounts[b] for b in AGING_BUCKETS[1:]), Decimal("0"))

	def as_dict(self) -> dict:
		q = lambda amount: quantize(amount, self.currency)  # noqa: E731
		return {
			"organisation": self.organisation,
			"currency": self.currency,
			**{bucket: q(self.amounts[bucket]) for bucket in AGING_BUCKETS},
			"total": q(self.owed),
			"overdue": q(self.overdue),
			"credit": q(self.credit),
			"last_payment_date": self.last_payment,
			"invoices": self.count,
		}


# (organisation, currency): what every figure is kept under, never added across either
Key = tuple[str, str]


def _counted_credit(row: dict) -> Decimal:
	if credit_counted(loaded(row["xero_type"]), loaded(row["status"])):
		return column_decimal(row["remaining_credit"])
	return Decimal("0")


def organisation_receivables(
	run: Run,
	tables: Tables,
	today: date,
	currency: str | None = None,
	organisations: Iterable[str] | Mapping[str, str | None] | None = None,
) -> list[dict]:
	"""Whole organisations' receivables, one row per organisation and currency (Receivable.as_dict,
	in order of organisation, then currency; never added across either): every cached sales invoice
	and customer credit of `organisations` (tenant ids; or tenant id -> the one currency to count
	there, as a card counts its organisation's base currency; None: every row in the cache), two
	grouped queries. No organisation: no query, no row."""
	within = scope(organisations)
	if within is not None and not within:
		return []
	figures: dict[Key, Receivable] = {}

	def of(row: dict) -> Receivable:
		key = (row["organisation"] or "", loaded(row["currency"]))
		return figures.setdefault(key, Receivable(key[1], key[0]))

	for row in run(owed_by_organisation(tables, today, within, currency)):
		of(row).add_owed(row["aging"], column_decimal(row["amount_due"]), int(row["n"]))
	for row in run(credit_by_organisation(tables, within, currency)):
		credit = _counted_credit(row)
		if credit:
			of(row).credit += credit
	return [figures[k].as_dict() for k in sorted(figures)]


class ByContact:
	"""The grouped figures of a set of Xero contacts, each contact's per currency (a contact is of
	one organisation: its cache key says which)."""

	def __init__(self):
		self.figures: dict[str, dict[str, Receivable]] = {}

	def of(self, contact_id: str, currency: str) -> Receivable:
		return self.figures.setdefault(contact_id, {}).setdefault(
			currency, Receivable(currency, organisation_of(contact_id))
		)

	def load(self, run: Run, tables: Tables, ids: tuple[str, ...], today: date, currency: str | None):
		for row in run(owed_by_contact(tables, ids, today, currency)):
			figure = self.of(row["xero_contact"], loaded(row["currency"]))
			figure.add_owed(row["aging"], column_decimal(row["amount_due"]), int(row["n"]))
		for row in run(credit_by_contact(tables, ids, currency)):
			credit = _counted_credit(row)
			if credit:
				self.of(row["xero_contact"], loaded(row["currency"])).credit += credit
		for row in run(last_payments_by_contact(tables, ids, currency)):
			figure = self.of(row["xero_contact"], loaded(row["currency"]))
			figure.add_payment(column_date(row["last_payment"]))

	def combined(self, contact_ids) -> dict[Key, Receivable]:
		"""A record's figures: those of its Xero contacts, added per organisation and currency
		(never across either)."""
		total: dict[Key, Receivable] = {}
		for contact_id in dict.fromkeys(contact_ids):
			for cur, figure in self.figures.get(contact_id, {}).items():
				key = (figure.organisation, cur)
				into = total.setdefault(key, Receivable(cur, figure.organisation))
				for bucket, amount in figure.amounts.items():
					into.add_owed(bucket, amount, 0)
				into.count += figure.count
				into.credit += figure.credit
				into.add_payment(figure.last_payment)
		return total


def receivables_for_records(
	run: Run,
	tables: Tables,
	today: date,
	keys: dict[str, MatchKeys],
	links: dict[str, tuple[str, ...]],
	currency: str | None = None,
	overdue_only: bool = False,
	allowed: Callable[[str], bool] = lambda organisation: True,
) -> list[dict]:
	"""For a page of CRM records (name → its match keys; name → Xero contacts linked by hand), one
	row per record, organisation and currency: `{"record", "organisation", "currency", <each aging
	bucket>, "total", "overdue", "credit", "last_payment_date", "invoices"}`, records in the page's
	order, then organisations (tenant ids) and currencies in order; figures of two organisations or
	two currencies are never added. Organisations not `allowed` (tenant id -> bool) are never
	matched, so never listed. A row is listed where the record owes something, has credit or has
	been paid; `overdue_only` keeps the rows with something overdue. Matching costs one look-up of
	every record's keys (and one of the links), then three grouped queries over all the matched
	contacts."""
	matched = matched_customers(run, tables, keys, links, allowed)
	ids = tuple(sorted({i for found in matched.values() for i in found}))
	figures = ByContact()
	if ids:
		figures.load(run, tables, ids, today, currency)
	return [
		{"record": name, **figure.as_dict()}
		for name, found in matched.items()
		for _key, figure in sorted(figures.combined(found).items())
		if _listed(figure, overdue_only)
	]


def _listed(figure: Receivable, overdue_only: bool) -> bool:
	if overdue_only:
		return bool(figure.overdue)
	return bool(figure.count or figure.credit or figure.last_payment)
