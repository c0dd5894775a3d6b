"""No side doors at the token endpoint: exchange, refresh and revoke fail only with the connector's
own errors, nothing chained, within a bounded time, and a traceback formatted with every frame's
local variables (what Frappe's Error Log shows) carries no client secret, token or code."""

import socket
import time
import traceback
from dataclasses import dataclass, field

import pytest

from tests.conftest import REDIRECT_URI
from xero_crm.emulator.peer import Fault
from xero_crm.xero import sdk
from xero_crm.xero.config import XeroEndpoints
from xero_crm.xero.errors import XeroAuthError, XeroError, XeroUnavailable
from xero_crm.xero.oauth import XeroOAuth
from xero_crm.xero.secret import Secret
from xero_crm.xero.tokens import MemoryTokenStore, TokenManager, TokenSet

CLIENT_SECRET = "client-secret-456"
CODE = "auth-code-0f9e8d7c6b5a"
READ_TIMEOUT = 0.4  # injected: the real default is sdk.TOKEN_TIMEOUT
SILENCE = 3.0  # how long a silent endpoint says nothing: far beyond the timeout
NOT_JSON = "<html><body><h1>Welcome</h1>Please sign in to continue.</body></html>"


@dataclass(frozen=True)
class Secrets:
	"""The test's own copies of what must never show, hidden from repr as TokenSet hides its tokens:
	the traceback then shows only what the connector's frames hold."""

	code: str = field(repr=False)
	refresh_token: str = field(repr=False)
	access_token: str = field(repr=False)
	client_secret: str = field(repr=False)

	def all(self) -> tuple[str, ...]:
		return (self.code, self.refresh_token, self.access_token, self.client_secret)


CALLS = {
	"exchange": ("/connect/token", lambda oauth, s: oauth.exchange_code(s.code)),
	"refresh": ("/connect/token", lambda oauth, s: oauth.refresh(s.refresh_token)),
	"revoke": ("/connect/revocation", lambda oauth, s: oauth.revoke(s.refresh_token)),
}


@pytest.fixture
def fast_oauth(endpoints) -> XeroOAuth:
	return XeroOAuth("client-id-123", CLIENT_SECRET, REDIRECT_URI, endpoints, timeout=(2.0, READ_TIMEOUT))


@pytest.fixture
def held(connection) -> Secrets:
	result, _store, _manager = connection
	return Secrets(CODE, result.tokens.refresh_token, result.tokens.access_token, CLIENT_SECRET)


def failure_of(call, *args) -> BaseException:
	try:
		call(*args)
	except Exception as e:  # any type: the assertions judge it
		return e
	raise AssertionError("the call was expected to fail")


def logged(error: BaseException) -> str:
	"""The traceback as Frappe's Error Log writes it: every frame's locals, by repr()."""
	return "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())


def assert_logs_no_secret(error: BaseException, held: Secrets) -> str:
	text = logged(error)
	for secret in held.all():
		assert secret not in text
	assert "xero-local-token-" not in text  # no access token, old or newly issued
	assert "xero-local-refresh-" not in text  # no refresh token, old or newly issued
	# Teeth: the request's form was a local on the way out, and it shows masked.
	assert "_post_token_endpoint" in text
	assert "'client_secret': '***'" in text
	return text


@pytest.mark.parametrize("call", CALLS, ids=list(CALLS))
def test_token_call_answered_200_with_a_non_json_body_is_unavailable_and_logs_no_secret(
	call, fast_oauth, held, peer
):
	path, invoke = CALLS[call]
	peer.faults.append(Fault(path, 200, body=NOT_JSON))
	calls_before = peer.count(path, "POST")

	error = failure_of(invoke, fast_oauth, held)

	assert type(error) is XeroUnavailable
	assert "could not be read" in str(error)
	assert peer.count(path, "POST") == calls_before + 1
	assert error.__cause__ is None and error.__context__ is None
	assert_logs_no_secret(error, held)


