"""The panel's queries, built once with PyPika (which is what `frappe.qb` is) so the same code runs
on MariaDB through `frappe.qb` in the app and on SQLite in the CI tier. Values are bound by the
query builder, never pasted: a search is data, not SQL."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from pypika import Case, Field, Order, Table, terms
from pypika import functions as fn
from pypika.queries import QueryBuilder
from pypika.terms import Criterion, Term

from .cache_rows import STORED_ENTITIES, stored
from .doctypes import CONTACT, CONTACT_EMAIL, CREDIT, INVOICE, LINK, PAYMENT
from .semantics import AGING_BUCKETS, AGING_VIEWS, COUNTED_STATUSES, PAID_TO_DATE, aging_due_dates

INVOICE_COLUMNS = (
	"name",
	"invoice_number",
	"reference",
	"invoice_type",
	"xero_contact",
	"status",
	"invoice_date",
	"due_date",
	"currency",
	"total",
	"amount_due",
	"amount_paid",
	"amount_credited",
	"xero_updated_at",
)
PAYMENT_COLUMNS = ("name", "parent", "payment_date", "amount", "reference", "status")
CONTACT_COLUMNS = (
	"name",
	"contact_name",
	"email_keys",
	"account_number",
	"tax_number",
	"is_customer",
	"merged_to",
	"contact_status",
)


@dataclass(frozen=True)
class Tables:
	"""`table(doctype)` gives the DocType's table: `frappe.qb.DocType` in the app, a PyPika Table here."""

	query: type  # frappe.qb, or a PyPika Query class for another dialect
	table: Callable[[str], Table]

	@classmethod
	def plain(cls, query_class) -> "Tables":
		return cls(query_class, lambda doctype: Table(f"tab{doctype}"))


@dataclass(frozen=True)
class InvoiceFilter:
	contact_ids: tuple[str, ...]
	view: str
	today: date
	pinned_ids: tuple[str, ...] = ()
	search: str | None = None
	from_date: date | None = None
	to_date: date | None = None


def _unpaid(t) -> Criterion:
	return (t.status == "AUTHORISED") & (t.amount_due > 0)


def view_criterion(t, view: str, today: date, pinned_ids: tuple[str, ...]) -> Criterion:
	"""The SQL twin of semantics.in_view (a CI test holds the two to the same answers)."""
	visible = t.status != "DELETED"
	if view == "all":
		return visible
	if view == "pinned":
		return visible & t.name.isin(pinned_ids or ("",))
	sales = t.invoice_type == "ACCREC"
	if view == "paid":
		return sales & (t.status == "PAID")
	if view == "unpaid":
		return sales & _unpaid(t)
	if view == "open":
		return sales & _unpaid(t) & (t.due_date.isnull() | (t.due_date >= today))
	if view == "overdue":
		return sales & _unpaid(t) & t.due_date.notnull() & (t.due_date < today)
	if view == PAID_TO_DATE:
		return sales & t.status.isin(COUNTED_STATUSES) & (t.amount_paid > 0)
	if view in AGING_VIEWS:
		return sales & _unpaid(t) & _aged(t, view.removeprefix("aging_"), today)
	raise ValueError(f"unknown view {view!r}")


def _aged(t, bucket: str, today: date) -> Criterion:
	"""Invoices whose due date puts them in this aging bucket (semantics.aging_bucket's rule)."""
	earliest, latest = aging_due_dates(bucket, today)
	criterion = t.due_date.notnull()
	if earliest is not None:
		criterion &= t.due_date >= earliest
	if latest is not None:
		criterion &= t.due_date <= latest
	return t.due_date.isnull() | criterion if bucket == AGING_BUCKETS[0] else criterion


def aging_case(t, today: date) -> Term:
	"""Each invoice's aging bucket, in SQL: the buckets' due dates from semantics.aging_due_dates."""
	case = Case().when(t.due_date.isnull(), AGING_BUCKETS[0])
	for bucket in AGING_BUCKETS[:-1]:
		earliest, _latest = aging_due_dates(bucket, today)
		case = case.when(t.due_date >= earliest, bucket)
	return case.else_(AGING_BUCKETS[-1])


