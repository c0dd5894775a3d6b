"""Two Xero organisations synced into one cache side by side, against xero-local and the peer over real
HTTP: their records never collide (even under the same Xero ids), a webhook delivery carrying events
for both and for an unknown organisation reaches each on its own, totals stay per organisation and
currency, one organisation failing leaves the other syncing, and removing one leaves the other intact."""

import json
from datetime import date

import pytest

from tests.sqlite_cache import SQLiteCache
from tests.test_multi_org_connect import both, client_of, connect  # noqa: F401 (fixtures)
from xero_crm.xero.cache_writer import CacheWriter
from xero_crm.xero.errors import XeroAuthError
from xero_crm.xero.keys import cache_key, organisation_of, xero_id_of
from xero_crm.xero.matching import MatchKeys, match_each_organisation
from xero_crm.xero.panel import OrgInfo, Panel, parse_list_args
from xero_crm.xero.records import parse_contact, parse_invoice
from xero_crm.xero.sync import Syncer
from xero_crm.xero.webhooks import Inbox, by_tenant, check_delivery, drain, sign

TODAY = date(2026, 11, 20)
KEY = "webhook-key-0123456789"


@pytest.fixture
def beta(peer) -> str:
	return peer.add_tenant("Beta Widgets Pty Ltd", "!Bw7Q2", "NZD")


@pytest.fixture
def world(both, emulator, endpoints):  # noqa: F811
	"""Each organisation with a customer "Acme Widgets Ltd" and invoices in NZD; one cache for both."""
	_result, manager, alpha, beta = both
	seeded = {}
	for tenant, amounts in ((alpha, ("100.00", "40.00")), (beta, ("250.00",))):
		seed = emulator.in_tenant(tenant.tenant_id)
		acme = seed.contact("Acme Widgets Ltd", "accounts@acme.example")
		seeded[tenant.tenant_id] = {
			"acme": acme,
			"invoices": [
				seed.invoice(acme["ContactID"], f"INV-{n + 1:03d}", amount, DueDate="2026-10-01")
				for n, amount in enumerate(amounts)
			],
		}
	cache = SQLiteCache()
	writers = {t.tenant_id: CacheWriter(cache.store, t.tenant_id) for t in (alpha, beta)}
	clients = {t.tenant_id: client_of(t, manager, endpoints) for t in (alpha, beta)}
	return cache, writers, clients, seeded, alpha.tenant_id, beta.tenant_id


def test_two_organisations_sync_side_by_side_into_one_cache(world):
	cache, writers, clients, seeded, alpha, beta = world
	reports = {t: Syncer(clients[t], writers[t]).full_sync() for t in (alpha, beta)}
	assert (reports[alpha].invoices, reports[beta].invoices) == (2, 1)
	rows = cache.db.execute('SELECT name, organisation, xero_contact FROM "tabXero Invoice"').fetchall()
	assert {(r["organisation"], xero_id_of(r["name"])) for r in rows} == {
		(t, i["InvoiceID"]) for t in (alpha, beta) for i in seeded[t]["invoices"]
	}
	for r in rows:  # every key names its own organisation, its contact's too
		assert organisation_of(r["name"]) == organisation_of(r["xero_contact"]) == r["organisation"]
	# what changed is told by cache key: an open panel of one organisation's contact refreshes, not another's
	assert reports[beta].contact_ids == {cache_key(beta, seeded[beta]["acme"]["ContactID"])}


def test_the_same_xero_ids_in_two_organisations_never_collide():
	cache = SQLiteCache()
	contact = {"ContactID": "c-1", "Name": "Acme", "IsCustomer": True, "ContactStatus": "ACTIVE"}

	def invoice(total: str) -> dict:
		return {
			"InvoiceID": "i-1",
			"InvoiceNumber": "INV-1",
			"Type": "ACCREC",
			"Contact": {"ContactID": "c-1"},
			"Status": "AUTHORISED",
			"CurrencyCode": "NZD",
			"Total": float(total),
			"AmountDue": float(total),
			"DueDateString": "2026-10-01T00:00:00",
			"DateString": "2026-09-01T00:00:00",
			"Payments": [{"PaymentID": "p-1", "Date": "/Date(1762000000000+0000)/", "Amount": 1.0}],
		}

	for org, total in (("org-a", "10.00"), ("org-b", "20.00")):
		writer = CacheWriter(cache.store, org)
		writer.write_contacts([parse_contact(contact)])
		assert writer.write_invoices([parse_invoice(invoice(total))])
	assert (
		cache.count("Xero Invoice") == cache.count("Xero Contact") == cache.count("Xero Invoice Payment") == 2
	)
	totals = Panel(cache.run, cache.tables, TODAY).summary(("org-a:c-1", "org-b:c-1"), ())["totals"]
	assert [(t["organisation"], t["currency"], str(t["unpaid"])) for t in totals] == [
		("org-a", "NZD", "10.00"),
		("org-b", "NZD", "20.00"),
	]


