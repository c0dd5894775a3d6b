"""Records ↔ rows of the cache DocTypes (Xero Invoice, Xero Invoice Payment, Xero Contact, Xero
Contact Email, Xero Credit). One mapping, used by the Frappe writer and by the CI tier's SQLite cache alike.

Xero's text is stored HTML-escaped: Frappe's own views (form, grid, list, Report View, print) put Data
and Text values into the page as HTML, so a stored `<img onerror=…>` would run there. Escaped, every
Frappe view shows it as the text it is; the panel's reader unescapes, so nothing is lost.
The escaped form can be longer than Xero's: columns are sized for that (COLUMN_LIMITS), and a row
that would still not fit is quarantined by the writer instead of failing its whole page."""

import html
from datetime import UTC, date, datetime
from decimal import Decimal

from .doctypes import CONTACT, CONTACT_EMAIL, CREDIT, INVOICE, PAYMENT
from .keys import cache_key, organisation_of, split_key, xero_id_of  # noqa: F401 (re-exported)
from .records import Credit, Invoice, Payment, XeroContact, normalise_name

# Longest text each column holds (characters), as the DocType JSON sizes it; a CI test keeps the two
# equal. Data columns hold Xero's longest value (255 for names and numbers, 50 for account and tax
# numbers) even where most of its characters must be escaped; free text is Small Text.
SMALL_TEXT = 65535 // 4  # MariaDB TEXT in bytes, utf8mb4
COLUMN_LIMITS = {
	INVOICE: {
		"name": 140,
		"organisation": 140,
		"invoice_number": 600,
		"reference": SMALL_TEXT,
		"invoice_type": 140,
		"xero_contact": 140,
		"status": 140,
		"currency": 3,
	},
	PAYMENT: {"name": 140, "parent": 140, "reference": SMALL_TEXT, "status": 140},
	CONTACT: {
		"name": 140,
		"organisation": 140,
		"contact_name": SMALL_TEXT,
		"name_key": 600,
		"email_keys": SMALL_TEXT,
		"account_number": 300,
		"tax_number": 300,
		"merged_to": 140,
		"contact_status": 140,
	},
	CONTACT_EMAIL: {"name": 140, "parent": 140, "email": 600},
	CREDIT: {
		"name": 140,
		"organisation": 140,
		"credit_type": 140,
		"xero_type": 140,
		"number": 600,
		"reference": SMALL_TEXT,
		"xero_contact": 140,
		"status": 140,
		"currency": 3,
	},
}


# What `stored` writes for each character it escapes; `&amp;` last, so it is undone last.
STORED_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#x27;", "'"), ("&amp;", "&"))


def stored(value: str | None) -> str:
	"""Xero text as the cache keeps it (and as a query must compare against it)."""
	return html.escape(value or "")


def loaded(value: str | None) -> str:
	return html.unescape(value or "")


def name_key(name: str | None) -> str:
	return stored(normalise_name(name))


def too_long(doctype: str, row: dict) -> str | None:
	"""Which column of `row` its DocType cannot hold, if any (the writer quarantines such a row)."""
	limits = COLUMN_LIMITS[doctype]
	for column, value in row.items():
		if isinstance(value, str) and len(value) > limits.get(column, SMALL_TEXT):
			return column
	return None


def invoice_row(inv: Invoice, organisation: str = "") -> dict:
	return {
		"name": cache_key(organisation, inv.invoice_id),
		"organisation": organisation or None,
		"invoice_number": stored(inv.invoice_number),
		"reference": stored(inv.reference),
		"invoice_type": inv.type,
		"xero_contact": cache_key(organisation, inv.contact_id),
		"status": stored(inv.status),
		"invoice_date": inv.date,
		"due_date": inv.due_date,
		"currency": stored(inv.currency),
		"total": inv.total,
		"amount_due": inv.amount_due,
		"amount_paid": inv.amount_paid,
		"amount_credited": inv.amount_credited,
		"xero_updated_at": _naive_utc(inv.updated_at),
	}


def credit_row(c: Credit, organisation: str = "") -> dict:
	return {
		"name": cache_key(organisation, c.credit_id),
		"organisation": organisation or None,
		"credit_type": c.credit_type,
		"xero_type": stored(c.xero_type),
		"number": stored(c.number),
		"reference": stored(c.reference),
		"xero_contact": cache_key(organisation, c.contact_id),
		"status": stored(c.status),
		"credit_date": c.date,
		"currency": stored(c.currency),
		"total": c.total,
		"remaining_credit": c.remaining_credit,
		"xero_updated_at": _naive_utc(c.updated_at),
	}


def credit_from_row(row: dict) -> Credit:
	return Credit(
		credit_id=row["name"],
		credit_type=row.get("credit_type") or "",
		xero_type=loaded(row.get("xero_type")),
		number=loaded(row.get("number")),
		reference=loaded(row.get("reference")),
		contact_id=row.get("xero_contact") or "",
		status=loaded(row.get("status")),
		date=column_date(row.get("credit_date")),
		currency=loaded(row.get("currency")),
		total=column_decimal(row.get("total")),
		remaining_credit=column_decimal(row.get("remaining_credit")),
	)


