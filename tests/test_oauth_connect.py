"""The connect flow end to end against xero-local: authorize redirect → callback → token →
/connections → /Organisation; refresh with rotation; revoke; and every bad callback."""

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from xero_crm.xero.config import SCOPES
from xero_crm.xero.connect import complete_connection, describe_organisation
from xero_crm.xero.errors import OAuthCallbackError, XeroAuthError
from xero_crm.xero.oauth import (
	STATE_TTL_SECONDS,
	MemoryStateStore,
	begin_state,
	check_callback_error,
	consume_state,
	identity_from_id_token,
)
from xero_crm.xero.tokens import MemoryTokenStore, TokenManager, TokenSet

ADMIN = "admin@example.com"


def test_authorize_url_asks_for_granular_read_scopes_and_carries_state(oauth):
	url = urlparse(oauth.authorization_url("st4te"))
	query = parse_qs(url.query)
	assert query["response_type"] == ["code"]
	assert query["client_id"] == ["client-id-123"]
	assert query["state"] == ["st4te"]
	assert query["scope"][0].split() == list(SCOPES)
	assert "accounting.transactions" not in query["scope"][0]  # read-only, granular
	assert "client-secret" not in oauth.authorization_url("x")


def test_whole_connect_flow_yields_tokens_tenant_email_and_organisation(oauth, peer, emulator):
	states = MemoryStateStore()
	state = begin_state(states, ADMIN)
	redirect = requests.get(oauth.authorization_url(state), allow_redirects=False, timeout=10)
	assert redirect.status_code == 302
	query = parse_qs(urlparse(redirect.headers["Location"]).query)
	consume_state(states, query["state"][0], ADMIN)

	result = complete_connection(oauth, query["code"][0])

	assert result.identity.email == "ada.admin@example.com"
	assert [t.tenant_id for t in result.tenants] == [emulator.tenant_id()]
	assert result.tenants[0].name == "Test Organisation"
	assert result.tokens.refresh_token.startswith("xero-local-refresh-")
	assert peer.token_requests[0]["grant_type"] == "authorization_code"
	manager = TokenManager(MemoryTokenStore(result.tokens), oauth.refresh)
	org = describe_organisation(manager, result.tenants[0].tenant_id, oauth.endpoints)
	assert (org.name, org.short_code, org.base_currency) == ("Test Organisation", "!aB3xY", "NZD")


def test_tokens_never_show_in_repr(connection):
	result, _store, _manager = connection
	assert result.tokens.access_token not in repr(result)
	assert result.tokens.refresh_token not in repr(result.tokens)


def test_refresh_rotates_and_stores_the_new_refresh_token(connection, peer):
	result, store, manager = connection
	store.tokens = TokenSet("old-access", result.tokens.refresh_token, expires_at=time.time() - 1)
	token = manager.access_token()
	assert token != "old-access"
	assert store.tokens.access_token == token
	assert store.tokens.refresh_token != result.tokens.refresh_token
	refreshes = [r for r in peer.token_requests if r["grant_type"] == "refresh_token"]
	assert [r["refresh_token"] for r in refreshes] == [result.tokens.refresh_token]


def test_twenty_concurrent_callers_on_an_expired_token_cause_one_refresh(connection, peer, emulator):
	result, store, manager = connection
	store.tokens = TokenSet("expired", result.tokens.refresh_token, expires_at=time.time() - 5)
	peer.token_delay = 0.3  # a slow token endpoint widens the race window
	tenant = result.tenants[0].tenant_id
	from xero_crm.xero.client import XeroClient

	client = XeroClient(tenant, manager, peer_endpoints(peer))
	with ThreadPoolExecutor(max_workers=20) as pool:
		orgs = list(pool.map(lambda _: client.organisation().name, range(20)))

	assert orgs == ["Test Organisation"] * 20
	refreshes = [r for r in peer.token_requests if r["grant_type"] == "refresh_token"]
	assert len(refreshes) == 1
	bearer = {s.headers.get("Authorization") for s in peer.seen if s.path.endswith("/Organisation")}
	assert bearer == {f"Bearer {store.tokens.access_token}"}


def test_invalid_grant_marks_the_connection_disconnected_with_a_reason(connection, peer):
	result, store, manager = connection
	store.tokens = TokenSet("expired", result.tokens.refresh_token, expires_at=time.time() - 5)
	peer.token_error = "invalid_grant"
	with pytest.raises(XeroAuthError) as caught:
		manager.access_token()
	assert caught.value.reason == "invalid_grant"
	assert store.tokens is None
	reason, message = store.disconnected
	assert reason == "invalid_grant"
	assert "Connect to Xero again" in message
	assert result.tokens.refresh_token not in message


def test_revoke_reaches_the_revocation_endpoint(oauth, connection, peer):
	result, _store, _manager = connection
	oauth.revoke(result.tokens.refresh_token)
	assert peer.revoked == [result.tokens.refresh_token]


# ------------------------------------------------------------------ bad callbacks store nothing


def test_missing_state_is_refused():
	with pytest.raises(OAuthCallbackError, match="no state"):
		consume_state(MemoryStateStore(), None, ADMIN)


def test_wrong_state_is_refused():
	states = MemoryStateStore()
	begin_state(states, ADMIN)
	with pytest.raises(OAuthCallbackError, match="unknown or was already used"):
		consume_state(states, "forged", ADMIN)


def test_replayed_state_is_refused():
	states = MemoryStateStore()
	state = begin_state(states, ADMIN)
	consume_state(states, state, ADMIN)
	with pytest.raises(OAuthCallbackError, match="already used"):
		consume_state(states, state, ADMIN)


def test_expired_state_is_refused():
	states = MemoryStateStore()
	state = begin_state(states, ADMIN, now=1000.0)
	with pytest.raises(OAuthCallbackError, match="expired"):
		consume_state(states, state, ADMIN, now=1000.0 + STATE_TTL_SECONDS + 1)


def test_state_of_another_user_is_refused():
	states = MemoryStateStore()
	state = begin_state(states, ADMIN)
	with pytest.raises(OAuthCallbackError, match="another user"):
		consume_state(states, state, "mallory@example.com")


def test_access_denied_from_xero_is_explained():
	with pytest.raises(OAuthCallbackError, match="not allowed"):
		check_callback_error("access_denied")
	check_callback_error(None)


def test_bad_code_exchange_stores_nothing(oauth, peer):
	peer.token_error = "invalid_grant"
	store = MemoryTokenStore()
	with pytest.raises(XeroAuthError):
		store.save(complete_connection(oauth, "stale-code").tokens)
	assert store.tokens is None


def test_id_token_garbage_gives_no_email_instead_of_crashing():
	assert identity_from_id_token("not-a-jwt").email is None
	assert identity_from_id_token("a.!!!.c").email is None
	assert identity_from_id_token(None).email is None


def peer_endpoints(peer):
	from xero_crm.xero.config import XeroEndpoints

	return XeroEndpoints.from_config(
		{"xero_api_url": f"{peer.url}/api.xro/2.0", "xero_token_url": f"{peer.url}/connect/token"}
	)
