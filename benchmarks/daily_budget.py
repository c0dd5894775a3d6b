"""A day of changes against the daily call budget: 2,000 invoice changes (80% in business hours),
each announced by a webhook and drained when DrainPacer's token bucket allows (else at the next
one-minute scheduler tick), plus a catch-up every 30 minutes. Time is simulated; every Xero call is
real (the emulator, over HTTP) and counted.

    .venv-ci/bin/python -m benchmarks.daily_budget [--changes 2000] [--budget 1000]

The calls a day costs do not grow with the number of invoices held (only initial sync does): they
grow with changes, 50 invoices per IDs= call, and with catch-ups, one page per resource."""

import argparse
import random
import statistics
import tempfile
from datetime import UTC, datetime, timedelta

from benchmarks.common import connected_client, seed_invoices, xero_local
from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.budget import DrainPacer
from xero_crm.xero.sync import Syncer


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--changes", type=int, default=2000)
	parser.add_argument("--budget", type=int, default=1000)
	parser.add_argument("--catch-up-minutes", type=int, default=30)
	args = parser.parse_args()
	rng = random.Random(2026)
	day = datetime(2026, 11, 30, tzinfo=UTC)

	def at(seconds):
		return day + timedelta(seconds=seconds)

	changes = sorted(
		rng.uniform(9 * 3600, 17 * 3600) if rng.random() < 0.8 else rng.uniform(0, 86400)
		for _ in range(args.changes)
	)
	with xero_local() as (_url, peer, emulator), tempfile.NamedTemporaryFile(suffix=".sqlite") as db:
		contacts = [emulator.contact(f"Customer {i}")["ContactID"] for i in range(3)]
		for n, contact in enumerate(contacts):
			seed_invoices(emulator, contact, 1000, start=n * 1000)
		client = connected_client(peer)
		cache = SQLiteCache(db.name)
		# No catch-up overlap: it is there for clock skew, and the simulation squeezes a day into
		# minutes, where five real minutes would span hours of simulated changes.
		syncer = Syncer(client, cache, overlap=timedelta(0))
		syncer.full_sync()
		ids = [i["InvoiceID"] for i in emulator.state()["invoices"]]
		start_calls = client.calls
		pacer = DrainPacer(budget=args.budget, catch_up_minutes=args.catch_up_minutes)

		waiting: list[tuple[float, str]] = []
		latencies, drains, catch_ups = [], 0, 0
		drain_calls = catch_up_calls = 0
		bucket = None
		next_attempt = None  # when the drain job runs next (on receipt, then each scheduler tick)
		next_catch_up = args.catch_up_minutes * 60.0
		last_catch_up_real = datetime.now(UTC)

		def attempt(t):
			nonlocal bucket, drains, drain_calls, next_attempt
			go, bucket, _wait = pacer.take(at(t), bucket, client.calls - start_calls)
			if not go:
				next_attempt = (t // 60 + 1) * 60  # left queued: the next tick tries again
				return
			before = client.calls
			syncer.refresh(invoice_ids=[i for _, i in waiting])
			drain_calls += client.calls - before
			latencies.extend(t - s for s, _ in waiting)
			waiting.clear()
			drains += 1
			next_attempt = None

		def run_catch_up():
			nonlocal catch_ups, catch_up_calls, last_catch_up_real
			before = client.calls
			since, last_catch_up_real = last_catch_up_real, datetime.now(UTC)
			syncer.catch_up(since)
			catch_up_calls += client.calls - before
			catch_ups += 1

		events = iter(changes)
		t_event = next(events, None)
		while t_event is not None or next_attempt is not None:
			upcoming = min(x for x in (t_event, next_attempt, next_catch_up) if x is not None)
			if next_attempt is not None and upcoming == next_attempt:
				attempt(next_attempt)
			elif upcoming == next_catch_up:
				run_catch_up()
				next_catch_up += args.catch_up_minutes * 60
			else:
				invoice_id = rng.choice(ids)
				emulator.update_invoice(invoice_id, Reference=f"edit at {t_event:.0f}")
				waiting.append((t_event, invoice_id))
				if next_attempt is None:
					next_attempt = t_event  # the endpoint enqueues the drain on receipt
				t_event = next(events, None)
		while next_catch_up < 86400:
			run_catch_up()
			next_catch_up += args.catch_up_minutes * 60

		total = client.calls - start_calls
		ordered = sorted(latencies)
		print(f"one simulated day: {args.changes:,} invoice changes, budget {args.budget:,} calls")
		print(
			f"  webhook drains: {drains} using {drain_calls} calls; catch-ups: {catch_ups} using {catch_up_calls} calls"
		)
		print(f"  total Xero calls: {total} ({total / args.budget:.0%} of the budget)")
		quick = sum(1 for x in ordered if x < 1) / len(ordered)
		print(
			f"  change → cache latency: {quick:.0%} at once, median {statistics.median(ordered):.0f} s, "
			f"p95 {ordered[int(len(ordered) * 0.95)]:.0f} s, max {ordered[-1]:.0f} s"
		)
		assert total <= args.budget


if __name__ == "__main__":
	main()
