"""Aging: what a customer owes, per currency, by days overdue (today − due date): current, 1–30,
31–60, 61–90, 90+. The boundaries through the real SQL on SQLite (the summary's grouped query and
each bucket's list) and through the per-invoice rule, which must give the same answers."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.acme import acme_invoices
from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.panel import Panel, parse_list_args
from xero_crm.xero.records import parse_invoice
from xero_crm.xero.semantics import (
	AGING_BUCKETS,
	AGING_VIEWS,
	CurrencyAging,
	Kind,
	aging_bucket,
	in_view,
	overdue_days,
)

TODAY = date(2026, 11, 20)
CONTACT = "c-aging"

# days overdue → the bucket it belongs to (negative: not yet due)
BOUNDARIES = [
	(-10, "current"),
	(0, "current"),  # due today
	(1, "1_30"),
	(30, "1_30"),
	(31, "31_60"),
	(60, "31_60"),
	(61, "61_90"),
	(90, "61_90"),
	(91, "90_plus"),
	(400, "90_plus"),
]


def invoice(number, days_overdue, amount, currency="NZD", contact=CONTACT, **extra):
	"""An unpaid sales invoice so many days overdue (None: no due date), as of TODAY."""
	due = None if days_overdue is None else TODAY - timedelta(days=days_overdue)
	data = {
		"Type": "ACCREC",
		"InvoiceID": f"i-{number}",
		"InvoiceNumber": number,
		"Contact": {"ContactID": contact},
		"DateString": "2026-01-01T00:00:00",
		"Status": "AUTHORISED",
		"Total": amount,
		"AmountDue": amount,
		"AmountPaid": 0,
		"CurrencyCode": currency,
		"UpdatedDateUTC": "/Date(1794994200000+0000)/",
	}
	if due is not None:
		data["DueDateString"] = f"{due.isoformat()}T00:00:00"
	data.update(extra)
	return parse_invoice(data)


def boundary_invoices():
	found = [invoice(f"B{i:02}", days, f"{10 * (i + 1)}.00") for i, (days, _b) in enumerate(BOUNDARIES)]
	found.append(invoice("NODUE", None, "5.00"))
	# the same days in another currency: never added to NZD
	found += [invoice(f"U{i:02}", days, "1.50", "USD") for i, (days, _b) in enumerate(BOUNDARIES)]
	found.append(invoice("JPY-91", 91, "1000", "JPY"))
	# owed nothing, or not counted: in no bucket
	found.append(invoice("PAID-45", 45, "70.00", AmountDue=0, AmountPaid="70.00", Status="PAID"))
	found.append(invoice("DRAFT-45", 45, "80.00", Status="DRAFT"))
	found.append(invoice("VOID-45", 45, "85.00", Status="VOIDED"))
	found.append(invoice("BILL-45", 45, "90.00", Type="ACCPAY"))
	return found


@pytest.fixture(scope="module")
def invoices():
	return boundary_invoices()


@pytest.fixture
def panel(invoices):
	cache = SQLiteCache()
	cache.write_invoices(invoices)
	return Panel(cache.run, cache.tables, TODAY, "X")


def reference_aging(invoices, today=TODAY) -> list[dict]:
	"""The aging one invoice at a time, for the grouped SQL to agree with."""
	by_currency: dict[str, CurrencyAging] = {}
	for inv in invoices:
		by_currency.setdefault(inv.currency, CurrencyAging(inv.currency)).add(
			Kind.of(inv, today), inv.amount_due
		)
	# a cache of no organisation: every row names organisation "" (its name unknown)
	no_org = {"organisation": "", "organisation_name": ""}
	return [{**by_currency[c].as_dict(), **no_org} for c in sorted(by_currency) if by_currency[c].owed]


def buckets(aging, currency):
	row = next(r for r in aging if r["currency"] == currency)
	return {b["key"]: (b["amount"], b["count"]) for b in row["buckets"]}


def listed(panel, view):
	result = panel.invoices((CONTACT,), parse_list_args(view=view, page_length=100), ())
	return result, sorted(i["invoice_number"] for i in result["invoices"])


@pytest.mark.parametrize("days, bucket", BOUNDARIES)
def test_the_per_invoice_rule_at_each_boundary(days, bucket):
	assert aging_bucket(days) == bucket
	inv = invoice("X", days, "1.00")
	assert overdue_days(inv.due_date, TODAY) == days
	assert Kind.of(inv, TODAY).aging == bucket
	assert in_view(inv, f"aging_{bucket}", TODAY)
	assert [v for v in AGING_VIEWS if in_view(inv, v, TODAY)] == [f"aging_{bucket}"], "one bucket only"
	assert in_view(inv, "overdue", TODAY) == (bucket != "current")


def test_no_due_date_is_current():
	assert aging_bucket(None) == "current"
	assert Kind.of(invoice("X", None, "1.00"), TODAY).aging == "current"


@pytest.mark.parametrize("days, bucket", BOUNDARIES)
def test_the_sql_puts_each_boundary_in_its_bucket_and_list(panel, days, bucket):
	number = f"B{[d for d, _b in BOUNDARIES].index(days):02}"
	for view in AGING_VIEWS:
		assert (number in listed(panel, view)[1]) == (view == f"aging_{bucket}"), view


def test_the_summarys_aging_through_sql_equals_the_per_invoice_reference(panel, invoices):
	aging = panel.summary((CONTACT,), ())["aging"]
	assert aging == reference_aging(invoices)
	assert [r["currency"] for r in aging] == ["JPY", "NZD", "USD"]
	nzd = buckets(aging, "NZD")
	assert nzd == {
		"current": (Decimal("35.00"), 3),  # not yet due 10 + due today 20 + no due date 5
		"1_30": (Decimal("70.00"), 2),  # 1 day 30 + 30 days 40
		"31_60": (Decimal("110.00"), 2),  # 50 + 60; the paid, draft, voided and bill at 45 days: none
		"61_90": (Decimal("150.00"), 2),
		"90_plus": (Decimal("190.00"), 2),
	}
	assert [b["key"] for b in aging[1]["buckets"]] == list(AGING_BUCKETS)


def test_currencies_are_never_mixed(panel):
	aging = panel.summary((CONTACT,), ())["aging"]
	usd = buckets(aging, "USD")
	assert usd["current"] == (Decimal("3.00"), 2) and usd["90_plus"] == (Decimal("3.00"), 2)
	assert buckets(aging, "JPY") == {
		"current": (Decimal("0"), 0),
		"1_30": (Decimal("0"), 0),
		"31_60": (Decimal("0"), 0),
		"61_90": (Decimal("0"), 0),
		"90_plus": (Decimal("1000"), 1),  # no minor unit, like the totals
	}
	for view in AGING_VIEWS:  # each list's totals stay per currency and equal its segment
		result, _numbers = listed(panel, view)
		key = view.removeprefix("aging_")
		by_currency = {t["currency"]: (t["amount_due"], t["count"]) for t in result["list_totals"]}
		expected = {r["currency"]: buckets(aging, r["currency"])[key] for r in aging}
		assert by_currency == {c: v for c, v in expected.items() if v[1]}, view
		assert result["total_count"] == sum(v[1] for v in expected.values())


def fixture_invoices():
	return list(acme_invoices().values())


@pytest.mark.parametrize("source", ["boundaries", "fixture"])
@pytest.mark.parametrize("today", [TODAY, TODAY + timedelta(days=45), TODAY + timedelta(days=200)])
def test_overdue_is_the_four_overdue_buckets_and_unpaid_all_five(source, today):
	found = boundary_invoices() if source == "boundaries" else fixture_invoices()
	cache = SQLiteCache()
	cache.write_invoices(found)
	contacts = tuple({inv.contact_id for inv in found})
	summary = Panel(cache.run, cache.tables, today, "X").summary(contacts, ())
	assert summary["aging"] == reference_aging(found, today)
	totals = {t["currency"]: t for t in summary["totals"]}
	for row in summary["aging"]:
		amounts = {b["key"]: b["amount"] for b in row["buckets"]}
		box = totals[row["currency"]]
		assert box["overdue"] == sum(amounts[k] for k in AGING_BUCKETS[1:])
		assert box["unpaid"] == sum(amounts.values())
	owed = {c for c, t in totals.items() if t["unpaid"]}
	assert {r["currency"] for r in summary["aging"]} == owed, "a currency with nothing owed has no bar"


def test_aging_views_are_lists_a_caller_may_ask_for_but_not_pills(panel):
	summary = panel.summary((CONTACT,), ())
	for view in AGING_VIEWS:
		assert parse_list_args(view=view).view == view
		assert view not in summary["views"] and view not in summary["counts"]
	assert listed(panel, "aging_current")[1] == listed(panel, "open")[1]
