"""Initial sync of a large organisation against a Starter day (1,000 Xero calls): the call count from
the client's paging (XeroClient.iter_pages: one call per page of `pageSize` records, at least one per
phase; Xero states pageCount, so no empty trailing page) over sync.PHASES, via sync.full_sync_calls;
then the staged plan the sync uses for such an organisation (sync.STAGED_PHASES): day 1 what the
panel's figures need, the history on the days after.

    .venv-ci/bin/python -m benchmarks.scale_sync_calls [--invoices 1000000] [--contacts 50000]
        [--payments 200000] [--credit-notes 50000] [--unpaid-share 0.05] [--recent-share 0.10]
        [--budget 1000] [--reserve 300]

No Xero, no emulator: arithmetic on the app's own paging rule (benchmarks.initial_sync measures the
same rule against the emulator: 50,000 invoices, 52 calls). `--reserve`: calls kept each day for
webhook drains and catch-ups (benchmarks.daily_budget: 774 calls for a day of 2,000 changes;
a quiet day's catch-ups alone are one page per phase every 30 minutes)."""

import argparse
import math

from xero_crm.xero.client import MAX_PAGE_SIZE
from xero_crm.xero.sync import (
	CREDIT_PHASES,
	DAY_RESERVE,
	HISTORY,
	OWED,
	PHASES,
	RECENT,
	STAGED_PHASES,
	full_sync_calls,
	should_stage,
)


def pages(n: int, size: int = MAX_PAGE_SIZE) -> int:
	return max(1, math.ceil(n / size))


def main() -> None:
	p = argparse.ArgumentParser()
	p.add_argument("--invoices", type=int, default=1_000_000)
	p.add_argument("--contacts", type=int, default=50_000)
	p.add_argument("--payments", type=int, default=200_000)
	p.add_argument("--credit-notes", type=int, default=50_000)
	p.add_argument("--overpayments", type=int, default=500)
	p.add_argument("--prepayments", type=int, default=500)
	p.add_argument("--unpaid-share", type=float, default=0.05, help="AUTHORISED (owing) invoices")
	p.add_argument("--recent-share", type=float, default=0.10, help="invoices of the last 12 months")
	p.add_argument("--budget", type=int, default=1000)
	p.add_argument("--reserve", type=int, default=300)
	a = p.parse_args()
	credits = (a.credit_notes, a.overpayments, a.prepayments)
	assert len(credits) == len(CREDIT_PHASES)
	total = full_sync_calls(a.contacts, a.invoices, a.payments, credits=credits)
	per_phase = dict(zip(PHASES, (a.contacts, a.invoices, a.payments, *credits), strict=True))
	print(f"initial sync today (sync.full_sync, pageSize={MAX_PAGE_SIZE}):")
	for phase, n in per_phase.items():
		print(f"  {phase:<13} {n:>10,} records  {pages(n):>5} calls")
	verdict = (
		"fits"
		if total <= a.budget
		else f"does NOT fit: {total - a.budget} calls over, before any webhook or catch-up"
	)
	print(f"  total {total:,} calls against a {a.budget:,}-call day: {verdict}")
	print(
		f"  (at Xero's default 100 a page: {full_sync_calls(a.contacts, a.invoices, a.payments, 100, credits):,} calls)"
	)

	# Staged, as sync.Syncer stages it (STAGED_PHASES) when should_stage says the invoices do not fit
	# what is left of the day after DAY_RESERVE: after contacts and the first page of invoices (which
	# told the page count), what is owed, the last 12 months, the credit, then the history and payments.
	assert should_stage(pages(a.invoices), a.budget) == (
		a.reserve == DAY_RESERVE and total > a.budget - a.reserve
	)
	unpaid = round(a.invoices * a.unpaid_share)
	recent = round(a.invoices * a.recent_share)
	stage_records = {
		"Contacts": a.contacts,
		"Invoices": MAX_PAGE_SIZE,  # its first page only: it says how many pages there are
		OWED: unpaid,
		RECENT: recent,
		**dict(zip(CREDIT_PHASES, credits, strict=True)),
		HISTORY: a.invoices - recent - round(unpaid * (1 - a.recent_share)),
		"Payments": a.payments,
	}
	assert tuple(p for p in stage_records if p != "Invoices") == STAGED_PHASES
	room = a.budget - a.reserve
	print(
		f"\nstaged (sync.STAGED_PHASES), {a.reserve} calls kept each day for webhooks and catch-ups ({room} for the sync):"
	)
	day, left, finished = 1, room, {}
	for phase, n in stage_records.items():
		calls = pages(n)
		print(f"  {phase:<17} {n:>10,} records  {calls:>5} calls")
		while calls:
			spent = min(calls, left)
			calls, left = calls - spent, left - spent
			if calls:
				day, left = day + 1, room
		finished[phase] = day
	first_day = [p for p, d in finished.items() if d == 1]
	print(f"  done on day 1: {', '.join(first_day)}")
	print(
		f"  every panel's owed, overdue, aging and credit figures right from day {max(finished[p] for p in (OWED, *CREDIT_PHASES))}"
	)
	print(f"  history and payments complete by day {max(finished.values())}")


if __name__ == "__main__":
	main()
