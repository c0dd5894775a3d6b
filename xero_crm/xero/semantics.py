"""What an invoice means to a rep. Xero has no "open" or "overdue" status: we derive them.

- Paid: PAID. Unpaid: AUTHORISED with an amount due. Open: unpaid, due today or later (or no due
  date). Overdue: unpaid, due before today. These four views hold sales invoices only; bills are
  listed (with their type) in All and Pinned. Drafts, submitted, voided and deleted invoices are in no
  total and no saved view but All.
- Paid to date: every counted sales invoice the customer has paid something on, part-paid ones
  included. It is the list the Total paid box opens (no pill of its own), so the box (amount paid on
  every counted invoice) equals the list's total; Unpaid and Overdue equal theirs the same way.
- Totals are per currency, never added across currencies, and only sales invoices (ACCREC) make
  them; bills (ACCPAY) are listed with their type.
- Instalments: an invoice settled by more than one payment, numbered 1, 2, … by date.
- Aging: what is owed (unpaid sales invoices' amount due), per currency, by days overdue (today − due
  date): current (not yet due, due today, or no due date), 1–30, 31–60, 61–90 and 90+. The four
  overdue buckets add up to the Overdue box, all five to Total unpaid. Each bucket is a list
  (`aging_<bucket>`, no pill) that the aging bar's segment opens.
- Overdue heads-up: per currency, how many sales invoices are overdue, their amount due and how many
  days overdue the oldest of them is (today − its due date); never added across currencies.
- Credit available: per currency, the unallocated remainder (RemainingCredit) of the customer's
  AUTHORISED credit notes (ACCRECCREDIT), overpayments and prepayments (RECEIVE-*). A supplier's
  credit (ACCPAYCREDIT, SPEND-*) is like a bill: listed, never counted. Net = unpaid − credit, per
  currency (negative when the customer is in credit). Credit is listed in All only (DELETED: not at
  all), beside the invoices, by date, with its own type (Credit Note, Overpayment, Prepayment)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import quote, urlencode

from .keys import xero_id_of
from .records import CREDIT_NOTE, CUSTOMER_CREDIT_TYPES, SALES, Credit, Invoice, Payment

VIEWS = ("open", "unpaid", "overdue", "paid", "pinned", "all")  # the pills, in the order shown
PAID_TO_DATE = "paid_to_date"  # the list the Total paid box opens: no pill
# Aging buckets, in order, each with the most days overdue it holds (None: no limit). Current holds
# 0 or fewer (not yet due, or due today) and invoices without a due date.
AGING = (("current", 0), ("1_30", 30), ("31_60", 60), ("61_90", 90), ("90_plus", None))
AGING_BUCKETS = tuple(key for key, _most in AGING)
AGING_VIEWS = tuple(f"aging_{key}" for key in AGING_BUCKETS)  # the lists a bar segment opens: no pill
LIST_VIEWS = (*VIEWS, PAID_TO_DATE, *AGING_VIEWS)  # every view a list may be asked for
DEFAULT_VIEW = "open"
COUNTED_STATUSES = ("AUTHORISED", "PAID")
HIDDEN_STATUSES = ("DELETED",)  # gone from Xero: not even in All

# ISO 4217 minor units where they are not 2.
_MINOR_UNITS = {
	"BHD": 3,
	"IQD": 3,
	"JOD": 3,
	"KWD": 3,
	"LYD": 3,
	"OMR": 3,
	"TND": 3,
	"BIF": 0,
	"CLP": 0,
	"DJF": 0,
	"GNF": 0,
	"ISK": 0,
	"JPY": 0,
	"KMF": 0,
	"KRW": 0,
	"PYG": 0,
	"RWF": 0,
	"UGX": 0,
	"VND": 0,
	"VUV": 0,
	"XAF": 0,
	"XOF": 0,
	"XPF": 0,
}


def precision(currency: str) -> int:
	return _MINOR_UNITS.get((currency or "").upper(), 2)


def quantize(amount: Decimal, currency: str) -> Decimal:
	return amount.quantize(Decimal(1).scaleb(-precision(currency)))


def overdue_days(due_date: date | None, today: date) -> int | None:
	"""Days overdue: today − due date (0 due today, negative not yet due); None without a due date."""
	return None if due_date is None else (today - due_date).days


def aging_bucket(days: int | None) -> str:
	"""The aging bucket of an invoice so many days overdue (None: no due date, which is current).
	The one rule: the SQL grouping (queries.aging_case) is built from the same AGING table."""
	if days is None:
		return AGING_BUCKETS[0]
	for key, most in AGING:
		if most is None or days <= most:
			return key
	raise AssertionError("the last bucket has no limit")


def aging_due_dates(bucket: str, today: date) -> tuple[date | None, date | None]:
	"""The due dates a bucket holds, as (earliest, latest) inclusive (None: no limit that side), for
	the SQL twin. Current also holds invoices with no due date (the caller adds that)."""
	index = AGING_BUCKETS.index(bucket)
	most = AGING[index][1]
	fewest = None if index == 0 else AGING[index - 1][1] + 1
	earliest = None if most is None else today - timedelta(days=most)
	latest = None if fewest is None else today - timedelta(days=fewest)
	return earliest, latest


@dataclass(frozen=True)
class Kind:
	"""The facts that decide an invoice's views and totals: its type and status, whether an amount is
	due, whether its due date is past, and whether the customer has paid anything on it. A single
	invoice has one; so has a group of them that the summary's SQL folded together."""

	type: str
	status: str
	owing: bool
	past_due: bool
	received: bool = False  # amount paid > 0
	aging: str = AGING_BUCKETS[0]  # aging_bucket(days overdue): current unless past due

	@classmethod
	def of(cls, inv: Invoice, today: date) -> "Kind":
		past_due = inv.due_date is not None and inv.due_date < today
		aging = aging_bucket(overdue_days(inv.due_date, today))
		return cls(inv.type, inv.status, inv.amount_due > 0, past_due, inv.amount_paid > 0, aging)

	@property
	def unpaid(self) -> bool:
		return self.status == "AUTHORISED" and self.owing

	@property
	def counted(self) -> bool:
		"""Does it count in the Total paid / unpaid boxes?"""
		return self.type == SALES and self.status in COUNTED_STATUSES

	def in_view(self, view: str, pinned: bool = False) -> bool:
		if view not in LIST_VIEWS:
			raise ValueError(f"unknown view {view!r}")
		if view == "all":
			return self.status not in HIDDEN_STATUSES
		if view == "pinned":
			return pinned and self.status not in HIDDEN_STATUSES
		if self.type != SALES:
			return False
		if view in AGING_VIEWS:
			return self.unpaid and view == f"aging_{self.aging}"
		return {
			"paid": self.status == "PAID",
			"unpaid": self.unpaid,
			"open": self.unpaid and not self.past_due,
			"overdue": self.unpaid and self.past_due,
			PAID_TO_DATE: self.counted and self.received,
		}[view]

	@property
	def status_key(self) -> str:
		"""paid | open | overdue | draft | submitted | voided | deleted | …: what the panel labels."""
		if self.status == "PAID":
			return "paid"
		if self.unpaid:  # a bill is never in the Overdue view, so never labelled overdue
			return "overdue" if self.in_view("overdue") else "open"
		return self.status.lower()


