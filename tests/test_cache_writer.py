"""The one cache writer (cache_writer.CacheWriter) over SQLite: newer wins by Xero's UpdatedDateUTC,
payments go with their invoice, records the cache cannot hold are quarantined while the page goes
on, a batch the database rejects is retried row by row; and the sync's page retry and tenant guard."""

import sqlite3
from datetime import date

import pytest

from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.cache_rows import CONTACT, INVOICE, PAYMENT, contact_from_row, invoice_from_row
from xero_crm.xero.cache_writer import Quarantined
from xero_crm.xero.errors import XeroTenantChanged
from xero_crm.xero.panel import Panel, parse_list_args
from xero_crm.xero.queries import (
	InvoiceFilter,
	contact_candidates,
	contacts_by_id,
	list_invoices,
	payments_of,
	search_contacts,
)
from xero_crm.xero.records import parse_contact, parse_invoice
from xero_crm.xero.sync import Syncer

TODAY = date(2026, 11, 20)
T1, T2, T3 = 1_790_000_000_000, 1_790_000_600_000, 1_790_001_200_000  # ms, each 10 minutes later
HOSTILE = "<img src=x onerror=alert(1)>"


def xero_date(ms: int) -> str:
	return f"/Date({ms}+0000)/"


def invoice(invoice_id: str, number: str | None = None, updated: int = T1, payments=(), reference: str = ""):
	"""An invoice as Xero's JSON gives it, parsed the way the sync parses it."""
	paid = sum(amount for _pid, amount, *_ in payments)
	return parse_invoice(
		{
			"InvoiceID": invoice_id,
			"InvoiceNumber": number if number is not None else f"INV-{invoice_id}",
			"Reference": reference,
			"Type": "ACCREC",
			"Contact": {"ContactID": "c-1"},
			"Status": "AUTHORISED",
			"CurrencyCode": "NZD",
			"DateString": "2026-11-01T00:00:00",
			"DueDateString": "2026-12-01T00:00:00",
			"Total": 500,
			"AmountDue": 500 - paid,
			"AmountPaid": paid,
			"UpdatedDateUTC": xero_date(updated),
			"Payments": [
				{
					"PaymentID": pid,
					"Amount": amount,
					"DateString": f"2026-11-{10 + n:02d}T00:00:00",
					"Reference": rest[0] if rest else "",
				}
				for n, (pid, amount, *rest) in enumerate(payments)
			],
		}
	)


def contact(contact_id: str, name: str, email: str = "", persons=(), updated: int = T1):
	return parse_contact(
		{
			"ContactID": contact_id,
			"Name": name,
			"EmailAddress": email,
			"ContactPersons": [{"EmailAddress": e} for e in persons],
			"IsCustomer": True,
			"UpdatedDateUTC": xero_date(updated),
		}
	)


def rows(cache: SQLiteCache, doctype: str) -> dict[str, dict]:
	return {
		r["name"]: r for r in cache.run(cache.tables.query.from_(cache.tables.table(doctype)).select("*"))
	}


def payments_by_invoice(cache: SQLiteCache) -> dict[str, set[str]]:
	by_invoice: dict[str, set[str]] = {}
	for r in rows(cache, PAYMENT).values():
		by_invoice.setdefault(r["parent"], set()).add(r["name"])
	return by_invoice


def panel(cache: SQLiteCache) -> Panel:
	return Panel(cache.run, cache.tables, TODAY, "!aB3xY")


# 1. newer wins


def test_an_older_version_never_overwrites_a_newer_cached_invoice_or_its_payments():
	cache = SQLiteCache()
	cache.write_invoices([invoice("i-1", "INV-NEW", updated=T2, payments=[("p-1", 100), ("p-2", 50)])])

	written = cache.write_invoices(
		[
			invoice("i-1", "INV-OLD", updated=T1, payments=[("p-9", 10)]),  # a late, stale page
			invoice("i-2", "INV-OTHER", updated=T1),
		]
	)

	assert [i.invoice_id for i in written] == ["i-2"]  # only what it wrote
	assert rows(cache, INVOICE)["i-1"]["invoice_number"] == "INV-NEW"
	assert payments_by_invoice(cache) == {"i-1": {"p-1", "p-2"}}  # the newer version's payments kept
	assert cache.quarantined == []


