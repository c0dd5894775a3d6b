"""Before a rep links a record to a Xero contact by hand: which CRM records already show that
contact's invoices. The connector's queries run on SQLite over the cache and a few CRM tables laid
out as Frappe's (text compared case-insensitively, as MariaDB's default collation does), and each
candidate is confirmed by matching it forwards, as the panel does."""

import pytest

from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.cache_rows import contact_from_row
from xero_crm.xero.matching import Match, MatchKeys, match, records_matching
from xero_crm.xero.panel import record_candidates
from xero_crm.xero.queries import contact_candidates, contacts_by_id, keyed_records
from xero_crm.xero.records import XeroContact

CRM_TABLES = {
	"Customer": ("customer_name", "tax_id"),
	"Contact": ("full_name", "email_id"),
	"Contact Email": ("email_id", "parent", "parenttype"),
	"Dynamic Link": ("link_doctype", "link_name", "parent", "parenttype"),
	"Opportunity": ("opportunity_from", "party_name", "customer_name", "contact_person", "contact_email"),
	"Lead": ("company_name", "email_id"),
	"Prospect": ("company_name",),
}
EVERY_DOCTYPE = frozenset({"Contact", "Customer", "Opportunity", "Lead", "Prospect"})


def crm(cache: SQLiteCache, doctype: str, *rows: dict) -> None:
	columns = ("name", *CRM_TABLES[doctype])
	for row in rows:
		values = [row.get(c) for c in columns]
		cache.db.execute(
			f'INSERT INTO "tab{doctype}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})',
			values,
		)


def link(cache: SQLiteCache, doctype: str, name: str, contact_id: str) -> None:
	cache.store.insert(
		"Xero Contact Link",
		[
			{
				"name": f"{doctype}:{name}",
				"reference_doctype": doctype,
				"reference_name": name,
				"xero_contact": contact_id,
			}
		],
	)


@pytest.fixture
def world():
	cache = SQLiteCache()
	for doctype, columns in CRM_TABLES.items():
		cols = ", ".join(f'"{c}" TEXT COLLATE NOCASE' for c in ("name", *columns))
		cache.db.execute(f'CREATE TABLE "tab{doctype}" ({cols})')
	cache.write_contacts(
		[
			XeroContact(
				"x-acme",
				"Acme Widgets Ltd",
				"accounts@acme.example",
				person_emails=("Jane@Acme.example",),
				account_number="CUST-0001",
				tax_number="12-345",
				is_customer=True,
			),
			XeroContact(
				"x-acme-old", "Acme (old)", "old@acme.example", merged_to="x-acme", status="ARCHIVED"
			),
			XeroContact("x-globex", "Globex", "ap@globex.example", is_customer=True),
		]
	)
	crm(
		cache,
		"Customer",
		{"name": "CUST-A", "customer_name": "ACME WIDGETS LTD"},  # by name, any case
		{"name": "CUST-0001", "customer_name": "Widgets (account)"},  # ID = Xero account number
		{"name": "CUST-T", "customer_name": "Tax Twin", "tax_id": "12-345"},
		{"name": "Globex", "customer_name": "Globex"},
	)
	crm(
		cache,
		"Contact",
		{"name": "Jane Smith", "full_name": "Jane Smith"},
		{"name": "Bob", "email_id": "ACCOUNTS@acme.example"},  # the primary email field only
		{"name": "Carol"},  # a contact of CUST-A, with no email of her own
		{"name": "Olga"},  # the merged contact's email
		{"name": "Eve"},
		{"name": "Dave"},
		{"name": "Zed"},
	)
	crm(
		cache,
		"Contact Email",
		{"name": "ce1", "email_id": "jane@acme.example", "parent": "Jane Smith", "parenttype": "Contact"},
		{"name": "ce2", "email_id": "old@acme.example", "parent": "Olga", "parenttype": "Contact"},
		{"name": "ce3", "email_id": "accounts@acme.example.evil", "parent": "Eve", "parenttype": "Contact"},
		{"name": "ce4", "email_id": "ap@globex.example", "parent": "Dave", "parenttype": "Contact"},
		{"name": "ce5", "email_id": "jane@acme.example", "parent": "Jane", "parenttype": "Lead"},
	)
	crm(
		cache,
		"Dynamic Link",
		{
			"name": "dl1",
			"link_doctype": "Customer",
			"link_name": "CUST-A",
			"parent": "Carol",
			"parenttype": "Contact",
		},
		{
			"name": "dl2",
			"link_doctype": "Customer",
			"link_name": "Globex",
			"parent": "Dave",
			"parenttype": "Contact",
		},
	)
	crm(
		cache,
		"Lead",
		{"name": "LEAD-1", "company_name": "acme widgets ltd"},
		{"name": "LEAD-2", "company_name": "Initech", "email_id": "ceo@initech.example"},
	)
	crm(
		cache,
		"Opportunity",
		{"name": "OPP-CUST", "opportunity_from": "Customer", "party_name": "CUST-A"},
		{
			"name": "OPP-PERSON",
			"opportunity_from": "Customer",
			"party_name": "Globex",
			"contact_person": "Jane Smith",
		},
		{
			"name": "OPP-EMAIL",
			"opportunity_from": "Lead",
			"party_name": "LEAD-2",
			"contact_email": "accounts@acme.example",
		},
		{"name": "OPP-LEAD", "opportunity_from": "Lead", "party_name": "LEAD-1"},
		{"name": "OPP-PROSPECT", "opportunity_from": "Prospect", "party_name": "Acme Widgets Ltd"},
		{"name": "OPP-OTHER", "opportunity_from": "Lead", "party_name": "LEAD-2"},
		{"name": "OPP-NAMED-LEAD", "opportunity_from": "Lead", "party_name": "Acme Widgets Ltd"},
	)
	link(cache, "Contact", "Zed", "x-acme")  # linked by hand
	link(cache, "Customer", "Globex", "x-acme-old")  # linked to a contact since merged into x-acme
	return cache


