"""Xero's limits, kept on our side so we never earn a 429: 5 calls in flight, 60 a minute and a
daily budget per organisation (1,000 on the Starter tier, 5,000 above it).

The minute window is kept in process; the day's count goes through a pluggable counter (Redis in
Frappe, so every worker shares it) and is corrected by Xero's own `X-DayLimit-Remaining` header."""

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from .errors import XeroRateLimited
from .sdk import header


class DayCounter(Protocol):
	def increment(self) -> int:
		"""Count one call against today's budget and return today's total."""

	def used(self) -> int:
		"""Today's total so far."""

	def set_remaining(self, remaining: int, budget: int) -> None:
		"""Align with what Xero reports as left today."""


class MemoryDayCounter:
	def __init__(self):
		self.count = 0

	def increment(self) -> int:
		self.count += 1
		return self.count

	def used(self) -> int:
		return self.count

	def set_remaining(self, remaining: int, budget: int) -> None:
		self.count = max(self.count, budget - remaining)


class RateLimiter:
	def __init__(
		self,
		per_minute: int = 60,
		per_day: int = 1000,
		concurrency: int = 5,
		day_counter: DayCounter | None = None,
		clock: Callable[[], float] = time.monotonic,
		sleep: Callable[[float], None] = time.sleep,
	):
		self.per_minute = per_minute
		self.per_day = per_day
		self.day_counter = day_counter or MemoryDayCounter()
		self._slots = threading.BoundedSemaphore(concurrency)
		self._recent: deque[float] = deque()
		self._lock = threading.Lock()
		self._clock = clock
		self._sleep = sleep
		self.calls = 0

	@contextmanager
	def slot(self) -> Iterator[None]:
		"""Hold one of the in-flight slots for the duration of one call."""
		self._wait_for_minute_window()
		if self.day_counter.increment() > self.per_day:
			raise XeroRateLimited(
				"Today's Xero API budget for this organisation is spent; syncing resumes tomorrow.",
				retry_after=3600.0,
				problem="day",
			)
		with self._slots:
			self.calls += 1
			yield

	def left_today(self) -> int:
		"""Calls left in today's budget (what Xero said is left, where it said so)."""
		return max(0, self.per_day - self.day_counter.used())

	def observe(self, headers) -> None:
		remaining = header(headers, "X-DayLimit-Remaining")
		if remaining is not None and remaining.isdigit():
			self.day_counter.set_remaining(int(remaining), self.per_day)

	def _wait_for_minute_window(self) -> None:
		while True:
			with self._lock:
				now = self._clock()
				while self._recent and now - self._recent[0] >= 60:
					self._recent.popleft()
				if len(self._recent) < self.per_minute:
					self._recent.append(now)
					return
				wait = 60 - (now - self._recent[0])
			self._sleep(max(wait, 0.01))