@pytest.mark.parametrize("updated", [T2, T3], ids=["as-new", "newer"])
def test_an_equal_or_newer_version_replaces_the_invoice_and_all_its_payment_rows(updated):
	cache = SQLiteCache()
	cache.write_invoices([invoice("i-1", "INV-1", updated=T2, payments=[("p-1", 100), ("p-2", 50)])])

	written = cache.write_invoices(
		[invoice("i-1", "INV-1 (edited)", updated=updated, payments=[("p-3", 500)])]
	)

	assert [i.invoice_id for i in written] == ["i-1"]
	assert rows(cache, INVOICE)["i-1"]["invoice_number"] == "INV-1 (edited)"
	assert payments_by_invoice(cache) == {"i-1": {"p-3"}}  # p-1 and p-2 are gone with the old version
	(shown,) = panel(cache).invoices(("c-1",), parse_list_args("all"), ())["invoices"]
	assert (shown["status"], shown["amount_due"]) == ("PAID", 0)


def test_an_older_contact_never_overwrites_a_newer_one_and_keeps_its_emails():
	cache = SQLiteCache()
	cache.write_contacts([contact("c-1", "Globex", "ap@globex.example", updated=T2)])

	written = cache.write_contacts([contact("c-1", "Globex (old)", "old@globex.example", updated=T1)])

	assert written == []
	found = [contact_from_row(r) for r in cache.run(contacts_by_id(cache.tables, ("c-1",)))]
	assert [(c.name, c.emails) for c in found] == [("Globex", ("ap@globex.example",))]
	by_email = cache.run(contact_candidates(cache.tables, (), (), (), ("ap@globex.example",)))
	assert [r["name"] for r in by_email] == ["c-1"]


# 2. Xero's longest names and numbers


LONG_NAME = ('Acme & Sons <Holdings> "Intl" Trading Ltd ' * 10)[:255]
LONG_NUMBER = ('Order & Co <Ltd> "West" ' * 20)[:255]


def test_a_255_character_contact_name_is_stored_and_read_back_identical():
	assert len(LONG_NAME) == 255 and {"&", "<", '"'} <= set(LONG_NAME)
	cache = SQLiteCache()

	assert [
		c.contact_id for c in cache.write_contacts([contact("c-long", LONG_NAME, "ap@acme.example")])
	] == ["c-long"]

	assert cache.quarantined == []
	assert contact_from_row(rows(cache, CONTACT)["c-long"]).name == LONG_NAME
	by_id = cache.run(contacts_by_id(cache.tables, ("c-long",)))
	by_search = cache.run(search_contacts(cache.tables, 'Sons <Holdings> "Intl"'))
	by_name = cache.run(contact_candidates(cache.tables, (LONG_NAME.casefold(),), (), (), ()))
	for found in (by_id, by_search, by_name):
		assert [contact_from_row(r).name for r in found] == [LONG_NAME]


def test_a_255_character_invoice_number_with_markup_characters_is_shown_back_identical():
	assert len(LONG_NUMBER) == 255 and {"&", "<", '"'} <= set(LONG_NUMBER)
	cache = SQLiteCache()

	written = cache.write_invoices([invoice("i-long", LONG_NUMBER, reference=LONG_NUMBER)])

	assert [i.invoice_id for i in written] == ["i-long"] and cache.quarantined == []
	back = invoice_from_row(rows(cache, INVOICE)["i-long"])
	assert (back.invoice_number, back.reference) == (LONG_NUMBER, LONG_NUMBER)
	listing = panel(cache).invoices(("c-1",), parse_list_args("all", '& Co <Ltd> "West"'), ())
	assert [i["invoice_number"] for i in listing["invoices"]] == [LONG_NUMBER]


