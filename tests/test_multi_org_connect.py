"""Several Xero organisations on one site, against xero-local and the peer over real HTTP: one consent
authorises two organisations side by side, each describes itself and holds its own data, one can be
disconnected (or fail) while the other keeps working."""

import base64
import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from xero_crm.emulator.peer import Fault
from xero_crm.xero.client import XeroClient
from xero_crm.xero.connect import ConnectionResult, complete_connection, describe_organisation
from xero_crm.xero.errors import XeroAuthError, XeroNotFound, XeroUnavailable
from xero_crm.xero.oauth import (
	MemoryStateStore,
	Tenant,
	XeroOAuth,
	auth_event_id_from_access_token,
	begin_state,
	consume_state,
)
from xero_crm.xero.retry import RetryPolicy
from xero_crm.xero.tokens import MemoryTokenStore, TokenManager

ADMIN = "admin@example.com"
BETA = ("Beta Widgets Pty Ltd", "!Bw7Q2", "AUD")


def connect(oauth: XeroOAuth) -> ConnectionResult:
	"""One consent through the real flow: authorize redirect → callback → token → /connections."""
	states = MemoryStateStore()
	redirect = requests.get(
		oauth.authorization_url(begin_state(states, ADMIN)), allow_redirects=False, timeout=10
	)
	query = parse_qs(urlparse(redirect.headers["Location"]).query)
	consume_state(states, query["state"][0], ADMIN)
	return complete_connection(oauth, query["code"][0])


@pytest.fixture
def beta(peer) -> str:
	"""A second organisation beside xero-local's default one, authorised in the same consent."""
	return peer.add_tenant(*BETA)


@pytest.fixture
def both(oauth, emulator, beta):
	"""The consent that connects both organisations; its result, a token manager and each tenant."""
	result = connect(oauth)
	tenants = {t.tenant_id: t for t in result.tenants}
	manager = TokenManager(MemoryTokenStore(result.tokens), oauth.refresh)
	return result, manager, tenants[emulator.tenant_id()], tenants[beta]


def client_of(tenant: Tenant, manager: TokenManager, endpoints) -> XeroClient:
	return XeroClient(tenant.tenant_id, manager, endpoints, retry=RetryPolicy(sleep=lambda s: None))


def invoice_numbers(client: XeroClient) -> set[str]:
	return {r["InvoiceNumber"] for page in client.iter_pages("Invoices") for r in page.records}


def contact_names(client: XeroClient) -> set[str]:
	return {r["Name"] for page in client.iter_pages("Contacts") for r in page.records}


def test_one_consent_connects_both_organisations_with_distinct_connection_ids_and_its_auth_event(
	both, emulator, beta
):
	result, _manager, alpha, beta_tenant = both

	assert [t.tenant_id for t in result.tenants] == [emulator.tenant_id(), beta]
	assert [t.name for t in result.tenants] == ["Test Organisation", BETA[0]]
	connection_ids = {t.connection_id for t in result.tenants}
	assert len(connection_ids) == 2 and "" not in connection_ids
	assert connection_ids.isdisjoint({t.tenant_id for t in result.tenants})
	assert result.auth_event_id
	assert {t.auth_event_id for t in result.tenants} == {result.auth_event_id}
	assert result.authorised_tenants == [alpha, beta_tenant]


def test_the_access_token_names_the_consent_its_organisations_were_authorised_in(both, oauth):
	result, _manager, alpha, _beta = both
	assert auth_event_id_from_access_token(result.tokens.access_token) == alpha.auth_event_id

	refreshed = oauth.refresh(result.tokens.refresh_token)

	assert auth_event_id_from_access_token(refreshed.access_token) == alpha.auth_event_id


def test_only_the_organisations_of_this_consent_are_its_authorised_tenants(oauth, peer, emulator, beta):
	peer.new_consent()
	gamma = peer.add_tenant("Gamma Trading Ltd", "!Gm4K8", "GBP")

	result = connect(oauth)

	assert [t.tenant_id for t in result.tenants] == [emulator.tenant_id(), beta, gamma]
	assert [t.tenant_id for t in result.authorised_tenants] == [gamma]