def test_totals_are_per_organisation_and_currency_never_added_across_either(world):
	cache, writers, clients, seeded, alpha, beta = world
	for t in (alpha, beta):
		Syncer(clients[t], writers[t]).full_sync()
	contacts = tuple(cache_key(t, seeded[t]["acme"]["ContactID"]) for t in (alpha, beta))
	names = {alpha: OrgInfo(alpha, "Alpha Ltd", "!A"), beta: OrgInfo(beta, "Beta Widgets Pty Ltd", "!Bw7Q2")}
	summary = Panel(cache.run, cache.tables, TODAY, organisations=names).summary(contacts, ())
	assert [(t["organisation_name"], t["currency"], str(t["unpaid"])) for t in summary["totals"]] == [
		("Alpha Ltd", "NZD", "140.00"),
		("Beta Widgets Pty Ltd", "NZD", "250.00"),
	]
	assert [(a["organisation_name"], a["currency"]) for a in summary["aging"]] == [
		("Alpha Ltd", "NZD"),
		("Beta Widgets Pty Ltd", "NZD"),
	]
	assert summary["overdue"]["count"] == 3
	assert [r["organisation"] for r in summary["overdue"]["by_currency"]] == [alpha, beta]
	page = Panel(cache.run, cache.tables, TODAY, organisations=names).invoices(
		contacts, parse_list_args(view="unpaid"), ()
	)
	assert {(r["organisation_name"], r["invoice_number"]) for r in page["invoices"]} == {
		("Alpha Ltd", "INV-001"),
		("Alpha Ltd", "INV-002"),
		("Beta Widgets Pty Ltd", "INV-001"),
	}
	beta_row = next(r for r in page["invoices"] if r["organisation"] == beta)
	assert "shortcode=%21Bw7Q2" in beta_row["url"]  # the deep link opens the right organisation
	assert xero_id_of(beta_row["invoice_id"]) in beta_row["url"]
	assert [t["organisation"] for t in page["list_totals"]] == [alpha, beta]
	assert [
		o["name"] for o in Panel(cache.run, cache.tables, TODAY, organisations=names).involved(contacts)
	] == [
		"Alpha Ltd",
		"Beta Widgets Pty Ltd",
	]


class ListInbox(Inbox):
	def __init__(self, deliveries):
		self.waiting = dict(deliveries)
		self.marked = {}

	def pending(self, limit):
		return [(i, evs) for i, evs in self.waiting.items() if i not in self.marked][:limit]

	def mark(self, ids, status, error=None):
		self.marked.update(dict.fromkeys(ids, status))


def test_a_delivery_for_both_and_an_unknown_organisation_reaches_each_on_its_own(world, emulator):
	cache, writers, clients, seeded, alpha, beta = world
	for t in (alpha, beta):
		Syncer(clients[t], writers[t]).full_sync()
	changed = {}
	for t in (alpha, beta):
		invoice = seeded[t]["invoices"][0]
		emulator.in_tenant(t).update_invoice(invoice["InvoiceID"], Status="VOIDED")
		changed[t] = invoice["InvoiceID"]
	body = json.dumps(
		{
			"events": [
				*(
					{
						"eventCategory": "INVOICE",
						"eventType": "UPDATE",
						"resourceId": changed[t],
						"tenantId": t,
					}
					for t in (alpha, beta)
				),
				{
					"eventCategory": "INVOICE",
					"eventType": "UPDATE",
					"resourceId": "x",
					"tenantId": "unknown-org",
				},
			]
		}
	).encode()
	delivery = check_delivery(body, sign(body, KEY), KEY, {alpha, beta})
	assert (delivery.status, len(delivery.events), delivery.other_tenant) == (200, 2, 1)
	grouped = by_tenant(delivery.events)
	assert set(grouped) == {alpha, beta}
	for t, events in grouped.items():  # what the endpoint stores: one row per organisation, drained apart
		report = drain(ListInbox([(f"d-{t}", list(events))]), Syncer(clients[t], writers[t]))
		assert report.contact_ids == {cache_key(t, seeded[t]["acme"]["ContactID"])}
	statuses = dict(cache.db.execute('SELECT name, status FROM "tabXero Invoice"').fetchall())
	assert {statuses[cache_key(t, changed[t])] for t in (alpha, beta)} == {"VOIDED"}
	# an organisation the site does not sync: acknowledged, nothing processed
	alone = check_delivery(body, sign(body, KEY), KEY, set())
	assert (alone.status, alone.events, alone.other_tenant) == (200, (), 3)


def test_one_organisation_failing_leaves_the_other_syncing(world, peer):
	cache, writers, clients, _seeded, alpha, beta = world
	failing = peer.fail_tenant(alpha, 403)
	try:
		with pytest.raises(XeroAuthError):
			Syncer(clients[alpha], writers[alpha]).full_sync()
		report = Syncer(clients[beta], writers[beta]).full_sync()
	finally:
		peer.faults.remove(failing)
	assert report.invoices == 1
	orgs = {r[0] for r in cache.db.execute('SELECT organisation FROM "tabXero Invoice"').fetchall()}
	assert orgs == {beta}
	# the failing one resumes where it stopped once Xero lets it in again
	assert Syncer(clients[alpha], writers[alpha]).full_sync().invoices == 2


