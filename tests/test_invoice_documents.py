"""Share and download: a sales invoice's online link and its PDF, fetched on demand through the
client (rate limiter, retries, 401 → refresh, our errors) from the peer in front of xero-local."""

import pytest

from xero_crm.emulator.peer import Fault, minimal_pdf
from xero_crm.xero.client import XeroClient
from xero_crm.xero.documents import pdf_filename, refusal
from xero_crm.xero.errors import XeroBadRequest, XeroNotFound, XeroRateLimited
from xero_crm.xero.ratelimit import RateLimiter
from xero_crm.xero.retry import RetryPolicy

API = "/api.xro/2.0/Invoices"
UNKNOWN = "00000000-0000-0000-0000-0000000000ff"


@pytest.fixture
def acme(emulator):
	return emulator.contact("Acme Widgets Ltd", "accounts@acme.example")


@pytest.fixture
def sent(emulator, acme):
	return emulator.invoice(acme["ContactID"], "INV-0042", "250.00")


def test_online_link_of_an_authorised_sales_invoice(client, peer, sent):
	url = client.online_invoice_url(sent["InvoiceID"])
	assert url.startswith("https://in.xero.com/")
	assert url == client.online_invoice_url(sent["InvoiceID"])  # the same invoice, the same link
	assert peer.count(f"{API}/{sent['InvoiceID']}/OnlineInvoice") == 2


def test_pdf_of_a_sales_invoice_is_a_pdf_with_its_number(client, peer, sent):
	pdf = client.invoice_pdf(sent["InvoiceID"])
	assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
	assert b"INV-0042" in pdf
	(seen,) = [s for s in peer.seen if s.path == f"{API}/{sent['InvoiceID']}"]
	assert seen.headers.get("Accept") == "application/pdf"


def test_without_asking_for_a_pdf_the_invoice_is_json_as_before(client, sent):
	data = client.call("get_invoice", invoice_id=sent["InvoiceID"])
	assert data["Invoices"][0]["InvoiceNumber"] == "INV-0042"


def test_the_generated_pdf_is_well_formed():
	pdf = minimal_pdf(["Invoice INV-(7)\\x"])
	start = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
	assert pdf[start:].startswith(b"xref")
	offsets = [int(line.split()[0]) for line in pdf[start:].split(b"\n")[3:8]]
	for number, offset in enumerate(offsets, start=1):
		assert pdf[offset:].startswith(f"{number} 0 obj".encode())
	assert b"Invoice INV-\\(7\\)\\\\x" in pdf  # parentheses and backslashes escaped in the text


@pytest.mark.parametrize("action", ["online_invoice_url", "invoice_pdf"])
def test_an_invoice_xero_no_longer_has_is_a_clear_not_found(client, peer, action):
	with pytest.raises(XeroNotFound, match="no longer has this invoice"):
		getattr(client, action)(UNKNOWN)


def test_a_draft_has_no_online_invoice(client, emulator, acme):
	draft = emulator.invoice(acme["ContactID"], "INV-0043", "80.00", Status="DRAFT")
	with pytest.raises(XeroBadRequest) as caught:
		client.online_invoice_url(draft["InvoiceID"])
	assert "draft" in " ".join(caught.value.details).lower()


@pytest.mark.parametrize(
	"invoice_type, status, allowed",
	[
		("ACCREC", "AUTHORISED", True),
		("ACCREC", "PAID", True),
		("ACCREC", "DRAFT", False),
		("ACCREC", "SUBMITTED", False),
		("ACCREC", "VOIDED", False),
		("ACCREC", "DELETED", False),
		("ACCPAY", "AUTHORISED", False),
		("ACCPAY", "PAID", False),
	],
)
def test_only_approved_sales_invoices_are_shared(invoice_type, status, allowed):
	reason = refusal(invoice_type, status)
	assert (reason is None) == allowed
	if not allowed:
		assert reason == ("bill" if invoice_type == "ACCPAY" else "not_approved")


@pytest.mark.parametrize(
	"number, name",
	[("INV-0042", "INV-0042.pdf"), ("INV/7 (copy)", "INV-7--copy.pdf"), ("", "i-1.pdf"), ("Ünï", "n.pdf")],
)
def test_the_pdf_is_named_after_the_invoice_number_safely(number, name):
	assert pdf_filename(number, "i-1") == name


@pytest.mark.parametrize("action", ["online_invoice_url", "invoice_pdf"])
def test_each_call_is_counted_once_against_the_limiter(client, sent, action):
	before = client.calls
	getattr(client, action)(sent["InvoiceID"])
	assert client.calls == before + 1


@pytest.mark.parametrize("action", ["online_invoice_url", "invoice_pdf"])
def test_a_spent_daily_budget_stops_the_call_before_xero(connection, endpoints, peer, sent, action):
	result, _store, manager = connection
	client = XeroClient(result.tenants[0].tenant_id, manager, endpoints, limiter=RateLimiter(per_day=1))
	getattr(client, action)(sent["InvoiceID"])
	with pytest.raises(XeroRateLimited, match="budget") as caught:
		getattr(client, action)(sent["InvoiceID"])
	assert caught.value.problem == "day"
	assert peer.count(f"{API}/{sent['InvoiceID']}") == 1


@pytest.mark.parametrize("action, suffix", [("online_invoice_url", "/OnlineInvoice"), ("invoice_pdf", "")])
def test_429_is_waited_out_then_answered(connection, endpoints, peer, sent, action, suffix):
	slept = []
	result, _store, manager = connection
	client = XeroClient(
		result.tenants[0].tenant_id, manager, endpoints, retry=RetryPolicy(sleep=slept.append)
	)
	path = f"{API}/{sent['InvoiceID']}{suffix}"
	peer.faults.append(Fault(path, 429, {"Retry-After": "3", "X-Rate-Limit-Problem": "minute"}))
	assert getattr(client, action)(sent["InvoiceID"])
	assert slept == [3.0]
	assert client.calls == 2  # the refused call counted too: Xero counts it


@pytest.mark.parametrize("action", ["online_invoice_url", "invoice_pdf"])
def test_429_for_longer_than_we_wait_is_rate_limited(client, peer, sent, action):
	peer.faults.append(Fault(API, 429, {"Retry-After": "43200", "X-Rate-Limit-Problem": "day"}))
	with pytest.raises(XeroRateLimited) as caught:
		getattr(client, action)(sent["InvoiceID"])
	assert caught.value.problem == "day" and caught.value.retry_after == 43200


def test_a_rejected_token_is_refreshed_once_and_the_pdf_still_comes(client, connection, peer, sent):
	peer.faults.append(Fault(API, 401, body='{"Title":"Unauthorized"}'))
	assert client.invoice_pdf(sent["InvoiceID"]).startswith(b"%PDF")
	assert len(peer.token_requests) == 2  # the connection's code exchange, then one refresh
