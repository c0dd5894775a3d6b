"""Initial sync of a large organisation against a Starter day (1,000 Xero calls): the call count from
the client's paging (XeroClient.iter_pages: one call per page of `pageSize` records, at least one per
phase; Xero states pageCount, so no empty trailing page) over sync.PHASES, via sync.full_sync_calls;
then a staged plan that fits: day 1 what the panel's totals need, the history on the days after.

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
from xero_crm.xero.sync import CREDIT_PHASES, PHASES, full_sync_calls


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

	# Staged: day 1 gives every panel its right owed/overdue/aging/credit figures; history after.
	unpaid = round(a.invoices * a.unpaid_share)
	recent = round(a.invoices * a.recent_share)
	day1 = {
		"Contacts (all)": pages(a.contacts),
		"Invoices Statuses=AUTHORISED (what is owed)": pages(unpaid),
		"Invoices where Date>=12 months ago (recent, any status)": pages(recent),
		"CreditNotes where Status==AUTHORISED": pages(round(a.credit_notes * 0.1)),
		"Overpayments + Prepayments (all)": pages(a.overpayments) + pages(a.prepayments),
	}
	first = sum(day1.values())
	backfill = {
		'Invoices where Date<cutoff AND Status!="AUTHORISED" (the rest)': pages(
			a.invoices - recent - round(unpaid * (1 - a.recent_share))
		),
		"Payments (all: the references)": pages(a.payments),
		"CreditNotes (all)": pages(a.credit_notes),
	}
	rest = sum(backfill.values())
	room = a.budget - a.reserve
	print(f"\nstaged plan, {a.reserve} calls kept each day for webhooks and catch-ups ({room} for the sync):")
	for what, calls in day1.items():
		print(f"  day 1  {what:<58} {calls:>5} calls")
	print(f"  day 1 total {first} calls ({'fits' if first <= room else 'does NOT fit'} in {room})")
	for what, calls in backfill.items():
		print(f"  later  {what:<58} {calls:>5} calls")
	left = max(0, room - first)
	days = 1 + max(0, math.ceil((rest - left) / room))
	print(f"  backfill {rest:,} calls ({left} of them on day 1): complete by day {days}")


if __name__ == "__main__":
	main()