def is_unpaid(inv: Invoice) -> bool:
	return inv.status == "AUTHORISED" and inv.amount_due > 0


def in_view(inv: Invoice, view: str, today: date, pinned: bool = False) -> bool:
	return Kind.of(inv, today).in_view(view, pinned)


def counts_in_totals(inv: Invoice) -> bool:
	return Kind.of(inv, date.min).counted


def live_payments(inv: Invoice) -> tuple[Payment, ...]:
	return tuple(p for p in inv.payments if p.status != "DELETED")


def instalments(inv: Invoice) -> list[dict]:
	"""Each payment numbered by date, for an invoice settled by more than one payment."""
	payments = live_payments(inv)
	if len(payments) < 2:
		return []
	return [
		{
			"number": n,
			"date": p.date.isoformat() if p.date else None,
			"amount": quantize(p.amount, inv.currency) if p.amount is not None else None,
			"reference": p.reference,
		}
		for n, p in enumerate(payments, start=1)
	]


_STATUS_LABELS = {"paid": "Paid", "open": "Open", "overdue": "Overdue"}


def display_status(inv: Invoice, today: date) -> str:
	"""The status a rep reads, in English: Paid / Open / Overdue / Draft / …, with the instalment
	count. Kept for integrators; the panel labels `status_key` and `instalment_count` itself."""
	key = Kind.of(inv, today).status_key
	label = _STATUS_LABELS.get(key, inv.status.capitalize())
	count = len(live_payments(inv))
	if count > 1:
		label += f" · {count} instalments"
	return label


