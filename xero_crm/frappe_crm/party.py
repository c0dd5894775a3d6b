"""What a Frappe CRM record offers to match against Xero contacts, read from Frappe. The rules are the
connector's (xero_crm/xero/crm_matching.py); the trust rule is the desk's (xero_crm/party.py): keys a
rep types count only when the record's creator and last editor may link Xero contacts by hand."""

import frappe

from xero_crm.party import contact_emails, customer_keys, has_doctype, written_by_linkers
from xero_crm.xero.crm_matching import DEAL, LEAD, ORGANIZATION, deal_keys, lead_keys, organization_keys
from xero_crm.xero.matching import MAX_KEYS, MatchKeys


def crm_keys(doctype: str, name: str) -> MatchKeys:
	if doctype == ORGANIZATION:
		return _organization_keys(name)
	if doctype == DEAL:
		return _deal_keys(name)
	if doctype == LEAD:
		lead = frappe.db.get_value(LEAD, name, ["email", "organization"], as_dict=True) or {}
		return lead_keys(lead.get("email"), lead.get("organization"), written_by_linkers(LEAD, name))
	return MatchKeys()


def _organization_keys(name: str) -> MatchKeys:
	org_name = frappe.db.get_value(ORGANIZATION, name, "organization_name") or name
	customer = None
	if has_doctype("Customer"):
		found = frappe.db.get_value("Customer", {"customer_name": org_name}, "name")
		customer = customer_keys(found) if found else None
	contacts = frappe.get_all(
		"Contact", filters={"company_name": org_name}, pluck="name", order_by="creation asc", limit=MAX_KEYS
	)
	emails = [e for c in contacts for e in contact_emails(c)]
	return organization_keys(org_name, written_by_linkers(ORGANIZATION, name), customer, emails)


def _deal_keys(name: str) -> MatchKeys:
	deal = frappe.get_doc(DEAL, name)
	organization = _organization_keys(deal.organization) if deal.organization else None
	contacts = sorted(deal.get("contacts") or [], key=lambda row: (not row.is_primary, row.idx))
	emails = [e for row in contacts if row.contact for e in contact_emails(row.contact)]
	return deal_keys(_integration_customer(deal), organization, emails)


def _integration_customer(deal) -> MatchKeys | None:
	"""The ERPNext Customer Frappe CRM's ERPNext integration made for the deal (Customer.crm_deal,
	else the deal's erpnext_customer): set by the integration, so it always counts."""
	if not has_doctype("Customer"):
		return None
	customer = None
	if frappe.get_meta("Customer").has_field("crm_deal"):
		customer = frappe.db.get_value("Customer", {"crm_deal": deal.name}, "name")
	if not customer and deal.get("erpnext_customer") and frappe.db.exists("Customer", deal.erpnext_customer):
		customer = deal.erpnext_customer
	return customer_keys(customer) if customer else None
