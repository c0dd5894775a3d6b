"""Xero JSON → plain records: money as Decimal, dates as `date`, timestamps as aware `datetime`.

Xero sends `/Date(1700000000000+0000)/` for timestamps and `DateString` (ISO) beside invoice dates;
the SDK would turn money into floats, so we read the raw JSON instead."""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

_XERO_DATE = re.compile(r"/Date\((-?\d+)([+-]\d{4})?\)/")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

SALES = "ACCREC"
BILL = "ACCPAY"


@dataclass(frozen=True)
class Payment:
	payment_id: str
	date: date | None
	amount: Decimal | None
	reference: str = ""
	status: str = "AUTHORISED"


@dataclass(frozen=True)
class Invoice:
	invoice_id: str
	invoice_number: str
	reference: str
	type: str
	contact_id: str
	status: str
	date: date | None
	due_date: date | None
	currency: str
	total: Decimal
	amount_due: Decimal
	amount_paid: Decimal
	amount_credited: Decimal
	updated_at: datetime | None
	payments: tuple[Payment, ...] = ()


CREDIT_NOTE = "Credit Note"
OVERPAYMENT = "Overpayment"
PREPAYMENT = "Prepayment"
# Xero resource → (our credit_type, id field, number field or None: overpayments have no number)
CREDIT_RESOURCES = {
	"CreditNotes": (CREDIT_NOTE, "CreditNoteID", "CreditNoteNumber"),
	"Overpayments": (OVERPAYMENT, "OverpaymentID", None),
	"Prepayments": (PREPAYMENT, "PrepaymentID", None),
}
# Customer-side credit (what the customer may still spend with us); the rest is a supplier's, like a bill.
CUSTOMER_CREDIT_TYPES = ("ACCRECCREDIT", "RECEIVE-OVERPAYMENT", "RECEIVE-PREPAYMENT")


@dataclass(frozen=True)
class Credit:
	"""A Xero credit note, overpayment or prepayment: money the customer has not used up yet
	(`remaining_credit`, unallocated) reduces what they really owe."""

	credit_id: str
	credit_type: str  # Credit Note | Overpayment | Prepayment
	xero_type: str  # ACCRECCREDIT | ACCPAYCREDIT | RECEIVE-OVERPAYMENT | SPEND-OVERPAYMENT | …
	number: str
	reference: str
	contact_id: str
	status: str
	date: date | None
	currency: str
	total: Decimal
	remaining_credit: Decimal
	updated_at: datetime | None = None

	@property
	def customer_side(self) -> bool:
		return self.xero_type in CUSTOMER_CREDIT_TYPES


def parse_credit(resource: str, data: dict) -> Credit:
	"""One of Xero's CreditNotes, Overpayments or Prepayments (`resource`) as a Credit."""
	credit_type, id_field, number_field = CREDIT_RESOURCES[resource]
	return Credit(
		credit_id=str(data[id_field]),
		credit_type=credit_type,
		xero_type=_text(data, "Type").upper(),
		number=_text(data, number_field) if number_field else "",
		reference=_text(data, "Reference"),
		contact_id=_text(data.get("Contact") or {}, "ContactID"),
		status=_text(data, "Status", "DRAFT").upper(),
		date=parse_date(data.get("DateString"), data.get("Date")),
		currency=_text(data, "CurrencyCode"),
		total=money(data.get("Total")),
		remaining_credit=money(data.get("RemainingCredit")),
		updated_at=parse_timestamp(data.get("UpdatedDateUTC")),
	)


def allocated_invoice_ids(credit_notes: list[dict]) -> list[str]:
	"""The invoices these credit notes (Xero JSON) are allocated to: their AmountCredited changes."""
	return [
		str(invoice_id)
		for note in credit_notes
		for allocation in note.get("Allocations") or []
		if (invoice_id := (allocation.get("Invoice") or {}).get("InvoiceID"))
	]


@dataclass(frozen=True)
class XeroContact:
	contact_id: str
	name: str
	email: str = ""
	account_number: str = ""
	tax_number: str = ""
	person_emails: tuple[str, ...] = ()
	is_customer: bool = False
	merged_to: str = ""
	status: str = "ACTIVE"
	updated_at: datetime | None = None
	emails: tuple[str, ...] = field(init=False)

	def __post_init__(self):
		every = [self.email, *self.person_emails]
		# a blank email ("\r", spaces) is no key: it is dropped after normalising, not before
		emails = (normalise_email(e) for e in every)
		object.__setattr__(self, "emails", tuple(dict.fromkeys(e for e in emails if e)))


