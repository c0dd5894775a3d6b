"""For the sales manager: receivables across customers, from the local cache (never a Xero call).

- The Script Report "Xero Receivables by Customer" (xero_crm/xero_crm/report/): one row per Customer
  the viewer may read that matches a Xero customer, per Xero organisation and currency: the aging
  buckets, total owed, overdue, credit available, last payment date, unpaid invoices. Customers are
  matched as the panel matches one (in each organisation on its own), a page of 500 at a time: a
  handful of queries per page, never one per Customer. An optional filter keeps one organisation.
- The Workspace "Xero": number cards (receivables, overdue, credit available) with each
  organisation's figure in its own base currency only (the cache keeps no exchange rate, so other
  currencies are left out, never converted, and two organisations are never added up) and an aging
  chart, one bar per organisation and currency, for the organisations' whole sales invoices.

Only desk users with a cache-browsing role (System Manager, Xero Invoice Viewer) see any of it: the
same people who may browse the Xero Invoice list. Everyone else gets a PermissionError. Of the
organisations, only those the viewer may see (organisations.visible_organisations: User Permissions
on Company) count anywhere."""

import html
import re

import frappe
from frappe import _
from frappe.utils import fmt_money

from xero_crm.cache import run, tables
from xero_crm.organisations import all_organisations, visible_organisations
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


def _visible() -> list[frappe._dict]:
	"""The organisations the session user may see, by name."""
	visible = visible_organisations()
	return [o for o in all_organisations() if o.name in visible]


def _label(org: frappe._dict) -> str:
	"""An organisation's name as the desk shows it: Xero's text, escaped (the report's Data column, the
	number cards and the chart's labels put what they are given into the page as HTML)."""
	return html.escape(org.organisation_name or org.name)


def _organisation(value, visible: list[frappe._dict]) -> str | None:
	"""The report's organisation filter: empty for all, else one the viewer may see."""
	if value in (None, ""):
		return None
	if not isinstance(value, str) or value not in {o.name for o in visible}:
		frappe.throw(_("Unknown Xero organisation."), frappe.ValidationError)
	return value


# ---- the report ----------------------------------------------------------------------------------


def report(filters: dict | None) -> tuple[list[dict], list[dict]]:
	"""The report's columns and rows (its execute() checks too: this is the door that matters)."""
	check_viewer()
	filters = frappe._dict(frappe.parse_json(filters) if isinstance(filters, str) else (filters or {}))
	currency = _currency(filters.get("currency"))
	overdue_only = bool(frappe.utils.cint(filters.get("overdue_only")))
	organisation = _organisation(filters.get("organisation"), _visible())
	return columns(), receivables_by_customer(currency, overdue_only, organisation)


def receivables_by_customer(
	currency: str | None = None, overdue_only: bool = False, organisation: str | None = None
) -> list[dict]:
	"""Rows for every Customer the session user may read (frappe.get_list applies the permission
	rules), a page at a time, per organisation the user may see (`organisation`: that one only) and
	currency."""
	if not frappe.db.exists("DocType", "Customer"):  # ERPNext not installed
		return []
	if not frappe.has_permission("Customer", "read"):  # a viewer who may read no Customer: no rows
		return []
	visible = {o.name: o for o in _visible()}
	allowed = {organisation} & set(visible) if organisation else set(visible)
	if not allowed:
		return []
	names = frappe.get_list("Customer", pluck="name", order_by="name asc", limit_page_length=0)
	rows = []
	today = _today()
	for start in range(0, len(names), PAGE):
		keys, links = customer_page(names[start : start + PAGE])
		found = receivables_for_records(
			run, tables(), today, keys, links, currency, overdue_only, allowed.__contains__
		)
		place = {record: i for i, record in enumerate(dict.fromkeys(r["record"] for r in found))}
		for row in sorted(
			found,
			key=lambda r: (
				place[r["record"]],
				(visible[r["organisation"]].organisation_name or "").casefold(),
				r["organisation"],
				r["currency"],
			),
		):
			row["customer"] = row.pop("record")
			row["organisation"] = _label(visible[row["organisation"]])
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
			"fieldname": "organisation",
			"label": _("Xero organisation"),
			"fieldtype": "Data",  # its name: the Xero Organisation DocType is for System Managers only
			"width": 180,
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


def _base_currency(org: frappe._dict) -> str | None:
	base = (org.base_currency or "").strip().upper()
	return base if _CURRENCY.fullmatch(base) else None


def _card(figure: str) -> str:
	"""Each organisation the viewer may see, its figure in its own base currency, never added across
	organisations: "Acme NZ: NZD 1,200.00 · Acme AU: AUD 300.00", or "NZD 1,200.00" for one."""
	orgs = [(o, base) for o in _visible() if (base := _base_currency(o))]
	if not orgs:
		return _("Not connected")
	found = {
		r["organisation"]: r[figure]
		for r in organisation_receivables(
			run, tables(), _today(), organisations={o.name: base for o, base in orgs}
		)
	}
	shown = [f"{base} {fmt_money(found.get(o.name, 0), precision=precision(base))}" for o, base in orgs]
	if len(orgs) == 1:
		return shown[0]
	return " · ".join(f"{_label(o)}: {amount}" for (o, _base), amount in zip(orgs, shown, strict=True))


@frappe.whitelist()
def organisation_choices() -> list[dict]:
	"""The report's organisation filter: the organisations the viewer may see, by name."""
	check_viewer()
	return [{"value": o.name, "label": o.organisation_name or o.name} for o in _visible()]


@frappe.whitelist()
def receivables_card(filters: str | dict | None = None) -> str:
	"""Number card "Receivables (base currency only)": what each organisation's customers owe."""
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
	"""The Dashboard Chart Source "Xero Aging": one stacked bar per organisation and currency (never
	added across either; labelled "Org · CUR" when the viewer sees several organisations), its
	segments the aging buckets of what the organisation's customers owe."""
	check_viewer()
	orgs = {o.name: o for o in _visible()}
	owed = [
		r for r in organisation_receivables(run, tables(), _today(), organisations=list(orgs)) if r["total"]
	]
	owed.sort(
		key=lambda r: (
			(orgs[r["organisation"]].organisation_name or "").casefold(),
			r["organisation"],
			r["currency"],
		)
	)
	several = len(orgs) > 1
	return {
		"labels": [
			f"{_label(orgs[r['organisation']])} · {r['currency']}" if several else r["currency"] for r in owed
		],
		"datasets": [
			{"name": _(BUCKET_LABELS[b]), "values": [float(r[b]) for r in owed]} for b in AGING_BUCKETS
		],
		"type": "bar",
	}
