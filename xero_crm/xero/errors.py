"""The connector's own errors: small, typed, and free of secrets, so the app can turn each into a
message an admin or a rep can act on."""


class XeroError(Exception):
	"""Base class. `str(error)` is safe to show and to log: it never carries a token or a key."""


class XeroAuthError(XeroError):
	"""The connection is unusable until an admin reconnects (refresh token rejected, access revoked,
	organisation disconnected, not connected yet)."""

	def __init__(self, message: str, reason: str = "auth_lost"):
		super().__init__(message)
		self.reason = reason


class XeroRateLimited(XeroError):
	"""Xero answered 429 and asked us to wait longer than we may, or our own budget is spent."""

	def __init__(self, message: str, retry_after: float | None = None, problem: str | None = None):
		super().__init__(message)
		self.retry_after = retry_after
		self.problem = problem


class XeroUnavailable(XeroError):
	"""Xero (or the network to it) failed: 5xx, timeout, reset connection, unreadable body."""


class XeroBadRequest(XeroError):
	"""Xero rejected what we asked (400), with its validation messages."""

	def __init__(self, message: str, details: list[str] | None = None):
		super().__init__(message)
		self.details = details or []


class XeroNotFound(XeroError):
	"""The resource does not exist (404)."""


class OAuthCallbackError(XeroError):
	"""The OAuth callback cannot be trusted or completed; nothing was stored."""


class XeroTenantChanged(XeroError):
	"""The organisation was removed (or its writer given another's cache) while its sync ran: it
	stops before writing."""
