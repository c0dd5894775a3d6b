"""Receivables for a page of customers (the sales manager's report) and for the whole organisation
(the Workspace's cards and chart), through the real grouped SQL on SQLite: aging bucket boundaries,
currencies never mixed, bills, drafts and voided invoices left out, the last payment date, credit
available, and the same figures as the panel shows for the same customer. With several Xero
organisations in one cache: rows per organisation and currency, never added across organisations, and
an organisation the viewer may not see never matched, never summed."""

import ast
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tests.sqlite_cache import Counting, SQLiteCache, customer_keys
from tests.test_aging import BOUNDARIES, TODAY
from tests.test_aging import invoice as aging_invoice
from tests.test_headline import CONTACTS
from xero_crm.xero.cache_writer import CacheWriter
from xero_crm.xero.keys import cache_key
from xero_crm.xero.panel import Panel
from xero_crm.xero.receivables import organisation_receivables, receivables_for_records
from xero_crm.xero.records import XeroContact, parse_credit
from xero_crm.xero.semantics import AGING_BUCKETS


def invoice(number, contact, days_overdue, amount, currency="NZD", **extra):
	return aging_invoice(number, days_overdue, amount, currency, contact=contact, **extra)


def paid_on(day: date, amount: str, payment_id: str, status: str = "AUTHORISED") -> dict:
	return {
		"PaymentID": payment_id,
		"DateString": f"{day.isoformat()}T00:00:00",
		"Amount": amount,
		"Status": status,
	}


def credit(credit_id, contact, remaining, currency="NZD", xero_type="ACCRECCREDIT", status="AUTHORISED"):
	resource = {"ACCRECCREDIT": "CreditNotes", "ACCPAYCREDIT": "CreditNotes"}.get(xero_type)
	resource = resource or ("Overpayments" if "OVERPAYMENT" in xero_type else "Prepayments")
	id_field = {"CreditNotes": "CreditNoteID", "Overpayments": "OverpaymentID"}.get(resource, "PrepaymentID")
	return parse_credit(
		resource,
		{
			id_field: credit_id,
			"Type": xero_type,
			"CreditNoteNumber": credit_id.upper(),
			"Contact": {"ContactID": contact},
			"Status": status,
			"DateString": "2026-11-01T00:00:00",
			"CurrencyCode": currency,
			"Total": remaining,
			"RemainingCredit": remaining,
			"UpdatedDateUTC": "/Date(1794994200000+0000)/",
		},
	)


@pytest.fixture
def cache():
	cache = SQLiteCache()
	cache.write_contacts([*CONTACTS, XeroContact("x-bounds", "Boundary Ltd", is_customer=True)])
	early, late = TODAY - timedelta(days=40), TODAY - timedelta(days=3)
	cache.write_invoices(
		[
			invoice("A1", "x-acme", 45, "300.00"),
			invoice("A2", "x-acme", 3, "200.00"),
			invoice("A3", "x-acme", 0, "999.00"),  # due today: current
			invoice("A4", "x-acme", None, "1.00"),  # no due date: current
			invoice("A5", "x-acme", 12, "40.00", "USD"),
			invoice(
				"A6",
				"x-acme",
				90,
				"50.00",
				AmountDue=0,
				AmountPaid="50.00",
				Status="PAID",
				Payments=[paid_on(early, "20.00", "p-1"), paid_on(late, "30.00", "p-2")],
			),
			invoice("A7", "x-acme", 90, "60.00", Status="DRAFT"),
			invoice("A8", "x-acme", 90, "70.00", Status="VOIDED"),
			invoice(
				"A9",
				"x-acme",
				90,
				"80.00",
				Type="ACCPAY",  # a bill: never owed to us, its payments no customer's
				Payments=[paid_on(TODAY, "1.00", "p-bill")],
			),
			invoice(
				"A10",
				"x-acme",
				5,
				"10.00",
				"USD",
				AmountDue="10.00",
				Payments=[paid_on(TODAY - timedelta(days=1), "5.00", "p-del", "DELETED")],
			),
			invoice("G1", "x-globex", 120, "1000", "JPY"),
			invoice(
				"I1",
				"x-initech",
				5,
				"10.00",
				AmountDue=0,
				AmountPaid="10.00",
				Status="PAID",
				Payments=[paid_on(TODAY - timedelta(days=7), "10.00", "p-i1")],
			),
			invoice("S1", "x-supplier", 30, "80.00"),
			*(
				invoice(f"B{i:02}", "x-bounds", days, f"{10 * (i + 1)}.00")
				for i, (days, _bucket) in enumerate(BOUNDARIES)
			),
		]
	)
	cache.write_credits(
		[
			credit("cn-1", "x-acme", "100.00"),
			credit("op-1", "x-acme", "30.00", xero_type="RECEIVE-OVERPAYMENT"),
			credit("pp-1", "x-acme", "25.00", "USD", xero_type="RECEIVE-PREPAYMENT"),
			credit("cn-sup", "x-acme", "60.00", xero_type="ACCPAYCREDIT"),  # a supplier's: never
			credit("cn-draft", "x-acme", "10.00", status="DRAFT"),
			credit("cn-void", "x-acme", "20.00", status="VOIDED"),
		]
	)
	return cache


