"""OAuth2 authorization-code flow against Xero's identity service, through the xero-python SDK.

State is random, one-time, expiring and bound to the user who started: the callback proves that the
admin who clicked "Connect" is the one coming back, and a replayed or forged callback stores nothing.
"""

import base64
import binascii
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode

from xero_python.api_client import ApiClient
from xero_python.identity import IdentityApi

from . import sdk
from .config import SCOPES, XeroEndpoints
from .errors import OAuthCallbackError, XeroAuthError, XeroError, XeroNotFound, XeroUnavailable
from .secret import Secret
from .tokens import TokenSet

STATE_TTL_SECONDS = 600


@dataclass(frozen=True)
class Tenant:
	tenant_id: str
	name: str
	tenant_type: str = "ORGANISATION"
	connection_id: str = ""  # /connections `id`: what disconnecting this one organisation takes
	auth_event_id: str = ""  # /connections `authEventId`: the consent that authorised it


@dataclass(frozen=True)
class Identity:
	"""Who consented, from the id_token's claims."""

	email: str | None
	name: str | None = None
	xero_user_id: str | None = None


class StateStore(Protocol):
	"""A small expiring key-value store (Redis in Frappe). `pop` must be atomic: get and delete."""

	def put(self, key: str, value: str, ttl_seconds: int) -> None: ...

	def pop(self, key: str) -> str | None: ...


class MemoryStateStore:
	def __init__(self):
		self.values: dict[str, str] = {}

	def put(self, key: str, value: str, ttl_seconds: int) -> None:
		self.values[key] = value

	def pop(self, key: str) -> str | None:
		return self.values.pop(key, None)


def begin_state(store: StateStore, user: str, now: float | None = None) -> str:
	state = secrets.token_urlsafe(32)
	issued = time.time() if now is None else now
	store.put(state, json.dumps({"user": user, "issued_at": issued}), STATE_TTL_SECONDS)
	return state


def consume_state(store: StateStore, state: str | None, user: str, now: float | None = None) -> None:
	"""Accept a callback's state once, for the user who started, within its lifetime; else raise."""
	if not state:
		raise OAuthCallbackError("The reply from Xero had no state. Start again with Connect to Xero.")
	if len(state) > 200:
		raise OAuthCallbackError(
			"The reply from Xero had an invalid state. Start again with Connect to Xero."
		)
	raw = store.pop(state)
	if raw is None:
		raise OAuthCallbackError(
			"This sign-in link is unknown or was already used. Start again with Connect to Xero."
		)
	record = json.loads(raw)
	current = time.time() if now is None else now
	if current - float(record["issued_at"]) > STATE_TTL_SECONDS:
		raise OAuthCallbackError("The sign-in took too long and expired. Start again with Connect to Xero.")
	if record["user"] != user:
		raise OAuthCallbackError(
			"This sign-in was started by another user. The admin who clicked Connect must finish it."
		)


def check_callback_error(error: str | None, description: str | None = None) -> None:
	"""Xero redirects with `error=access_denied` when the admin clicks Cancel."""
	if not error:
		return
	if error == "access_denied":
		raise OAuthCallbackError("Access to Xero was not allowed, so nothing was connected.")
	raise OAuthCallbackError(f"Xero could not complete the sign-in ({error[:80]}).")


def _jwt_claims(token: str | None) -> dict:
	"""The payload of a JWT, unverified; {} when it is not one.

	Only for tokens that came to us directly from Xero's token endpoint over TLS in exchange for our
	client secret: OpenID Connect (Core 3.1.3.7) lets us skip verifying their signature."""
	if not token or token.count(".") != 2:
		return {}
	payload = token.split(".")[1]
	try:
		claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
	except (ValueError, binascii.Error):
		return {}
	return claims if isinstance(claims, dict) else {}