def _instr(haystack: Term, needle: str) -> Term:
	# Looked up at call time: Frappe swaps in a Function that binds its arguments as parameters.
	return terms.Function("INSTR", haystack, needle)


def _unescaped(field: Term) -> Term:
	"""A stored text column as the text it stands for (cache_rows.stored escapes it): a search for
	"amp" or "27" must not find the entities `&amp;` or `&#x27;`."""
	for entity, char in STORED_ENTITIES:
		field = terms.Function("REPLACE", field, entity, char)
	return field


def _contains(field: Term, needle: str) -> Criterion:
	"""Does the stored text contain `needle` (any case)? INSTR exists on MariaDB and SQLite alike
	and knows no wildcards, so % and _ stay literal."""
	return _instr(fn.Lower(_unescaped(field)), needle.lower()) > 0


def _where(t, f: InvoiceFilter) -> Criterion:
	return _searched(t, f, view_criterion(t, f.view, f.today, f.pinned_ids))


def _searched(t, f: InvoiceFilter, criterion: Criterion | None = None) -> Criterion:
	"""The record's invoices (f.contact_ids) that match the search and dates (and `criterion`)."""
	mine = t.xero_contact.isin(f.contact_ids or ("",))
	criterion = mine if criterion is None else mine & criterion
	if f.search:
		criterion &= _contains(t.invoice_number, f.search) | _contains(t.reference, f.search)
	if f.from_date:
		criterion &= t.invoice_date >= f.from_date
	if f.to_date:
		criterion &= t.invoice_date <= f.to_date
	return criterion


def list_invoices(tables: Tables, f: InvoiceFilter, start: int, page_length: int) -> QueryBuilder:
	"""A page of a view, most recent first. A record of several Xero contacts (in several
	organisations, say) reads each contact's invoices in index order, cut to the rows the page could
	need, before merging them: `xero_contact IN (a, b)` made MariaDB sort every matching row, or scan
	the table for the All view (benchmarks/panel_mariadb.py)."""
	if len(f.contact_ids) > 1:
		return _merged(
			tables,
			[_invoice_page(tables, replace(f, contact_ids=(c,)), start + page_length) for c in f.contact_ids],
			start,
			page_length,
		)
	return _invoice_page(tables, f, page_length).offset(start)


def _invoice_page(tables: Tables, f: InvoiceFilter, limit: int, *extra: Term) -> QueryBuilder:
	"""The view's invoices in index order, cut to `limit` (with `extra` columns: the All view's)."""
	t = tables.table(INVOICE)
	return (
		tables.query.from_(t)
		.select(*(t[c] for c in INVOICE_COLUMNS), *extra)
		.where(_where(t, f))
		.orderby(t.invoice_date, order=Order.desc)
		.orderby(t.invoice_number, order=Order.desc)
		.limit(limit)
	)


def _merged(tables: Tables, parts: list[QueryBuilder], start: int, page_length: int) -> QueryBuilder:
	"""Ordered, cut parts merged in one UNION ALL, ordered again and cut to the page. `name` breaks
	ties outside: two rows of the same date and number at a page's edge may swap; none goes missing."""
	# as derived tables: SQLite takes no ORDER BY or LIMIT inside a compound SELECT, nor parentheses
	query = tables.query.from_(parts[0]).select("*")
	query.wrap_set_operation_queries = False
	for part in parts[1:]:
		query = query.union_all(tables.query.from_(part).select("*"))
	return (
		query.orderby(Field("invoice_date"), order=Order.desc)
		.orderby(Field("invoice_number"), order=Order.desc)
		.orderby(Field("name"), order=Order.desc)
		.limit(page_length)
		.offset(start)
	)


