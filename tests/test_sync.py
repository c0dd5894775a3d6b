"""The initial sync, catch-up and refresh against xero-local seeded with thousands of invoices."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.panel import Panel, parse_list_args
from xero_crm.xero.sync import Syncer

N = 2500


@pytest.fixture
def seeded(emulator):
	acme = emulator.contact("Acme Widgets Ltd", "accounts@acme.example")
	globex = emulator.contact("Globex", "ap@globex.example")
	emulator.contact("Initech (supplier)", is_customer=False)
	invoices = [
		{
			"Type": "ACCREC",
			"Contact": {"ContactID": (acme if i % 2 else globex)["ContactID"]},
			"InvoiceNumber": f"INV-{i:05d}",
			"Status": "AUTHORISED",
			"CurrencyCode": "NZD" if i % 3 else "USD",
			"Date": f"2026-{1 + i % 11:02d}-{1 + i % 27:02d}",
			"DueDate": f"2026-{1 + i % 11:02d}-28",
			"Total": float(100 + i % 50),
			"AmountDue": float(100 + i % 50),
		}
		for i in range(N)
	]
	created = emulator.invoices(invoices)
	part_paid = created[1]  # an Acme invoice
	emulator.pay(part_paid["InvoiceID"], "30.00", "2026-11-02")
	emulator.pay(part_paid["InvoiceID"], "20.00", "2026-11-09")
	return {"acme": acme, "globex": globex, "created": created, "part_paid": part_paid}


def test_initial_sync_stores_every_record_with_the_fewest_calls(client, seeded, peer, emulator):
	cache = SQLiteCache()
	report = Syncer(client, cache).full_sync()

	assert cache.count("Xero Invoice") == N == report.invoices
	assert cache.count("Xero Contact") == 3
	assert peer.count("/api.xro/2.0/Invoices") == -(-N // 1000)  # pageSize=1000: 3 calls, not 25
	assert all(s.args.get("pageSize") == "1000" for s in peer.seen if s.path.endswith("/Invoices"))
	assert cache.cursor is None  # finished: nothing to resume
	state = {i["InvoiceID"]: i for i in emulator.state()["invoices"]}
	rows = {r["name"]: r for r in cache.run(_all_invoices(cache))}
	assert set(rows) == set(state)
	sample = seeded["created"][42]["InvoiceID"]
	assert (rows[sample]["invoice_number"], float(rows[sample]["total"])) == (
		state[sample]["InvoiceNumber"],
		state[sample]["Total"],
	)


def test_payments_come_with_dates_and_amounts_for_the_instalment_hover(client, seeded):
	cache = SQLiteCache()
	Syncer(client, cache).full_sync()
	panel = Panel(cache.run, cache.tables, datetime(2026, 1, 1).date(), "!aB3xY")
	listing = panel.invoices(
		(seeded["acme"]["ContactID"],), parse_list_args("all", seeded["part_paid"]["InvoiceNumber"]), ()
	)
	(inv,) = listing["invoices"]
	assert [(p["number"], p["date"], str(p["amount"])) for p in inv["payments"]] == [
		(1, "2026-11-02", "30.00"),
		(2, "2026-11-09", "20.00"),
	]
	assert inv["display_status"].endswith("2 instalments")


def test_a_job_killed_mid_sync_resumes_at_its_page_without_duplicates(client, seeded, peer, emulator):
	cache = SQLiteCache()
	cache.fail_after_commits = 2  # contacts page, then the first invoice page: killed there
	with pytest.raises(KeyboardInterrupt):
		Syncer(client, cache).full_sync()
	assert cache.cursor == {
		"tenant_id": client.tenant_id,
		"phase": "Invoices",
		"page": 2,
		"started_at": cache.cursor["started_at"],
	}
	assert cache.count("Xero Invoice") == 1000
	peer.seen.clear()

	report = Syncer(client, cache).full_sync()

	assert report.resumed_from["page"] == 2
	assert [s.args["page"] for s in peer.seen if s.path.endswith("/Invoices")] == ["2", "3"]
	assert cache.count("Xero Invoice") == N
	assert cache.count("Xero Invoice Payment") == 2


def test_catch_up_brings_changes_since_the_last_sync(client, seeded, emulator):
	cache = SQLiteCache()
	Syncer(client, cache).full_sync()
	before = datetime.now(UTC)
	target = seeded["created"][7]
	emulator.update_invoice(target["InvoiceID"], Status="VOIDED", AmountDue=0.0)
	new = emulator.invoice(seeded["globex"]["ContactID"], "INV-NEW", "55.50")

	report = Syncer(client, cache, overlap=timedelta(0)).catch_up(before)

	rows = {r["name"]: r for r in cache.run(_all_invoices(cache))}
	assert rows[target["InvoiceID"]]["status"] == "VOIDED"
	assert rows[new["InvoiceID"]]["invoice_number"] == "INV-NEW"
	assert report.invoices == 2  # only what changed was fetched
	assert seeded["globex"]["ContactID"] in report.contact_ids


def test_refresh_fetches_just_the_given_ids_in_batches(client, seeded, peer):
	cache = SQLiteCache()
	ids = [i["InvoiceID"] for i in seeded["created"][:120]]
	peer.seen.clear()
	report = Syncer(client, cache).refresh(invoice_ids=ids + ids[:10])
	assert report.invoices == 120
	assert peer.count("/api.xro/2.0/Invoices") == 3  # 50 + 50 + 20 ids
	assert cache.count("Xero Invoice") == 120


def _all_invoices(cache):
	t = cache.tables.table("Xero Invoice")
	return cache.tables.query.from_(t).select("*")


def test_refresh_asks_payments_only_when_invoices_lack_their_details(client, seeded, peer):
	cache = SQLiteCache()
	part_paid = seeded["part_paid"]["InvoiceID"]
	since = datetime.now(UTC) - timedelta(hours=1)
	peer.embed_payment_details = True  # as Xero does
	peer.seen.clear()
	Syncer(client, cache).refresh(invoice_ids=[part_paid], payments_since=since)
	assert peer.count("/api.xro/2.0/Payments") == 0
	rows = cache.run(cache.tables.query.from_(cache.tables.table("Xero Invoice Payment")).select("amount"))
	assert sorted(float(r["amount"]) for r in rows) == [20.0, 30.0]
	peer.embed_payment_details = False  # xero-local's bare ids: the details need /Payments
	cache = SQLiteCache()
	Syncer(client, cache).refresh(invoice_ids=[part_paid], payments_since=since)
	assert peer.count("/api.xro/2.0/Payments") == 1
	rows = cache.run(cache.tables.query.from_(cache.tables.table("Xero Invoice Payment")).select("amount"))
	assert sorted(float(r["amount"]) for r in rows) == [20.0, 30.0]


def test_a_full_sync_reports_real_progress_from_xeros_page_counts(client, seeded):
	from xero_crm.xero.sync import progress_percent

	seen = []
	Syncer(
		client, SQLiteCache(), progress=lambda phase, page, pages: seen.append((phase, page, pages))
	).full_sync()
	invoice_pages = -(-N // 1000)
	assert [s for s in seen if s[0] == "Invoices"] == [("Invoices", n, invoice_pages) for n in range(1, 4)]
	percents = [progress_percent(*s) for s in seen]
	assert percents == sorted(percents) and percents[-1] == 100  # never backwards, done at the end
	# six phases (contacts, invoices, payments, credit notes, overpayments, prepayments), a sixth each:
	# a sixth for contacts, an eighteenth for the first invoice page
	assert progress_percent("Invoices", 1, 3) == 22
	assert progress_percent("Invoices", 1, None) is None  # Xero did not say: no made-up figure
