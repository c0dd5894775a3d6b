"""Frappe glue for the connector: endpoints from site config, tokens in Xero Settings' Password
fields, the refresh lock and OAuth state in Redis. No Xero logic lives here."""

from contextlib import contextmanager
from datetime import UTC, datetime

import frappe
from frappe import _
from frappe.utils import get_url
from frappe.utils.password import get_decrypted_password, set_encrypted_password

from xero_crm.xero.client import XeroClient
from xero_crm.xero.config import XeroEndpoints
from xero_crm.xero.errors import XeroAuthError
from xero_crm.xero.oauth import XeroOAuth
from xero_crm.xero.ratelimit import RateLimiter
from xero_crm.xero.tokens import TokenManager, TokenSet

SETTINGS = "Xero Settings"
TOKEN_FIELDS = ("access_token", "refresh_token")


def require_system_manager() -> None:
	"""`frappe.only_for` waves everyone through while tests run; this check holds there too."""
	if "System Manager" not in frappe.get_roles():
		raise frappe.PermissionError(_("Only a System Manager may manage the Xero connection."))


def settings() -> frappe._dict:
	"""Xero Settings read fresh: the jobs update it behind the document cache's back."""
	return frappe.db.get_singles_dict(SETTINGS, cast=True)


def is_active(s: frappe._dict | None = None) -> bool:
	"""Enabled, connected and an organisation chosen: the only state in which anything syncs."""
	s = s or settings()
	return bool(s.enabled and s.status == "Connected" and s.tenant_id)


def endpoints() -> XeroEndpoints:
	"""Xero's own URLs unless site config says otherwise (`xero_api_url`, `xero_token_url`, …)."""
	return XeroEndpoints.from_config(frappe.conf)


def redirect_uri() -> str:
	return get_url("/api/method/xero_crm.oauth.callback")


def webhook_url() -> str:
	return get_url("/api/method/xero_crm.webhook.receive")


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


class RedisStateStore:
	"""OAuth `state` values: expiring and one-time (GETDEL is atomic)."""

	def put(self, key: str, value: str, ttl_seconds: int) -> None:
		frappe.cache.set(self._key(key), value, ex=ttl_seconds)

	def pop(self, key: str) -> str | None:
		value = frappe.cache.getdel(self._key(key))
		return value.decode() if isinstance(value, bytes) else value

	@staticmethod
	def _key(key: str) -> str:
		return f"{frappe.local.site}:xero_crm:oauth_state:{key}"


class RedisDayCounter:
	"""Today's Xero call count, shared by every worker of this site."""

	def _key(self) -> str:
		# Xero counts its day in UTC.
		return f"{frappe.local.site}:xero_crm:calls:{datetime.now(UTC).date().isoformat()}"

	def used(self) -> int:
		return int(frappe.cache.get(self._key()) or 0)

	def increment(self) -> int:
		key = self._key()
		count = frappe.cache.incr(key)
		if count == 1:
			frappe.cache.expire(key, 2 * 24 * 3600)
		return int(count)

	def set_remaining(self, remaining: int, budget: int) -> None:
		used = budget - remaining
		key = self._key()
		current = int(frappe.cache.get(key) or 0)
		if used > current:
			frappe.cache.set(key, used, ex=2 * 24 * 3600)
