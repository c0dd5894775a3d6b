"""Faults in the middle of an initial sync, against a peer that misbehaves on cue. Each ends with the
cache consistent with Xero (nothing lost, nothing duplicated) and a status an admin understands."""

import time
from contextlib import contextmanager

import pytest

from tests.sqlite_cache import SQLiteCache
from xero_crm.emulator.peer import Fault
from xero_crm.xero.client import XeroClient
from xero_crm.xero.errors import XeroAuthError, XeroUnavailable
from xero_crm.xero.retry import RetryPolicy
from xero_crm.xero.status import sync_failure
from xero_crm.xero.sync import Syncer
from xero_crm.xero.tokens import TokenSet

N = 2300
INVOICES = "/api.xro/2.0/Invoices"


@pytest.fixture
def world(connection, endpoints, emulator):
	result, store, manager = connection
	acme = emulator.contact("Acme Widgets Ltd")
	emulator.invoices(
		[
			{
				"Type": "ACCREC",
				"Contact": {"ContactID": acme["ContactID"]},
				"InvoiceNumber": f"INV-{i:05d}",
				"Status": "AUTHORISED",
				"Date": "2026-11-01",
				"DueDate": "2026-12-01",
				"Total": 10.0,
				"AmountDue": 10.0,
			}
			for i in range(N)
		]
	)
	slept = []
	client = XeroClient(
		result.tenants[0].tenant_id,
		manager,
		endpoints,
		retry=RetryPolicy(attempts=3, base_delay=0.01, sleep=slept.append),
		timeout=(2.0, 0.5),
	)
	return client, store, emulator, slept


@contextmanager
def after_invoice_page(client, page: int, happen):
	"""Make `happen()` occur once the sync has stored invoice page `page` (1-based)."""
	original = client.iter_pages

	def iter_pages(resource, **kw):
		for n, item in enumerate(original(resource, **kw), start=1):
			yield item
			if resource == "Invoices" and n == page:
				happen()

	client.iter_pages = iter_pages
	try:
		yield
	finally:
		client.iter_pages = original


def consistent(cache: SQLiteCache, emulator) -> bool:
	xero = {i["InvoiceID"] for i in emulator.state()["invoices"]}
	rows = [
		r["name"]
		for r in cache.run(cache.tables.query.from_(cache.tables.table("Xero Invoice")).select("name"))
	]
	return len(rows) == len(set(rows)) and set(rows) == xero


@pytest.mark.parametrize(
	"fault",
	[
		Fault(INVOICES, 429, {"Retry-After": "2"}),
		Fault(INVOICES, 500),
		Fault(INVOICES, 503),
		Fault(INVOICES, action="slow", delay=1.0),
		Fault(INVOICES, action="reset"),
		Fault(INVOICES, action="truncate"),
	],
	ids=["429", "500", "503", "timeout", "reset", "truncated-json"],
)
def test_a_transient_fault_mid_sync_is_retried_and_the_sync_completes(world, peer, fault):
	client, _store, emulator, slept = world
	peer.faults.append(fault)
	cache = SQLiteCache()
	Syncer(client, cache).full_sync()
	assert consistent(cache, emulator)
	assert len(slept) == 1


def test_a_lasting_outage_mid_sync_stops_with_a_status_and_resumes_later(world, peer):
	client, _store, emulator, _slept = world
	cache = SQLiteCache()

	def outage():
		peer.faults.extend([Fault(INVOICES, 503)] * 3)

	with after_invoice_page(client, 1, outage), pytest.raises(XeroUnavailable) as caught:
		Syncer(client, cache).full_sync()
	message = sync_failure(caught.value, resumable=cache.cursor is not None)
	assert message.startswith("Interrupted: Xero is unavailable") and "resumes where it stopped" in message
	assert cache.cursor["phase"] == "Invoices" and cache.cursor["page"] == 2
	Syncer(client, cache).full_sync()
	assert consistent(cache, emulator)


def test_invalid_grant_mid_sync_disconnects_and_reconnecting_resumes_the_sync(world, peer, oauth):
	client, store, emulator, _slept = world
	cache = SQLiteCache()

	def token_refused():  # the access token expires; Xero refuses the refresh
		store.tokens = TokenSet("expired", store.tokens.refresh_token, time.time() - 10)
		peer.token_error = "invalid_grant"

	with after_invoice_page(client, 1, token_refused), pytest.raises(XeroAuthError) as caught:
		Syncer(client, cache).full_sync()
	assert store.disconnected[0] == "invalid_grant"
	message = sync_failure(caught.value, resumable=True)
	assert "Connect to Xero again" in message and "Nothing was lost" in message
	# The admin reconnects: fresh tokens; the sync resumes from its cursor.
	peer.token_error = None
	tokens, _identity = oauth.exchange_code("new-code")
	store.save(tokens)
	report = Syncer(client, cache).full_sync()
	assert report.resumed_from["phase"] == "Invoices"
	assert consistent(cache, emulator)


def test_organisation_disconnected_mid_sync_stops_cleanly(world, peer):
	client, _store, emulator, _slept = world
	cache = SQLiteCache()

	def disconnected():
		peer.faults.append(Fault(INVOICES, 403, body='{"Type":"AuthorizationUnsuccessful"}'))

	with after_invoice_page(client, 2, disconnected), pytest.raises(XeroAuthError, match="disconnected"):
		Syncer(client, cache).full_sync()
	assert cache.count("Xero Invoice") == 2000  # two committed pages, no partial third
	assert cache.cursor["page"] == 3
	Syncer(client, cache).full_sync()
	assert consistent(cache, emulator)
