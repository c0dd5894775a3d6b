"""Who may browse the cache through Frappe's own views (list, Report View, REST, frappe.client).

Reps see invoices only through the panel of a record they may read (xero_crm.api checks that). The
cache DocTypes are readable by System Manager and by "Xero Invoice Viewer", a role an admin grants on
purpose; supplier bills (ACCPAY) and their payments, and a supplier's credit (ACCPAYCREDIT, SPEND-*
overpayments and prepayments), are shown only to accounts roles on top of it. Nothing of a Xero
organisation mapped to a Company that a user's User Permissions on Company exclude is shown at all."""

import frappe

from xero_crm.constants import LINK, PIN
from xero_crm.xero.records import CUSTOMER_CREDIT_TYPES

BILL_ROLES = ("System Manager", "Accounts User", "Accounts Manager")
# May browse the cache in Frappe's views, and so the receivables built on it (xero_crm.receivables:
# the report "Xero Receivables by Customer", the Workspace "Xero"'s cards and aging chart).
CACHE_ROLES = ("System Manager", "Xero Invoice Viewer")


def sees_bills(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or bool(set(frappe.get_roles(user)) & set(BILL_ROLES))


def browses_cache(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or bool(set(frappe.get_roles(user)) & set(CACHE_ROLES))


def hidden_organisations(user: str | None = None) -> set[str] | None:
	"""Organisations a user's User Permissions on Company keep from them, or None where they see all."""
	from xero_crm.organisations import all_organisations, visible_organisations

	visible = visible_organisations(user)
	hidden = {o.name for o in all_organisations()} - visible
	return hidden or None


def _visible_rows(table: str, user: str | None) -> str | None:
	"""A condition keeping rows of the organisations the user may see (None: no restriction)."""
	hidden = hidden_organisations(user)
	if not hidden:
		return None
	names = ", ".join(frappe.db.escape(o) for o in sorted(hidden))
	return f"ifnull(`{table}`.`organisation`, '') not in ({names})"


def _all_of(*conditions: str | None) -> str:
	return " and ".join(f"({c})" for c in conditions if c)


def invoice_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	bills = None if sees_bills(user) else "`tabXero Invoice`.`invoice_type` = 'ACCREC'"
	return _all_of(bills, _visible_rows("tabXero Invoice", user))


def payment_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	invoices = invoice_query_conditions(user)
	if not invoices:
		return ""
	return f"`tabXero Invoice Payment`.`parent` in (select `name` from `tabXero Invoice` where {invoices})"


def credit_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""A supplier's credit (ACCPAYCREDIT, SPEND-*) is shown only to those who see bills."""
	customers = (
		None
		if sees_bills(user)
		else "`tabXero Credit`.`xero_type` in ('ACCRECCREDIT', 'RECEIVE-OVERPAYMENT', 'RECEIVE-PREPAYMENT')"
	)
	return _all_of(customers, _visible_rows("tabXero Credit", user))


def contact_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return _all_of(_visible_rows("tabXero Contact", user))


def pin_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return _all_of(_visible_rows("tabPinned Invoice", user))


def link_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return _all_of(_visible_rows("tabXero Contact Link", user))


def organisation_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	hidden = hidden_organisations(user)
	if not hidden:
		return ""
	names = ", ".join(frappe.db.escape(o) for o in sorted(hidden))
	return f"`tabXero Organisation`.`name` not in ({names})"


def _hidden(doc, user: str | None, field: str = "organisation") -> bool:
	hidden = hidden_organisations(user)
	return bool(hidden) and (doc.get(field) or "") in hidden


def credit_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	customer_side = doc.get("xero_type") in CUSTOMER_CREDIT_TYPES
	if _hidden(doc, user):
		return False
	return None if customer_side or sees_bills(user) else False


def invoice_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	# None: no opinion beyond the DocType's own permissions (Frappe treats False as a refusal).
	if _hidden(doc, user):
		return False
	return None if doc.get("invoice_type") != "ACCPAY" or sees_bills(user) else False


def organisation_row_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""Xero Contact, Pinned Invoice, Xero Contact Link: nothing of an organisation the user's Company
	restrictions hide."""
	return False if _hidden(doc, user) else None


def organisation_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	return False if _hidden(doc, user, "name") else None


def forget_record(doc, method=None) -> None:
	"""A deleted Contact, Customer or Opportunity takes its pins and manual links with it."""
	for doctype in (PIN, LINK):
		frappe.db.delete(doctype, {"reference_doctype": doc.doctype, "reference_name": doc.name})
