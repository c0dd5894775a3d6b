"""The overdue heads-up: the summary's `overdue` (count, oldest days, per currency) through the real
grouped SQL on SQLite, and the Customer list's one-pass look-up for a whole page of records, matched
as the panel matches one (keys, links that win, merges followed, customers only)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.sqlite_cache import Counting, SQLiteCache, customer_keys
from tests.test_aging import TODAY
from tests.test_aging import invoice as aging_invoice
from xero_crm.xero.panel import Panel, overdue_for_records
from xero_crm.xero.records import XeroContact


def invoice(number, contact, days_overdue, amount, currency="NZD", **extra):
	return aging_invoice(number, days_overdue, amount, currency, contact=contact, **extra)


# Xero contacts of a page of Customers: by account number, a merge, by tax number, by name, a supplier
CONTACTS = (
	XeroContact("x-acme", "Acme Widgets Ltd", account_number="CUST-0001", is_customer=True),
	XeroContact("x-acme-old", "Acme (old)", merged_to="x-acme", status="ARCHIVED"),
	XeroContact("x-globex", "Globex", tax_number="12-345", is_customer=True),
	XeroContact("x-initech", "Initech", is_customer=True),
	XeroContact("x-supplier", "Supplier Co", is_customer=False),
)


@pytest.fixture
def cache():
	cache = SQLiteCache()
	cache.write_contacts(list(CONTACTS))
	cache.write_invoices(
		[
			invoice("A1", "x-acme", 45, "300.00"),
			invoice("A2", "x-acme", 3, "200.00"),
			invoice("A3", "x-acme", 0, "999.00"),  # due today: not overdue
			invoice("A4", "x-acme", None, "999.00"),  # no due date: not overdue
			invoice("A5", "x-acme", 12, "40.00", "USD"),
			invoice("A6", "x-acme", 90, "50.00", AmountDue=0, AmountPaid="50.00", Status="PAID"),
			invoice("A7", "x-acme", 90, "60.00", Status="DRAFT"),
			invoice("A8", "x-acme", 90, "70.00", Type="ACCPAY"),  # a bill: never overdue
			invoice("G1", "x-globex", 120, "1000", "JPY"),
			invoice("I1", "x-initech", 5, "10.00", AmountDue=0, AmountPaid="10.00", Status="PAID"),
			invoice("S1", "x-supplier", 30, "80.00"),
		]
	)
	return cache


NO_ORG = {"organisation": "", "organisation_name": ""}  # a cache of no organisation


def test_summary_says_how_many_are_overdue_per_currency_and_the_oldest(cache):
	overdue = Panel(cache.run, cache.tables, TODAY, "X").summary(("x-acme",), ())["overdue"]
	assert overdue == {
		"count": 3,
		"oldest_days": 45,
		"by_currency": [
			{"currency": "NZD", "count": 2, "amount": Decimal("500.00"), "oldest_days": 45, **NO_ORG},
			{"currency": "USD", "count": 1, "amount": Decimal("40.00"), "oldest_days": 12, **NO_ORG},
		],
	}


def test_summary_overdue_agrees_with_the_overdue_view_and_box(cache):
	summary = Panel(cache.run, cache.tables, TODAY, "X").summary(("x-acme", "x-globex"), ())
	overdue = summary["overdue"]
	assert overdue["count"] == summary["counts"]["overdue"] == 4
	assert overdue["oldest_days"] == 120
	boxes = {t["currency"]: t["overdue"] for t in summary["totals"] if t["overdue"]}
	assert {r["currency"]: r["amount"] for r in overdue["by_currency"]} == boxes
	assert overdue["by_currency"][0] == {
		"currency": "JPY",
		"count": 1,
		"amount": Decimal("1000"),  # no minor unit
		"oldest_days": 120,
		**NO_ORG,
	}


def test_nothing_overdue_is_an_empty_heads_up(cache):
	panel = Panel(cache.run, cache.tables, TODAY, "X")
	assert panel.summary(("x-initech",), ())["overdue"] == {
		"count": 0,
		"oldest_days": None,
		"by_currency": [],
	}
	assert panel.summary((), ())["overdue"]["count"] == 0


def test_oldest_days_move_with_today(cache):
	later = Panel(cache.run, cache.tables, TODAY + timedelta(days=10), "X").summary(("x-acme",), ())
	assert later["overdue"]["oldest_days"] == 55
	assert later["overdue"]["count"] == 4  # A3, due today then, is overdue ten days on


def test_a_page_of_customers_in_few_queries_whatever_its_size(cache):
	keys = {
		"CUST-A": customer_keys("CUST-A", "ACME WIDGETS LTD"),  # by name
		"CUST-0001": customer_keys("CUST-0001", "Widgets (account)"),  # ID = account number
		"CUST-T": customer_keys("CUST-T", "Tax Twin", "12-345"),  # tax number
		"Initech": customer_keys("Initech", "Initech"),  # nothing overdue
		"Supplier Co": customer_keys("Supplier Co", "Supplier Co"),  # not a customer in Xero
		**{f"Nobody {i}": customer_keys(f"Nobody {i}", f"Nobody {i}") for i in range(200)},
	}
	run = Counting(cache)
	found = overdue_for_records(run, cache.tables, TODAY, keys, {})
	assert run.queries == 2  # every record's keys, then one grouped pass over their invoices
	assert sorted(found) == ["CUST-0001", "CUST-A", "CUST-T"]
	assert found["CUST-A"]["count"] == 3 and found["CUST-A"]["oldest_days"] == 45
	assert found["CUST-A"]["by_currency"][0] == {
		"currency": "NZD",
		"count": 2,
		"amount": Decimal("500.00"),
		"oldest_days": 45,
		"organisation": "",
	}
	assert found["CUST-T"]["by_currency"] == [
		{"currency": "JPY", "count": 1, "amount": Decimal("1000"), "oldest_days": 120, "organisation": ""}
	]


def test_a_link_by_hand_wins_and_merges_are_followed(cache):
	keys = {"CUST-A": customer_keys("CUST-A", "Acme Widgets Ltd"), "Other": customer_keys("Other", "Other")}
	# CUST-A linked to Initech by hand: Acme's keys no longer count; Other linked to Acme's old contact
	links = {"CUST-A": ("x-initech",), "Other": ("x-acme-old",)}
	found = overdue_for_records(cache.run, cache.tables, TODAY, keys, links)
	assert sorted(found) == ["Other"]
	assert found["Other"]["count"] == 3


def test_no_records_no_invoice_query(cache):
	run = Counting(cache)
	assert (
		overdue_for_records(run, cache.tables, TODAY, {"Nobody": customer_keys("Nobody", "Nobody")}, {}) == {}
	)
	assert run.queries == 1
	assert overdue_for_records(run, cache.tables, TODAY, {}, {}) == {}
