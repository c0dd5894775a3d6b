"""Access tokens with rotation: refresh is single-flight and the new refresh token is stored
before anyone uses the new access token.

Xero rotates refresh tokens: each one works once. Two workers refreshing at once would both spend
the same refresh token; the loser gets `invalid_grant` and the connection is gone. So refresh runs
under the store's lock (a process lock in tests, a Redis lock in Frappe), and re-reads the store
inside the lock: whoever waited finds the fresh token and makes no call.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from .errors import XeroAuthError

# Refresh this long before Xero's expiry, so a token never dies mid-request.
EXPIRY_SKEW_SECONDS = 60


@dataclass(frozen=True)
class TokenSet:
	access_token: str = field(repr=False)
	refresh_token: str = field(repr=False)
	expires_at: float
	scope: tuple[str, ...] = ()

	def expired(self, now: float, skew: float = EXPIRY_SKEW_SECONDS) -> bool:
		return now + skew >= self.expires_at

	@classmethod
	def from_response(cls, data: dict, now: float) -> "TokenSet":
		try:
			tokens = cls(
				access_token=str(data["access_token"]),
				refresh_token=str(data["refresh_token"]),
				expires_at=now + float(data.get("expires_in") or 1800),
				scope=tuple(str(data.get("scope") or "").split()),
			)
		except (KeyError, TypeError, ValueError):
			tokens = None
		if tokens is None:  # raised outside the handler: nothing chained to it
			raise XeroAuthError(
				"Xero's token response was incomplete (no refresh token: was offline_access granted?).",
				reason="bad_token_response",
			) from None
		return tokens


class TokenStore(Protocol):
	"""Where tokens live: Password fields in Frappe, memory in tests."""

	def load(self) -> TokenSet | None: ...

	def save(self, tokens: TokenSet) -> None:
		"""Persist durably (commit) before returning: the old refresh token is already spent."""

	def lock(self) -> AbstractContextManager: ...

	def mark_disconnected(self, reason: str, message: str) -> None: ...


class MemoryTokenStore:
	def __init__(self, tokens: TokenSet | None = None):
		self.tokens = tokens
		self.disconnected: tuple[str, str] | None = None
		self._lock = threading.Lock()

	def load(self) -> TokenSet | None:
		return self.tokens

	def save(self, tokens: TokenSet) -> None:
		self.tokens = tokens
		self.disconnected = None

	@contextmanager
	def lock(self) -> Iterator[None]:
		with self._lock:
			yield

	def mark_disconnected(self, reason: str, message: str) -> None:
		self.tokens = None
		self.disconnected = (reason, message)


class TokenManager:
	def __init__(
		self,
		store: TokenStore,
		refresh: Callable[[str], TokenSet],
		clock: Callable[[], float] = time.time,
	):
		self.store = store
		self._refresh = refresh
		self._clock = clock

	def access_token(self) -> str:
		tokens = self._load()
		if not tokens.expired(self._clock()):
			return tokens.access_token
		return self._refresh_under_lock(lambda current: current.expired(self._clock()))

	def refresh_after_rejection(self, rejected_access_token: str) -> str:
		"""Xero said 401 to this access token: refresh unless someone already replaced it."""
		return self._refresh_under_lock(lambda current: current.access_token == rejected_access_token)

	def _refresh_under_lock(self, still_needed: Callable[[TokenSet], bool]) -> str:
		with self.store.lock():
			current = self._load()  # re-read inside the lock: another caller may have refreshed
			if not still_needed(current):
				return current.access_token
			try:
				fresh = self._refresh(current.refresh_token)
			except XeroAuthError as e:
				if e.reason in ("invalid_grant", "invalid_client", "unauthorized_client"):
					self.store.mark_disconnected(e.reason, str(e))
				raise
			self.store.save(fresh)
			return fresh.access_token

	def _load(self) -> TokenSet:
		tokens = self.store.load()
		if tokens is None:
			raise XeroAuthError(
				"Not connected to Xero. An admin can connect from Xero Settings.", "not_connected"
			)
		return tokens