def payment_row(invoice_key: str, p: Payment, idx: int = 0, organisation: str = "") -> dict:
	"""A payment under its invoice (`invoice_key`: the invoice's cache key)."""
	return {
		"name": cache_key(organisation, p.payment_id),
		"parent": invoice_key,
		"parenttype": INVOICE,
		"parentfield": "payments",
		"idx": idx,
		"payment_date": p.date,
		"amount": p.amount,
		"reference": stored(p.reference),
		"status": stored(p.status),
	}


def payment_rows(inv: Invoice, organisation: str = "") -> list[dict]:
	"""Only payments whose amount is known: an invoice may embed bare payment ids (xero-local does),
	whose details the Payments phase brings; the column is NOT NULL, as money columns are in Frappe."""
	known = [p for p in inv.payments if p.amount is not None]
	parent = cache_key(organisation, inv.invoice_id)
	return [payment_row(parent, p, i, organisation) for i, p in enumerate(known, start=1)]


def contact_row(c: XeroContact, organisation: str = "") -> dict:
	return {
		"name": cache_key(organisation, c.contact_id),
		"organisation": organisation or None,
		"contact_name": stored(c.name),
		"name_key": name_key(c.name),
		# every address, one a line, for display; the lookup goes through Xero Contact Email's index
		"email_keys": stored("\n".join(c.emails)),
		"account_number": stored(c.account_number.strip()),
		"tax_number": stored(c.tax_number.strip()),
		"is_customer": 1 if c.is_customer else 0,
		"merged_to": stored(cache_key(organisation, c.merged_to)),
		"contact_status": stored(c.status),
		"xero_updated_at": _naive_utc(c.updated_at),
	}


def contact_email_rows(c: XeroContact, organisation: str = "") -> list[dict]:
	"""One row per address: an exact, indexed key for matching and the link search."""
	parent = cache_key(organisation, c.contact_id)
	return [
		{
			"name": f"{parent}:{n}",
			"parent": parent,
			"parenttype": CONTACT,
			"parentfield": "emails",
			"idx": n,
			"email": stored(email),
		}
		for n, email in enumerate(c.emails, start=1)
	]


def payment_from_row(row: dict) -> Payment:
	return Payment(
		payment_id=row["name"],
		date=column_date(row.get("payment_date")),
		amount=column_decimal(row.get("amount")) if row.get("amount") is not None else None,
		reference=loaded(row.get("reference")),
		status=loaded(row.get("status")) or "AUTHORISED",
	)


def invoice_from_row(row: dict, payments: list[dict] = ()) -> Invoice:
	return Invoice(
		invoice_id=row["name"],
		invoice_number=loaded(row.get("invoice_number")),
		reference=loaded(row.get("reference")),
		type=row.get("invoice_type") or "ACCREC",
		contact_id=row.get("xero_contact") or "",
		status=loaded(row.get("status")),
		date=column_date(row.get("invoice_date")),
		due_date=column_date(row.get("due_date")),
		currency=loaded(row.get("currency")),
		total=column_decimal(row.get("total")),
		amount_due=column_decimal(row.get("amount_due")),
		amount_paid=column_decimal(row.get("amount_paid")),
		amount_credited=column_decimal(row.get("amount_credited")),
		updated_at=None,
		payments=tuple(payment_from_row(p) for p in payments),
	)


def contact_from_row(row: dict) -> XeroContact:
	emails = tuple(e for e in loaded(row.get("email_keys")).split("\n") if e)
	return XeroContact(
		contact_id=row["name"],
		name=loaded(row.get("contact_name")),
		email=emails[0] if emails else "",
		account_number=loaded(row.get("account_number")),
		tax_number=loaded(row.get("tax_number")),
		person_emails=emails[1:],
		is_customer=bool(int(row.get("is_customer") or 0)),
		merged_to=loaded(row.get("merged_to")),
		status=loaded(row.get("contact_status")) or "ACTIVE",
	)


def _naive_utc(value: datetime | None) -> datetime | None:
	"""Datetime columns hold UTC without a zone."""
	if not value:
		return None
	return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def column_date(value) -> date | None:
	"""A date column as read back: a date on MariaDB, ISO text on SQLite."""
	if value is None or value == "":
		return None
	if isinstance(value, datetime):
		return value.date()
	if isinstance(value, date):
		return value
	return date.fromisoformat(str(value)[:10])


def column_decimal(value) -> Decimal:
	"""A money column as read back: Decimal on MariaDB, a float or text on SQLite."""
	if value is None or value == "":
		return Decimal("0")
	if isinstance(value, Decimal):
		return value
	# SQLite hands back floats for NUMERIC columns; str() keeps the digits the float shows.
	return Decimal(str(value))
