"""Webhook deliveries: signatures, intent-to-receive, hostile bodies, and a burst of 1,000 events
over 300 invoices processed against xero-local with no loss, no duplicates and few calls."""

import hmac
import random
from datetime import UTC, datetime

import pytest

from tests.sqlite_cache import SQLiteCache
from xero_crm.emulator import deliveries
from xero_crm.emulator.deliveries import body_of
from xero_crm.xero import webhooks
from xero_crm.xero.client import IDS_PER_CALL
from xero_crm.xero.sync import Syncer
from xero_crm.xero.webhooks import MAX_BODY_BYTES, Inbox, check_delivery, drain, sign

KEY = "webhook-key-from-xero-developer-portal"
TENANT = "tenant-1"


def event(resource_id, category="INVOICE", tenant=TENANT, when=None):
	return deliveries.event(resource_id, tenant, category, when)


def test_valid_signature_is_accepted():
	body = body_of([event("i-1")])
	delivery = check_delivery(body, sign(body, KEY), KEY, TENANT)
	assert (delivery.status, [e.resource_id for e in delivery.events]) == (200, ["i-1"])


@pytest.mark.parametrize(
	"signature",
	[None, "", "not-base64", sign(body_of([event("i-1")]), "another-key")],
	ids=["missing", "empty", "garbage", "wrong-key"],
)
def test_bad_signatures_are_refused(signature):
	assert check_delivery(body_of([event("i-1")]), signature, KEY, TENANT).status == 401


def test_one_byte_tampered_body_is_refused():
	body = body_of([event("i-1")])
	signature = sign(body, KEY)
	tampered = body.replace(b"i-1", b"i-2")
	assert len(tampered) == len(body)
	assert check_delivery(tampered, signature, KEY, TENANT).status == 401


def test_no_webhook_key_configured_refuses_everything():
	body = body_of([])
	assert check_delivery(body, sign(body, ""), None, TENANT).status == 401


def test_intent_to_receive_answers_200_for_good_and_401_for_bad_signatures():
	body = body_of([])
	assert check_delivery(body, sign(body, KEY), KEY, TENANT).status == 200
	assert check_delivery(body, "aW52YWxpZA==", KEY, TENANT).status == 401


@pytest.mark.parametrize(
	"raw", [b"not json", b"[]", b'{"events": "x"}', b'{"events": [{"resourceId": "a"}]}', b'{"no": "events"}']
)
def test_signed_but_malformed_bodies_get_400(raw):
	assert check_delivery(raw, sign(raw, KEY), KEY, TENANT).status == 400


def test_oversized_bodies_get_413_before_any_hashing():
	raw = b"x" * (MAX_BODY_BYTES + 1)
	assert check_delivery(raw, sign(raw, KEY), KEY, TENANT).status == 413


def test_events_of_another_tenant_are_counted_and_ignored():
	body = body_of([event("i-1"), event("i-2", tenant="someone-else")])
	delivery = check_delivery(body, sign(body, KEY), KEY, TENANT)
	assert [e.resource_id for e in delivery.events] == ["i-1"] and delivery.other_tenant == 1


def test_signature_compare_is_constant_time(monkeypatch):
	calls = []
	real = hmac.compare_digest
	monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
	body = body_of([event("i-1")])
	webhooks.signature_valid(body, sign(body, KEY), KEY)
	assert len(calls) == 1


class ListInbox(Inbox):
	def __init__(self):
		self.rows: dict[str, dict] = {}

	def add(self, delivery):
		self.rows[str(len(self.rows))] = {"events": list(delivery.events), "status": "Queued"}

	def pending(self, limit):
		return [(k, r["events"]) for k, r in self.rows.items() if r["status"] == "Queued"][:limit]

	def mark(self, ids, status, error=None):
		for i in ids:
			self.rows[i]["status"] = status
			self.rows[i]["error"] = error


