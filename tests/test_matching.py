"""Matching CRM records to cached Xero contacts, through the same SQL the app runs."""

import pytest

from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.cache_rows import contact_from_row
from xero_crm.xero.matching import MAX_KEYS, MatchKeys, match
from xero_crm.xero.queries import contact_candidates, contacts_by_id, search_contacts
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


def test_a_record_offering_a_thousand_emails_and_names_is_matched_on_the_first_max_keys(directory):
	find, get = directory
	asked = []

	def counting_find(keys):
		asked.append(keys)
		return find(keys)

	emails = [
		"Accounts@Acme.example",
		*(f"user{i}@nowhere.example" for i in range(998)),
		"ap@initech.example",
	]
	names = [*(f"Nobody {i}" for i in range(999)), "Initech"]
	keys = MatchKeys.of(names=names, emails=emails)

	result = match(keys, counting_find, get)

	assert [c.contact_id for c in result.contacts] == ["x-acme"]  # the primary email, not the 1,000th
	assert (len(asked[0].emails), len(asked[0].names)) == (MAX_KEYS, MAX_KEYS)
	assert asked[0].emails[0] == "accounts@acme.example"
	combined = keys.combine(MatchKeys.of(emails=reversed(emails), names=reversed(names)))
	assert (len(combined.emails), len(combined.names)) == (MAX_KEYS, MAX_KEYS)
	assert combined.emails[0] == "accounts@acme.example"


@pytest.fixture
def globex_ap():
	cache = SQLiteCache()
	cache.write_contacts(
		[XeroContact("x-globex", "Globex Corporation", "ap@globex.example", is_customer=True)]
	)

	def find(keys):
		q = contact_candidates(cache.tables, keys.names, keys.account_numbers, keys.tax_numbers, keys.emails)
		return [contact_from_row(r) for r in cache.run(q)]

	def get(ids):
		return [contact_from_row(r) for r in cache.run(contacts_by_id(cache.tables, tuple(ids)))]

	return cache, find, get


def test_an_email_matches_by_its_exact_key_through_the_indexed_email_table(globex_ap):
	cache, find, get = globex_ap

	assert match(MatchKeys.of(emails=[" AP@Globex.example "]), find, get).customer_ids == ("x-globex",)
	found = cache.run(search_contacts(cache.tables, "ap@globex.example"))
	assert [r["name"] for r in found] == ["x-globex"]
	plan = " ".join(
		str(tuple(r))
		for r in cache.db.execute(
			"EXPLAIN QUERY PLAN "
			+ contact_candidates(cache.tables, (), (), (), ("ap@globex.example",)).get_sql()
		)
	)
	assert "contact_email" in plan  # the address is looked up by the index, not by scanning contacts
	cache.db.execute('DELETE FROM "tabXero Contact Email"')  # the display column still holds the address
	assert not match(MatchKeys.of(emails=["ap@globex.example"]), find, get).matched


@pytest.mark.parametrize(
	"email",
	[
		"globex.example",
		"@globex.example",
		"ap@globex",
		"p@globex.example",
		"xap@globex.example",
		"ap@globex.example.evil",
		"ap@globex.example.com",
	],
)
def test_an_email_is_not_matched_by_a_fragment_or_a_superstring(globex_ap, email):
	cache, find, get = globex_ap
	assert not match(MatchKeys.of(emails=[email]), find, get).matched
	if "@" in email:
		assert cache.run(search_contacts(cache.tables, email)) == []


@pytest.mark.parametrize(
	"text, found",
	[
		("glob", ["x-globex"]),  # a part of a name
		("ap@globex.example", ["x-globex"]),  # the contact's own email, whole
		(" AP@Globex.Example ", ["x-globex"]),  # as typed: any case, spaces around
		("ap@globex", []),  # a part of an email finds nothing: emails are matched whole
		("globex.example", []),  # nor does the domain alone (it is in no name)
	],
)
def test_the_link_search_finds_a_name_by_a_part_and_an_email_whole(globex_ap, text, found):
	cache, _find, _get = globex_ap
	assert [r["name"] for r in cache.run(search_contacts(cache.tables, text))] == found


def test_the_link_search_finds_a_contact_persons_email_through_the_email_index():
	cache = SQLiteCache()
	cache.write_contacts(
		[XeroContact("x-globex", "Globex", person_emails=("Hank@Globex.example",), is_customer=True)]
	)
	query = search_contacts(cache.tables, "hank@GLOBEX.example")
	assert [r["name"] for r in cache.run(query)] == ["x-globex"]
	plan = " ".join(str(tuple(r)) for r in cache.db.execute("EXPLAIN QUERY PLAN " + query.get_sql()))
	assert "contact_email" in plan  # the address is looked up by its index
