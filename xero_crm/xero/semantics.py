"""What an invoice means to a rep. Xero has no "open" or "overdue" status: we derive them.

- Paid: PAID. Unpaid: AUTHORISED with an amount due. Open: unpaid, due today or later (or no due
  date). Overdue: unpaid, due before today. These four views hold sales invoices only, so a box's
  total and the list it opens agree; bills are listed (with their type) in All and Pinned. Drafts,
  submitted, voided and deleted invoices are in no total and no saved view but All.
- Totals are per currency, never added across currencies, and only sales invoices (ACCREC) make
  them; bills (ACCPAY) are listed with their type.
- Instalments: an invoice settled by more than one payment, numbered 1, 2, … by date."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import quote, urlencode

from .records import SALES, Invoice, Payment

VIEWS = ("open", "unpaid", "paid", "overdue", "pinned", "all")
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


def is_unpaid(inv: Invoice) -> bool:
	return inv.status == "AUTHORISED" and inv.amount_due > 0


def in_view(inv: Invoice, view: str, today: date, pinned: bool = False) -> bool:
	if view == "all":
		return inv.status not in HIDDEN_STATUSES
	if view == "pinned":
		return pinned and inv.status not in HIDDEN_STATUSES
	if view not in VIEWS:
		raise ValueError(f"unknown view {view!r}")
	if inv.type != SALES:
		return False
	if view == "paid":
		return inv.status == "PAID"
	if view == "unpaid":
		return is_unpaid(inv)
	if view == "open":
		return is_unpaid(inv) and (inv.due_date is None or inv.due_date >= today)
	if view == "overdue":
		return is_unpaid(inv) and inv.due_date is not None and inv.due_date < today
	raise ValueError(f"unknown view {view!r}")


def counts_in_totals(inv: Invoice) -> bool:
	return inv.type == SALES and inv.status in COUNTED_STATUSES


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


def display_status(inv: Invoice, today: date) -> str:
	"""The status a rep reads: Paid / Open / Overdue / Draft / …, with the instalment count."""
	if inv.status == "PAID":
		label = "Paid"
	elif is_unpaid(inv):
		label = "Overdue" if in_view(inv, "overdue", today) else "Open"
	else:
		label = inv.status.capitalize()
	count = len(live_payments(inv))
	if count > 1:
		label += f" · {count} instalments"
	return label


@dataclass
class CurrencyTotals:
	currency: str
	paid: Decimal = Decimal("0")
	unpaid: Decimal = Decimal("0")
	overdue: Decimal = Decimal("0")

	def add(self, inv: Invoice, today: date, amount_paid: Decimal, amount_due: Decimal) -> None:
		"""Count `inv`'s kind of invoice in: the amounts are its own, or a group's sums."""
		self.paid += amount_paid
		if is_unpaid(inv):
			self.unpaid += amount_due
			if in_view(inv, "overdue", today):
				self.overdue += amount_due

	def as_dict(self) -> dict:
		return {
			"currency": self.currency,
			"paid": quantize(self.paid, self.currency),
			"unpaid": quantize(self.unpaid, self.currency),
			"overdue": quantize(self.overdue, self.currency),
		}


def totals(invoices: Iterable[Invoice], today: date) -> list[dict]:
	"""Total paid = amount paid; total unpaid = amount due; per currency, sorted by currency."""
	by_currency: dict[str, CurrencyTotals] = {}
	for inv in invoices:
		if not counts_in_totals(inv):
			continue
		by_currency.setdefault(inv.currency, CurrencyTotals(inv.currency)).add(
			inv, today, inv.amount_paid, inv.amount_due
		)
	return [by_currency[c].as_dict() for c in sorted(by_currency)]


def deep_link(
	inv: Invoice, short_code: str, base: str = "https://go.xero.com/organisationlogin/default.aspx"
) -> str:
	"""Opens the invoice in Xero, in the right organisation (ShortCode), whichever the user last used."""
	section = "AccountsReceivable" if inv.type == SALES else "AccountsPayable"
	target = f"/{section}/View.aspx?InvoiceID={quote(inv.invoice_id)}"
	if not short_code:
		return f"https://go.xero.com{target}"
	return f"{base}?{urlencode({'shortcode': short_code, 'redirecturl': target}, quote_via=quote)}"


def present(
	inv: Invoice, today: date, short_code: str, pinned: bool, deep_link_base: str | None = None
) -> dict:
	"""One invoice as the API returns it (the contract the panel and integrators rely on)."""
	link_args = (deep_link_base,) if deep_link_base else ()
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
	}
