"""Pacing webhook-driven refreshes so a day's calls fit Xero's daily limit.

A token bucket: each drain (one batched fetch for every waiting delivery) takes a token; tokens come
back at the rate that makes what is left of today's budget — after what the scheduled catch-ups will
need — last until the day is over. A full bucket lets a run of changes through at once, so a lone
change reaches open forms within seconds; a sustained stream is gathered into fewer, larger fetches.
When no token is left the deliveries stay queued, and the next scheduler tick takes them."""

from dataclasses import dataclass
from datetime import datetime, timedelta

# contacts, invoices, payments, credit notes, overpayments, prepayments: one page each on a normal day
CALLS_PER_CATCH_UP = 6


@dataclass(frozen=True)
class Bucket:
	tokens: float
	at: datetime


@dataclass(frozen=True)
class DrainPacer:
	budget: int = 1000
	catch_up_minutes: int = 30
	burst: int = 10

	def catch_up_reserve(self, now: datetime) -> int:
		return int(_seconds_left_today(now) // (self.catch_up_minutes * 60) + 1) * CALLS_PER_CATCH_UP

	def rate(self, now: datetime, used_today: int) -> float:
		"""Drains per second that today's remaining budget allows."""
		left = self.budget - used_today - self.catch_up_reserve(now)
		return max(0, left) / _seconds_left_today(now)

	def take(
		self, now: datetime, bucket: Bucket | None, used_today: int
	) -> tuple[bool, Bucket, float | None]:
		"""(drain now?, the bucket after, seconds until a token is back — None if not today)."""
		rate = self.rate(now, used_today)
		tokens = float(self.burst) if bucket is None else bucket.tokens
		if bucket is not None:
			tokens = min(float(self.burst), tokens + max(0.0, (now - bucket.at).total_seconds()) * rate)
		if tokens >= 1:
			return True, Bucket(tokens - 1, now), 0.0
		return False, Bucket(tokens, now), ((1 - tokens) / rate if rate > 0 else None)


def _seconds_left_today(now: datetime) -> float:
	midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
	return (midnight - now).total_seconds()