# The All view's rows: invoices and credit side by side, in INVOICE_COLUMNS' order and names, then
# what only credit has. A credit's number is its invoice_number, its date its invoice_date.
CREDIT_AS_INVOICE = {
	"name": "name",
	"invoice_number": "number",
	"reference": "reference",
	"invoice_type": "xero_type",
	"xero_contact": "xero_contact",
	"status": "status",
	"invoice_date": "credit_date",
	"due_date": None,
	"currency": "currency",
	"total": "total",
	"amount_due": 0,
	"amount_paid": 0,
	"amount_credited": 0,
	"xero_updated_at": "xero_updated_at",
}


def credit_columns(row: dict) -> dict:
	"""A credit row of list_all under the Xero Credit DocType's own column names."""
	return {
		**{src: row[col] for col, src in CREDIT_AS_INVOICE.items() if isinstance(src, str)},
		"credit_type": row["credit_type"],
		"remaining_credit": row["remaining_credit"],
	}


def _credit_where(c, f: InvoiceFilter) -> Criterion:
	"""The record's credit that matches the search (number, reference) and dates; not deleted."""
	criterion = c.xero_contact.isin(f.contact_ids or ("",)) & (c.status != "DELETED")
	if f.search:
		criterion &= _contains(c.number, f.search) | _contains(c.reference, f.search)
	if f.from_date:
		criterion &= c.credit_date >= f.from_date
	if f.to_date:
		criterion &= c.credit_date <= f.to_date
	return criterion


def _constant(value, name: str) -> Term:
	return Term.wrap_constant(value).as_(name)


def list_all(tables: Tables, f: InvoiceFilter, start: int, page_length: int) -> QueryBuilder:
	"""A page of the All view: the invoices and the credit (credit notes, overpayments,
	prepayments), most recent first, in one UNION ALL; `is_credit` says which a row is.

	Each side is read per Xero contact, ordered as its index is and cut to the rows the page could
	need, before the union: sorting the union of a record's every invoice took 410 ms at 10,000 of
	them in a 1,000,000-invoice cache, this 1.4 ms (benchmarks/scale_mariadb.py); and a record of two
	contacts read with `IN (a, b)` scanned the whole table (benchmarks/panel_mariadb.py)."""
	first = start + page_length
	parts = []
	for contact in f.contact_ids or ("",):
		one = replace(f, contact_ids=(contact,))
		invoices = _invoice_page(
			tables,
			one,
			first,
			_constant(None, "credit_type"),
			_constant(0, "remaining_credit"),
			_constant(0, "is_credit"),
		)
		parts += [invoices, _credit_side(tables, one, first)]
	return _merged(tables, parts, start, page_length)


def _credit_side(tables: Tables, f: InvoiceFilter, limit: int) -> QueryBuilder:
	c = tables.table(CREDIT)
	return (
		tables.query.from_(c)
		.select(
			*(
				c[src].as_(col) if isinstance(src, str) else _constant(src, col)
				for col, src in CREDIT_AS_INVOICE.items()
			),
			c.credit_type,
			c.remaining_credit,
			_constant(1, "is_credit"),
		)
		.where(_credit_where(c, f))
		.orderby(c.credit_date, order=Order.desc)
		.orderby(c.number, order=Order.desc)
		.limit(limit)
	)


def credit_groups(tables: Tables, f: InvoiceFilter) -> QueryBuilder:
	"""The record's credit that matches the search and dates, grouped by currency, Xero type and
	status: how many, and their remaining credit. semantics decides what counts (credit_counted)."""
	c = tables.table(CREDIT)
	return (
		tables.query.from_(c)
		.select(
			c.currency,
			c.xero_type,
			c.status,
			fn.Count("*").as_("n"),
			fn.Sum(c.remaining_credit).as_("remaining_credit"),
		)
		.where(_credit_where(c, f))
		.groupby(c.currency, c.xero_type, c.status)
	)