def identity_from_id_token(id_token: str | None) -> Identity:
	"""Read the claims of the id_token Xero returned from its token endpoint."""
	claims = _jwt_claims(id_token)
	if not claims:
		return Identity(email=None)
	name = " ".join(str(claims[k]) for k in ("given_name", "family_name") if claims.get(k)) or claims.get(
		"name"
	)
	return Identity(email=claims.get("email"), name=name or None, xero_user_id=claims.get("xero_userid"))


def auth_event_id_from_access_token(access_token: str | None) -> str:
	"""The consent that issued an access token (its `authentication_event_id` claim), "" when absent:
	/connections lists the organisations of every consent, and this tells which came with this one."""
	value = _jwt_claims(access_token).get("authentication_event_id")
	return value if isinstance(value, str) else ""


class XeroOAuth:
	"""Xero's identity service: the authorize URL, the token endpoint (code exchange, refresh) and
	revocation, and the list of connected organisations.

	The three token-endpoint calls go through one POST of ours on the SDK's transport, with a bounded
	timeout. Whatever goes wrong there comes out as one of our errors, raised with nothing chained
	(the SDK's exception, whose frames hold the request, is dropped), and every local on the way out
	holds secrets as `Secret`, so a traceback with locals (Frappe's Error Log) shows none of them."""

	def __init__(
		self,
		client_id: str,
		client_secret: str,
		redirect_uri: str,
		endpoints: XeroEndpoints | None = None,
		scopes: tuple[str, ...] = SCOPES,
		clock: Callable[[], float] = time.time,
		timeout: tuple[float, float] = sdk.TOKEN_TIMEOUT,
	):
		if not client_id or not client_secret:
			raise XeroAuthError(
				"Enter the Client ID and Client Secret of your Xero app first.", "no_credentials"
			)
		self.client_id = client_id
		self._client_secret = Secret(client_secret)
		self.redirect_uri = redirect_uri
		self.endpoints = endpoints or XeroEndpoints()
		self.scopes = scopes
		self._clock = clock
		self.timeout = (float(timeout[0]), float(timeout[1]))  # (connect, read) seconds
		self._api_client = sdk.make_api_client()

	def authorization_url(self, state: str) -> str:
		query = urlencode(
			{
				"response_type": "code",
				"client_id": self.client_id,
				"redirect_uri": self.redirect_uri,
				"scope": " ".join(self.scopes),
				"state": state,
			}
		)
		return f"{self.endpoints.authorize_url}?{query}"

	def exchange_code(self, code: str) -> tuple[TokenSet, Identity]:
		code = Secret(code or "")
		if not code or len(code) > 2000:
			raise OAuthCallbackError("The reply from Xero had no authorization code. Start again.")
		data = self._post_token_endpoint(
			self.endpoints.token_url,
			{
				"grant_type": "authorization_code",
				"code": code,
				"redirect_uri": self.redirect_uri,
				"client_id": self.client_id,
				"client_secret": self._client_secret,
			},
		)
		return TokenSet.from_response(data, self._clock()), identity_from_id_token(data.get("id_token"))

	def refresh(self, refresh_token: str) -> TokenSet:
		"""A new token set for a refresh token (which Xero then no longer accepts: it rotates)."""
		refresh_token = Secret(refresh_token)
		data = self._post_token_endpoint(
			self.endpoints.token_url,
			{
				"grant_type": "refresh_token",
				"refresh_token": refresh_token,
				"scope": " ".join(self.scopes),
				"client_id": self.client_id,
				"client_secret": self._client_secret,
			},
		)
		return TokenSet.from_response(data, self._clock())

	def revoke(self, refresh_token: str) -> None:
		"""Revoke the refresh token at Xero, which ends this app's connections (RFC 7009)."""
		refresh_token = Secret(refresh_token)
		self._post_token_endpoint(
			self.endpoints.revocation_url,
			{"token": refresh_token, "client_id": self.client_id, "client_secret": self._client_secret},
			empty_body_ok=True,
		)

	def connections(self, access_token: str) -> list[Tenant]:
		access_token = Secret(access_token)
		client = sdk.make_api_client(lambda: access_token)
		try:
			response = IdentityApi(client, base_url=self.endpoints.identity_base_url).get_connections(
				_preload_content=False, _request_timeout=sdk.DEFAULT_TIMEOUT
			)
		except Exception as e:
			raise sdk.translate(e) from None
		rows = sdk.decode_json(sdk.read_body(response))
		if not isinstance(rows, list):
			raise XeroUnavailable("Xero's list of connected organisations could not be read.")
		return [
			Tenant(
				str(r["tenantId"]),
				str(r.get("tenantName") or ""),
				str(r.get("tenantType") or ""),
				connection_id=str(r.get("id") or ""),
				auth_event_id=str(r.get("authEventId") or ""),
			)
			for r in rows
			if isinstance(r, dict)
			and r.get("tenantId")
			and r.get("tenantType", "ORGANISATION") == "ORGANISATION"
		]

	def remove_connection(self, access_token: str, connection_id: str) -> None:
		"""Disconnect one organisation (Xero's DELETE /connections/{id}); the tokens and the other
		organisations stay connected. A connection Xero no longer has (404) is already removed."""
		if not connection_id:
			raise ValueError("remove_connection needs the connection's id (Tenant.connection_id)")
		access_token = Secret(access_token)
		client = sdk.make_api_client(lambda: access_token)
		error = None
		try:
			IdentityApi(client, base_url=self.endpoints.identity_base_url).delete_connection(
				connection_id, _preload_content=False, _request_timeout=sdk.DEFAULT_TIMEOUT
			)
		except Exception as e:
			error = _detached(sdk.translate(e))
		if error is not None and not isinstance(error, XeroNotFound):
			raise error from None

	def _post_token_endpoint(self, url: str, form: dict[str, str], empty_body_ok: bool = False) -> dict:
		"""POST a form to Xero's token or revocation endpoint; its JSON answer, with the tokens in it
		as `Secret`. Every failure is raised as our error, here, outside any exception handler: so it
		has no `__context__` and no traceback through the SDK's frames (which hold the request)."""
		data, error = _token_call(self._api_client, url, form, self.timeout, empty_body_ok)
		if error is not None:
			raise error from None
		return data


