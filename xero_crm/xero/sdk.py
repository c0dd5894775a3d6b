"""The one place that touches the xero-python SDK's transport: client construction, auth hook,
raw JSON decoding (money as Decimal, never float) and translation of its errors into ours."""

import json
import ssl
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import certifi
import urllib3
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.exceptions import ApiSSLException, HTTPStatusException

from .errors import XeroAuthError, XeroBadRequest, XeroError, XeroNotFound, XeroRateLimited, XeroUnavailable

# Xero allows five calls in flight per organisation; a bigger pool would only queue at Xero.
MAX_CONNECTIONS = 5
DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
# Token calls are small: a silent identity service must not hold the refresh lock or a web worker long.
# Always a (connect, read) pair: the SDK ignores a timeout given as a float.
TOKEN_TIMEOUT = (5.0, 15.0)


class _ProvidedToken(OAuth2Token):
	"""Auth hook for the SDK: the bearer token comes from our TokenManager, which owns refresh
	(single-flight, stored before use). The SDK's own refresh would call Xero's hard-wired URL and
	keep the new refresh token only in memory."""

	def __init__(self, provider: Callable[[], str]):
		super().__init__()
		self._provider = provider

	def create_auth_settings(self, api_client):
		return {
			"type": "oauth2",
			"in": "header",
			"key": "Authorization",
			"value": f"Bearer {self._provider()}",
		}


def make_api_client(token_provider: Callable[[], str] | None = None) -> ApiClient:
	# Configuration() hands back a copy of the first instance ever made: set what we need explicitly.
	configuration = Configuration()
	configuration.oauth2_token = _ProvidedToken(token_provider or _no_token)
	configuration.debug = False
	client = ApiClient(configuration, pool_threads=1)
	# Our own pool: no hidden urllib3 retries (the connector's RetryPolicy bounds every retry).
	client.rest_client.pool_manager = urllib3.PoolManager(
		num_pools=4,
		maxsize=MAX_CONNECTIONS,
		cert_reqs=ssl.CERT_REQUIRED,
		ca_certs=certifi.where(),
		retries=False,
	)
	client.user_agent = "xero_crm (Frappe app; read-only)"
	return client


def _no_token() -> str:
	raise XeroAuthError("Not connected to Xero.", reason="not_connected")


def decode_json(raw: bytes) -> Any:
	"""Xero's JSON with every number that has a fraction as Decimal: money must never pass through float."""
	try:
		return json.loads(raw, parse_float=Decimal)
	except (ValueError, UnicodeDecodeError) as e:
		raise XeroUnavailable("Xero sent a response that could not be read (incomplete or not JSON).") from e


def read_body(response) -> bytes:
	"""Read a raw urllib3 response in full; a connection cut mid-body is a transient failure."""
	try:
		return response.data
	except urllib3.exceptions.HTTPError as e:
		raise XeroUnavailable("The connection to Xero broke while reading its response.") from e


def header(headers, name: str) -> str | None:
	if not headers:
		return None
	for key, value in dict(headers).items():
		if key.lower() == name.lower():
			return value
	return None


def parse_retry_after(value: str | None) -> float | None:
	if value is None:
		return None
	try:
		return max(0.0, float(value))
	except ValueError:
		return None


def translate(exc: BaseException) -> XeroError:
	"""Map an SDK or transport failure to our error types; messages carry no secrets or bodies.
	A failure of no known kind is re-raised as it is."""
	error = classify(exc)
	if error is None:
		raise exc
	return error


def classify(exc: BaseException) -> XeroError | None:
	"""Our error for an SDK or transport failure, or None when it is of no known kind."""
	if isinstance(exc, XeroError):
		return exc
	if isinstance(exc, HTTPStatusException):
		return _from_status(exc)
	# Refused or not resolved: urllib3 makes it a ConnectTimeoutError too, but nothing timed out.
	if isinstance(exc, urllib3.exceptions.NewConnectionError):
		return XeroUnavailable("Could not reach Xero (connection failed or was reset).")
	if isinstance(exc, urllib3.exceptions.TimeoutError):
		return XeroUnavailable("Xero did not answer in time.")
	if isinstance(exc, urllib3.exceptions.HTTPError | ConnectionError | OSError):
		return XeroUnavailable("Could not reach Xero (connection failed or was reset).")
	if isinstance(exc, ApiSSLException):  # the SDK turns urllib3's SSLError into this
		return XeroUnavailable("Could not reach Xero securely (the TLS connection failed).")
	return None


def _from_status(exc: HTTPStatusException) -> XeroError:
	"""Xero's HTTP error answers, each as the error an admin or the sync can act on."""
	status, headers = exc.status, exc.headers
	if status == 429:
		problem = header(headers, "X-Rate-Limit-Problem")
		return XeroRateLimited(
			f"Xero's {problem or 'API'} rate limit was reached.",
			retry_after=parse_retry_after(header(headers, "Retry-After")),
			problem=problem,
		)
	if status == 400:
		return _bad_request(_error_body(exc))
	if status in (401, 403):
		return XeroAuthError(
			"Xero refused access: the organisation may have been disconnected from this app. "
			"Connect to Xero again from Xero Settings.",
			reason="forbidden" if status == 403 else "unauthorized",
		)
	if status == 404:
		return XeroNotFound("Xero has no such record.")
	if status and status >= 500:
		return XeroUnavailable(f"Xero is unavailable right now (HTTP {status}).")
	return XeroError(f"Xero answered with an unexpected HTTP {status}.")


def _bad_request(body: dict) -> XeroError:
	"""400: a refused sign-in (OAuth's `error`), else a request Xero found invalid."""
	if body.get("error") == "invalid_grant":
		return XeroAuthError(
			"Xero no longer accepts this connection's refresh token (it was revoked, expired after "
			"60 days unused, or already used). Connect to Xero again from Xero Settings.",
			reason="invalid_grant",
		)
	if body.get("error"):
		return XeroAuthError(f"Xero refused the sign-in request ({body['error']}).", reason=body["error"])
	return XeroBadRequest("Xero rejected the request.", details=_validation_messages(body))


def _error_body(exc: HTTPStatusException) -> dict:
	try:
		body = json.loads(exc.body or b"{}")
	except (ValueError, UnicodeDecodeError):
		return {}
	return body if isinstance(body, dict) else {}


def _validation_messages(body: dict) -> list[str]:
	messages = []
	for element in body.get("Elements") or []:
		for error in element.get("ValidationErrors") or []:
			if error.get("Message"):
				messages.append(str(error["Message"]))
	if not messages and body.get("Message"):
		messages.append(str(body["Message"]))
	return messages