def candidates(cache, doctypes=EVERY_DOCTYPE, limit=50):
	contact, found = record_candidates(cache.run, cache.tables, "x-acme", doctypes, limit)
	return contact, found


def test_the_records_holding_a_xero_contacts_keys_are_found(world):
	contact, found = candidates(world)
	assert contact.name == "Acme Widgets Ltd"
	assert sorted(set(found)) == sorted(
		[
			("Contact", "Zed"),  # linked by hand
			("Customer", "Globex"),  # linked by hand to a contact merged into this one
			("Customer", "CUST-A"),  # its name, in another case
			("Customer", "CUST-0001"),  # its ID is the account number
			("Customer", "CUST-T"),  # the tax number
			("Contact", "Jane Smith"),  # a contact person's email, in another case
			("Contact", "Bob"),  # the primary email field
			("Contact", "Carol"),  # a contact of a matching Customer
			("Contact", "Olga"),  # the email of the contact merged into this one
			("Opportunity", "OPP-CUST"),  # its party is a matching Customer
			("Opportunity", "OPP-PERSON"),  # its contact person matches
			("Opportunity", "OPP-EMAIL"),  # its contact email
			("Opportunity", "OPP-LEAD"),  # its Lead's company name
			("Opportunity", "OPP-PROSPECT"),  # its Prospect's name
		]
	)
	# not a fragment of an email, not another customer's contact, not a Lead's own email row, not a
	# Lead opportunity whose party merely has the name
	assert not {("Contact", "Eve"), ("Contact", "Dave"), ("Opportunity", "OPP-OTHER")} & set(found)
	assert ("Opportunity", "OPP-NAMED-LEAD") not in found


def test_without_erpnext_only_contacts_are_looked_up(world):
	_contact, found = candidates(world, doctypes=frozenset({"Contact"}))
	assert {d for d, _n in found if (d, _n) != ("Customer", "Globex")} == {"Contact"}  # the link is kept
	assert ("Contact", "Carol") not in found, "no Customer to go through"
	assert ("Contact", "Jane Smith") in found