def due_state(inv: Invoice, today: date) -> str | None:
	"""For an unpaid invoice: overdue, today (due today) or later; None when nothing is owed."""
	if not is_unpaid(inv) or inv.due_date is None:
		return "later" if is_unpaid(inv) else None
	if inv.due_date < today:
		return "overdue"
	return "today" if inv.due_date == today else "later"


def credit_counted(xero_type: str, status: str) -> bool:
	"""Does a credit (one, or a group of them of this type and status) count in Credit available?"""
	return xero_type in CUSTOMER_CREDIT_TYPES and status == "AUTHORISED"


def credit_in_view(status: str, view: str) -> bool:
	"""Credit is listed in All only (not even there once deleted in Xero)."""
	return view == "all" and status not in HIDDEN_STATUSES


@dataclass
class CurrencyTotals:
	currency: str
	paid: Decimal = Decimal("0")
	unpaid: Decimal = Decimal("0")
	overdue: Decimal = Decimal("0")
	credit: Decimal = Decimal("0")  # credit available: see credit_counted

	def add(self, kind: Kind, amount_paid: Decimal, amount_due: Decimal) -> None:
		"""Count in the amounts of one invoice, or the sums of a group, of this kind."""
		self.paid += amount_paid
		if kind.unpaid:
			self.unpaid += amount_due
			if kind.past_due:
				self.overdue += amount_due

	def as_dict(self) -> dict:
		return {
			"currency": self.currency,
			"paid": quantize(self.paid, self.currency),
			"unpaid": quantize(self.unpaid, self.currency),
			"overdue": quantize(self.overdue, self.currency),
			"credit": quantize(self.credit, self.currency),
			"net": quantize(self.unpaid - self.credit, self.currency),
		}


@dataclass
class CurrencyAging:
	"""What is owed in one currency, by aging bucket: amount due and how many invoices."""

	currency: str

	def __post_init__(self):
		self.amounts = dict.fromkeys(AGING_BUCKETS, Decimal("0"))
		self.counts = dict.fromkeys(AGING_BUCKETS, 0)

	def add(self, kind: Kind, amount_due: Decimal, n: int = 1) -> None:
		"""Count in one invoice, or a group of `n` of this kind, if it is owed."""
		if kind.counted and kind.unpaid:
			self.amounts[kind.aging] += amount_due
			self.counts[kind.aging] += n

	@property
	def owed(self) -> bool:
		return any(self.counts.values())

	def as_dict(self) -> dict:
		return {
			"currency": self.currency,
			"buckets": [
				{"key": key, "amount": quantize(self.amounts[key], self.currency), "count": self.counts[key]}
				for key in AGING_BUCKETS
			],
		}


@dataclass
class CurrencyOverdue:
	"""The overdue sales invoices in one currency: how many, the amount due, the oldest due date."""

	currency: str
	count: int = 0
	amount: Decimal = Decimal("0")
	oldest_due: date | None = None

	def add(self, kind: Kind, amount_due: Decimal, n: int = 1, earliest_due: date | None = None) -> None:
		"""Count in one invoice, or a group of `n` of this kind (due on `earliest_due` at the earliest),
		if it is in the Overdue view."""
		if not (kind.counted and kind.in_view("overdue")):
			return
		self.count += n
		self.amount += amount_due
		if earliest_due is not None and (self.oldest_due is None or earliest_due < self.oldest_due):
			self.oldest_due = earliest_due

	def as_dict(self, today: date) -> dict:
		return {
			"currency": self.currency,
			"count": self.count,
			"amount": quantize(self.amount, self.currency),
			"oldest_days": overdue_days(self.oldest_due, today),
		}


