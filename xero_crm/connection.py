"""The connector's OAuth, tokens and client, wired to Frappe: credentials and tokens in Xero
Settings' Password fields, the refresh lock in Redis. No Xero logic lives here."""

from contextlib import contextmanager

import frappe
from frappe import _
from frappe.utils.password import get_decrypted_password, set_encrypted_password

from xero_crm.constants import SETTINGS
from xero_crm.redis_stores import RedisDayCounter
from xero_crm.settings import endpoints, redirect_uri
from xero_crm.xero.client import XeroClient
from xero_crm.xero.errors import XeroAuthError
from xero_crm.xero.oauth import XeroOAuth
from xero_crm.xero.ratelimit import RateLimiter
from xero_crm.xero.tokens import TokenManager, TokenSet

TOKEN_FIELDS = ("access_token", "refresh_token")


def make_oauth() -> XeroOAuth:
	client_id = frappe.db.get_single_value(SETTINGS, "client_id")
	secret = get_decrypted_password(SETTINGS, SETTINGS, "client_secret", raise_exception=False)
	return XeroOAuth(client_id, secret, redirect_uri(), endpoints())


def token_manager() -> TokenManager:
	return TokenManager(FrappeTokenStore(), make_oauth().refresh)


def make_client() -> XeroClient:
	tenant_id = frappe.db.get_single_value(SETTINGS, "tenant_id", cache=False)
	budget = frappe.db.get_single_value(SETTINGS, "daily_call_budget") or 1000
	limiter = RateLimiter(per_day=int(budget), day_counter=RedisDayCounter())
	return XeroClient(tenant_id, token_manager(), endpoints(), limiter=limiter)


class FrappeTokenStore:
	def load(self) -> TokenSet | None:
		refresh = get_decrypted_password(SETTINGS, SETTINGS, "refresh_token", raise_exception=False)
		if not refresh:
			return None
		access = get_decrypted_password(SETTINGS, SETTINGS, "access_token", raise_exception=False) or ""
		expires = frappe.db.get_single_value(SETTINGS, "token_expires_at", cache=False) or 0
		return TokenSet(access, refresh, float(expires))

	def save(self, tokens: TokenSet) -> None:
		save_tokens(tokens)
		frappe.db.set_single_value(SETTINGS, {"status": "Connected", "disconnect_reason": None})
		# The old refresh token is spent at Xero: the new one must survive a crash from here on.
		frappe.db.commit()

	@contextmanager
	def lock(self):
		lock = frappe.cache.lock(
			f"{frappe.local.site}:xero_crm:token_refresh", timeout=60, blocking_timeout=60
		)
		if not lock.acquire():
			raise XeroAuthError(_("Timed out waiting for another worker to refresh the Xero token."), "lock")
		try:
			yield
		finally:
			lock.release()

	def mark_disconnected(self, reason: str, message: str) -> None:
		forget_tokens()
		frappe.db.set_single_value(SETTINGS, {"status": "Disconnected", "disconnect_reason": message})
		frappe.db.commit()


def save_tokens(tokens: TokenSet) -> None:
	for fieldname in TOKEN_FIELDS:
		set_encrypted_password(SETTINGS, SETTINGS, getattr(tokens, fieldname), fieldname)
	# The singles row keeps only a mask, as Frappe does for Password fields it saves itself.
	frappe.db.set_single_value(
		SETTINGS,
		{"access_token": "*" * 10, "refresh_token": "*" * 10, "token_expires_at": tokens.expires_at},
	)


def forget_tokens() -> None:
	frappe.db.delete("__Auth", {"doctype": SETTINGS, "name": SETTINGS, "fieldname": ("in", TOKEN_FIELDS)})
	frappe.db.set_single_value(SETTINGS, {"access_token": None, "refresh_token": None, "token_expires_at": 0})
