"""Bounded retries: 429 waits as Xero says (within a cap), 5xx and network failures back off
exponentially with jitter; everything else fails at once."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from .errors import XeroRateLimited, XeroUnavailable

T = TypeVar("T")


@dataclass
class RetryPolicy:
	attempts: int = 4  # tries in all, the first included
	base_delay: float = 0.5
	max_delay: float = 20.0
	# A longer Retry-After (Xero's daily limit says hours) is not waited out inside a request.
	max_retry_after: float = 60.0
	sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

	def run(self, call: Callable[[], T]) -> T:
		for attempt in range(1, self.attempts + 1):
			try:
				return call()
			except XeroRateLimited as e:
				wait = e.retry_after if e.retry_after is not None else self._backoff(attempt)
				if attempt == self.attempts or wait > self.max_retry_after:
					raise
				self.sleep(wait)
			except XeroUnavailable:
				if attempt == self.attempts:
					raise
				self.sleep(self._backoff(attempt))
		raise AssertionError("unreachable")

	def _backoff(self, attempt: int) -> float:
		return min(self.max_delay, self.base_delay * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)