def overdue_summary(
	by_key: dict, today: date, order: Callable = sorted, label: Callable[[object, dict], dict] | None = None
) -> dict:
	"""What the heads-up says: how many invoices are overdue, how many days the oldest is, and per
	currency (or per organisation and currency: `by_key`'s keys, in `order`; `label` adds what a key
	names to its row) those with something overdue: the count, amount and oldest."""
	rows = [
		(label or (lambda key, row: row))(k, by_key[k].as_dict(today))
		for k in order(by_key)
		if by_key[k].count
	]
	days = [r["oldest_days"] for r in rows if r["oldest_days"] is not None]
	return {
		"count": sum(r["count"] for r in rows),
		"oldest_days": max(days, default=None),
		"by_currency": rows,
	}


def deep_link(
	inv: Invoice, short_code: str, base: str = "https://go.xero.com/organisationlogin/default.aspx"
) -> str:
	"""Opens the invoice in Xero, in the right organisation (ShortCode), whichever the user last used."""
	section = "AccountsReceivable" if inv.type == SALES else "AccountsPayable"
	target = f"/{section}/View.aspx?InvoiceID={quote(xero_id_of(inv.invoice_id))}"
	if not short_code:
		return f"https://go.xero.com{target}"
	return f"{base}?{urlencode({'shortcode': short_code, 'redirecturl': target}, quote_via=quote)}"


def present(
	inv: Invoice, today: date, short_code: str, pinned: bool, deep_link_base: str | None = None
) -> dict:
	"""One invoice as the API returns it (the contract the panel and integrators rely on)."""
	link_args = (deep_link_base,) if deep_link_base else ()
	kind = Kind.of(inv, today)
	return {
		"invoice_id": inv.invoice_id,
		"invoice_number": inv.invoice_number,
		"reference": inv.reference,
		"type": inv.type,
		"date": inv.date.isoformat() if inv.date else None,
		"due_date": inv.due_date.isoformat() if inv.due_date else None,
		"status": inv.status,
		"display_status": display_status(inv, today),
		"currency": inv.currency,
		"total": quantize(inv.total, inv.currency),
		"amount_due": quantize(inv.amount_due, inv.currency),
		"amount_paid": quantize(inv.amount_paid, inv.currency),
		"amount_credited": quantize(inv.amount_credited, inv.currency),
		"url": deep_link(inv, short_code, *link_args),
		"pinned": pinned,
		"payments": instalments(inv),
		# Structured facts: the panel labels and translates these; it decides nothing itself.
		"status_key": kind.status_key,
		"instalment_count": len(live_payments(inv)),
		"is_bill": inv.type != SALES,
		"counted": kind.counted,
		"unpaid": kind.unpaid,
		"due": due_state(inv, today),
		"is_credit": False,
	}


def credit_link(
	credit: Credit, short_code: str, base: str = "https://go.xero.com/organisationlogin/default.aspx"
) -> str | None:
	"""Opens a credit note in Xero, in the right organisation; None for an overpayment or prepayment
	(Xero shows those as bank transactions, under an id the API does not give)."""
	if credit.credit_type != CREDIT_NOTE:
		return None
	section = "AccountsReceivable" if credit.customer_side else "AccountsPayable"
	target = f"/{section}/ViewCreditNote.aspx?creditNoteID={quote(xero_id_of(credit.credit_id))}"
	if not short_code:
		return f"https://go.xero.com{target}"
	return f"{base}?{urlencode({'shortcode': short_code, 'redirecturl': target}, quote_via=quote)}"


def present_credit(credit: Credit, short_code: str, deep_link_base: str | None = None) -> dict:
	"""One credit note, overpayment or prepayment as the All view lists it (`is_credit`)."""
	link_args = (deep_link_base,) if deep_link_base else ()
	available = credit.status == "AUTHORISED" and credit.remaining_credit > 0
	return {
		"is_credit": True,
		"credit_id": credit.credit_id,
		"credit_type": credit.credit_type,
		"type": credit.xero_type,
		"number": credit.number,
		"reference": credit.reference,
		"date": credit.date.isoformat() if credit.date else None,
		"status": credit.status,
		"status_key": "credit" if available else credit.status.lower(),
		"currency": credit.currency,
		"total": quantize(credit.total, credit.currency),
		"remaining_credit": quantize(credit.remaining_credit, credit.currency),
		"url": credit_link(credit, short_code, *link_args),
		"pinned": False,
		"is_bill": not credit.customer_side,  # a supplier's credit: muted, like a bill
		"counted": credit_counted(credit.xero_type, credit.status),
	}
