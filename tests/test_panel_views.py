"""What the panel's lists add up to and how many each view holds under a search or dates, on the
fixture's invoices, through the same SQL the app runs: a search that finds nothing in one view says
where it finds something, and a box's total equals the list it opens."""

from datetime import date
from decimal import Decimal

import pytest

from tests.acme import acme_invoices
from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.panel import Panel, parse_list_args
from xero_crm.xero.semantics import AGING_VIEWS, LIST_VIEWS, PAID_TO_DATE, VIEWS, in_view

TODAY = date(2026, 11, 20)
ACME = ("c-acme",)
PINNED = ("i-002", "i-001")


@pytest.fixture(scope="module")
def invoices():
	return acme_invoices()


@pytest.fixture
def panel(invoices):
	cache = SQLiteCache()
	cache.write_invoices(list(invoices.values()))
	return Panel(cache.run, cache.tables, TODAY, "!aB3xY")


def listed(panel, view, **filters):
	result = panel.invoices(ACME, parse_list_args(view=view, page_length=100, **filters), PINNED)
	return result, sorted(i["invoice_number"] for i in result["invoices"])


def by_currency(rows, field):
	return {r["currency"]: r[field] for r in rows}


def test_a_search_in_the_open_view_says_which_views_hold_a_paid_invoice(panel):
	result, numbers = listed(panel, "open", search="a001")
	assert numbers == [] and result["filtered"]
	assert result["counts"] == {
		"open": 0,
		"unpaid": 0,
		"overdue": 0,
		"paid": 1,
		"pinned": 1,  # INV-A001 is pinned
		"all": 1,
		PAID_TO_DATE: 1,
		**dict.fromkeys(AGING_VIEWS, 0),  # a paid invoice is owed nothing
	}
	assert listed(panel, "paid", search="a001")[1] == ["INV-A001"]


@pytest.mark.parametrize(
	"filters",
	[
		{},
		{"search": "inv-a0"},
		{"search": "po 7731"},
		{"from_date": "2026-11-01"},
		{"to_date": "2026-10-31"},
		{"search": "a", "from_date": "2026-09-01", "to_date": "2026-11-16"},
		{"search": "nothing like it"},
	],
)
def test_each_views_count_under_a_search_and_dates_is_what_that_view_lists(panel, invoices, filters):
	counts = listed(panel, "open", **filters)[0]["counts"]
	assert set(counts) == set(LIST_VIEWS)
	for view in LIST_VIEWS:
		result, numbers = listed(panel, view, **filters)
		assert counts[view] == result["total_count"] == len(numbers), view
		assert result["counts"] == counts, "every view answers with the same counts"


def test_without_a_search_the_counts_are_the_summarys(panel):
	summary = panel.summary(ACME, PINNED)
	result = listed(panel, "all")[0]
	assert not result["filtered"]
	assert {v: result["counts"][v] for v in VIEWS} == summary["counts"]


def test_paid_to_date_lists_every_sales_invoice_with_a_payment_part_paid_included(panel, invoices):
	result, numbers = listed(panel, PAID_TO_DATE)
	# part-paid INV-A005 (open) and the fully paid ones; no draft, no bill, nothing unpaid and unpaid-for
	assert numbers == ["INV-A001", "INV-A005", "INV-A006"]
	expected = sorted(n for n, i in invoices.items() if in_view(i, PAID_TO_DATE, TODAY))
	assert numbers == expected, "the SQL and the semantics agree"
	shown = {i["invoice_number"]: i["amount_paid"] for i in result["invoices"]}
	assert shown["INV-A005"] == Decimal("600.00")


def boxed(panel, measure):
	"""A box's lines, as the panel shows them: one per currency with something in it."""
	return {t["currency"]: t[measure] for t in panel.summary(ACME, ())["totals"] if t[measure]}


def test_the_total_paid_box_equals_the_list_it_opens_per_currency(panel):
	box = boxed(panel, "paid")
	result, _numbers = listed(panel, PAID_TO_DATE)
	assert by_currency(result["list_totals"], "amount_paid") == box
	assert box == {"NZD": Decimal("1800.00"), "USD": Decimal("80.00")}  # gross paid, part-payments in
	rows: dict[str, Decimal] = {}
	for inv in result["invoices"]:
		rows[inv["currency"]] = rows.get(inv["currency"], Decimal(0)) + inv["amount_paid"]
	assert rows == box, "the rows shown add up to the box"
	# the Paid pill (fully paid only) is not what the box opens: it holds less
	assert by_currency(listed(panel, "paid")[0]["list_totals"], "amount_paid") == {
		"NZD": Decimal("1200.00"),
		"USD": Decimal("80.00"),
	}


@pytest.mark.parametrize("view, measure", [("unpaid", "unpaid"), ("overdue", "overdue")])
def test_the_unpaid_and_overdue_boxes_equal_their_lists(panel, view, measure):
	box = boxed(panel, measure)
	result, _numbers = listed(panel, view)
	assert by_currency(result["list_totals"], "amount_due") == box


def test_list_totals_leave_out_what_no_box_counts(panel):
	# All lists a bill, a draft and a voided invoice: its totals are the counted invoices' only
	result, numbers = listed(panel, "all")
	assert {"BILL-77", "INV-A007", "INV-A008"} <= set(numbers)
	nzd = next(t for t in result["list_totals"] if t["currency"] == "NZD")
	assert nzd["amount_due"] == Decimal("1100.00")  # the Unpaid box's NZD, not the bill's 60 or the draft
	assert nzd["count"] == 5


def test_list_totals_follow_the_search_and_dates(panel):
	result, numbers = listed(panel, PAID_TO_DATE, search="a005")
	assert numbers == ["INV-A005"]
	assert result["list_totals"] == [
		{
			"currency": "NZD",
			"count": 1,
			"amount_paid": Decimal("600.00"),
			"amount_due": Decimal("300.00"),
			"organisation": "",
			"organisation_name": "",
		}
	]
	assert listed(panel, PAID_TO_DATE, from_date="2027-01-01")[0]["list_totals"] == []


def test_pinned_counts_follow_the_search(panel):
	assert listed(panel, "pinned")[0]["counts"]["pinned"] == 2
	assert listed(panel, "pinned", search="a002")[0]["counts"]["pinned"] == 1
	assert listed(panel, "pinned", search="a010")[0]["counts"]["pinned"] == 0


def test_only_the_unfiltered_facts_are_kept_in_the_memo(invoices):
	cache = SQLiteCache()
	cache.write_invoices(list(invoices.values()))
	memo: dict = {}
	store = type(
		"Memo", (), {"get": lambda self, k: memo.get(k), "set": lambda self, k, v: memo.__setitem__(k, v)}
	)()
	panel = Panel(cache.run, cache.tables, TODAY, "X", memo=store, generation="1")
	panel.invoices(ACME, parse_list_args("open"), ())
	panel.summary(ACME, ())
	assert len(memo) == 1, "the summary and the unfiltered list share one kept result"
	panel.invoices(ACME, parse_list_args("open", search="a00"), ())
	panel.invoices(ACME, parse_list_args("open", from_date="2026-11-01"), ())
	assert len(memo) == 1, "a search is not kept"


def test_paid_to_date_is_a_view_a_caller_may_ask_for_but_not_a_pill(panel):
	assert parse_list_args(view="paid_to_date").view == PAID_TO_DATE
	assert PAID_TO_DATE not in panel.summary(ACME, ())["views"]
	assert set(panel.summary(ACME, ())["counts"]) == set(VIEWS)
