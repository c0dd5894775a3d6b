"""The connector's OAuth, tokens and client, wired to Frappe: the app's credentials in Xero Settings,
each consent's tokens in its Xero Authorisation's Password fields, one refresh lock per
authorisation in Redis, and one client per organisation. No Xero logic lives here."""

from contextlib import contextmanager

import frappe
from frappe import _
from frappe.utils.password import get_decrypted_password, set_encrypted_password

from xero_crm.constants import AUTHORISATION, ORGANISATION, SETTINGS
from xero_crm.redis_stores import RedisDayCounter
from xero_crm.settings import endpoints, redirect_uri
from xero_crm.xero.client import XeroClient
from xero_crm.xero.errors import XeroAuthError
from xero_crm.xero.oauth import XeroOAuth
from xero_crm.xero.ratelimit import RateLimiter
from xero_crm.xero.tokens import TokenManager, TokenSet

TOKEN_FIELDS = ("access_token", "refresh_token")
DEFAULT_DAILY_BUDGET = 1000  # Xero's Starter tier, per organisation


def make_oauth() -> XeroOAuth:
	client_id = frappe.db.get_single_value(SETTINGS, "client_id")
	secret = get_decrypted_password(SETTINGS, SETTINGS, "client_secret", raise_exception=False)
	return XeroOAuth(client_id, secret, redirect_uri(), endpoints())


def token_manager(authorisation: str) -> TokenManager:
	return TokenManager(FrappeTokenStore(authorisation), make_oauth().refresh)


def make_client(org) -> XeroClient:
	"""A client for one organisation (a Xero Organisation row): its tenant header, its own daily
	budget and counter (Xero's limits are per organisation), its consent's tokens."""
	if not org.authorisation:
		raise XeroAuthError(
			_("{0} is not connected. Connect to Xero again from Xero Settings.").format(
				org.organisation_name
			),
			"not_connected",
		)
	budget = int(org.daily_call_budget or DEFAULT_DAILY_BUDGET)
	limiter = RateLimiter(per_day=budget, day_counter=RedisDayCounter(org.name))
	return XeroClient(org.name, token_manager(org.authorisation), endpoints(), limiter=limiter)


class FrappeTokenStore:
	"""One consent's tokens. Marking it disconnected marks every organisation it reached."""

	def __init__(self, authorisation: str):
		self.authorisation = authorisation

	def load(self) -> TokenSet | None:
		refresh = self._secret("refresh_token")
		if not refresh:
			return None
		expires = frappe.db.get_value(AUTHORISATION, self.authorisation, "token_expires_at") or 0
		return TokenSet(self._secret("access_token") or "", refresh, float(expires))

	def save(self, tokens: TokenSet) -> None:
		save_tokens(self.authorisation, tokens)
		frappe.db.set_value(
			AUTHORISATION, self.authorisation, {"status": "Connected", "disconnect_reason": None}
		)
		frappe.db.set_value(
			ORGANISATION,
			{"authorisation": self.authorisation, "status": "Disconnected"},
			{"status": "Connected", "disconnect_reason": None},
		)
		# The old refresh token is spent at Xero: the new one must survive a crash from here on.
		frappe.db.commit()

	@contextmanager
	def lock(self):
		lock = frappe.cache.lock(
			f"{frappe.local.site}:xero_crm:token_refresh:{self.authorisation}",
			timeout=60,
			blocking_timeout=60,
		)
		if not lock.acquire():
			raise XeroAuthError(_("Timed out waiting for another worker to refresh the Xero token."), "lock")
		try:
			yield
		finally:
			lock.release()

	def mark_disconnected(self, reason: str, message: str) -> None:
		forget_tokens(self.authorisation)
		state = {"status": "Disconnected", "disconnect_reason": message}
		frappe.db.set_value(AUTHORISATION, self.authorisation, state)
		frappe.db.set_value(ORGANISATION, {"authorisation": self.authorisation}, state)
		frappe.db.commit()

	def _secret(self, fieldname: str) -> str | None:
		return get_decrypted_password(AUTHORISATION, self.authorisation, fieldname, raise_exception=False)


def save_tokens(authorisation: str, tokens: TokenSet) -> None:
	for fieldname in TOKEN_FIELDS:
		set_encrypted_password(AUTHORISATION, authorisation, getattr(tokens, fieldname), fieldname)
	# The row keeps only a mask, as Frappe does for Password fields it saves itself.
	frappe.db.set_value(
		AUTHORISATION,
		authorisation,
		{"access_token": "*" * 10, "refresh_token": "*" * 10, "token_expires_at": tokens.expires_at},
	)


def forget_tokens(authorisation: str) -> None:
	frappe.db.delete(
		"__Auth", {"doctype": AUTHORISATION, "name": authorisation, "fieldname": ("in", TOKEN_FIELDS)}
	)
	if frappe.db.exists(AUTHORISATION, authorisation):
		frappe.db.set_value(
			AUTHORISATION, authorisation, {"access_token": None, "refresh_token": None, "token_expires_at": 0}
		)
