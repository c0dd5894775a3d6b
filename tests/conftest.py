"""The CI tier's fixtures: a real xero-local process on 127.0.0.1 and the peer in front of it."""

import pytest
import requests

from xero_crm.emulator.peer import XeroPeer
from xero_crm.emulator.process import start_xero_local, stop
from xero_crm.emulator.seed import Emulator
from xero_crm.xero.config import XeroEndpoints
from xero_crm.xero.oauth import MemoryStateStore, XeroOAuth, begin_state, consume_state
from xero_crm.xero.tokens import MemoryTokenStore, TokenManager


@pytest.fixture(scope="session")
def xero_local_url():
	url, proc = start_xero_local()
	yield url
	stop(proc)


@pytest.fixture(scope="session")
def peer_session(xero_local_url):
	peer = XeroPeer(xero_local_url)
	yield peer
	peer.stop()


@pytest.fixture
def peer(peer_session, xero_local_url):
	requests.post(f"{xero_local_url}/_xero/reset", timeout=10).raise_for_status()
	peer_session.clear()
	yield peer_session
	peer_session.clear()


@pytest.fixture
def emulator(peer, xero_local_url) -> Emulator:
	return Emulator(xero_local_url)


@pytest.fixture
def endpoints(peer) -> XeroEndpoints:
	return XeroEndpoints.from_config(
		{
			"xero_authorize_url": f"{peer.url}/identity/connect/authorize",
			"xero_token_url": f"{peer.url}/connect/token",
			"xero_revocation_url": f"{peer.url}/connect/revocation",
			"xero_connections_url": f"{peer.url}/connections",
			"xero_api_url": f"{peer.url}/api.xro/2.0",
		}
	)


REDIRECT_URI = "https://crm.example.com/api/method/xero_crm.oauth.callback"


@pytest.fixture
def oauth(endpoints) -> XeroOAuth:
	return XeroOAuth("client-id-123", "client-secret-456", REDIRECT_URI, endpoints)


@pytest.fixture
def connection(oauth, peer):
	"""A connection made through the real flow: authorize redirect → callback → token → /connections."""
	from xero_crm.xero.connect import complete_connection

	states = MemoryStateStore()
	state = begin_state(states, "admin@example.com")
	redirect = requests.get(oauth.authorization_url(state), allow_redirects=False, timeout=10)
	from urllib.parse import parse_qs, urlparse

	query = parse_qs(urlparse(redirect.headers["Location"]).query)
	consume_state(states, query["state"][0], "admin@example.com")
	result = complete_connection(oauth, query["code"][0])
	store = MemoryTokenStore(result.tokens)
	return result, store, TokenManager(store, oauth.refresh)


@pytest.fixture
def client(connection, endpoints):
	"""An API client of the connected organisation that retries without sleeping."""
	from xero_crm.xero.client import XeroClient
	from xero_crm.xero.retry import RetryPolicy

	result, _store, manager = connection
	return XeroClient(
		result.tenants[0].tenant_id, manager, endpoints, retry=RetryPolicy(sleep=lambda s: None)
	)
