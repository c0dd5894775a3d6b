"""Views, totals, instalments and deep links on realistic Xero JSON: multi-currency, part-paid, paid
in instalments, overdue vs due today, drafts/voided/deleted, bills beside sales invoices, a credit note."""

from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest

from tests.acme import acme_invoices
from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.panel import InvalidArgument, Panel, parse_list_args
from xero_crm.xero.records import parse_timestamp
from xero_crm.xero.semantics import (
	LIST_VIEWS,
	VIEWS,
	CurrencyTotals,
	Kind,
	deep_link,
	display_status,
	in_view,
	instalments,
	present,
)


def totals(invoices, today) -> list[dict]:
	"""The reference totals, one invoice at a time, for the grouped SQL summary to agree with."""
	by_currency: dict[str, CurrencyTotals] = {}
	for inv in invoices:
		kind = Kind.of(inv, today)
		if kind.counted:
			by_currency.setdefault(inv.currency, CurrencyTotals(inv.currency)).add(
				kind, inv.amount_paid, inv.amount_due
			)
	return [by_currency[c].as_dict() for c in sorted(by_currency)]


TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def invoices():
	return acme_invoices()


@pytest.fixture
def panel(invoices):
	cache = SQLiteCache()
	cache.write_invoices(list(invoices.values()))
	cache.pin("Customer", "Acme", "i-002")
	return Panel(cache.run, cache.tables, TODAY, "!aB3xY"), cache


def numbers(view, invoices, pinned=()):
	return sorted(n for n, i in invoices.items() if in_view(i, view, TODAY, i.invoice_id in pinned))


def test_money_is_decimal_and_dates_are_dates(invoices):
	inv = invoices["INV-A005"]
	assert inv.total == Decimal("900.00") and isinstance(inv.amount_due, Decimal)
	assert inv.date == date(2026, 11, 4) and inv.due_date == date(2026, 12, 4)
	assert parse_timestamp("/Date(1700000000000+0000)/").isoformat() == "2023-11-14T22:13:20+00:00"


def test_overdue_excludes_invoices_due_today(invoices):
	assert in_view(invoices["INV-A003"], "open", TODAY)  # due 2026-11-20, today
	assert not in_view(invoices["INV-A003"], "overdue", TODAY)
	assert in_view(invoices["INV-A002"], "overdue", TODAY)  # due yesterday


def test_views_hold_what_a_rep_expects(invoices):
	assert numbers("open", invoices) == ["INV-A003", "INV-A005", "INV-A010"]
	assert numbers("overdue", invoices) == ["INV-A002", "INV-A012", "INV-A013"]
	assert "BILL-77" in numbers("all", invoices)  # a bill is listed, in All only
	assert all("BILL-77" not in numbers(v, invoices) for v in ("open", "unpaid", "overdue", "paid"))
	assert numbers("paid", invoices) == ["INV-A001", "INV-A006"]
	assert "INV-A007" not in numbers("unpaid", invoices)  # draft
	assert "INV-A009" not in numbers("all", invoices)  # deleted in Xero
	assert "INV-A008" in numbers("all", invoices)  # voided stays visible in All


def test_totals_are_per_currency_and_leave_out_drafts_voided_deleted_and_bills(invoices):
	result = {t["currency"]: t for t in totals(invoices.values(), TODAY)}
	assert result["NZD"] == {
		"currency": "NZD",
		"paid": Decimal("1800.00"),  # 600 part-paid + 1200 paid in instalments
		"unpaid": Decimal("1100.00"),  # 100 + 300 + 500 + 200 (after the 100 credit note)
		"overdue": Decimal("700.00"),  # 500 + 200; the 60 bill is not a sales invoice
		"credit": Decimal("0.00"),  # no unallocated credit (the credit note is allocated)
		"net": Decimal("1100.00"),  # unpaid − credit
	}
	assert result["USD"] == {
		"currency": "USD",
		"paid": Decimal("80.00"),
		"unpaid": Decimal("250.00"),
		"overdue": Decimal("0.00"),
		"credit": Decimal("0.00"),
		"net": Decimal("250.00"),
	}
	assert result["JPY"]["unpaid"] == Decimal("150000")  # no minor unit
	assert set(result) == {"NZD", "USD", "JPY"}


def test_instalments_are_numbered_by_date_for_part_paid_and_fully_paid_invoices(invoices):
	part_paid = instalments(invoices["INV-A005"])
	assert [(p["number"], p["date"], p["amount"]) for p in part_paid] == [
		(1, "2026-11-05", Decimal("200.00")),
		(2, "2026-11-08", Decimal("200.00")),
		(3, "2026-11-12", Decimal("200.00")),
	]
	assert display_status(invoices["INV-A005"], TODAY) == "Open · 3 instalments"
	assert display_status(invoices["INV-A001"], TODAY) == "Paid · 2 instalments"
	assert instalments(invoices["INV-A006"]) == []  # one payment is not instalments
	assert display_status(invoices["INV-A006"], TODAY) == "Paid"


def test_deep_link_opens_the_invoice_in_the_right_organisation(invoices):
	url = urlparse(deep_link(invoices["INV-A005"], "!aB3xY"))
	assert (url.scheme, url.netloc, url.path) == ("https", "go.xero.com", "/organisationlogin/default.aspx")
	assert "shortcode=%21aB3xY" in url.query
	query = parse_qs(url.query)
	assert query["redirecturl"] == ["/AccountsReceivable/View.aspx?InvoiceID=i-005"]
	assert "AccountsPayable" in deep_link(invoices["BILL-77"], "!aB3xY")