def test_each_kind_of_record_is_limited(world):
	_contact, found = candidates(world, limit=1)
	assert sum(1 for d, _n in found if d == "Customer") <= 2  # one link, one by keys
	assert sum(1 for d, _n in found if d == "Opportunity") == 1


def test_an_unknown_contact_has_no_candidates(world):
	assert record_candidates(world.run, world.tables, "x-nobody", EVERY_DOCTYPE) == (None, [])


def test_keys_that_match_nothing_make_no_query():
	cache = SQLiteCache()
	assert keyed_records(cache.tables, (), (), (), (), EVERY_DOCTYPE) == []


def _forwards(cache):
	"""The panel's forward matching for a Customer (its own keys) and a Contact (its emails, else
	its Customer), over the same tables: what party.resolve does on the bench."""

	def find(keys):
		q = contact_candidates(cache.tables, keys.names, keys.account_numbers, keys.tax_numbers, keys.emails)
		return [contact_from_row(r) for r in cache.run(q)]

	def get(ids):
		return [contact_from_row(r) for r in cache.run(contacts_by_id(cache.tables, tuple(ids)))]

	def rows(sql, *args):
		return [dict(r) for r in cache.db.execute(sql, args)]

	def customer_keys(name):
		(c,) = rows('SELECT * FROM "tabCustomer" WHERE name = ?', name)
		return MatchKeys.of(
			names=[c["customer_name"], name], account_numbers=[name], tax_numbers=[c["tax_id"]]
		)

	def resolve(doctype, name):
		links = rows(
			'SELECT xero_contact FROM "tabXero Contact Link" WHERE reference_doctype = ? AND reference_name = ?',
			doctype,
			name,
		)
		linked = tuple(r["xero_contact"] for r in links)
		if doctype == "Customer":
			return match(customer_keys(name), find, get, linked)
		emails = [
			r["email_id"] for r in rows('SELECT email_id FROM "tabContact Email" WHERE parent = ?', name)
		]
		emails += [r["email_id"] for r in rows('SELECT email_id FROM "tabContact" WHERE name = ?', name)]
		customers = rows('SELECT link_name FROM "tabDynamic Link" WHERE parent = ?', name)
		fallback = customer_keys(customers[0]["link_name"]) if customers else None
		return match(MatchKeys.of(emails=emails, fallback=fallback), find, get, linked)

	return resolve


def test_each_candidate_is_confirmed_by_matching_it_forwards(world):
	_contact, found = candidates(world)
	people = [c for c in found if c[0] in ("Customer", "Contact")]
	# Bob is linked by hand to another Xero contact: the link wins, he no longer shows Acme's invoices
	link(world, "Contact", "Bob", "x-globex")
	confirmed = records_matching(people, "x-acme", _forwards(world), lambda d, n: True)
	shown = {(d, n): m.how for d, n, m in confirmed}
	assert ("Contact", "Bob") not in shown
	assert shown[("Contact", "Zed")] == "link"
	assert shown[("Customer", "Globex")] == "link", "a link to a merged contact shows its survivor"
	assert shown[("Customer", "CUST-A")] == "keys"
	assert shown[("Contact", "Carol")] == "fallback"
	assert shown[("Contact", "Olga")] == "keys"
	assert {("Customer", "CUST-0001"), ("Customer", "CUST-T"), ("Contact", "Jane Smith")} <= set(shown)


def test_only_records_the_caller_may_read_are_confirmed_and_each_once():
	asked = []

	def resolve(doctype, name):
		asked.append(name)
		contacts = (XeroContact("x-acme", "Acme", is_customer=True),) if name != "elsewhere" else ()
		return Match(contacts, "keys")

	confirmed = records_matching(
		[("Contact", "a"), ("Contact", "secret"), ("Contact", "a"), ("Contact", "elsewhere")],
		"x-acme",
		resolve,
		lambda doctype, name: name != "secret",
	)
	assert [(d, n) for d, n, _m in confirmed] == [("Contact", "a")]
	assert asked == ["a", "elsewhere"], "a record the caller may not read is not even matched"