def test_without_the_consent_claim_every_listed_organisation_counts_as_authorised():
	tenants = [Tenant("t-1", "One", auth_event_id="e-1"), Tenant("t-2", "Two", auth_event_id="e-2")]
	result = ConnectionResult(tokens=None, identity=None, tenants=tenants)
	assert result.authorised_tenants == tenants
	assert ConnectionResult(None, None, tenants, auth_event_id="e-2").authorised_tenants == [tenants[1]]


def test_the_consent_claim_is_read_from_the_access_tokens_payload_and_is_empty_when_absent():
	def jwt(claims: dict) -> str:
		payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
		return f"eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln"

	assert auth_event_id_from_access_token(jwt({"authentication_event_id": "ev-1"})) == "ev-1"
	assert auth_event_id_from_access_token(jwt({"sub": "x"})) == ""
	assert auth_event_id_from_access_token(jwt({"authentication_event_id": 7})) == ""
	assert auth_event_id_from_access_token("xero-local-token-opaque") == ""
	assert auth_event_id_from_access_token("a.!!!.c") == ""
	assert auth_event_id_from_access_token(None) == ""


def test_each_organisation_describes_itself_with_its_own_name_shortcode_and_currency(both, endpoints):
	_result, manager, alpha, beta_tenant = both

	first = describe_organisation(manager, alpha.tenant_id, endpoints)
	second = describe_organisation(manager, beta_tenant.tenant_id, endpoints)

	assert (first.name, first.short_code, first.base_currency) == ("Test Organisation", "!aB3xY", "NZD")
	assert (second.name, second.short_code, second.base_currency) == BETA
	assert (first.organisation_id, second.organisation_id) == (alpha.tenant_id, beta_tenant.tenant_id)


def test_data_seeded_in_one_organisation_is_not_seen_through_the_other(both, emulator, endpoints):
	_result, manager, alpha, beta_tenant = both
	in_beta = emulator.in_tenant(beta_tenant.tenant_id)
	acme = emulator.contact("Acme Ltd", "ap@acme.example")
	bolt = in_beta.contact("Bolt Pty", "ap@bolt.example")
	alpha_invoice = emulator.invoice(acme["ContactID"], "INV-0001", "100.00", Date="2026-11-01")
	beta_invoice = in_beta.invoice(bolt["ContactID"], "INV-0001", "250.00", CurrencyCode="AUD")
	in_beta.invoice(bolt["ContactID"], "INV-0002", "40.00", CurrencyCode="AUD")
	in_beta.credit_note(bolt["ContactID"], "CN-0001", "15.00", CurrencyCode="AUD")
	first, second = client_of(alpha, manager, endpoints), client_of(beta_tenant, manager, endpoints)

	assert (contact_names(first), contact_names(second)) == ({"Acme Ltd"}, {"Bolt Pty"})
	assert (invoice_numbers(first), invoice_numbers(second)) == ({"INV-0001"}, {"INV-0001", "INV-0002"})
	(beta_listed,) = list(second.get_by_ids("Invoices", [beta_invoice["InvoiceID"]]))
	assert [(r["Total"], r["Contact"]["Name"]) for r in beta_listed] == [(250, "Bolt Pty")]
	assert list(first.get_by_ids("Invoices", [beta_invoice["InvoiceID"]])) == [[]]
	assert list(second.get_by_ids("Invoices", [alpha_invoice["InvoiceID"]])) == [[]]
	assert [r["CreditNoteNumber"] for p in second.iter_pages("CreditNotes") for r in p.records] == ["CN-0001"]
	assert [r for p in first.iter_pages("CreditNotes") for r in p.records] == []
	assert second.online_invoice_url(beta_invoice["InvoiceID"]).startswith("https://in.xero.com/")
	with pytest.raises(XeroNotFound):
		first.online_invoice_url(beta_invoice["InvoiceID"])


def test_credit_the_peer_holds_for_one_organisation_is_listed_only_there(both, emulator, peer, endpoints):
	_result, manager, alpha, beta_tenant = both
	bolt = emulator.in_tenant(beta_tenant.tenant_id).contact("Bolt Pty")
	peer.add_overpayment(bolt["ContactID"], "30.00", currency="AUD", tenant_id=beta_tenant.tenant_id)
	acme = emulator.contact("Acme Ltd")
	peer.add_prepayment(acme["ContactID"], "12.00")

	def listed(tenant: Tenant, resource: str) -> list[str]:
		client = client_of(tenant, manager, endpoints)
		return [r["Contact"]["ContactID"] for p in client.iter_pages(resource) for r in p.records]

	assert listed(beta_tenant, "Overpayments") == [bolt["ContactID"]]
	assert listed(alpha, "Overpayments") == []
	assert listed(alpha, "Prepayments") == [acme["ContactID"]]
	assert listed(beta_tenant, "Prepayments") == []


