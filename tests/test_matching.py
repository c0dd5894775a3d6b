"""Matching CRM records to cached Xero contacts, through the same SQL the app runs."""

import pytest

from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.cache_rows import contact_from_row
from xero_crm.xero.matching import MatchKeys, match
from xero_crm.xero.queries import contact_candidates, contacts_by_id
from xero_crm.xero.records import XeroContact


@pytest.fixture
def directory():
	cache = SQLiteCache()
	cache.write_contacts(
		[
			XeroContact(
				"x-acme",
				"Acme Widgets Ltd",
				"accounts@acme.example",
				account_number="CUST-0001",
				is_customer=True,
			),
			XeroContact(
				"x-acme-old", "ACME Widgets (old)", "old@acme.example", merged_to="x-acme", status="ARCHIVED"
			),
			XeroContact(
				"x-globex",
				"Globex",
				person_emails=("Hank@Globex.example",),
				tax_number="12-345-678",
				is_customer=True,
			),
			XeroContact("x-initech", "Initech", "ap@initech.example", is_customer=False),
			XeroContact("x-evil", "Evil Corp", "hank@globex.example.evil", is_customer=True),
		]
	)

	def find(keys):
		q = contact_candidates(cache.tables, keys.names, keys.account_numbers, keys.tax_numbers, keys.emails)
		return [contact_from_row(r) for r in cache.run(q)]

	def get(ids):
		return [contact_from_row(r) for r in cache.run(contacts_by_id(cache.tables, tuple(ids)))]

	return find, get


def test_customer_matches_by_name_ignoring_case_and_spacing(directory):
	result = match(MatchKeys.of(names=["  acme   widgets LTD "]), *directory)
	assert [c.contact_id for c in result.contacts] == ["x-acme"] and result.customer_ids == ("x-acme",)


def test_customer_matches_by_account_number_or_tax_number(directory):
	assert match(MatchKeys.of(account_numbers=["CUST-0001"]), *directory).customer_ids == ("x-acme",)
	assert match(MatchKeys.of(tax_numbers=["12-345-678"]), *directory).customer_ids == ("x-globex",)


def test_contact_matches_a_contact_persons_email_exactly_not_a_fragment(directory):
	result = match(MatchKeys.of(emails=["HANK@globex.example"]), *directory)
	assert [c.contact_id for c in result.contacts] == ["x-globex"]  # not x-evil's longer address


def test_merged_contacts_are_followed_to_their_survivor(directory):
	result = match(MatchKeys.of(emails=["old@acme.example"]), *directory)
	assert [c.contact_id for c in result.contacts] == ["x-acme"]


def test_fallback_is_used_only_when_the_record_itself_matches_nothing(directory):
	linked_customer = MatchKeys.of(names=["Globex"])
	assert (
		match(MatchKeys.of(emails=["nobody@example.com"], fallback=linked_customer), *directory).how
		== "fallback"
	)
	own = match(MatchKeys.of(emails=["accounts@acme.example"], fallback=linked_customer), *directory)
	assert (own.how, own.customer_ids) == ("keys", ("x-acme",))


def test_an_explicit_link_wins_over_automatic_matching(directory):
	result = match(MatchKeys.of(names=["Acme Widgets Ltd"]), *directory, linked_ids=("x-globex",))
	assert (result.how, result.customer_ids) == ("link", ("x-globex",))


def test_a_match_that_is_not_a_customer_shows_no_invoices(directory):
	result = match(MatchKeys.of(emails=["ap@initech.example"]), *directory)
	assert result.matched and result.customer_ids == ()


def test_no_keys_no_match(directory):
	assert not match(MatchKeys.of(), *directory).matched
	assert not match(MatchKeys.of(names=["' OR 1=1 --"]), *directory).matched