PAGE = {
	"CUST-A": customer_keys("CUST-A", "ACME WIDGETS LTD"),  # by name
	"CUST-0001": customer_keys("CUST-0001", "Widgets (account)"),  # ID = account number: the same contact
	"CUST-T": customer_keys("CUST-T", "Tax Twin", "12-345"),  # tax number
	"Initech": customer_keys("Initech", "Initech"),  # paid up: listed for its last payment
	"Supplier Co": customer_keys("Supplier Co", "Supplier Co"),  # not a customer in Xero
	"Boundary Ltd": customer_keys("Boundary Ltd", "Boundary Ltd"),
	"Nobody": customer_keys("Nobody", "Nobody"),
}


def rows_of(cache, page=PAGE, links=None, **kwargs):
	return receivables_for_records(cache.run, cache.tables, TODAY, page, links or {}, **kwargs)


def by_record(rows):
	found = {}
	for row in rows:
		found.setdefault(row["record"], {})[row["currency"]] = row
	return found


def test_one_row_per_customer_and_currency_never_adding_currencies(cache):
	found = by_record(rows_of(cache))
	assert sorted(found) == ["Boundary Ltd", "CUST-0001", "CUST-A", "CUST-T", "Initech"]
	assert sorted(found["CUST-A"]) == ["NZD", "USD"]
	nzd = found["CUST-A"]["NZD"]
	assert {b: nzd[b] for b in AGING_BUCKETS} == {
		"current": Decimal("1000.00"),  # A3 due today + A4 no due date
		"1_30": Decimal("200.00"),
		"31_60": Decimal("300.00"),
		"61_90": Decimal("0.00"),
		"90_plus": Decimal("0.00"),
	}
	assert (nzd["total"], nzd["overdue"], nzd["invoices"]) == (Decimal("1500.00"), Decimal("500.00"), 4)
	usd = found["CUST-A"]["USD"]
	assert (usd["total"], usd["1_30"], usd["invoices"]) == (Decimal("50.00"), Decimal("50.00"), 2)
	assert found["CUST-T"]["JPY"]["90_plus"] == Decimal("1000")  # no minor unit
	# two Customers matching one contact: each has its rows
	same = lambda rows: {c: {k: v for k, v in r.items() if k != "record"} for c, r in rows.items()}  # noqa: E731
	assert same(found["CUST-0001"]) == same(found["CUST-A"])


def test_bills_drafts_and_voided_invoices_are_never_owed(cache):
	nzd = by_record(rows_of(cache))["CUST-A"]["NZD"]
	assert nzd["90_plus"] == nzd["61_90"] == Decimal("0.00")  # A7 draft, A8 voided, A9 a bill
	org = {r["currency"]: r for r in organisation_receivables(cache.run, cache.tables, TODAY)}
	# the organisation's NZD: Acme's 1,500, the boundaries' 550, the supplier contact's sales invoice
	assert org["NZD"]["total"] == Decimal("1500.00") + Decimal("550.00") + Decimal("80.00")


