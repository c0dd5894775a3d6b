"""Customer credit: unallocated credit notes, overpayments and prepayments cached from xero-local (and
the peer, which serves Overpayments and Prepayments), shown as credit available per currency beside
what is unpaid, and listed in the All view with their own type."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from tests.sqlite_cache import SQLiteCache
from tests.test_webhooks import KEY, ListInbox
from xero_crm.emulator.deliveries import body_of, event
from xero_crm.xero.panel import Panel, parse_list_args
from xero_crm.xero.sync import Syncer
from xero_crm.xero.webhooks import check_delivery, drain, sign

TODAY = date(2026, 11, 20)


def panel_of(cache: SQLiteCache) -> Panel:
	return Panel(cache.run, cache.tables, TODAY, "!aB3xY")


def totals_by_currency(cache: SQLiteCache, contact_id: str) -> dict[str, dict]:
	summary = panel_of(cache).summary((contact_id,), ())
	return {t["currency"]: t for t in summary["totals"]}


@pytest.fixture
def acme(emulator):
	contact = emulator.contact("Acme Widgets Ltd", "accounts@acme.example")
	cid = contact["ContactID"]
	emulator.invoice(cid, "INV-1", "500.00", Date="2026-11-01", DueDate="2026-12-01")
	emulator.invoice(cid, "INV-2", "200.00", Date="2026-11-03", DueDate="2026-12-03", CurrencyCode="USD")
	return cid


def test_credit_from_each_source_reduces_what_is_owed_per_currency(client, emulator, peer, acme):
	emulator.credit_note(acme, "CN-1", "120.00", Date="2026-11-05", RemainingCredit="100.00")
	peer.add_overpayment(acme, "30.00", date="2026-11-06")
	peer.add_prepayment(acme, "50.00", currency="USD", date="2026-11-07")
	cache = SQLiteCache()
	Syncer(client, cache).full_sync()

	totals = totals_by_currency(cache, acme)
	assert totals["NZD"]["unpaid"] == Decimal("500.00")
	assert totals["NZD"]["credit"] == Decimal("130.00")  # 100 left on CN-1 + the 30 overpayment
	assert totals["NZD"]["net"] == Decimal("370.00")
	assert totals["USD"]["credit"] == Decimal("50.00")
	assert totals["USD"]["net"] == Decimal("150.00")


def test_supplier_credit_is_never_counted(client, emulator, peer, acme):
	emulator.credit_note(acme, "SCN-1", "70.00", Type="ACCPAYCREDIT")
	peer.add_overpayment(acme, "40.00", xero_type="SPEND-OVERPAYMENT")
	peer.add_prepayment(acme, "45.00", xero_type="SPEND-PREPAYMENT")
	cache = SQLiteCache()
	Syncer(client, cache).full_sync()

	assert cache.count("Xero Credit") == 3  # cached (Frappe's views show them to accounts roles)
	assert totals_by_currency(cache, acme)["NZD"]["credit"] == Decimal("0.00")
	listed = panel_of(cache).invoices((acme,), parse_list_args("all"), ())
	supplier = [r for r in listed["invoices"] if r["is_credit"]]
	assert len(supplier) == 3 and all(r["is_bill"] and not r["counted"] for r in supplier)


def test_voided_draft_and_used_up_credit_is_not_counted(client, emulator, peer, acme):
	emulator.credit_note(acme, "CN-DRAFT", "10.00", Status="DRAFT")
	emulator.credit_note(acme, "CN-VOID", "20.00", Status="VOIDED")
	emulator.credit_note(acme, "CN-USED", "25.00", Status="PAID", RemainingCredit="0.00")
	peer.add_overpayment(acme, "30.00", status="VOIDED")
	peer.add_prepayment(acme, "35.00", status="PAID", remaining="0")
	cache = SQLiteCache()
	Syncer(client, cache).full_sync()

	assert totals_by_currency(cache, acme)["NZD"]["credit"] == Decimal("0.00")
	listed = panel_of(cache).invoices((acme,), parse_list_args("all"), ())
	assert sum(r["is_credit"] for r in listed["invoices"]) == 5  # All still lists them


def test_currencies_are_never_mixed(client, emulator, peer, acme):
	emulator.credit_note(acme, "CN-AUD", "80.00", CurrencyCode="AUD")
	emulator.credit_note(acme, "CN-NZD", "15.00")
	peer.add_overpayment(acme, "5.00", currency="USD")
	cache = SQLiteCache()
	Syncer(client, cache).full_sync()

	totals = totals_by_currency(cache, acme)
	assert {c: t["credit"] for c, t in totals.items()} == {
		"AUD": Decimal("80.00"),
		"NZD": Decimal("15.00"),
		"USD": Decimal("5.00"),
	}
	assert totals["AUD"]["unpaid"] == Decimal("0.00") and totals["AUD"]["net"] == Decimal("-80.00")


def test_the_all_view_lists_credit_interleaved_by_date_with_its_type(client, emulator, peer, acme):
	emulator.credit_note(acme, "CN-1", "120.00", Date="2026-11-02")
	peer.add_overpayment(acme, "30.00", date="2026-11-04", reference="Paid twice")
	peer.add_prepayment(acme, "50.00", currency="USD", date="2026-11-10")
	cache = SQLiteCache()
	Syncer(client, cache).full_sync()
	panel = panel_of(cache)

	listed = panel.invoices((acme,), parse_list_args("all"), ())
	rows = [(r["date"], r.get("credit_type") or r["invoice_number"]) for r in listed["invoices"]]
	assert rows == [
		("2026-11-10", "Prepayment"),
		("2026-11-04", "Overpayment"),
		("2026-11-03", "INV-2"),
		("2026-11-02", "Credit Note"),
		("2026-11-01", "INV-1"),
	]
	assert listed["total_count"] == listed["counts"]["all"] == 5
	assert panel.summary((acme,), ())["counts"]["all"] == 5
	overpayment = listed["invoices"][1]
	assert overpayment["is_credit"] and overpayment["remaining_credit"] == Decimal("30.00")
	assert overpayment["reference"] == "Paid twice" and overpayment["counted"]
	# paged: the second page starts where the first stopped, credit and invoices alike
	second = panel.invoices((acme,), parse_list_args("all", start=2, page_length=2), ())
	assert [r["date"] for r in second["invoices"]] == ["2026-11-03", "2026-11-02"]
	# searched: a credit note by its number; the other views never list credit
	found = panel.invoices((acme,), parse_list_args("all", "CN-1"), ())
	assert [r["number"] for r in found["invoices"]] == ["CN-1"] and found["counts"]["all"] == 1
	assert not any(r["is_credit"] for r in panel.invoices((acme,), parse_list_args("open"), ())["invoices"])


def test_catch_up_picks_up_a_changed_credit_note(client, emulator, peer, acme):
	note = emulator.credit_note(acme, "CN-1", "120.00")
	cache = SQLiteCache()
	Syncer(client, cache).full_sync()
	assert totals_by_currency(cache, acme)["NZD"]["credit"] == Decimal("120.00")
	before = datetime.now(UTC) - timedelta(seconds=1)

	emulator.update_credit_note(note["CreditNoteID"], RemainingCredit=20.0)
	peer.seen.clear()
	report = Syncer(client, cache, overlap=timedelta(0)).catch_up(before)

	assert report.credits == 1 and acme in report.contact_ids
	assert totals_by_currency(cache, acme)["NZD"]["credit"] == Decimal("20.00")
	for resource in ("CreditNotes", "Overpayments", "Prepayments"):
		(seen,) = [s for s in peer.seen if s.path.endswith(f"/{resource}")]
		assert "If-Modified-Since" in seen.headers


def test_a_creditnote_webhook_refreshes_that_credit_note(client, emulator, peer, acme):
	note = emulator.credit_note(acme, "CN-1", "120.00")
	cache = SQLiteCache()
	syncer = Syncer(client, cache)
	syncer.full_sync()
	emulator.update_credit_note(note["CreditNoteID"], Status="VOIDED")

	inbox = ListInbox()
	body = body_of([event(note["CreditNoteID"], client.tenant_id, "CREDITNOTE")])
	inbox.add(check_delivery(body, sign(body, KEY), KEY, client.tenant_id))
	peer.seen.clear()
	report = drain(inbox, syncer)

	assert report.contact_ids == {acme}
	assert peer.count("/api.xro/2.0/CreditNotes") == 1  # one call: the note and its allocations
	(row,) = cache.run(cache.tables.query.from_(cache.tables.table("Xero Credit")).select("*"))
	assert row["status"] == "VOIDED"
	assert totals_by_currency(cache, acme)["NZD"]["credit"] == Decimal("0.00")


def test_a_credit_the_cache_cannot_hold_is_quarantined_and_the_rest_written():
	from xero_crm.xero.records import parse_credit

	good = {"CreditNoteID": "cn-good", "Type": "ACCRECCREDIT", "Status": "AUTHORISED", "CurrencyCode": "NZD"}
	bad = {**good, "CreditNoteID": "cn-bad", "CurrencyCode": "<b>NZD</b>"}  # wider than 3, escaped
	cache = SQLiteCache()
	written = cache.write_credits([parse_credit("CreditNotes", r) for r in (bad, good)])
	assert [c.credit_id for c in written] == ["cn-good"]
	assert [(q.kind, q.xero_id) for q in cache.quarantined] == [("Credit", "cn-bad")]


def test_an_older_credit_never_overwrites_a_newer_one():
	from xero_crm.xero.records import parse_credit

	newer = {
		"OverpaymentID": "op-1",
		"Type": "RECEIVE-OVERPAYMENT",
		"Status": "AUTHORISED",
		"CurrencyCode": "NZD",
		"RemainingCredit": 10,
		"UpdatedDateUTC": "/Date(1764000000000+0000)/",
	}
	older = {**newer, "RemainingCredit": 99, "UpdatedDateUTC": "/Date(1763000000000+0000)/"}
	cache = SQLiteCache()
	cache.write_credits([parse_credit("Overpayments", newer)])
	assert cache.write_credits([parse_credit("Overpayments", older)]) == []
	(row,) = cache.run(cache.tables.query.from_(cache.tables.table("Xero Credit")).select("*"))
	assert float(row["remaining_credit"]) == 10.0 and row["credit_type"] == "Overpayment"


def test_the_seeders_overpayments_and_prepayments_are_served_as_such(client, emulator, acme):
	"""xero-local keeps them as credit notes of their Type; the peer serves each under its own
	resource, so the demo (another process than the peer) can seed them."""
	emulator.overpayment(acme, "30.00", Date="2026-11-06")
	emulator.prepayment(acme, "20.00", CurrencyCode="USD", Date="2026-11-07")
	emulator.credit_note(acme, "CN-1", "10.00")
	cache = SQLiteCache()
	Syncer(client, cache).full_sync()

	rows = cache.run(cache.tables.query.from_(cache.tables.table("Xero Credit")).select("*"))
	assert sorted((r["credit_type"], r["xero_type"], r["number"]) for r in rows) == [
		("Credit Note", "ACCRECCREDIT", "CN-1"),
		("Overpayment", "RECEIVE-OVERPAYMENT", ""),
		("Prepayment", "RECEIVE-PREPAYMENT", ""),
	]
	totals = totals_by_currency(cache, acme)
	assert (totals["NZD"]["credit"], totals["USD"]["credit"]) == (Decimal("40.00"), Decimal("20.00"))