def count_invoices(tables: Tables, f: InvoiceFilter) -> QueryBuilder:
	t = tables.table(INVOICE)
	return tables.query.from_(t).select(fn.Count("*").as_("n")).where(_where(t, f))


def payments_of(tables: Tables, invoice_ids: tuple[str, ...]) -> QueryBuilder:
	p = tables.table(PAYMENT)
	return (
		tables.query.from_(p)
		.select(*(p[c] for c in PAYMENT_COLUMNS))
		.where(p.parent.isin(invoice_ids or ("",)) & (p.parenttype == INVOICE))
		.orderby(p.parent)
		.orderby(p.payment_date)
	)


def _flag(criterion: Criterion, name: str) -> Term:
	return Case().when(criterion, 1).else_(0).as_(name)


def view_groups(tables: Tables, f: InvoiceFilter) -> QueryBuilder:
	"""The record's invoices that match the search and dates (f.view is not used) folded into a
	handful of groups (currency, type, status, past due?, owing?, paid anything?, pinned?, aging
	bucket) with their
	count, sums and earliest due date. Which views and totals each group belongs to is decided in Python by the semantics
	module itself, so the boxes, the pill counts and the lists' totals can never disagree with the
	lists. One indexed pass over the record's invoices, whatever their number."""
	t = tables.table(INVOICE)
	return (
		tables.query.from_(t)
		.select(
			t.currency,
			t.invoice_type,
			t.status,
			_flag(t.due_date.notnull() & (t.due_date < f.today), "past_due"),
			_flag(t.amount_due > 0, "owing"),
			_flag(t.amount_paid > 0, "received"),
			_flag(t.name.isin(f.pinned_ids), "pinned")
			if f.pinned_ids
			else Term.wrap_constant(0).as_("pinned"),
			aging_case(t, f.today).as_("aging"),
			fn.Count("*").as_("n"),
			fn.Sum(t.amount_paid).as_("amount_paid"),
			fn.Sum(t.amount_due).as_("amount_due"),
			fn.Min(t.due_date).as_("earliest_due"),
		)
		.where(_searched(t, f))
		.groupby(t.currency, t.invoice_type, t.status, *(Term.wrap_constant(i) for i in range(4, 9)))
	)


def overdue_by_contact(tables: Tables, contact_ids: tuple[str, ...], today: date) -> QueryBuilder:
	"""Per Xero contact and currency, its overdue sales invoices: how many, the amount due and the
	earliest due date. One grouped pass for a whole list page's contacts (the Customer list)."""
	t = tables.table(INVOICE)
	return (
		tables.query.from_(t)
		.select(
			t.xero_contact,
			t.currency,
			fn.Count("*").as_("n"),
			fn.Sum(t.amount_due).as_("amount_due"),
			fn.Min(t.due_date).as_("earliest_due"),
		)
		.where(t.xero_contact.isin(contact_ids or ("",)) & view_criterion(t, "overdue", today, ()))
		.groupby(t.xero_contact, t.currency)
	)


def contacts_by_id(tables: Tables, ids: tuple[str, ...]) -> QueryBuilder:
	c = tables.table(CONTACT)
	return tables.query.from_(c).select(*(c[x] for x in CONTACT_COLUMNS)).where(c.name.isin(ids or ("",)))


def merged_into(tables: Tables, ids: tuple[str, ...]) -> QueryBuilder:
	"""Xero contacts merged into one of these (matching follows a merge to the survivor)."""
	c = tables.table(CONTACT)
	return (
		tables.query.from_(c).select(*(c[x] for x in CONTACT_COLUMNS)).where(c.merged_to.isin(ids or ("",)))
	)