# 3. quarantine


def test_an_invoice_the_cache_cannot_hold_is_quarantined_and_the_rest_of_the_page_is_written():
	too_long = '"' * 255  # Xero's 255 characters, each escaped to &quot;: 1,530 > 600
	cache = SQLiteCache()

	written = cache.write_invoices(
		[
			invoice("i-1", payments=[("p-1", 100)]),
			invoice("i-bad", too_long, payments=[("p-bad", 200)]),
			invoice("i-3", payments=[("p-3", 300)]),
		]
	)

	assert [i.invoice_id for i in written] == ["i-1", "i-3"]
	assert set(rows(cache, INVOICE)) == {"i-1", "i-3"}
	assert payments_by_invoice(cache) == {"i-1": {"p-1"}, "i-3": {"p-3"}}  # p-bad not written
	assert [(q.kind, q.xero_id) for q in cache.quarantined] == [("Invoice", "i-bad")]
	assert "invoice_number" in cache.quarantined[0].reason


def test_a_contact_the_cache_cannot_hold_is_quarantined_and_the_others_keep_their_emails():
	cache = SQLiteCache()

	written = cache.write_contacts(
		[
			contact("c-1", "Acme", "accounts@acme.example"),
			contact("c-bad", "'" * 255, "bad@example.com"),  # name_key escapes to 1,530 characters
			contact("c-3", "Globex", "ap@globex.example"),
		]
	)

	assert [c.contact_id for c in written] == ["c-1", "c-3"]
	assert [(q.kind, q.xero_id) for q in cache.quarantined] == [("Contact", "c-bad")]
	assert "name_key" in cache.quarantined[0].reason
	emails = cache.run(contact_candidates(cache.tables, (), (), (), ("bad@example.com", "ap@globex.example")))
	assert [r["name"] for r in emails] == ["c-3"]


def test_a_contact_whose_second_email_cannot_be_held_is_quarantined_as_a_whole():
	long_email = "'" * 101 + "@example.com"  # escapes to 606 + 12 characters: more than the 600 held
	cache = SQLiteCache()

	written = cache.write_contacts(
		[
			contact("c-1", "Acme", "accounts@acme.example"),
			contact("c-2", "Globex", "ap@globex.example", persons=[long_email]),
		]
	)

	assert [c.contact_id for c in written] == ["c-1"]
	assert [(q.kind, q.xero_id) for q in cache.quarantined] == [("Contact", "c-2")]


# 4. the database rejects a row the writer did not foresee


def test_a_row_the_database_rejects_is_quarantined_after_a_row_by_row_retry(monkeypatch):
	cache = SQLiteCache()
	insert = cache.store.insert
	batches = []

	def insert_refusing_bad(doctype, batch):
		batches.append((doctype, [r["name"] for r in batch]))
		if any(r["name"] == "i-bad" for r in batch):
			raise sqlite3.IntegrityError("CHECK constraint failed")
		insert(doctype, batch)

	monkeypatch.setattr(cache.store, "insert", insert_refusing_bad)

	written = cache.write_invoices(
		[
			invoice("i-1", payments=[("p-1", 100)]),
			invoice("i-bad", payments=[("p-bad", 200)]),
			invoice("i-3", payments=[("p-3", 300)]),
		]
	)

	assert batches[:4] == [
		(INVOICE, ["i-1", "i-bad", "i-3"]),
		(INVOICE, ["i-1"]),
		(INVOICE, ["i-bad"]),
		(INVOICE, ["i-3"]),
	]
	assert [i.invoice_id for i in written] == ["i-1", "i-3"]
	assert set(rows(cache, INVOICE)) == {"i-1", "i-3"}
	assert payments_by_invoice(cache) == {"i-1": {"p-1"}, "i-3": {"p-3"}}
	assert cache.quarantined == [Quarantined("Invoice", "i-bad", "rejected by the database (IntegrityError)")]


