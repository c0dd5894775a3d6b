"""The initial sync of an organisation too large for its day, staged: against xero-local and the peer
over real HTTP. What every panel's figures need comes first (what is owed, the last 12 months,
customer credit), then the history; a day's budget running out pauses it at its cursor, and the next
day resumes it, still staged, without fetching a page twice."""

from datetime import UTC, datetime

import pytest

from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.client import XeroClient
from xero_crm.xero.errors import XeroRateLimited
from xero_crm.xero.panel import Panel
from xero_crm.xero.ratelimit import MemoryDayCounter, RateLimiter
from xero_crm.xero.retry import RetryPolicy
from xero_crm.xero.sync import DAY_RESERVE, HISTORY, OWED, RECENT, Syncer, should_stage

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)  # the last 12 months: from 2025-11-29
N = 2500  # three pages of invoices


@pytest.fixture
def seeded(emulator):
	acme = emulator.contact("Acme Widgets Ltd", "accounts@acme.example")
	# an eighth owed for years, an eighth owed lately, an eighth paid lately, the rest history: one page
	# of owed invoices, one of the last 12 months, two of history
	kinds = (
		("AUTHORISED", "2023-03-10", True),
		("AUTHORISED", "2026-10-10", True),
		("PAID", "2026-09-10", False),
		*(("PAID", "2023-04-10", False),) * 3,
		*(("VOIDED", "2022-05-10", False),) * 2,
	)
	invoices = []
	for i in range(N):
		status, day, owed = kinds[i % len(kinds)]
		total = float(100 + i % 50)
		invoices.append(
			{
				"Type": "ACCREC",
				"Contact": {"ContactID": acme["ContactID"]},
				"InvoiceNumber": f"INV-{i:05d}",
				"Status": status,
				"CurrencyCode": "NZD",
				"Date": day,
				"DueDate": day[:8] + "28",
				"Total": total,
				"AmountDue": total if owed else 0.0,
				"AmountPaid": 0.0 if owed else (total if status == "PAID" else 0.0),
			}
		)
	created = emulator.invoices(invoices)
	return {"acme": acme, "created": created}


def small_day_client(connection, endpoints, per_day: int, counter: MemoryDayCounter) -> XeroClient:
	"""A client whose day leaves too little, after the reserve, for three pages of invoices."""
	result, _store, manager = connection
	limiter = RateLimiter(per_minute=10_000, per_day=per_day, day_counter=counter)
	return XeroClient(
		result.tenants[0].tenant_id,
		manager,
		endpoints,
		limiter=limiter,
		retry=RetryPolicy(sleep=lambda s: None),
	)


def phases_of(seen: list[tuple]) -> list[str]:
	return list(dict.fromkeys(phase for phase, _page, _pages in seen))


def test_a_large_organisation_is_staged_owed_and_recent_first_then_its_history(
	connection, endpoints, seeded, peer
):
	assert should_stage(3, DAY_RESERVE + 6) and not should_stage(3, DAY_RESERVE + 7)
	client = small_day_client(connection, endpoints, DAY_RESERVE + 6, MemoryDayCounter())
	seen = []
	cache = SQLiteCache()
	report = Syncer(client, cache, lambda *s: seen.append(s), clock=lambda: NOW).full_sync()
	assert phases_of(seen) == [
		"Contacts",
		"Invoices",  # its first page said how many: too many for today
		OWED,
		RECENT,
		"CreditNotes",
		"Overpayments",
		"Prepayments",
		HISTORY,
		"Payments",
	]
	asked = [s.args for s in peer.seen if s.path.endswith("/Invoices")]
	assert asked[1].get("Statuses") == "AUTHORISED"
	assert asked[2].get("where") == "Date >= DateTime(2025, 11, 29)"
	assert asked[-1].get("where") == 'Date < DateTime(2025, 11, 29) AND Status != "AUTHORISED"'
	# every invoice cached once, as a plain sync would
	assert cache.count("Xero Invoice") == N and report.invoices >= N
	assert cache.cursor is None


def test_the_first_stage_alone_gives_every_owed_overdue_and_aging_figure(connection, endpoints, seeded):
	contact = (seeded["acme"]["ContactID"],)
	today = NOW.date()
	complete = SQLiteCache()
	Syncer(small_day_client(connection, endpoints, 100_000, MemoryDayCounter()), complete).full_sync()

	staged = SQLiteCache()
	client = small_day_client(connection, endpoints, DAY_RESERVE + 6, MemoryDayCounter())
	stages = []
	syncer = Syncer(client, staged, lambda *s: stages.append(s[0]), clock=lambda: NOW)
	staged.fail_after_commits = 1 + 1 + 1 + 1 + 3  # contacts, invoices p1, owed, recent, credit: day 1
	with pytest.raises(KeyboardInterrupt):
		syncer.full_sync()
	assert HISTORY not in stages and staged.cursor["plan"] == "staged"
	assert staged.count("Xero Invoice") < N  # the history is still to come

	def figures(cache):
		summary = Panel(cache.run, cache.tables, today).summary(contact, ())
		return (
			[(t["currency"], t["unpaid"], t["overdue"], t["credit"]) for t in summary["totals"]],
			summary["aging"],
			summary["overdue"],
			summary["counts"]["open"],
			summary["counts"]["unpaid"],
			summary["counts"]["overdue"],
		)

	assert figures(staged) == figures(complete)


def test_a_day_spent_mid_history_pauses_at_the_cursor_and_the_next_day_resumes_staged(
	connection, endpoints, seeded, peer
):
	today, tomorrow = MemoryDayCounter(), MemoryDayCounter()
	cache = SQLiteCache()
	# room for contacts, invoices p1, owed, recent, the credit phases and one of two history pages
	budget = 1 + 1 + 1 + 1 + 3 + 1
	client = small_day_client(connection, endpoints, budget, today)
	with pytest.raises(XeroRateLimited):
		Syncer(client, cache, clock=lambda: NOW).full_sync()
	paused = dict(cache.cursor)
	assert (paused["plan"], paused["phase"], paused["page"], paused["cutoff"]) == (
		"staged",
		HISTORY,
		2,
		"2025-11-29",
	)
	peer.seen.clear()
	resumed = Syncer(
		small_day_client(connection, endpoints, 100_000, tomorrow), cache, clock=lambda: NOW
	).full_sync()
	assert resumed.resumed_from["phase"] == HISTORY
	history = [s.args for s in peer.seen if s.path.endswith("/Invoices")]
	assert [a["page"] for a in history] == ["2"]  # no page fetched twice
	assert {a["where"] for a in history} == {'Date < DateTime(2025, 11, 29) AND Status != "AUTHORISED"'}
	assert cache.count("Xero Invoice") == N and cache.cursor is None


def test_an_organisation_that_fits_its_day_syncs_unstaged(client, seeded, peer):
	seen = []
	Syncer(client, SQLiteCache(), lambda *s: seen.append(s)).full_sync()
	assert OWED not in phases_of(seen) and HISTORY not in phases_of(seen)
	assert not any("where" in s.args or "Statuses" in s.args for s in peer.seen)
