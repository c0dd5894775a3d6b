"""Records ↔ rows of the cache DocTypes (Xero Invoice, Xero Invoice Payment, Xero Contact).
One mapping, used by the Frappe writer and by the CI tier's SQLite cache alike."""

from datetime import date, datetime
from decimal import Decimal

from .records import Invoice, Payment, XeroContact


def invoice_row(inv: Invoice) -> dict:
	return {
		"name": inv.invoice_id,
		"invoice_number": inv.invoice_number,
		"reference": inv.reference,
		"invoice_type": inv.type,
		"xero_contact": inv.contact_id,
		"status": inv.status,
		"invoice_date": inv.date,
		"due_date": inv.due_date,
		"currency": inv.currency,
		"total": inv.total,
		"amount_due": inv.amount_due,
		"amount_paid": inv.amount_paid,
		"amount_credited": inv.amount_credited,
		"xero_updated_at": _naive_utc(inv.updated_at),
	}


def payment_row(invoice_id: str, p: Payment, idx: int = 0) -> dict:
	return {
		"name": p.payment_id,
		"parent": invoice_id,
		"parenttype": "Xero Invoice",
		"parentfield": "payments",
		"idx": idx,
		"payment_date": p.date,
		"amount": p.amount,
		"reference": p.reference,
		"status": p.status,
	}


def payment_rows(inv: Invoice) -> list[dict]:
	"""Only payments whose amount is known: an invoice may embed bare payment ids (xero-local does),
	whose details the Payments phase brings; the column is NOT NULL, as money columns are in Frappe."""
	known = [p for p in inv.payments if p.amount is not None]
	return [payment_row(inv.invoice_id, p, i) for i, p in enumerate(known, start=1)]


def contact_row(c: XeroContact) -> dict:
	return {
		"name": c.contact_id,
		"contact_name": c.name,
		"name_key": " ".join(c.name.split()).casefold(),
		# newline-wrapped so one INSTR finds a whole address, never a fragment of one
		"email_keys": "\n" + "\n".join(c.emails) + "\n" if c.emails else "",
		"account_number": c.account_number,
		"tax_number": c.tax_number,
		"is_customer": 1 if c.is_customer else 0,
		"merged_to": c.merged_to,
		"contact_status": c.status,
		"xero_updated_at": _naive_utc(c.updated_at),
	}


def payment_from_row(row: dict) -> Payment:
	return Payment(
		payment_id=row["name"],
		date=_date(row.get("payment_date")),
		amount=_decimal(row.get("amount")) if row.get("amount") is not None else None,
		reference=row.get("reference") or "",
		status=row.get("status") or "AUTHORISED",
	)


def invoice_from_row(row: dict, payments: list[dict] = ()) -> Invoice:
	return Invoice(
		invoice_id=row["name"],
		invoice_number=row.get("invoice_number") or "",
		reference=row.get("reference") or "",
		type=row.get("invoice_type") or "ACCREC",
		contact_id=row.get("xero_contact") or "",
		status=row.get("status") or "",
		date=_date(row.get("invoice_date")),
		due_date=_date(row.get("due_date")),
		currency=row.get("currency") or "",
		total=_decimal(row.get("total")),
		amount_due=_decimal(row.get("amount_due")),
		amount_paid=_decimal(row.get("amount_paid")),
		amount_credited=_decimal(row.get("amount_credited")),
		updated_at=None,
		payments=tuple(payment_from_row(p) for p in payments),
	)


def contact_from_row(row: dict) -> XeroContact:
	emails = tuple(e for e in (row.get("email_keys") or "").split("\n") if e)
	return XeroContact(
		contact_id=row["name"],
		name=row.get("contact_name") or "",
		email=emails[0] if emails else "",
		account_number=row.get("account_number") or "",
		tax_number=row.get("tax_number") or "",
		person_emails=emails[1:],
		is_customer=bool(int(row.get("is_customer") or 0)),
		merged_to=row.get("merged_to") or "",
		status=row.get("contact_status") or "ACTIVE",
	)


def _naive_utc(value: datetime | None) -> datetime | None:
	return value.replace(tzinfo=None) if value else None


def _date(value) -> date | None:
	if value is None or value == "":
		return None
	if isinstance(value, datetime):
		return value.date()
	if isinstance(value, date):
		return value
	return date.fromisoformat(str(value)[:10])


def _decimal(value) -> Decimal:
	if value is None or value == "":
		return Decimal("0")
	if isinstance(value, Decimal):
		return value
	# SQLite hands back floats for NUMERIC columns; str() keeps the digits the float shows.
	return Decimal(str(value))
