"""Who may browse the cache through Frappe's own views (list, Report View, REST, frappe.client).

Reps see invoices only through the panel of a record they may read (xero_crm.api checks that). The
cache DocTypes are readable by System Manager and by "Xero Invoice Viewer", a role an admin grants on
purpose; supplier bills (ACCPAY) and their payments, and a supplier's credit (ACCPAYCREDIT, SPEND-*
overpayments and prepayments), are shown only to accounts roles on top of it."""

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


def invoice_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	if sees_bills(user):
		return ""
	return "`tabXero Invoice`.`invoice_type` = 'ACCREC'"


def payment_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	if sees_bills(user):
		return ""
	return (
		"`tabXero Invoice Payment`.`parent` in "
		"(select `name` from `tabXero Invoice` where `invoice_type` = 'ACCREC')"
	)


def credit_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""A supplier's credit (ACCPAYCREDIT, SPEND-*) is shown only to those who see bills."""
	if sees_bills(user):
		return ""
	return "`tabXero Credit`.`xero_type` in ('ACCRECCREDIT', 'RECEIVE-OVERPAYMENT', 'RECEIVE-PREPAYMENT')"


def credit_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	customer_side = doc.get("xero_type") in CUSTOMER_CREDIT_TYPES
	return None if customer_side or sees_bills(user) else False


def invoice_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	# None: no opinion beyond the DocType's own permissions (Frappe treats False as a refusal).
	return None if doc.get("invoice_type") != "ACCPAY" or sees_bills(user) else False


def forget_record(doc, method=None) -> None:
	"""A deleted Contact, Customer or Opportunity takes its pins and manual links with it."""
	for doctype in (PIN, LINK):
		frappe.db.delete(doctype, {"reference_doctype": doc.doctype, "reference_name": doc.name})
