"""Frappe CRM's Organization, Deal and Lead matched to Xero contacts that were synced from xero-local
into the cache, through the same SQL the app runs (crm_matching's rules; the glue reads the values)."""

import pytest

from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.cache_rows import contact_from_row
from xero_crm.xero.crm_matching import chain, deal_keys, lead_keys, organization_keys
from xero_crm.xero.matching import MatchKeys, match
from xero_crm.xero.queries import contact_candidates, contacts_by_id
from xero_crm.xero.sync import Syncer


@pytest.fixture
def xero(emulator, client):
	"""Three Xero customers and a supplier in xero-local, synced into a cache: (find, get, ids)."""
	acme = emulator.contact("Acme Widgets Ltd", "accounts@acme.example", AccountNumber="ACME-01")
	globex = emulator.contact(
		"Globex",
		ContactPersons=[{"FirstName": "Hank", "LastName": "S", "EmailAddress": "hank@globex.example"}],
	)
	initech = emulator.contact("Initech", "ap@initech.example")
	supplier = emulator.contact("Paper Supplies", "sales@paper.example", is_customer=False)
	cache = SQLiteCache()
	Syncer(client, cache).full_sync()

	def find(keys):
		q = contact_candidates(cache.tables, keys.names, keys.account_numbers, keys.tax_numbers, keys.emails)
		return [contact_from_row(r) for r in cache.run(q)]

	def get(ids):
		return [contact_from_row(r) for r in cache.run(contacts_by_id(cache.tables, tuple(ids)))]

	ids = {c["Name"]: c["ContactID"] for c in (acme, globex, initech, supplier)}
	return find, get, ids


def matched(keys, xero) -> tuple[list[str], str]:
	find, get, ids = xero
	names = {v: k for k, v in ids.items()}
	result = match(keys, find, get)
	return sorted(names[c] for c in result.customer_ids), result.how


def test_an_organization_matches_a_xero_contact_of_its_normalised_name(xero):
	assert matched(organization_keys("  ACME widgets ltd ", trusted=True), xero) == (
		["Acme Widgets Ltd"],
		"keys",
	)


def test_an_organization_matches_through_the_erpnext_customer_of_its_name(xero):
	customer = MatchKeys.of(names=["Acme Trading"], account_numbers=["ACME-01"])
	assert matched(organization_keys("Acme Trading", True, customer), xero) == (["Acme Widgets Ltd"], "keys")


def test_an_organization_matches_by_its_contacts_emails_and_all_its_keys_count_together(xero):
	keys = organization_keys("Initech", True, None, ["HANK@globex.example"])
	assert matched(keys, xero) == (["Globex", "Initech"], "keys")


def test_an_organization_typed_by_someone_who_may_not_link_matches_by_its_trusted_contacts_only(xero):
	customer = MatchKeys.of(names=["Acme Widgets Ltd"])
	assert matched(organization_keys("Acme Widgets Ltd", False, customer), xero) == ([], "none")
	assert matched(organization_keys("Acme Widgets Ltd", False, customer, ["ap@initech.example"]), xero) == (
		["Initech"],
		"keys",
	)


def test_a_deal_matches_its_customer_first_then_its_organization_then_its_contacts(xero):
	customer = MatchKeys.of(names=["Globex"])
	organization = organization_keys("Acme Widgets Ltd", True)
	emails = ["ap@initech.example"]
	assert matched(deal_keys(customer, organization, emails), xero) == (["Globex"], "keys")
	assert matched(deal_keys(None, organization, emails), xero) == (["Acme Widgets Ltd"], "keys")
	assert matched(deal_keys(None, None, emails), xero) == (["Initech"], "keys")
	# a customer that matches nothing in Xero gives way to the organization
	assert matched(deal_keys(MatchKeys.of(names=["Nobody"]), organization, emails), xero) == (
		["Acme Widgets Ltd"],
		"fallback",
	)


def test_a_deal_with_nothing_to_go_on_matches_nothing(xero):
	assert matched(deal_keys(None, organization_keys("Acme Widgets Ltd", False), []), xero) == ([], "none")


def test_a_lead_matches_by_email_or_organization_name_and_never_a_supplier(xero):
	assert matched(lead_keys("accounts@acme.example", None, True), xero) == (["Acme Widgets Ltd"], "keys")
	assert matched(lead_keys(None, "globex", True), xero) == (["Globex"], "keys")
	assert matched(lead_keys("sales@paper.example", "Paper Supplies", True), xero)[0] == []
	assert matched(lead_keys("accounts@acme.example", "Globex", False), xero) == ([], "none")


def test_chain_skips_empty_keys_and_keeps_order():
	a, b = MatchKeys.of(names=["A"]), MatchKeys.of(emails=["b@x.example"])
	chained = chain(None, MatchKeys(), a, MatchKeys(), b)
	assert chained.names == ("a",) and chained.fallback.emails == ("b@x.example",)
	assert chained.fallback.fallback is None
	assert chain().is_empty()
