"""The seed fixture (tests/fixtures/invoices_acme.json, shaped exactly like Xero's) as records."""

import json
from decimal import Decimal
from pathlib import Path

from xero_crm.xero.records import Invoice, parse_invoice

FIXTURE = Path(__file__).parent / "fixtures" / "invoices_acme.json"


def acme_invoices() -> dict[str, Invoice]:
	"""The fixture's invoices by number (money read as Decimal, as the client reads Xero's JSON)."""
	data = json.loads(FIXTURE.read_text(), parse_float=Decimal)
	return {i.invoice_number: i for i in map(parse_invoice, data["Invoices"])}