def normalise_email(value: str | None) -> str:
	return (value or "").strip().lower()


def normalise_name(value: str | None) -> str:
	return " ".join((value or "").split()).casefold()


def money(value) -> Decimal:
	if value is None or value == "":
		return Decimal("0")
	try:
		return Decimal(str(value))
	except InvalidOperation:
		return Decimal("0")


def parse_timestamp(value) -> datetime | None:
	"""`/Date(ms+0000)/` or ISO 8601 → aware UTC datetime."""
	if not value:
		return None
	if m := _XERO_DATE.search(str(value)):
		return EPOCH + timedelta(milliseconds=int(m.group(1)))
	try:
		parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
	except ValueError:
		return None
	return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_date(date_string, xero_value=None) -> date | None:
	"""Invoice dates are calendar dates: prefer DateString ("2026-11-04T00:00:00")."""
	if date_string:
		try:
			return date.fromisoformat(str(date_string)[:10])
		except ValueError:
			pass
	stamp = parse_timestamp(xero_value)
	return stamp.date() if stamp else None


def parse_payment(data: dict) -> Payment:
	return Payment(
		payment_id=str(data.get("PaymentID") or ""),
		date=parse_date(data.get("DateString"), data.get("Date")),
		amount=money(data["Amount"]) if data.get("Amount") is not None else None,
		reference=str(data.get("Reference") or ""),
		status=str(data.get("Status") or "AUTHORISED"),
	)


def _text(data: dict, key: str, default: str = "") -> str:
	return str(data.get(key) or default)


def _settled(status: str, amount_due: Decimal, settled: Decimal) -> str:
	"""Xero flips a settled invoice to PAID; read it that way even before the flip reaches us."""
	return "PAID" if status == "AUTHORISED" and amount_due <= 0 and settled > 0 else status


def parse_invoice(data: dict) -> Invoice:
	total = money(data.get("Total"))
	amount_due = money(data.get("AmountDue"))
	amount_paid = money(data.get("AmountPaid"))
	amount_credited = money(data.get("AmountCredited"))
	status = _settled(_text(data, "Status", "DRAFT").upper(), amount_due, amount_paid + amount_credited)
	payments = tuple(
		sorted(
			(parse_payment(p) for p in data.get("Payments") or [] if p.get("PaymentID")),
			key=lambda p: (p.date or date.max, p.payment_id),
		)
	)
	return Invoice(
		invoice_id=str(data["InvoiceID"]),
		invoice_number=_text(data, "InvoiceNumber"),
		reference=_text(data, "Reference"),
		type=_text(data, "Type", SALES),
		contact_id=_text(data.get("Contact") or {}, "ContactID"),
		status=status,
		date=parse_date(data.get("DateString"), data.get("Date")),
		due_date=parse_date(data.get("DueDateString"), data.get("DueDate")),
		currency=_text(data, "CurrencyCode"),
		total=total,
		amount_due=amount_due,
		amount_paid=amount_paid,
		amount_credited=amount_credited,
		updated_at=parse_timestamp(data.get("UpdatedDateUTC")),
		payments=payments,
	)


def parse_contact(data: dict) -> XeroContact:
	persons = tuple(
		str(p.get("EmailAddress")) for p in data.get("ContactPersons") or [] if p.get("EmailAddress")
	)
	return XeroContact(
		contact_id=str(data["ContactID"]),
		name=str(data.get("Name") or ""),
		email=str(data.get("EmailAddress") or ""),
		account_number=str(data.get("AccountNumber") or ""),
		tax_number=str(data.get("TaxNumber") or ""),
		person_emails=persons,
		is_customer=bool(data.get("IsCustomer")),
		merged_to=str(data.get("MergedToContactID") or ""),
		status=str(data.get("ContactStatus") or "ACTIVE"),
		updated_at=parse_timestamp(data.get("UpdatedDateUTC")),
	)


def merge_payments(embedded: tuple[Payment, ...], known: dict[str, Payment]) -> tuple[Payment, ...]:
	"""Invoices embed their payments, sometimes without date, amount or reference (xero-local sends
	only ids; Xero omits the reference). Fill the gaps from what /Payments told us before."""
	merged = []
	for p in embedded:
		old = known.get(p.payment_id)
		if old:
			p = Payment(
				p.payment_id,
				p.date or old.date,
				p.amount if p.amount is not None else old.amount,
				p.reference or old.reference,
				p.status,
			)
		merged.append(p)
	return tuple(sorted(merged, key=lambda p: (p.date or date.max, p.payment_id)))
