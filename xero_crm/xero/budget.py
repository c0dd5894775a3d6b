"""Pacing webhook-driven refreshes so a day's calls fit Xero's daily limit.

A lone change is fetched at once. When changes keep coming, drains are spaced so that what is left
of today's budget, after what the scheduled catch-ups will need, lasts until the day is over; the
events that arrive meanwhile are fetched together, 50 invoices a call."""

from dataclasses import dataclass
from datetime import datetime, timedelta

CALLS_PER_CATCH_UP = 3  # contacts, invoices, payments: one page each on a normal day


@dataclass(frozen=True)
class DrainPacer:
	budget: int = 1000
	catch_up_minutes: int = 30
	min_interval: float = 2.0

	def catch_up_reserve(self, now: datetime) -> int:
		left = _seconds_left_today(now)
		return int(left // (self.catch_up_minutes * 60) + 1) * CALLS_PER_CATCH_UP

	def wait(self, now: datetime, last_drain: datetime | None, used_today: int) -> float | None:
		"""Seconds to wait before draining; None when today's budget is spent (catch-up repairs)."""
		left = self.budget - used_today - self.catch_up_reserve(now)
		if left <= 0:
			return None
		spacing = max(self.min_interval, _seconds_left_today(now) / left)
		if last_drain is None:
			return 0.0
		return max(0.0, spacing - (now - last_drain).total_seconds())


def _seconds_left_today(now: datetime) -> float:
	midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
	return (midnight - now).total_seconds()