@pytest.mark.parametrize("call", CALLS, ids=list(CALLS))
def test_token_call_to_a_silent_endpoint_is_unavailable_within_the_timeout(call, fast_oauth, held, peer):
	path, invoke = CALLS[call]
	peer.faults.append(Fault(path, action="silent", delay=SILENCE))

	started = time.monotonic()
	error = failure_of(invoke, fast_oauth, held)
	elapsed = time.monotonic() - started

	assert type(error) is XeroUnavailable
	assert str(error) == "Xero did not answer in time."
	assert READ_TIMEOUT * 0.9 <= elapsed < READ_TIMEOUT + 1.0 < SILENCE
	assert error.__cause__ is None and error.__context__ is None
	assert_logs_no_secret(error, held)


FAULTS = {
	"truncated-json": (lambda path: Fault(path, action="truncate"), XeroUnavailable, None),
	"json-not-an-object": (lambda path: Fault(path, 200, body='["access_token"]'), XeroUnavailable, None),
	"http-500": (lambda path: Fault(path, 500, body="oops"), XeroUnavailable, None),
	"invalid-grant": (
		lambda path: Fault(path, 400, body='{"error": "invalid_grant"}'),
		XeroAuthError,
		"invalid_grant",
	),
	"invalid-client": (
		lambda path: Fault(path, 400, body='{"error": "invalid_client"}'),
		XeroAuthError,
		"invalid_client",
	),
}


# The revocation endpoint answers with an empty body: there is nothing of it to truncate.
CALL_FAULTS = [(c, f) for c in CALLS for f in FAULTS if (c, f) != ("revoke", "truncated-json")]


@pytest.mark.parametrize(("call", "fault"), CALL_FAULTS, ids=[f"{c}-{f}" for c, f in CALL_FAULTS])
def test_every_token_call_failure_is_ours_unchained_and_logs_no_secret(call, fault, fast_oauth, held, peer):
	path, invoke = CALLS[call]
	make_fault, expected_type, reason = FAULTS[fault]
	peer.faults.append(make_fault(path))

	error = failure_of(invoke, fast_oauth, held)

	assert type(error) is expected_type
	if reason:
		assert error.reason == reason
	assert error.__cause__ is None and error.__context__ is None
	assert_logs_no_secret(error, held)


def test_an_incomplete_token_response_keeps_its_reason_and_logs_no_token(fast_oauth, held, peer):
	"""Valid JSON without a refresh token (offline_access not granted): the existing reason."""
	peer.faults.append(Fault("/connect/token", 200, body='{"access_token": "xero-local-token-half"}'))

	error = failure_of(CALLS["refresh"][1], fast_oauth, held)

	assert type(error) is XeroAuthError
	assert error.reason == "bad_token_response"
	assert error.__cause__ is None and error.__context__ is None
	text = logged(error)
	assert "xero-local-token-half" not in text
	for secret in held.all():
		assert secret not in text


@pytest.mark.parametrize("call", CALLS, ids=list(CALLS))
def test_token_call_to_an_unreachable_endpoint_is_unavailable_and_logs_no_secret(call, held):
	with socket.socket() as probe:  # a port nothing listens on: the connection is refused
		probe.bind(("127.0.0.1", 0))
		closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
	nowhere = XeroEndpoints.from_config(
		{"xero_token_url": f"{closed}/connect/token", "xero_revocation_url": f"{closed}/connect/revocation"}
	)
	oauth = XeroOAuth("client-id-123", CLIENT_SECRET, REDIRECT_URI, nowhere, timeout=(2.0, READ_TIMEOUT))

	error = failure_of(CALLS[call][1], oauth, held)

	assert type(error) is XeroUnavailable
	assert str(error) == "Could not reach Xero (connection failed or was reset)."
	assert error.__cause__ is None and error.__context__ is None
	assert_logs_no_secret(error, held)


