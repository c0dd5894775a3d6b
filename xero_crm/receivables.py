"""For the sales manager: receivables across customers, from the local cache (never a Xero call).

- The Script Report "Xero Receivables by Customer" (xero_crm/xero_crm/report/): one row per Customer
  the viewer may read that matches a Xero customer, per currency: the aging buckets, total owed,
  overdue, credit available, last payment date, unpaid invoices. Customers are matched as the panel
  matches one, a page of 500 at a time: a handful of queries per page, never one per Customer.
- The Workspace "Xero": number cards (receivables, overdue, credit available) in the organisation's
  base currency only (the cache keeps no exchange rate, so other currencies are left out, never
  converted) and an aging chart, one bar per currency, for the whole organisation's sales invoices.

Only desk users with a cache-browsing role (System Manager, Xero Invoice Viewer) see any of it: the
same people who may browse the Xero Invoice list. Everyone else gets a PermissionError."""

import re

import frappe
from frappe import _
from frappe.utils import fmt_money

from xero_crm.cache import run, tables
from xero_crm.constants import SETTINGS
from xero_crm.party import customer_page
from xero_crm.permissions import browses_cache
from xero_crm.xero.receivables import organisation_receivables, receivables_for_records
from xero_crm.xero.semantics import AGING_BUCKETS, precision

PAGE = 500  # Customers matched per round of queries (as the Customer list's overdue_for)
BUCKET_LABELS = {
	"current": "Current",
	"1_30": "1–30",
	"31_60": "31–60",
	"61_90": "61–90",
	"90_plus": "90+",
}
_CURRENCY = re.compile(r"[A-Z]{3}")


def check_viewer() -> None:
	"""Desk users with a cache-browsing role; portal users, guests and sales-only roles: refused."""
	user = frappe.session.user
	desk = user != "Guest" and frappe.get_cached_value("User", user, "user_type") == "System User"
	if not (desk and browses_cache(user)):
		frappe.throw(
			_(
				"Xero receivables are for a System Manager or a Xero Invoice Viewer. Ask an admin for the role."
			),
			frappe.PermissionError,
		)


def _today():
	return frappe.utils.getdate(frappe.utils.nowdate())  # looked up per call: tests fix the day


def _currency(value) -> str | None:
	currency = (value or "").strip().upper() if isinstance(value, str) else None
	if currency and not _CURRENCY.fullmatch(currency):
		frappe.throw(_("Currency must be a three-letter code, like NZD."), frappe.ValidationError)
	return currency or None


# ---- the report ----------------------------------------------------------------------------------


def report(filters: dict | None) -> tuple[list[dict], list[dict]]:
	"""The report's columns and rows (its execute() checks too: this is the door that matters)."""
	check_viewer()
	filters = frappe._dict(frappe.parse_json(filters) if isinstance(filters, str) else (filters or {}))
	currency = _currency(filters.get("currency"))
	overdue_only = bool(frappe.utils.cint(filters.get("overdue_only")))
	return columns(), receivables_by_customer(currency, overdue_only)


def receivables_by_customer(currency: str | None = None, overdue_only: bool = False) -> list[dict]:
	"""Rows for every Customer the session user may read (frappe.get_list applies the permission
	rules), a page at a time."""
	if not frappe.db.exists("DocType", "Customer"):  # ERPNext not installed
		return []
	if not frappe.has_permission("Customer", "read"):  # a viewer who may read no Customer: no rows
		return []
	names = frappe.get_list("Customer", pluck="name", order_by="name asc", limit_page_length=0)
	rows = []
	today = _today()
	for start in range(0, len(names), PAGE):
		keys, links = customer_page(names[start : start + PAGE])
		for row in receivables_for_records(run, tables(), today, keys, links, currency, overdue_only):
			row["customer"] = row.pop("record")
			rows.append(row)
	return rows


def columns() -> list[dict]:
	money = {"fieldtype": "Currency", "options": "currency", "width": 120}
	return [
		{
			"fieldname": "customer",
			"label": _("Customer"),
			"fieldtype": "Link",
			"options": "Customer",
			"width": 220,
		},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Data",  # a Link would have Frappe check read on Currency, which a viewer may lack
			"width": 80,
		},
		*({"fieldname": b, "label": _(BUCKET_LABELS[b]), **money} for b in AGING_BUCKETS),
		{"fieldname": "total", "label": _("Total owed"), **money},
		{"fieldname": "overdue", "label": _("Overdue"), **money},
		{"fieldname": "credit", "label": _("Credit available"), **money},
		{
			"fieldname": "last_payment_date",
			"label": _("Last payment date"),
			"fieldtype": "Date",
			"width": 110,
		},
		{"fieldname": "invoices", "label": _("Unpaid invoices"), "fieldtype": "Int", "width": 90},
	]


# ---- the Workspace: number cards and the aging chart ---------------------------------------------


def _base_currency() -> str | None:
	base = (frappe.db.get_single_value(SETTINGS, "base_currency") or "").strip().upper()
	return base if _CURRENCY.fullmatch(base) else None


def _card(figure: str) -> str:
	"""One number in the base currency, as the card shows it: "NZD 12,345.00"."""
	base = _base_currency()
	if not base:
		return _("Not connected")
	found = organisation_receivables(run, tables(), _today(), base)
	amount = found[0][figure] if found else 0
	return f"{base} {fmt_money(amount, precision=precision(base))}"


@frappe.whitelist()
def receivables_card(filters: str | dict | None = None) -> str:
	"""Number card "Receivables (base currency only)": what the organisation's customers owe."""
	check_viewer()
	return _card("total")


@frappe.whitelist()
def overdue_card(filters: str | dict | None = None) -> str:
	"""Number card "Overdue (base currency only)": what is owed past its due date."""
	check_viewer()
	return _card("overdue")


@frappe.whitelist()
def credit_card(filters: str | dict | None = None) -> str:
	"""Number card "Credit available (base currency only)": customers' unallocated credit."""
	check_viewer()
	return _card("credit")


@frappe.whitelist()
def aging_chart(
	chart_name: str | None = None,
	filters: str | dict | None = None,
	refresh: str | int | None = None,
	from_date: str | None = None,
	to_date: str | None = None,
	timespan: str | None = None,
	time_interval: str | None = None,
	heatmap_year: str | int | None = None,
) -> dict:
	"""The Dashboard Chart Source "Xero Aging": one stacked bar per currency (never added across
	currencies), its segments the aging buckets of what the organisation's customers owe."""
	check_viewer()
	owed = [r for r in organisation_receivables(run, tables(), _today()) if r["total"]]
	return {
		"labels": [r["currency"] for r in owed],
		"datasets": [
			{"name": _(BUCKET_LABELS[b]), "values": [float(r[b]) for r in owed]} for b in AGING_BUCKETS
		],
		"type": "bar",
	}