def test_burst_of_1000_events_over_300_invoices_converges_with_few_calls(client, emulator, peer):
	tenant = client.tenant_id
	acme = emulator.contact("Acme Widgets Ltd")
	created = emulator.invoices(
		[
			{
				"Type": "ACCREC",
				"Contact": {"ContactID": acme["ContactID"]},
				"InvoiceNumber": f"INV-{i:04d}",
				"Status": "AUTHORISED",
				"Date": "2026-11-01",
				"DueDate": "2026-12-01",
				"Total": 100.0,
				"AmountDue": 100.0,
			}
			for i in range(300)
		]
	)
	cache = SQLiteCache()
	Syncer(client, cache).full_sync()
	since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
	# Xero changes: every third invoice part-paid twice, every fifth voided.
	for n, inv in enumerate(created):
		if n % 3 == 0:
			emulator.pay(inv["InvoiceID"], "40.00", "2026-11-10")
			emulator.pay(inv["InvoiceID"], "10.00", "2026-11-12")
		if n % 5 == 0:
			emulator.update_invoice(inv["InvoiceID"], Status="VOIDED")
	ids = [i["InvoiceID"] for i in created]
	stream = ids + [random.Random(7).choice(ids) for _ in range(700)]
	random.Random(3).shuffle(stream)  # repeats and any order
	inbox = ListInbox()
	for start in range(0, 1000, 50):
		body = body_of([event(i, tenant=tenant, when=since) for i in stream[start : start + 50]])
		delivery = check_delivery(body, sign(body, KEY), KEY, tenant)
		assert delivery.accepted
		inbox.add(delivery)
	peer.seen.clear()

	report = drain(inbox, Syncer(client, cache))

	assert report.events == 1000 and report.invoices == 300
	assert all(r["status"] == "Processed" for r in inbox.rows.values())
	invoice_calls = peer.count("/api.xro/2.0/Invoices")
	assert invoice_calls <= -(-300 // IDS_PER_CALL) + 1  # 6 batched calls
	assert len(peer.seen) <= invoice_calls + 3  # plus the payments since the burst
	assert cache.count("Xero Invoice") == 300  # no duplicates
	state = {i["InvoiceID"]: i for i in emulator.state()["invoices"]}
	rows = {
		r["name"]: r
		for r in cache.run(cache.tables.query.from_(cache.tables.table("Xero Invoice")).select("*"))
	}
	for invoice_id, row in rows.items():
		xero = state[invoice_id]
		expected_status = "VOIDED" if xero["Status"] == "VOIDED" else xero["Status"]
		assert row["status"] == expected_status
		assert float(row["amount_due"]) == xero["AmountDue"]
	paid_twice = created[3]["InvoiceID"]
	payments = cache.run(
		cache.tables.query.from_(cache.tables.table("Xero Invoice Payment"))
		.select("*")
		.where(cache.tables.table("Xero Invoice Payment").parent == paid_twice)
	)
	assert sorted(float(p["amount"]) for p in payments) == [10.0, 40.0]


def test_replayed_and_out_of_order_events_converge_to_xero_state(client, emulator):
	acme = emulator.contact("Acme Widgets Ltd")
	inv = emulator.invoice(acme["ContactID"], "INV-1", "100.00")
	cache = SQLiteCache()
	syncer = Syncer(client, cache)
	first = event(inv["InvoiceID"], tenant=client.tenant_id, when="2026-11-01T10:00:00")
	emulator.update_invoice(inv["InvoiceID"], Reference="second edit")
	second = event(inv["InvoiceID"], tenant=client.tenant_id, when="2026-11-01T10:05:00")
	inbox = ListInbox()
	for events in ([second], [first], [second, first]):  # newest first, then replays
		body = body_of(events)
		inbox.add(check_delivery(body, sign(body, KEY), KEY, client.tenant_id))
	drain(inbox, syncer)
	drain(inbox, syncer)  # nothing left: a second drain does nothing
	(row,) = cache.run(cache.tables.query.from_(cache.tables.table("Xero Invoice")).select("*"))
	assert row["reference"] == "second edit"
	assert [r["status"] for r in inbox.rows.values()] == ["Processed"] * 3


def test_one_bad_delivery_never_holds_back_the_others(client, emulator):
	acme = emulator.contact("Acme Widgets Ltd")
	good = emulator.invoice(acme["ContactID"], "INV-GOOD", "10.00")
	bad = emulator.invoice(acme["ContactID"], "INV-BAD", "20.00")

	class Cache(SQLiteCache):
		def write_invoices(self, invoices):
			if any(i.invoice_id == bad["InvoiceID"] for i in invoices):
				raise ValueError("cannot store INV-BAD")
			return super().write_invoices(invoices)

	cache = Cache()
	inbox = ListInbox()
	for invoice in (bad, good):
		body = body_of([event(invoice["InvoiceID"], tenant=client.tenant_id)])
		inbox.add(check_delivery(body, sign(body, KEY), KEY, client.tenant_id))
	report = drain(inbox, Syncer(client, cache))
	assert [r["status"] for r in inbox.rows.values()] == ["Failed", "Processed"]
	assert report.failed == ["0"] and report.deliveries == 1
	(row,) = cache.run(cache.tables.query.from_(cache.tables.table("Xero Invoice")).select("invoice_number"))
	assert row["invoice_number"] == "INV-GOOD"


def test_a_xero_outage_fails_the_round_for_a_later_retry(client, emulator, peer):
	from xero_crm.emulator.peer import Fault
	from xero_crm.xero.errors import XeroUnavailable

	inbox = ListInbox()
	body = body_of([event("i-1", tenant=client.tenant_id)])
	inbox.add(check_delivery(body, sign(body, KEY), KEY, client.tenant_id))
	peer.faults += [Fault("/api.xro/2.0/Invoices", 503)] * 10
	with pytest.raises(XeroUnavailable):
		drain(inbox, Syncer(client, SQLiteCache()))
	assert inbox.rows["0"]["status"] == "Failed"


def test_a_failed_delivery_is_retried_after_one_two_four_minutes_five_times_in_all():
	from datetime import datetime, timedelta

	from xero_crm.xero.webhooks import MAX_ATTEMPTS, retry_due

	now = datetime(2026, 11, 29, 12, 0)
	waits = {1: 1, 2: 2, 3: 4, 4: 8}
	for attempts, minutes in waits.items():
		assert not retry_due(attempts, now - timedelta(minutes=minutes, seconds=-1), now), attempts
		assert retry_due(attempts, now - timedelta(minutes=minutes), now), attempts
	assert not retry_due(MAX_ATTEMPTS, now - timedelta(days=1), now)  # five tries: given up
	assert not retry_due(1, None, now)


def test_each_delivery_is_logged_with_the_status_an_admin_reads():
	signed = body_of([event("i-1", tenant="t-ours")])
	assert check_delivery(signed, sign(signed, KEY), KEY, "t-ours").log_status == "Queued"
	assert check_delivery(signed, sign(signed, KEY), KEY, "t-other").log_status == "Ignored"
	assert check_delivery(signed, "forged", KEY, "t-ours").log_status == "Rejected"


def test_each_delivery_gets_a_title_an_admin_can_read():
	ours = [event("i-1", tenant="t"), event("i-2", tenant="t"), event("c-1", tenant="t", category="CONTACT")]
	signed = body_of([*ours, event("i-9", tenant="other")])
	assert check_delivery(signed, sign(signed, KEY), KEY, "t").summary == (
		"4 events: 1 contact, 2 invoice, 1 of another organisation"
	)
	assert check_delivery(signed, "forged", KEY, "t").summary == "Refused (401): signature missing or wrong"