@pytest.mark.parametrize(("index", "days_bucket"), list(enumerate(BOUNDARIES)))
def test_bucket_boundaries(cache, index, days_bucket):
	days, bucket = days_bucket
	row = by_record(rows_of(cache))["Boundary Ltd"]["NZD"]
	expected = sum(
		(Decimal(f"{10 * (i + 1)}.00") for i, (_d, b) in enumerate(BOUNDARIES) if b == bucket), Decimal(0)
	)
	assert row[bucket] == expected, (days, bucket)


def test_the_last_payment_date_is_the_latest_live_payment_on_a_sales_invoice(cache):
	found = by_record(rows_of(cache))
	# A6's second instalment; not the bill's payment today
	assert found["CUST-A"]["NZD"]["last_payment_date"] == TODAY - timedelta(days=3)
	assert found["CUST-A"]["USD"]["last_payment_date"] is None  # its only payment was deleted
	initech = found["Initech"]["NZD"]
	assert (initech["total"], initech["invoices"]) == (Decimal("0.00"), 0)
	assert initech["last_payment_date"] == TODAY - timedelta(days=7)


def test_credit_available_counts_authorised_customer_credit_only(cache):
	found = by_record(rows_of(cache))["CUST-A"]
	assert found["NZD"]["credit"] == Decimal("130.00")  # credit note 100 + overpayment 30
	assert found["USD"]["credit"] == Decimal("25.00")  # the prepayment, in its own currency
	org = {r["currency"]: r["credit"] for r in organisation_receivables(cache.run, cache.tables, TODAY)}
	assert org == {"JPY": Decimal("0"), "NZD": Decimal("130.00"), "USD": Decimal("25.00")}


def test_rows_equal_the_panels_totals_and_aging_for_the_same_customer(cache):
	summary = Panel(cache.run, cache.tables, TODAY, "X").summary(("x-acme",), ())
	rows = by_record(rows_of(cache))["CUST-A"]
	for totals in summary["totals"]:
		row = rows[totals["currency"]]
		assert (row["total"], row["overdue"], row["credit"]) == (
			totals["unpaid"],
			totals["overdue"],
			totals["credit"],
		)
	for aging in summary["aging"]:
		row = rows[aging["currency"]]
		assert [row[b["key"]] for b in aging["buckets"]] == [b["amount"] for b in aging["buckets"]]
		assert row["invoices"] == sum(b["count"] for b in aging["buckets"])


def test_filters_currency_and_overdue_only(cache):
	usd = rows_of(cache, currency="USD")
	assert {(r["record"], r["currency"]) for r in usd} == {("CUST-A", "USD"), ("CUST-0001", "USD")}
	overdue = by_record(rows_of(cache, overdue_only=True))
	assert "Initech" not in overdue  # nothing overdue
	assert all(r["overdue"] > 0 for rows in overdue.values() for r in rows.values())
	org = organisation_receivables(cache.run, cache.tables, TODAY, "JPY")
	assert [(r["currency"], r["90_plus"]) for r in org] == [("JPY", Decimal("1000"))]


def test_a_link_by_hand_wins_and_merged_contacts_are_followed(cache):
	found = by_record(rows_of(cache, {"Nobody": PAGE["Nobody"]}, {"Nobody": ("x-acme-old",)}))
	assert found["Nobody"]["NZD"]["total"] == Decimal("1500.00")  # followed to x-acme


def test_a_page_of_customers_costs_a_handful_of_queries_whatever_its_size(cache):
	page = {**PAGE, **{f"Nobody {i}": customer_keys(f"Nobody {i}", f"Nobody {i}") for i in range(300)}}
	run = Counting(cache)
	rows = receivables_for_records(run, cache.tables, TODAY, page, {})
	# the contacts behind every key, then owed, credit and last payments: one grouped query each
	assert run.queries == 4
	assert {r["record"] for r in rows} == {"Boundary Ltd", "CUST-0001", "CUST-A", "CUST-T", "Initech"}
	run = Counting(cache)
	assert receivables_for_records(run, cache.tables, TODAY, {"Nobody": PAGE["Nobody"]}, {}) == []
	assert run.queries == 1  # nothing matched: no invoice query at all


GLUE = Path(__file__).resolve().parent.parent / "xero_crm" / "receivables.py"