def contact_candidates(
	tables: Tables,
	names: tuple[str, ...],
	account_numbers: tuple[str, ...],
	tax_numbers: tuple[str, ...],
	emails: tuple[str, ...],
) -> QueryBuilder:
	"""Xero contacts that any key of a CRM record points at (keys normalised, as MatchKeys makes
	them). Each kind is one indexed IN list, however many keys a record has. Emails are their own
	branch, joined through the email index: as one more OR (`name IN (subquery)`) MariaDB read every
	cached contact, 49.7 ms at 50,000 of them, against 0.4 ms (benchmarks/scale_mariadb.py)."""
	c = tables.table(CONTACT)
	columns = [c[x] for x in CONTACT_COLUMNS]
	criteria = _key_criteria(c, names, account_numbers, tax_numbers)
	by_keys = tables.query.from_(c).select(*columns).where(Criterion.any(criteria)) if criteria else None
	if not emails:
		return by_keys or tables.query.from_(c).select(*columns).where(c.name == "")
	e = tables.table(CONTACT_EMAIL)
	by_email = (
		tables.query.from_(e)
		.join(c)
		.on(c.name == e.parent)
		.select(*columns)
		.distinct()
		.where(e.email.isin([stored(x) for x in emails]))
	)
	if by_keys is None:
		return by_email
	# as derived tables: SQLite takes no parenthesised SELECT in a compound one
	head = tables.query.from_(by_keys).select("*")
	head.wrap_set_operation_queries = False
	return head.union(tables.query.from_(by_email).select("*"))


def _key_criteria(c, names: tuple, account_numbers: tuple, tax_numbers: tuple) -> list:
	"""A contact's name, account number or tax number among the record's: each one indexed IN list."""
	criteria = []
	if names:
		criteria.append(c.name_key.isin([stored(n) for n in names]))
	if account_numbers:
		criteria.append(c.account_number.isin([stored(a) for a in account_numbers]))
	if tax_numbers:
		criteria.append(c.tax_number.isin([stored(t) for t in tax_numbers]))
	return criteria


def _with_emails(tables: Tables, emails: tuple[str, ...]) -> QueryBuilder:
	e = tables.table(CONTACT_EMAIL)
	return tables.query.from_(e).select(e.parent).where(e.email.isin([stored(x) for x in emails]))


def search_contacts(
	tables: Tables, text: str, organisations: tuple[str, ...] | None = None, limit: int = 20
) -> QueryBuilder:
	"""For the manual link: contacts whose name contains the text, or with exactly that email; only
	those of `organisations` (tenant ids) where given."""
	c = tables.table(CONTACT)
	found = _contains(c.contact_name, text)
	if "@" in text:
		found |= c.name.isin(_with_emails(tables, (text.strip().lower(),)))
	if organisations is not None:
		found &= c.organisation.isin(organisations or ("",))
	return (
		tables.query.from_(c)
		.select(*(c[x] for x in CONTACT_COLUMNS))
		.where(found & (c.contact_status != "ARCHIVED") & (c.merged_to.isnull() | (c.merged_to == "")))
		.orderby(c.contact_name)
		.limit(limit)
	)


# ---- which CRM records a Xero contact already shows on (before a rep links one by hand) -------------


@dataclass(frozen=True)
class RecordQuery:
	"""CRM records of one DocType that may match a Xero contact: `query` selects their `name`. A
	candidate only: the app confirms each by matching it forwards (trust rules, links that win)."""

	doctype: str
	query: QueryBuilder


def linked_records(tables: Tables, contact_ids: tuple[str, ...], limit: int = 50) -> QueryBuilder:
	"""Records a user linked by hand to one of these Xero contacts."""
	k = tables.table(LINK)
	return (
		tables.query.from_(k)
		.select(k.reference_doctype, k.reference_name)
		.where(k.xero_contact.isin(contact_ids or ("",)))
		.orderby(k.reference_doctype)
		.orderby(k.reference_name)
		.limit(limit)
	)