def test_a_row_the_database_itself_rejects_mid_batch_leaves_the_rows_before_it_stored():
	cache = SQLiteCache()
	# a real refusal by the database, at insert time, that too_long cannot foresee
	cache.db.execute(
		"CREATE TRIGGER refuse BEFORE INSERT ON \"tabXero Invoice\" WHEN NEW.name = 'i-bad' "
		"BEGIN SELECT RAISE(ABORT, 'refused'); END"
	)

	written = cache.write_invoices(
		[
			invoice("i-1", payments=[("p-1", 100)]),
			invoice("i-bad", payments=[("p-bad", 200)]),
			invoice("i-3", payments=[("p-3", 300)]),
		]
	)

	assert [(q.kind, q.xero_id) for q in cache.quarantined] == [("Invoice", "i-bad")]
	assert [i.invoice_id for i in written] == ["i-1", "i-3"]
	assert payments_by_invoice(cache) == {"i-1": {"p-1"}, "i-3": {"p-3"}}


# 5. hostile text


def test_hostile_text_is_stored_escaped_and_shown_back_as_the_same_text():
	cache = SQLiteCache()
	cache.write_invoices(
		[
			invoice("i-x", HOSTILE, reference=HOSTILE, payments=[("p-x", 100, HOSTILE)]),
			invoice("i-ab", "INV-7", reference="A&B Ltd"),
			invoice("i-plain", "INV-8", reference="PO 1"),
		]
	)

	raw = cache.db.execute(
		'SELECT invoice_number, reference FROM "tabXero Invoice" WHERE name = ?', ("i-x",)
	).fetchone()
	raw_payment = cache.db.execute('SELECT reference FROM "tabXero Invoice Payment"').fetchone()
	for value in (*raw, *raw_payment):
		assert value == "&lt;img src=x onerror=alert(1)&gt;" and "<" not in value
	payments = cache.run(payments_of(cache.tables, ("i-x",)))
	back = invoice_from_row(rows(cache, INVOICE)["i-x"], payments)
	assert (back.invoice_number, back.reference, back.payments[0].reference) == (HOSTILE, HOSTILE, HOSTILE)

	def search(text):
		f = InvoiceFilter(("c-1",), "all", TODAY, search=text)
		return sorted(
			invoice_from_row(r).invoice_number for r in cache.run(list_invoices(cache.tables, f, 0, 20))
		)

	assert search("<img") == [HOSTILE]
	assert search("onerror=alert(1)>") == [HOSTILE]
	assert search("A&B") == ["INV-7"]
	assert search("a&b ltd") == ["INV-7"]


@pytest.mark.parametrize("needle", ["amp", ";", "lt;"])
def test_a_search_finds_only_invoices_whose_shown_text_contains_it(needle):
	cache = SQLiteCache()
	cache.write_invoices([invoice("i-ab", "INV-7", reference="A&B <Ltd>")])
	f = InvoiceFilter(("c-1",), "all", TODAY, search=needle)
	assert cache.run(list_invoices(cache.tables, f, 0, 20)) == []


# 6 and 7: the sync's page retry and tenant guard, against xero-local


@pytest.fixture
def small(emulator):
	acme = emulator.contact("Acme Widgets Ltd", "accounts@acme.example")
	globex = emulator.contact("Globex", "ap@globex.example")
	created = [
		emulator.invoice(acme["ContactID"], "INV-1", "100.00"),
		emulator.invoice(acme["ContactID"], "INV-2", "200.00"),
		emulator.invoice(globex["ContactID"], "INV-3", "300.00"),
	]
	emulator.pay(created[1]["InvoiceID"], "50.00", "2026-11-02")
	return {"acme": acme, "globex": globex, "created": created}