# Fields of a token response that are credentials (the id_token carries the user's email too).
_SECRET_FIELDS = ("access_token", "refresh_token", "id_token")


def _token_call(
	api_client: ApiClient, url: str, form: dict[str, str], timeout: tuple[float, float], empty_body_ok: bool
) -> tuple[dict, None] | tuple[None, XeroError]:
	"""The request and the reading of the answer. Never raises: it returns the failure, so that by the
	time the caller raises it this frame (which saw the raw body) and the SDK's are gone."""
	try:
		response, _status, _headers = api_client.call_api(
			url,
			"POST",
			header_params={
				"Accept": "application/json",
				"Content-Type": "application/x-www-form-urlencoded",
			},
			# Plain strings for the SDK's serializer (it dispatches on the exact type name).
			post_params={key: str(value) for key, value in form.items()},
			auth_settings=None,
			_preload_content=False,
			_request_timeout=timeout,
		)
		raw = response.data
	except Exception as e:  # any failure at all becomes ours; nothing of the SDK's escapes
		return None, _detached(sdk.classify(e)) or XeroError(
			f"The call to Xero's sign-in service failed ({type(e).__name__})."
		)
	if empty_body_ok and not raw.strip():
		return {}, None
	try:
		data = json.loads(raw)
	except (ValueError, UnicodeDecodeError):
		return None, XeroUnavailable("Xero sent a response that could not be read (incomplete or not JSON).")
	if not isinstance(data, dict):
		return None, XeroUnavailable("Xero's token response could not be read.")
	for key in _SECRET_FIELDS:
		if isinstance(data.get(key), str):
			data[key] = Secret(data[key])
	return data, None


def _detached(error: XeroError | None) -> XeroError | None:
	"""An error of ours that came out of the SDK's call stack, cut loose from that stack."""
	if error is not None:
		error.__traceback__ = error.__cause__ = error.__context__ = None
	return error