def test_removing_one_connection_leaves_the_other_listed_and_working(both, oauth, emulator, endpoints):
	result, manager, alpha, beta_tenant = both
	emulator.in_tenant(beta_tenant.tenant_id).contact("Bolt Pty")

	oauth.remove_connection(manager.access_token(), beta_tenant.connection_id)

	assert oauth.connections(manager.access_token()) == [alpha]
	assert client_of(alpha, manager, endpoints).organisation().name == "Test Organisation"
	with pytest.raises(XeroAuthError) as caught:
		client_of(beta_tenant, manager, endpoints).organisation()
	assert caught.value.reason == "forbidden"
	with pytest.raises(XeroAuthError):
		list(client_of(beta_tenant, manager, endpoints).iter_pages("Contacts"))
	assert manager.store.tokens is result.tokens  # the tokens were neither refreshed nor dropped


def test_removing_an_already_removed_connection_is_not_an_error(both, oauth, peer):
	_result, manager, _alpha, beta_tenant = both
	oauth.remove_connection(manager.access_token(), beta_tenant.connection_id)

	oauth.remove_connection(manager.access_token(), beta_tenant.connection_id)

	assert peer.count("/Connections/", "DELETE") == 2  # Xero was asked again, and said 404


def test_removing_a_connection_with_a_refused_token_raises_the_auth_error(both, oauth, peer):
	_result, manager, _alpha, beta_tenant = both
	peer.faults.append(Fault("/Connections/", 401, body='{"Title":"Unauthorized"}'))

	with pytest.raises(XeroAuthError):
		oauth.remove_connection(manager.access_token(), beta_tenant.connection_id)

	assert len(oauth.connections(manager.access_token())) == 2


@pytest.mark.parametrize("fault", [Fault("/Connections/", 503), Fault("/Connections/", action="reset")])
def test_removing_a_connection_while_xero_is_unreachable_is_unavailable(both, oauth, peer, fault):
	_result, manager, _alpha, beta_tenant = both
	peer.faults.append(fault)

	with pytest.raises(XeroUnavailable):
		oauth.remove_connection(manager.access_token(), beta_tenant.connection_id)

	assert len(oauth.connections(manager.access_token())) == 2


@pytest.mark.parametrize(("status", "reason"), [(403, "forbidden"), (401, "unauthorized")])
def test_a_fault_on_one_organisation_fails_only_that_organisations_calls(
	both, peer, endpoints, status, reason
):
	_result, manager, alpha, beta_tenant = both
	fault = peer.fail_tenant(beta_tenant.tenant_id, status)
	first, second = client_of(alpha, manager, endpoints), client_of(beta_tenant, manager, endpoints)

	for _ in range(2):  # it lasts: not used up by the first call
		with pytest.raises(XeroAuthError) as caught:
			second.organisation()
		assert caught.value.reason == reason
	assert first.organisation().name == "Test Organisation"
	assert invoice_numbers(first) == set()

	peer.faults.remove(fault)
	assert second.organisation().name == BETA[0]


def test_a_consent_serves_what_it_allowed_and_what_no_working_consent_serves():
	from xero_crm.xero.oauth import Identity
	from xero_crm.xero.tokens import TokenSet

	tenants = [
		Tenant("t-new", "New", auth_event_id="consent-2"),
		Tenant("t-kept", "Kept by its own consent", auth_event_id="consent-1"),
		Tenant("t-orphan", "Its consent is gone", auth_event_id="consent-1"),
	]
	result = ConnectionResult(TokenSet("a", "r", 0), Identity("ada@example.com"), tenants, "consent-2")
	served = result.tenants_to_serve(served_by_another_consent={"t-kept", "t-new"})
	# allowed in this consent (even if another serves it now), or served by no working consent
	assert [t.tenant_id for t in served] == ["t-new", "t-orphan"]