def fail_commit(cache: SQLiteCache, monkeypatch, which: int) -> list[str]:
	"""The `which`-th commit raises SQLite's "database is locked" (a transient error) without
	committing; returns the log of commits and rollbacks."""
	log = []
	commit, rollback = cache.store.commit, cache.store.rollback

	def failing_commit():
		log.append("commit")
		if log.count("commit") == which:
			raise sqlite3.OperationalError("database is locked")
		commit()

	def logged_rollback():
		log.append("rollback")
		rollback()

	monkeypatch.setattr(cache.store, "commit", failing_commit)
	monkeypatch.setattr(cache.store, "rollback", logged_rollback)
	return log


@pytest.mark.parametrize("which", [1, 2, 3], ids=["contacts-page", "invoices-page", "payments-page"])
def test_a_page_whose_commit_fails_transiently_is_rolled_back_and_written_once_more(
	client, small, emulator, monkeypatch, which
):
	cache = SQLiteCache()
	log = fail_commit(cache, monkeypatch, which)

	report = Syncer(client, cache).full_sync()

	assert log.count("rollback") == 1 and log[which] == "rollback"
	assert (report.contacts, report.invoices, report.payments) == (2, 3, 1)  # not doubled
	state = emulator.state()
	assert set(rows(cache, CONTACT)) == {c["ContactID"] for c in state["contacts"]}
	assert set(rows(cache, INVOICE)) == {i["InvoiceID"] for i in state["invoices"]}
	paid = small["created"][1]["InvoiceID"]
	assert [(p["parent"], float(p["amount"])) for p in rows(cache, PAYMENT).values()] == [(paid, 50.0)]
	listing = panel(cache).invoices((small["acme"]["ContactID"],), parse_list_args("all"), ())
	assert sorted(i["invoice_number"] for i in listing["invoices"]) == ["INV-1", "INV-2"]
	assert cache.cursor is None and cache.quarantined == []


def test_a_retried_page_quarantines_its_uncacheable_record_once(client, small, emulator, monkeypatch):
	emulator.invoice(small["globex"]["ContactID"], '"' * 255, "10.00")
	cache = SQLiteCache()
	fail_commit(cache, monkeypatch, 2)  # the invoices page

	report = Syncer(client, cache).full_sync()

	assert report.invoices == 3
	assert [q.kind for q in cache.quarantined] == ["Invoice"]


def test_a_sync_stops_before_writing_when_the_cache_is_another_organisations(client, small, peer):
	cache = SQLiteCache()
	cache.store.tenant_id = "another-organisation"

	with pytest.raises(XeroTenantChanged):
		Syncer(client, cache).full_sync()

	assert [cache.count(d) for d in (CONTACT, INVOICE, PAYMENT, "Xero Contact Email")] == [0, 0, 0, 0]
	assert cache.cursor is None and cache.commits == 0


def test_a_saved_cursor_of_another_organisation_is_not_resumed(client, small, peer):
	cache = SQLiteCache()
	stale = {
		"tenant_id": "another-organisation",
		"phase": "Invoices",
		"page": 2,
		"started_at": "2026-11-01T00:00:00+00:00",
	}
	cache.save_cursor(stale)
	peer.seen.clear()

	report = Syncer(client, cache).full_sync()

	assert report.resumed_from is None
	assert [s.args.get("page") for s in peer.seen if s.path.endswith("/Contacts")] == ["1"]
	assert [s.args.get("page") for s in peer.seen if s.path.endswith("/Invoices")] == ["1"]
	assert (cache.count(CONTACT), cache.count(INVOICE), report.invoices) == (2, 3, 3)


def test_a_saved_cursor_of_the_same_organisation_is_resumed(client, small, peer):
	cache = SQLiteCache()
	cache.save_cursor(
		{
			"tenant_id": client.tenant_id,
			"phase": "Invoices",
			"page": 2,
			"started_at": "2026-11-01T00:00:00+00:00",
		}
	)
	peer.seen.clear()

	report = Syncer(client, cache).full_sync()

	assert report.resumed_from["page"] == 2
	assert not [s for s in peer.seen if s.path.endswith("/Contacts")]
	assert [s.args.get("page") for s in peer.seen if s.path.endswith("/Invoices")] == ["2"]
