"""The demo's company against xero-local: what it seeds is what a panel shows, it holds every case a
rep meets, and its live changes arrive as signed webhooks that bring the cache to Xero's state."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.sqlite_cache import SQLiteCache
from xero_crm.emulator import demo_company
from xero_crm.emulator.deliveries import deliver
from xero_crm.xero.panel import Panel, parse_list_args
from xero_crm.xero.semantics import aging_bucket
from xero_crm.xero.sync import Syncer
from xero_crm.xero.webhooks import Inbox, check_delivery, drain

TODAY = date(2026, 11, 29)
KEY = "demo-webhook-key"


@pytest.fixture
def company(emulator):
	return demo_company.seed(emulator, TODAY)


@pytest.fixture
def synced(company, client):
	cache = SQLiteCache()
	Syncer(client, cache).full_sync()
	return cache


def panel_totals(cache, contact_id) -> dict:
	summary = Panel(cache.run, cache.tables, TODAY, "X").summary((contact_id,), ())
	return {
		t["currency"]: {"paid": Decimal(t["paid"]), "unpaid": Decimal(t["unpaid"])} for t in summary["totals"]
	}


def test_the_plan_holds_every_case_a_rep_meets():
	planned = demo_company.plan(TODAY)
	sales = [p for p in planned if p.type == "ACCREC"]
	assert 250 <= len(planned) <= 400
	assert {p.currency for p in planned} == {"NZD", "AUD"}
	assert len({p.customer for p in planned}) == 12
	assert any(len(p.payments) > 1 and p.due_amount == 0 for p in sales), "paid in instalments"
	assert any(p.payments and p.due_amount > 0 for p in sales), "part-paid"
	assert any(p.status == "AUTHORISED" and not p.payments and p.due == TODAY for p in sales), "due today"
	assert sum(p.status == "DRAFT" for p in planned) == 2
	assert any(p.status == "VOIDED" for p in planned)
	assert [p.number for p in planned if p.type == "ACCPAY"] == ["PP-2231"]
	assert len({p.number for p in planned}) == len(planned)
	overdue_days = [
		(TODAY - p.due).days for p in sales if p.status == "AUTHORISED" and p.due_amount and p.due < TODAY
	]
	buckets = {aging_bucket(d) for d in overdue_days}
	assert len(buckets) >= 3, f"overdue at several ages: {sorted(buckets)}"


def test_the_same_day_gives_the_same_company():
	first, again = demo_company.plan(TODAY), demo_company.plan(TODAY)
	assert [(p.number, p.total, p.payments, p.status) for p in first] == [
		(p.number, p.total, p.payments, p.status) for p in again
	]


def test_every_customers_panel_totals_equal_the_seeded_plan(company, synced):
	owing = 0
	for name, contact in company.contacts.items():
		expected = {c: t for c, t in company.expected(name).items() if t["paid"] or t["unpaid"]}
		assert expected and panel_totals(synced, contact["ContactID"]) == expected, name
		owing += any(t["unpaid"] for t in expected.values())
	assert owing >= 9, "most customers owe something"


def test_seeded_contacts_are_customers_with_a_person_to_email(company):
	for name, contact in company.contacts.items():
		assert contact["IsCustomer"] is True
		assert contact["ContactPersons"][0]["EmailAddress"] == demo_company.customer_email(name)


class ListInbox(Inbox):
	def __init__(self):
		self.rows: dict[str, dict] = {}

	def pending(self, limit):
		return [(k, r["events"]) for k, r in self.rows.items() if r["status"] == "Queued"][:limit]

	def mark(self, ids, status, error=None):
		for i in ids:
			self.rows[i]["status"] = status


@pytest.fixture
def endpoint(company):
	"""A webhook receiver that checks each delivery as the site does, keeping what it accepts."""
	inbox = ListInbox()

	def app(environ, start_response):
		request = Request(environ)
		delivery = check_delivery(
			request.get_data(), request.headers.get("x-xero-signature"), KEY, company.tenant_id
		)
		if delivery.accepted:
			inbox.rows[str(len(inbox.rows))] = {"events": list(delivery.events), "status": "Queued"}
		return Response("", delivery.status)(environ, start_response)

	server = make_server("127.0.0.1", 0, app, threaded=True)
	threading.Thread(target=server.serve_forever, daemon=True).start()
	yield f"http://127.0.0.1:{server.server_port}/webhook", inbox
	server.shutdown()


def test_live_changes_arrive_as_signed_webhooks_and_bring_the_cache_to_xeros_state(
	company, synced, client, emulator, endpoint
):
	url, inbox = endpoint
	live = demo_company.LiveChanges(emulator, company.tenant_id, TODAY)
	changes = [live.next() for _ in range(8)]
	for change in changes:
		assert deliver(url, KEY, change.events) == 200
	assert deliver(url, "not-the-key", changes[0].events) == 401

	drain(inbox, Syncer(client, synced))

	kinds = " ".join(c.what for c in changes)
	assert "paid on" in kinds and "new invoice" in kinds and "fell overdue" in kinds
	state = emulator.state()
	changed = [
		n
		for n, c in company.contacts.items()
		if _totals_of(state["invoices"], c["ContactID"]) != company.expected(n)
	]
	assert changed, "the changes moved someone's totals"
	for name, contact in company.contacts.items():
		now = _totals_of(state["invoices"], contact["ContactID"])
		assert panel_totals(synced, contact["ContactID"]) == now, name


def test_a_change_falling_overdue_is_overdue_on_the_panel(company, synced, client, emulator, endpoint):
	url, inbox = endpoint
	live = demo_company.LiveChanges(emulator, company.tenant_id, TODAY)
	live.turn = demo_company.LiveChanges.KINDS.index("overdue")
	change = live.next()
	assert "fell overdue" in change.what
	assert deliver(url, KEY, change.events) == 200
	drain(inbox, Syncer(client, synced))
	(invoice_id,) = [e["resourceId"] for e in change.events]
	row = synced.run(f"select due_date from `tabXero Invoice` where name = '{invoice_id}'")[0]
	assert str(row["due_date"])[:10] == str(TODAY - timedelta(days=1))


def _totals_of(invoices, contact_id) -> dict:
	totals: dict = {}
	for i in invoices:
		if (
			i["Type"] == "ACCREC"
			and i["Contact"]["ContactID"] == contact_id
			and i["Status"] in ("AUTHORISED", "PAID")
		):
			t = totals.setdefault(i["CurrencyCode"], {"paid": Decimal(0), "unpaid": Decimal(0)})
			t["paid"] += Decimal(str(i["AmountPaid"])).quantize(Decimal("0.01"))
			t["unpaid"] += Decimal(str(i["AmountDue"])).quantize(Decimal("0.01"))
	return {c: t for c, t in totals.items() if t["paid"] or t["unpaid"]}


def test_a_demo_customer_has_credit_available_beside_what_it_owes(company, synced):
	contact_id = company.contacts["Harbour Lights Café"]["ContactID"]
	panel = Panel(synced.run, synced.tables, TODAY, "X")
	(nzd,) = panel.summary((contact_id,), ())["totals"]
	assert nzd["credit"] == Decimal("195.00")  # the CN-0001 credit note and the overpayment
	assert nzd["net"] == nzd["unpaid"] - Decimal("195.00")
	listed = panel.invoices((contact_id,), parse_list_args("all", page_length=100), ())["invoices"]
	assert sorted(r["credit_type"] for r in listed if r["is_credit"]) == ["Credit Note", "Overpayment"]


def test_live_changes_for_one_customer_are_all_that_customers(company, emulator):
	live = demo_company.LiveChanges(emulator, company.tenant_id, TODAY, customer="Matariki Events")
	changes = [live.next() for _ in range(6)]
	assert {c.customer for c in changes} == {"Matariki Events"}
	matariki = company.contacts["Matariki Events"]["ContactID"]
	by_id = {i["InvoiceID"]: i for i in emulator.state()["invoices"]}
	assert all(by_id[e["resourceId"]]["Contact"]["ContactID"] == matariki for c in changes for e in c.events)


def test_the_sister_company_is_a_second_organisation_whose_panels_total_its_own_plan(
	peer, emulator, connection, endpoints
):
	from xero_crm.xero.client import XeroClient
	from xero_crm.xero.retry import RetryPolicy

	sister_tenant = peer.add_tenant(*demo_company.SISTER)
	first = demo_company.seed(emulator, TODAY)
	sister = demo_company.seed_sister(emulator.in_tenant(sister_tenant), TODAY)
	_result, _store, manager = connection
	client = XeroClient(sister_tenant, manager, endpoints, retry=RetryPolicy(sleep=lambda s: None))
	cache = SQLiteCache()
	Syncer(client, cache).full_sync()

	assert sister.tenant_id == sister_tenant != first.tenant_id
	assert client.organisation().name == demo_company.SISTER[0]
	assert set(sister.contacts) == set(demo_company.SISTER_CUSTOMERS)
	assert {p.currency for p in sister.planned} == {demo_company.SISTER[2]}
	assert cache.count("Xero Invoice") == len(demo_company.plan_sister(TODAY))
	owing = 0
	for name, contact in sister.contacts.items():
		# the same customer in both organisations: its own contact there, found by the same email
		assert contact["ContactID"] != first.contacts[name]["ContactID"]
		assert contact["ContactPersons"][0]["EmailAddress"] == demo_company.customer_email(name)
		expected = {c: t for c, t in sister.expected(name).items() if t["paid"] or t["unpaid"]}
		assert expected and panel_totals(cache, contact["ContactID"]) == expected, name
		owing += any(t["unpaid"] for t in expected.values())
	assert owing, "someone owes the sister company too"