@pytest.mark.parametrize("view", LIST_VIEWS)  # the pills, Paid to date and the aging buckets
def test_sql_views_agree_with_the_semantics(panel, invoices, view):
	p, _cache = panel
	result = p.invoices(("c-acme",), parse_list_args(view=view, page_length=100), ("i-002",))
	assert sorted(i["invoice_number"] for i in result["invoices"]) == numbers(view, invoices, {"i-002"})
	assert result["total_count"] == len(result["invoices"])


def test_sql_totals_and_counts_agree_with_the_semantics(panel, invoices):
	p, _cache = panel
	summary = p.summary(("c-acme",), ("i-002",))
	no_org = {"organisation": "", "organisation_name": ""}  # a cache of no organisation
	assert summary["totals"] == [{**t, **no_org} for t in totals(invoices.values(), TODAY)]
	assert summary["counts"] == {v: len(numbers(v, invoices, {"i-002"})) for v in VIEWS}


def test_list_is_most_recent_first_and_pages(panel):
	p, _cache = panel
	first = p.invoices(("c-acme",), parse_list_args(view="all", page_length=3), ())
	second = p.invoices(("c-acme",), parse_list_args(view="all", start=3, page_length=3), ())
	dates = [i["date"] for i in first["invoices"] + second["invoices"]]
	assert dates == sorted(dates, reverse=True)
	assert first["total_count"] == 11
	assert first["invoices"][0]["invoice_number"] == "INV-A007"


def test_search_by_number_or_reference_is_data_not_sql(panel):
	p, _cache = panel
	assert [
		i["invoice_number"] for i in p.invoices(("c-acme",), parse_list_args("all", "a00"), ())["invoices"]
	][:2] == [
		"INV-A007",
		"INV-A005",
	]
	assert [
		i["invoice_number"]
		for i in p.invoices(("c-acme",), parse_list_args("all", "po 7731"), ())["invoices"]
	] == ["INV-A005"]
	for hostile in ("' OR '1'='1", "%", "_", '"; DROP TABLE "tabXero Invoice"; --'):
		assert p.invoices(("c-acme",), parse_list_args("all", hostile), ())["invoices"] == []


def test_date_range_filters_on_invoice_date(panel):
	p, _cache = panel
	args = parse_list_args("all", from_date="2026-11-01", to_date="2026-11-10")
	assert sorted(i["invoice_number"] for i in p.invoices(("c-acme",), args, ())["invoices"]) == [
		"BILL-77",
		"INV-A005",
		"INV-A008",
	]


def test_api_shape_has_every_contract_field(panel):
	p, _cache = panel
	inv = p.invoices(("c-acme",), parse_list_args("open"), ())["invoices"][1]
	assert set(inv) >= {
		"invoice_id", "invoice_number", "type", "date", "due_date", "status", "currency", "total",
		"amount_due", "amount_paid", "url", "pinned", "payments",
	}  # fmt: skip
	assert set(inv["payments"][0]) == {"number", "date", "amount", "reference"}


@pytest.mark.parametrize(
	"kwargs, message",
	[
		({"view": "everything"}, "Unknown view"),
		({"from_date": "20/11/2026"}, "YYYY-MM-DD"),
		({"to_date": "2026-13-01"}, "YYYY-MM-DD"),
		({"from_date": "2026-11-20", "to_date": "2026-11-01"}, "on or before"),
		({"start": -1}, "0 or more"),
		({"page_length": 0}, "at least 1"),
		({"page_length": 10_000}, "limited to 100"),
		({"start": "ten"}, "whole number"),
		({"start": 2**63}, "limited to"),
		({"search": "x" * 101}, "100 characters"),
	],
)
def test_bad_arguments_get_a_clear_error(kwargs, message):
	with pytest.raises(InvalidArgument, match=message):
		parse_list_args(**kwargs)


def test_a_kept_summary_is_reused_until_the_cache_changes(invoices):
	cache = SQLiteCache()
	cache.write_invoices(list(invoices.values()))
	queries_run = []

	def run(query):
		queries_run.append(query)
		return cache.run(query)

	memo: dict = {}
	store = type(
		"Memo", (), {"get": lambda self, k: memo.get(k), "set": lambda self, k, v: memo.__setitem__(k, v)}
	)()
	first = Panel(run, cache.tables, TODAY, "X", memo=store, generation="1").summary(("c-acme",), ())
	ran = len(queries_run)
	again = Panel(run, cache.tables, TODAY, "X", memo=store, generation="1").summary(("c-acme",), ())
	assert again == first and len(queries_run) == ran  # no query the second time
	Panel(run, cache.tables, TODAY, "X", memo=store, generation="2").summary(("c-acme",), ())
	assert len(queries_run) > ran  # the cache moved on: computed afresh
	Panel(run, cache.tables, TODAY, "X", memo=store, generation="2").summary(("c-acme",), ("i-002",))
	assert len(memo) == 3  # pins are part of what a summary depends on


def test_the_api_states_each_invoices_facts_so_the_panel_decides_nothing(invoices):
	facts = ("status_key", "instalment_count", "is_bill", "counted", "unpaid", "due")

	def of(number):
		shown = present(invoices[number], TODAY, "!aB3xY", False)
		return tuple(shown[f] for f in facts)

	assert of("INV-A005") == ("open", 3, False, True, True, "later")  # part-paid in three instalments
	assert of("INV-A003") == ("open", 0, False, True, True, "today")  # due today: still open
	assert of("INV-A002") == ("overdue", 0, False, True, True, "overdue")
	assert of("INV-A001") == ("paid", 2, False, True, False, None)
	assert of("INV-A007") == ("draft", 0, False, False, False, None)  # in no total
	assert of("BILL-77") == ("open", 0, True, False, True, "overdue")  # a bill: listed, never counted
	assert present(invoices["INV-A005"], TODAY, "X", False)["display_status"] == "Open · 3 instalments"
