"""What the app keeps in Redis (keys carry the site): OAuth state, today's Xero call count, the
webhook drain's token bucket, and panel summaries kept per cache generation."""

import json
from datetime import UTC, datetime

import frappe

from xero_crm.xero.budget import Bucket


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
	"""Today's Xero call count for one organisation (Xero's limits are per organisation), shared by
	every worker of this site."""

	def __init__(self, organisation: str):
		self.organisation = organisation

	def _key(self) -> str:
		# Xero counts its day in UTC.
		day = datetime.now(UTC).date().isoformat()
		return f"{frappe.local.site}:xero_crm:calls:{self.organisation}:{day}"

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


def _generation_key() -> str:
	return f"{frappe.local.site}:xero_crm:cache_generation"


def generation() -> str:
	"""Names the cache's current contents, for summaries kept in Redis."""
	value = frappe.cache.get(_generation_key())
	return value.decode() if isinstance(value, bytes) else str(value or 0)


def bump_generation() -> None:
	"""On every write and again after the commit: a summary computed in between, from what was then
	committed, is kept under a generation no one reads any more."""
	frappe.cache.incr(_generation_key())


class RedisMemo:
	"""Panel summaries kept for an hour, per site (frappe.cache keys carry the site)."""

	def get(self, key: str):
		# expires=True: read Redis itself; a miss must not stick in this request's local cache.
		return frappe.cache.get_value(f"xero_crm:{key}", expires=True)

	def set(self, key: str, value) -> None:
		frappe.cache.set_value(f"xero_crm:{key}", value, expires_in_sec=3600)


def _bucket_key(organisation: str) -> str:
	return f"{frappe.local.site}:xero_crm:drain_bucket:{organisation}"


def load_bucket(organisation: str) -> Bucket | None:
	"""One organisation's webhook drain pacing (its own daily budget)."""
	raw = frappe.cache.get(_bucket_key(organisation))
	if not raw:
		return None
	data = json.loads(raw)
	return Bucket(float(data["tokens"]), datetime.fromisoformat(data["at"]))


def save_bucket(organisation: str, bucket: Bucket) -> None:
	frappe.cache.set(
		_bucket_key(organisation),
		json.dumps({"tokens": bucket.tokens, "at": bucket.at.isoformat()}),
		ex=86400,
	)
