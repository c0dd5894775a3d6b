"""What a CRM record offers to match against Xero contacts (names, account/tax numbers, emails),
read from Frappe. The rules that decide the match live in the connector's matching module.

Whoever may create a Contact, Lead or Opportunity could type another customer's email or name into
it. So keys typed on those records count only when everyone who wrote the record (its creator and
its last editor) may link Xero contacts by hand anyway; a Customer's own keys always count. A
Contact linked to a Customer still matches through that Customer."""

import frappe

from xero_crm.cache import ContactDirectory, run, tables
from xero_crm.constants import LINK
from xero_crm.xero.crm_matching import CRM_DOCTYPES
from xero_crm.xero.matching import MAX_KEYS, Match, MatchKeys, match_each_organisation, records_matching
from xero_crm.xero.panel import record_candidates
from xero_crm.xero.records import XeroContact

# The desk's doctypes, and Frappe CRM's where the `crm` app is installed (xero_crm/frappe_crm/).
SUPPORTED = ("Contact", "Customer", "Opportunity", *CRM_DOCTYPES)
# May link a record to a Xero contact by hand, so the keys they type are trusted as much.
LINKING_ROLES = ("Sales Manager", "System Manager")


def resolve(doctype: str, name: str, visible: set[str] | None = None, doc=None) -> Match:
	"""The record's Xero contacts in every organisation the session user may see (`visible`: tenant
	ids, from organisations.visible_organisations), each organisation matched on its own. `doc`: the
	record, already loaded (a Customer's keys are then read off it)."""
	from xero_crm.organisations import visible_organisations

	visible = visible_organisations() if visible is None else visible
	directory = ContactDirectory()
	linked = tuple(
		frappe.get_all(
			LINK,
			filters={"reference_doctype": doctype, "reference_name": name},
			pluck="xero_contact",
		)
	)
	keys = (
		customer_keys_of(name, doc.get("customer_name"), doc.get("tax_id"))
		if doctype == "Customer" and doc is not None and doc.name == name
		else keys_for(doctype, name)
	)
	return match_each_organisation(keys, directory.find, directory.get, linked, visible.__contains__)


def already_matching(
	contact_id: str, limit: int = 50
) -> tuple[XeroContact | None, list[tuple[str, str, Match]]]:
	"""The Xero contact and the records (doctype, name, match) that show its invoices today: found by
	the connector (links by hand, then records holding its keys), each confirmed by matching it
	forwards, only those the session user may read. (The caller has checked that the contact's
	organisation is one the session user may see.)"""
	doctypes = frozenset(d for d in (*SUPPORTED, "Lead", "Prospect") if has_doctype(d))
	contact, candidates = record_candidates(run, tables(), contact_id, doctypes, limit)
	candidates = [(d, n) for d, n in candidates if d in SUPPORTED and d in doctypes]
	return contact, records_matching(candidates, contact_id, resolve, _may_read)


def _may_read(doctype: str, name: str) -> bool:
	return bool(frappe.db.exists(doctype, name)) and bool(frappe.has_permission(doctype, "read", doc=name))


def keys_for(doctype: str, name: str) -> MatchKeys:
	if doctype == "Customer":
		return customer_keys(name)
	if doctype == "Contact":
		return _contact_keys(name)
	if doctype == "Opportunity":
		return _opportunity_keys(name)
	if doctype in CRM_DOCTYPES:
		from xero_crm.frappe_crm.party import crm_keys

		return crm_keys(doctype, name)
	return MatchKeys()


def customer_keys(name: str) -> MatchKeys:
	row = frappe.db.get_value("Customer", name, ["customer_name", "tax_id"], as_dict=True) or {}
	return customer_keys_of(name, row.get("customer_name"), row.get("tax_id"))


def customer_keys_of(name: str, customer_name: str | None, tax_id: str | None) -> MatchKeys:
	# The customer's ID doubles as an account number: many firms use the same code in both systems.
	return MatchKeys.of(names=[customer_name, name], account_numbers=[name], tax_numbers=[tax_id])