def test_every_whitelisted_receivables_method_checks_the_role_first():
	tree = ast.parse(GLUE.read_text())
	methods = [
		node
		for node in tree.body
		if isinstance(node, ast.FunctionDef)
		and any("whitelist" in ast.unparse(d) for d in node.decorator_list)
	]
	assert len(methods) == 5  # the three cards, the chart, the report's organisation choices
	for node in methods:
		body = node.body[1:] if isinstance(node.body[0], ast.Expr) else node.body
		assert ast.unparse(body[0]) == "check_viewer()", node.name
		assert not any("allow_guest" in ast.unparse(d) for d in node.decorator_list), node.name


# ---- several organisations in one cache -----------------------------------------------------------

NZ, AU = "tenant-nz", "tenant-au"


@pytest.fixture
def two_orgs():
	"""One cache holding two organisations (each written by its own writer, under its own cache
	keys). Acme is a customer in both, under the same Xero id; each organisation has an NZD invoice
	for it, so adding the two organisations' NZD would be wrong in a way the figures show."""
	cache = SQLiteCache()
	for org, invoices, credits in (
		(
			NZ,
			[
				invoice("NZ1", "x-acme", 10, "100.00"),  # 1–30
				invoice("NZ2", "x-acme", None, "7.00", "USD"),
				invoice("NZ3", "x-other", 45, "900.00"),  # another customer's
			],
			[credit("cn-nz", "x-acme", "11.00")],
		),
		(
			AU,
			[
				invoice("AU1", "x-acme", 0, "300.00", "AUD"),  # current
				invoice("AU2", "x-acme", 70, "40.00"),  # NZD again, in another organisation: 61–90
				invoice("AU3", "x-other", 95, "5.00", "AUD"),
			],
			[credit("cn-au", "x-acme", "13.00", "AUD")],
		),
	):
		writer = CacheWriter(cache.store, org)
		writer.write_contacts(
			[
				XeroContact("x-acme", "Acme Widgets Ltd", is_customer=True),
				XeroContact("x-other", "Other Customer Ltd", is_customer=True),
			]
		)
		writer.write_invoices(invoices)
		writer.write_credits(credits)
	return cache


def _by_org(rows):
	found = {}
	for row in rows:
		found.setdefault(row["record"], {})[(row["organisation"], row["currency"])] = row
	return found


ACME_PAGE = {"CUST-A": customer_keys("CUST-A", "Acme Widgets Ltd")}


def test_a_customer_of_two_organisations_has_rows_per_organisation_and_currency_never_summed(two_orgs):
	rows = receivables_for_records(two_orgs.run, two_orgs.tables, TODAY, ACME_PAGE, {})
	found = _by_org(rows)["CUST-A"]
	assert list(found) == [(AU, "AUD"), (AU, "NZD"), (NZ, "NZD"), (NZ, "USD")]  # in order, each its own
	assert (found[(NZ, "NZD")]["total"], found[(NZ, "NZD")]["1_30"]) == (Decimal("100.00"), Decimal("100.00"))
	assert (found[(AU, "NZD")]["total"], found[(AU, "NZD")]["61_90"]) == (Decimal("40.00"), Decimal("40.00"))
	assert (found[(NZ, "NZD")]["credit"], found[(AU, "AUD")]["credit"]) == (
		Decimal("11.00"),
		Decimal("13.00"),
	)
	assert (found[(AU, "AUD")]["current"], found[(NZ, "USD")]["current"]) == (
		Decimal("300.00"),
		Decimal("7.00"),
	)
	# no row adds the two organisations' NZD (140.00), and none is of no organisation
	assert Decimal("140.00") not in {r["total"] for r in rows}
	assert all(r["organisation"] in (NZ, AU) for r in rows)


def test_each_organisations_row_equals_the_panels_totals_for_that_organisation(two_orgs):
	ids = (cache_key(NZ, "x-acme"), cache_key(AU, "x-acme"))
	summary = Panel(two_orgs.run, two_orgs.tables, TODAY, "X").summary(ids, ())
	found = _by_org(receivables_for_records(two_orgs.run, two_orgs.tables, TODAY, ACME_PAGE, {}))["CUST-A"]
	assert {(t["organisation"], t["currency"]) for t in summary["totals"]} == set(found)
	for totals in summary["totals"]:
		row = found[(totals["organisation"], totals["currency"])]
		assert (row["total"], row["overdue"], row["credit"]) == (
			totals["unpaid"],
			totals["overdue"],
			totals["credit"],
		)