@pytest.mark.parametrize("call", CALLS, ids=list(CALLS))
def test_token_call_whose_tls_handshake_fails_is_unavailable_and_logs_no_secret(call, held, peer):
	plain_http = peer.url.replace("http://", "https://")  # the peer speaks no TLS: the handshake fails
	broken = XeroEndpoints.from_config(
		{
			"xero_token_url": f"{plain_http}/connect/token",
			"xero_revocation_url": f"{plain_http}/connect/revocation",
		}
	)
	oauth = XeroOAuth("client-id-123", CLIENT_SECRET, REDIRECT_URI, broken, timeout=(2.0, READ_TIMEOUT))

	error = failure_of(CALLS[call][1], oauth, held)

	assert type(error) is XeroUnavailable
	assert str(error) == "Could not reach Xero securely (the TLS connection failed)."
	assert error.__cause__ is None and error.__context__ is None
	assert_logs_no_secret(error, held)


TOKEN_MANAGER_FAULTS = {
	"non-json-200": lambda: Fault("/connect/token", 200, body=NOT_JSON),
	"silent": lambda: Fault("/connect/token", action="silent", delay=SILENCE),
	"truncated-json": lambda: Fault("/connect/token", action="truncate"),
}


@pytest.mark.parametrize("fault", TOKEN_MANAGER_FAULTS, ids=list(TOKEN_MANAGER_FAULTS))
def test_token_manager_refresh_under_a_faulty_endpoint_keeps_the_connection_and_logs_no_secret(
	fault, fast_oauth, held, peer
):
	expired = TokenSet("xero-local-token-expired", held.refresh_token, expires_at=time.time() - 5)
	store = MemoryTokenStore(expired)
	manager = TokenManager(store, fast_oauth.refresh)
	peer.faults.append(TOKEN_MANAGER_FAULTS[fault]())

	started = time.monotonic()
	error = failure_of(manager.access_token)
	elapsed = time.monotonic() - started

	assert type(error) is XeroUnavailable
	assert elapsed < READ_TIMEOUT + 1.0
	assert store.disconnected is None
	assert store.tokens is expired  # kept: the next try refreshes with it
	assert error.__cause__ is None and error.__context__ is None
	text = assert_logs_no_secret(error, held)
	assert "_refresh_under_lock" in text  # the whole path was formatted, lock holder included
	# The lock is free again: a refresh after the fault succeeds and rotates.
	assert manager.access_token() == store.tokens.access_token
	assert store.tokens.refresh_token != held.refresh_token


def test_refresh_posts_the_grant_with_client_credentials_and_scope(oauth, held, peer):
	tokens = oauth.refresh(held.refresh_token)

	request = peer.token_requests[-1]
	assert request["grant_type"] == "refresh_token"
	assert request["refresh_token"] == held.refresh_token
	assert (request["client_id"], request["client_secret"]) == ("client-id-123", CLIENT_SECRET)
	assert request["scope"].split() == list(oauth.scopes)
	assert tokens.refresh_token.startswith("xero-local-refresh-")
	assert tokens.refresh_token != held.refresh_token
	assert type(tokens.access_token) is str and type(tokens.refresh_token) is str


def test_token_calls_default_to_a_bounded_timeout(endpoints):
	oauth = XeroOAuth("client-id-123", CLIENT_SECRET, REDIRECT_URI, endpoints)
	connect, read = oauth.timeout
	assert oauth.timeout == sdk.TOKEN_TIMEOUT
	assert 0 < connect <= 5 and 0 < read <= 15


def test_secret_masks_its_repr_but_works_as_the_string():
	secret = Secret("s3cr3t-value")
	assert repr(secret) == "'***'"
	assert "s3cr3t-value" not in repr({"client_secret": secret, "pair": ("k", secret)})
	assert secret == "s3cr3t-value" and hash(secret) == hash("s3cr3t-value")
	assert f"Bearer {secret}" == "Bearer s3cr3t-value"
	assert str(secret) == "s3cr3t-value" and type(str(secret)) is str
	assert isinstance(XeroOAuth("id", "pw", REDIRECT_URI)._client_secret, Secret)


def test_classify_knows_no_foreign_failure_but_translate_still_reraises_it():
	assert sdk.classify(RuntimeError("boom")) is None
	with pytest.raises(RuntimeError):
		sdk.translate(RuntimeError("boom"))
	assert isinstance(sdk.classify(XeroError("ours")), XeroError)