def test_removing_one_organisation_leaves_the_other_intact(world, oauth, both):  # noqa: F811
	cache, writers, clients, seeded, alpha, beta = world
	_result, manager, _alpha, beta_tenant = both
	for t in (alpha, beta):
		Syncer(clients[t], writers[t]).full_sync()
	oauth.remove_connection(manager.access_token(), beta_tenant.connection_id)
	with pytest.raises(XeroAuthError):
		Syncer(clients[beta], writers[beta]).catch_up(since=_long_ago())
	# what the app deletes with it (xero_crm.cache.forget_organisation): that organisation's rows
	cache.db.execute('DELETE FROM "tabXero Invoice Payment" WHERE parent LIKE ?', (f"{beta}:%",))
	for table in ("Xero Invoice", "Xero Contact"):
		cache.db.execute(f'DELETE FROM "tab{table}" WHERE organisation = ?', (beta,))
	report = Syncer(clients[alpha], writers[alpha]).catch_up(since=_long_ago())
	assert report.invoices == 2
	contacts = tuple(cache_key(t, seeded[t]["acme"]["ContactID"]) for t in (alpha, beta))
	totals = Panel(cache.run, cache.tables, TODAY).summary(contacts, ())["totals"]
	assert [(t["organisation"], str(t["unpaid"])) for t in totals] == [(alpha, "140.00")]


def test_a_link_by_hand_wins_in_its_own_organisation_only():
	cache = SQLiteCache()
	for org in ("org-a", "org-b"):
		writer = CacheWriter(cache.store, org)
		writer.write_contacts(
			[
				parse_contact({"ContactID": "acme", "Name": "Acme", "IsCustomer": True}),
				parse_contact({"ContactID": "other", "Name": "Other", "IsCustomer": True}),
			]
		)
	from xero_crm.xero.cache_rows import contact_from_row
	from xero_crm.xero.queries import contact_candidates, contacts_by_id

	def find(k):
		q = contact_candidates(cache.tables, k.names, k.account_numbers, k.tax_numbers, k.emails)
		return [contact_from_row(r) for r in cache.run(q)]

	def get(ids):
		return [contact_from_row(r) for r in cache.run(contacts_by_id(cache.tables, tuple(ids)))]

	keys = MatchKeys.of(names=["Acme"])
	both_orgs = match_each_organisation(keys, find, get, ("org-a:other",))
	# org-a: the link wins over the name; org-b: the name still matches
	assert {c.contact_id for c in both_orgs.contacts} == {"org-a:other", "org-b:acme"}
	assert both_orgs.how == "link"
	only_b = match_each_organisation(keys, find, get, ("org-a:other",), allowed={"org-b"}.__contains__)
	assert [c.contact_id for c in only_b.contacts] == ["org-b:acme"]


def _long_ago():
	from datetime import UTC, datetime

	return datetime(2020, 1, 1, tzinfo=UTC)


def test_one_consents_token_failing_leaves_the_organisation_of_another_consent_syncing(
	oauth, peer, emulator, endpoints
):
	"""Two organisations connected by two consents (two Xero users, say): one consent is revoked at
	Xero, so its refresh fails with invalid_grant; that organisation stops, disconnected, and the
	other's sync goes on with its own tokens."""
	from xero_crm.xero.tokens import MemoryTokenStore, TokenManager, TokenSet

	first = connect(oauth)
	peer.new_consent()
	beta = peer.add_tenant("Beta Widgets Pty Ltd", "!Bw7Q2", "NZD")
	second = connect(oauth)
	assert [t.tenant_id for t in second.authorised_tenants] == [beta]
	seed = emulator.in_tenant(beta)
	seed.invoice(seed.contact("Acme Widgets Ltd")["ContactID"], "B-1", "25.00")
	alpha = first.tenants[0]
	stores = {
		alpha.tenant_id: MemoryTokenStore(first.tokens),
		beta: MemoryTokenStore(second.tokens),
	}
	oauth.revoke(first.tokens.refresh_token)
	# the first consent's access token has expired: its next call refreshes, and Xero says no
	stale = first.tokens
	stores[alpha.tenant_id].tokens = TokenSet(stale.access_token, stale.refresh_token, expires_at=0)
	cache = SQLiteCache()
	syncers = {
		t: Syncer(
			client_of(tenant, TokenManager(stores[t], oauth.refresh), endpoints), CacheWriter(cache.store, t)
		)
		for t, tenant in (
			(alpha.tenant_id, alpha),
			(beta, next(x for x in second.tenants if x.tenant_id == beta)),
		)
	}
	with pytest.raises(XeroAuthError) as refused:
		syncers[alpha.tenant_id].full_sync()
	assert refused.value.reason == "invalid_grant"
	assert stores[alpha.tenant_id].disconnected is not None and stores[alpha.tenant_id].tokens is None
	assert syncers[beta].full_sync().invoices == 1
	assert stores[beta].disconnected is None
	assert {r[0] for r in cache.db.execute('SELECT organisation FROM "tabXero Invoice"')} == {beta}