def keyed_records(
	tables: Tables,
	names: tuple[str, ...],
	account_numbers: tuple[str, ...],
	tax_numbers: tuple[str, ...],
	emails: tuple[str, ...],
	doctypes: frozenset[str] = frozenset({"Contact", "Customer", "Opportunity", "Lead", "Prospect"}),
	limit: int = 50,
) -> list[RecordQuery]:
	"""The reverse of contact_candidates: CRM records holding one of a Xero contact's keys (its names,
	account and tax numbers, emails, as MatchKeys normalises them; the database's case-insensitive
	collation compares the rest). Customer by name, ID (= account number) or tax ID; Contact by any of
	its emails or through a matching Customer; Opportunity through its party (Customer, or Lead or
	Prospect), its contact person or its contact email. `doctypes`: those the site has (no ERPNext: no
	Customer, Opportunity, Lead, Prospect)."""
	has = doctypes.__contains__
	customers = _customers(tables, names, account_numbers, tax_numbers) if has("Customer") else None
	contacts = _contacts(tables, emails, customers) if has("Contact") else None
	found = []
	if customers is not None:
		found.append(RecordQuery("Customer", customers))
	if contacts is not None:
		found.append(RecordQuery("Contact", contacts))
	if has("Opportunity"):
		opportunities = _opportunities(tables, names, emails, customers, contacts, has)
		if opportunities is not None:
			found.append(RecordQuery("Opportunity", opportunities))
	# ordered and limited at the top only: MariaDB takes no LIMIT in an IN (subquery)
	return [RecordQuery(r.doctype, r.query.orderby(Field("name")).limit(limit)) for r in found]


def _any_of(table, criteria: list) -> QueryBuilder | None:
	return None if not criteria else table.where(Criterion.any(criteria))


def _customers(tables, names, account_numbers, tax_numbers) -> QueryBuilder | None:
	c = tables.table("Customer")
	criteria = []
	if names:
		criteria += [c.customer_name.isin(names), c.name.isin(names)]
	if account_numbers:
		criteria.append(c.name.isin(account_numbers))
	if tax_numbers:
		criteria.append(c.tax_id.isin(tax_numbers))
	return _any_of(tables.query.from_(c).select(c.name), criteria)


def _contacts(tables, emails, customers) -> QueryBuilder | None:
	c = tables.table("Contact")
	criteria = []
	if emails:
		e = tables.table("Contact Email")
		criteria += [
			c.email_id.isin(emails),
			c.name.isin(
				tables.query.from_(e)
				.select(e.parent)
				.where(e.email_id.isin(emails) & (e.parenttype == "Contact"))
			),
		]
	if customers is not None:  # a Contact of a matching Customer (matched through it, as a fallback)
		d = tables.table("Dynamic Link")
		criteria.append(
			c.name.isin(
				tables.query.from_(d)
				.select(d.parent)
				.where(
					(d.parenttype == "Contact") & (d.link_doctype == "Customer") & d.link_name.isin(customers)
				)
			)
		)
	return _any_of(tables.query.from_(c).select(c.name), criteria)


def _opportunities(tables, names, emails, customers, contacts, has) -> QueryBuilder | None:
	o = tables.table("Opportunity")
	criteria = []
	if emails:
		criteria.append(o.contact_email.isin(emails))
	if contacts is not None:
		criteria.append(o.contact_person.isin(contacts))
	if customers is not None:
		criteria.append((o.opportunity_from == "Customer") & o.party_name.isin(customers))
	leads = _leads(tables, names, emails) if has("Lead") else None
	if leads is not None:
		criteria.append((o.opportunity_from == "Lead") & o.party_name.isin(leads))
	if has("Prospect") and names:
		criteria.append(
			(o.opportunity_from == "Prospect") & (o.party_name.isin(names) | o.customer_name.isin(names))
		)
	return _any_of(tables.query.from_(o).select(o.name), criteria)


def _leads(tables, names, emails) -> QueryBuilder | None:
	lead = tables.table("Lead")
	criteria = ([lead.company_name.isin(names)] if names else []) + (
		[lead.email_id.isin(emails)] if emails else []
	)
	return _any_of(tables.query.from_(lead).select(lead.name), criteria)
