"""The API client against a peer that misbehaves on cue: retried within bounds, then a clear error."""

import pytest

from xero_crm.emulator.peer import Fault
from xero_crm.xero.client import XeroClient
from xero_crm.xero.errors import XeroAuthError, XeroRateLimited, XeroUnavailable
from xero_crm.xero.ratelimit import RateLimiter
from xero_crm.xero.retry import RetryPolicy

ORG = "/api.xro/2.0/Organisation"


@pytest.fixture
def slept():
	return []


@pytest.fixture
def client(connection, endpoints, slept):
	result, _store, manager = connection
	retry = RetryPolicy(attempts=3, base_delay=0.01, max_retry_after=30, sleep=slept.append)
	return XeroClient(result.tenants[0].tenant_id, manager, endpoints, retry=retry, timeout=(2.0, 0.5))


def test_429_waits_the_retry_after_xero_gives_then_succeeds(client, peer, slept):
	peer.faults += [Fault(ORG, 429, {"Retry-After": "7", "X-Rate-Limit-Problem": "minute"})] * 2
	assert client.organisation().name == "Test Organisation"
	assert slept == [7.0, 7.0]
	assert peer.count(ORG) == 3


def test_429_longer_than_we_may_wait_fails_at_once_with_the_wait(client, peer, slept):
	peer.faults.append(Fault(ORG, 429, {"Retry-After": "43200", "X-Rate-Limit-Problem": "day"}))
	with pytest.raises(XeroRateLimited) as caught:
		client.organisation()
	assert caught.value.retry_after == 43200
	assert caught.value.problem == "day"
	assert slept == []
	assert peer.count(ORG) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried_with_backoff_and_then_succeeds(client, peer, slept, status):
	peer.faults += [Fault(ORG, status)] * 2
	assert client.organisation().short_code == "!aB3xY"
	assert len(slept) == 2 and slept[0] <= slept[1] * 2


def test_persistent_5xx_gives_up_after_the_bound_with_a_clear_error(client, peer, slept):
	peer.faults += [Fault(ORG, 503)] * 10
	with pytest.raises(XeroUnavailable, match="unavailable"):
		client.organisation()
	assert peer.count(ORG) == 3  # attempts bound
	assert len(peer.faults) == 7


def test_timeout_is_retried_then_reported(client, peer, slept):
	peer.faults += [Fault(ORG, action="slow", delay=1.5)] * 3
	with pytest.raises(XeroUnavailable, match="in time"):
		client.organisation()
	assert peer.count(ORG) == 3


def test_connection_reset_is_retried(client, peer, slept):
	peer.faults.append(Fault(ORG, action="reset"))
	assert client.organisation().name == "Test Organisation"
	assert len(slept) == 1


def test_truncated_json_is_retried_and_reported_clearly(client, peer, slept):
	peer.faults += [Fault(ORG, action="truncate")] * 3
	with pytest.raises(XeroUnavailable, match="could not be read"):
		client.organisation()


def test_401_refreshes_once_and_retries(client, connection, peer):
	_result, store, _manager = connection
	before = store.tokens.access_token
	peer.faults.append(Fault(ORG, 401))
	assert client.organisation().name == "Test Organisation"
	assert store.tokens.access_token != before
	assert len([r for r in peer.token_requests if r["grant_type"] == "refresh_token"]) == 1


def test_403_means_the_organisation_was_disconnected(client, peer):
	peer.faults.append(Fault(ORG, 403, body='{"Title":"Forbidden","Detail":"AuthenticationUnsuccessful"}'))
	with pytest.raises(XeroAuthError, match="disconnected"):
		client.organisation()


def test_our_daily_budget_stops_calls_before_xero_would(connection, endpoints, peer):
	result, _store, manager = connection
	limiter = RateLimiter(per_day=2)
	client = XeroClient(result.tenants[0].tenant_id, manager, endpoints, limiter=limiter)
	client.organisation()
	client.organisation()
	with pytest.raises(XeroRateLimited, match="budget"):
		client.organisation()
	assert peer.count(ORG) == 2


def test_minute_window_waits_instead_of_earning_a_429():
	now = [0.0]
	waits = []

	def sleep(seconds):
		waits.append(seconds)
		now[0] += seconds

	limiter = RateLimiter(per_minute=3, clock=lambda: now[0], sleep=sleep)
	for _ in range(4):
		with limiter.slot():
			pass
	assert waits == [60.0]


def test_error_messages_carry_no_token(client, connection, peer):
	_result, store, _manager = connection
	peer.faults += [Fault(ORG, 500, body=f"echo {store.tokens.access_token}")] * 3
	with pytest.raises(XeroUnavailable) as caught:
		client.organisation()
	assert store.tokens.access_token not in str(caught.value)
	assert store.tokens.refresh_token not in repr(caught.value)