def test_an_organisation_not_allowed_is_never_matched_nor_listed(two_orgs):
	only_nz = {NZ}.__contains__
	rows = receivables_for_records(two_orgs.run, two_orgs.tables, TODAY, ACME_PAGE, {}, allowed=only_nz)
	assert {(r["record"], r["organisation"], r["currency"]) for r in rows} == {
		("CUST-A", NZ, "NZD"),
		("CUST-A", NZ, "USD"),
	}
	# a link by hand into the hidden organisation does not bring it back
	links = {"CUST-A": (cache_key(AU, "x-other"),)}
	rows = receivables_for_records(two_orgs.run, two_orgs.tables, TODAY, ACME_PAGE, links, allowed=only_nz)
	assert {r["organisation"] for r in rows} == {NZ}
	assert (
		receivables_for_records(
			two_orgs.run, two_orgs.tables, TODAY, ACME_PAGE, {}, allowed=lambda org: False
		)
		== []
	)


def test_a_link_by_hand_wins_in_its_own_organisation_only(two_orgs):
	links = {"CUST-A": (cache_key(AU, "x-other"),)}
	found = _by_org(receivables_for_records(two_orgs.run, two_orgs.tables, TODAY, ACME_PAGE, links))["CUST-A"]
	# in AU the link wins (x-other's AUD 5.00, not Acme's), in NZ the keys still match Acme
	assert found[(AU, "AUD")]["total"] == Decimal("5.00")
	assert (AU, "NZD") not in found
	assert found[(NZ, "NZD")]["total"] == Decimal("100.00")


def test_organisation_figures_are_per_organisation_and_currency_and_only_those_asked_for(two_orgs):
	both = organisation_receivables(two_orgs.run, two_orgs.tables, TODAY, organisations=[NZ, AU])
	totals = {(r["organisation"], r["currency"]): r["total"] for r in both}
	assert totals == {
		(AU, "AUD"): Decimal("305.00"),
		(AU, "NZD"): Decimal("40.00"),
		(NZ, "NZD"): Decimal("1000.00"),
		(NZ, "USD"): Decimal("7.00"),
	}
	# each organisation in its own base currency (the cards): one row each, nothing else counted
	base = organisation_receivables(
		two_orgs.run, two_orgs.tables, TODAY, organisations={NZ: "NZD", AU: "AUD"}
	)
	assert [(r["organisation"], r["currency"], r["total"], r["credit"]) for r in base] == [
		(AU, "AUD", Decimal("305.00"), Decimal("13.00")),
		(NZ, "NZD", Decimal("1000.00"), Decimal("11.00")),
	]
	# an organisation not asked for (one the viewer may not see) is absent, never added in
	only_nz = organisation_receivables(two_orgs.run, two_orgs.tables, TODAY, organisations=[NZ])
	assert {r["organisation"] for r in only_nz} == {NZ}
	assert {r["currency"]: r["total"] for r in only_nz}["NZD"] == Decimal("1000.00")
	nzd = organisation_receivables(two_orgs.run, two_orgs.tables, TODAY, "NZD", organisations=[NZ, AU])
	assert [(r["organisation"], r["total"]) for r in nzd] == [
		(AU, Decimal("40.00")),
		(NZ, Decimal("1000.00")),
	]
	run = Counting(two_orgs)
	assert organisation_receivables(run, two_orgs.tables, TODAY, organisations=[]) == []
	assert run.queries == 0  # no organisation to see: nothing asked of the database


def test_two_organisations_cost_no_more_queries_than_one(two_orgs):
	page = {**ACME_PAGE, **{f"Nobody {i}": customer_keys(f"Nobody {i}", f"Nobody {i}") for i in range(50)}}
	run = Counting(two_orgs)
	rows = receivables_for_records(run, two_orgs.tables, TODAY, page, {})
	assert run.queries == 4  # contacts, then owed, credit and last payments over both organisations
	assert {r["organisation"] for r in rows} == {NZ, AU}
