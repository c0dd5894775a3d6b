"""Which invoices may be shared (online link) or downloaded (PDF) from the panel: approved sales
invoices only. Xero has no online invoice for a bill or a draft, and a voided or deleted invoice is
not something to send a customer. Decided from the cached invoice, before any call to Xero."""

SALES = "ACCREC"
SHAREABLE_STATUSES = frozenset({"AUTHORISED", "PAID"})


def refusal(invoice_type: str, status: str) -> str | None:
	"""Why this invoice gets no online link or PDF — "bill" or "not_approved" — or None when it
	may have both. The app words the reason for the rep (a draft's status named)."""
	if invoice_type != SALES:
		return "bill"
	if status not in SHAREABLE_STATUSES:
		return "not_approved"
	return None


def pdf_filename(invoice_number: str, invoice_id: str) -> str:
	"""A safe download name: the invoice number's letters, digits, '-' and '_' only."""
	safe = "".join(
		c if (c.isascii() and c.isalnum()) or c in "-_" else "-" for c in (invoice_number or "")
	).strip("-")
	return f"{safe or invoice_id}.pdf"