def customer_page(names: list[str]) -> tuple[dict[str, MatchKeys], dict[str, tuple[str, ...]]]:
	"""For a page of Customers, those the session user may read (frappe.get_list applies the
	permission rules): each one's keys and its manual links, in two queries."""
	readable = frappe.get_list(
		"Customer",
		filters={"name": ["in", names]},
		fields=["name", "customer_name", "tax_id"],
		limit_page_length=0,
	)
	keys = {r.name: customer_keys_of(r.name, r.customer_name, r.tax_id) for r in readable}
	links: dict[str, tuple[str, ...]] = {}
	if keys:
		for row in frappe.get_all(
			LINK,
			filters={"reference_doctype": "Customer", "reference_name": ["in", list(keys)]},
			fields=["reference_name", "xero_contact"],
		):
			links[row.reference_name] = (*links.get(row.reference_name, ()), row.xero_contact)
	return keys, links


def may_link(user: str) -> bool:
	return user == "Administrator" or bool(set(frappe.get_roles(user)) & set(LINKING_ROLES))


def written_by_linkers(doctype: str, name: str) -> bool:
	row = frappe.db.get_value(doctype, name, ["owner", "modified_by"], as_dict=True)
	return bool(row) and may_link(row.owner) and may_link(row.modified_by or row.owner)


def contact_emails(name: str) -> list[str]:
	"""The Contact's emails, primary first, when they may be trusted (see the module's note)."""
	if not written_by_linkers("Contact", name):
		return []
	primary = frappe.db.get_value("Contact", name, "email_id")
	emails = frappe.get_all(
		"Contact Email",
		filters={"parent": name, "parenttype": "Contact"},
		pluck="email_id",
		order_by="is_primary desc, idx asc",
		limit=MAX_KEYS,
	)
	return [primary, *emails]


def _contact_keys(name: str) -> MatchKeys:
	customers = frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Contact", "parent": name, "link_doctype": "Customer"},
		pluck="link_name",
	)
	fallback = None
	for customer in customers if has_doctype("Customer") else []:
		keys = customer_keys(customer)
		fallback = keys if fallback is None else fallback.combine(keys)
	return MatchKeys.of(emails=contact_emails(name), fallback=fallback)


def _opportunity_keys(name: str) -> MatchKeys:
	opp = frappe.db.get_value(
		"Opportunity",
		name,
		["opportunity_from", "party_name", "contact_person", "contact_email", "customer_name"],
		as_dict=True,
	)
	if not opp:
		return MatchKeys()
	trusted = written_by_linkers("Opportunity", name)
	keys = MatchKeys.of(emails=[opp.contact_email] if trusted else [])
	if opp.party_name:
		keys = keys.combine(_party_keys(opp, trusted))
	if opp.contact_person:
		keys = keys.combine(MatchKeys.of(emails=contact_emails(opp.contact_person)))
	return keys


def _party_keys(opp, opportunity_trusted: bool) -> MatchKeys:
	"""The Opportunity's party: a Customer's own keys always; a Lead's or a Prospect's when trusted."""
	party = opp.party_name
	if opp.opportunity_from == "Customer":
		return customer_keys(party)
	if opp.opportunity_from == "Lead" and written_by_linkers("Lead", party):
		lead = frappe.db.get_value("Lead", party, ["email_id", "company_name"], as_dict=True) or {}
		return MatchKeys.of(names=[lead.get("company_name")], emails=[lead.get("email_id")])
	if opp.opportunity_from == "Prospect" and opportunity_trusted and written_by_linkers("Prospect", party):
		return MatchKeys.of(names=[party, opp.customer_name])
	return MatchKeys()


def has_doctype(doctype: str) -> bool:
	return bool(frappe.db.exists("DocType", doctype))
