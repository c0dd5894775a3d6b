"""What the form panel calls. Every method checks the caller's permission on the record first, and
reads only the local cache: a rep's view never waits on Xero and costs no Xero call."""

import frappe
from frappe import _
from frappe.utils import now_datetime

from xero_crm.cache import run, tables
from xero_crm.constants import CONTACT, INVOICE, LINK, PIN
from xero_crm.organisations import (
	active_organisations,
	all_organisations,
	org_infos,
	organisation_of_company,
	read_once,
	record_company,
	require_visible,
	visible_organisations,
)
from xero_crm.party import SUPPORTED, already_matching, customer_page, may_link, resolve
from xero_crm.redis_stores import RedisMemo, generation
from xero_crm.settings import endpoints
from xero_crm.xero.cache_rows import contact_from_row
from xero_crm.xero.crm_matching import CRM_DOCTYPES
from xero_crm.xero.keys import organisation_of
from xero_crm.xero.panel import InvalidArgument, Panel, overdue_for_records, parse_list_args
from xero_crm.xero.queries import search_contacts


@frappe.whitelist()
@read_once
def get_invoices(
	doctype: str,
	name: str,
	view: str | None = "open",
	search: str | None = None,
	from_date: str | None = None,
	to_date: str | None = None,
	start: int = 0,
	page_length: int = 20,
	organisation: str | None = None,
) -> dict:
	_check_permission(doctype, name)
	try:
		args = parse_list_args(view, search, from_date, to_date, start, page_length)
	except InvalidArgument as e:
		frappe.throw(str(e), frappe.ValidationError, title=_("Invalid filter"))
	visible = visible_organisations()
	organisation = _organisation_filter(organisation, visible)
	match = resolve(doctype, name, visible)
	panel = _panel()
	result = panel.invoices(_of(match.customer_ids, organisation), args, _pinned(doctype, name))
	result["last_synced_at"] = _freshest(visible)
	return result


@frappe.whitelist()
@read_once
def get_summary(doctype: str, name: str, organisation: str | None = None) -> dict:
	"""What the panel's boxes, pills and sidebar show: every organisation the record matches (that the
	user may see) unless `organisation` narrows it; totals per organisation and currency."""
	_check_permission(doctype, name)
	visible = visible_organisations()
	organisation = _organisation_filter(organisation, visible)
	match = resolve(doctype, name, visible)
	default = _default_organisation(doctype, name, match)
	return _summary(doctype, name, visible, match, organisation, _pinned(doctype, name), default)


@read_once
def first_view(doctype: str, name: str, doc=None) -> dict:
	"""The panel's first view, as its first calls would answer it: get_summary filtered to the
	record's default organisation (its Company's, if any) and the first page of the default view. For
	the form's own load (xero_crm.panel_onload, which passes the loaded `doc`): the record is matched
	once, and no request is made."""
	_check_permission(doctype, name, doc=doc)
	visible = visible_organisations()
	match = resolve(doctype, name, visible, doc)
	pinned = _pinned(doctype, name)
	default = _default_organisation(doctype, name, match)
	summary = _summary(doctype, name, visible, match, default, pinned, default)
	listed = {}
	if summary["connected"] and match.customer_ids:
		ids = _of(match.customer_ids, summary["organisation"])
		listed = {
			**_panel().invoices(ids, parse_list_args(), pinned),
			"last_synced_at": summary["last_synced_at"],
		}
	return {"doctype": doctype, "name": name, "summary": summary, "list": listed}


def _default_organisation(doctype: str, name: str, match) -> str | None:
	"""The organisation of the Company the record names, if the record matches a contact in it."""
	default = organisation_of_company(record_company(doctype, name))
	return default if default and any(organisation_of(c) == default for c in match.customer_ids) else None


def _summary(
	doctype: str, name: str, visible: set[str], match, organisation: str | None, pinned, default: str | None
) -> dict:
	panel = _panel()
	summary = panel.summary(_of(match.customer_ids, organisation), pinned)
	involved = panel.involved(match.customer_ids)
	connected = any(o.name in visible for o in active_organisations())
	return {
		"connected": connected,
		"is_admin": "System Manager" in frappe.get_roles(),
		"matched": match.matched,
		"is_customer": bool(match.customer_ids),
		"can_link": may_link(frappe.session.user) and bool(frappe.has_permission(doctype, "write", name)),
		# the one organisation involved, by name (several: `organisations` lists them)
		"organisation_name": involved[0]["name"] if len(involved) == 1 else None,
		"organisations": involved,
		"organisation": organisation,
		"default_organisation": default,
		"xero_contacts": [
			{
				"contact_id": c.contact_id,
				"name": c.name,
				"is_customer": c.is_customer,
				"how": match.how,
				"organisation": organisation_of(c.contact_id),
			}
			for c in match.contacts
		],
		**summary,
		"last_synced_at": _freshest(visible),
	}


@frappe.whitelist(methods=["POST"])
@read_once
def pin_invoice(doctype: str, name: str, invoice_id: str) -> dict:
	_check_permission(doctype, name)
	_check_invoice_belongs(doctype, name, invoice_id)
	filters = {"reference_doctype": doctype, "reference_name": name, "xero_invoice": invoice_id}
	if not frappe.db.exists(PIN, filters):  # pinning twice is a no-op
		frappe.get_doc(
			{
				"doctype": PIN,
				**filters,
				"organisation": organisation_of(invoice_id),
				"pinned_by": frappe.session.user,
				"pinned_at": now_datetime(),
			}
		).insert(ignore_permissions=True)  # the right checked is read on the record itself
	return {"pinned": True}


@frappe.whitelist(methods=["POST"])
@read_once
def unpin_invoice(doctype: str, name: str, invoice_id: str) -> dict:
	_check_permission(doctype, name)
	frappe.db.delete(PIN, {"reference_doctype": doctype, "reference_name": name, "xero_invoice": invoice_id})
	return {"pinned": False}


@frappe.whitelist()
@read_once
def search_xero_contacts(doctype: str, name: str, text: str) -> list[dict]:
	"""The Xero directory, emails included: for those who may link by hand."""
	_check_permission(doctype, name, "write", linking=True)
	text = (text or "").strip() if isinstance(text, str) else ""
	if len(text) > 100:
		frappe.throw(_("Search is limited to 100 characters."), frappe.ValidationError)
	if len(text) < 2:
		return []
	visible = visible_organisations()
	names = {o: info.name for o, info in org_infos().items()}
	contacts = [contact_from_row(r) for r in run(search_contacts(tables(), text, tuple(sorted(visible))))]
	return [
		{
			"contact_id": c.contact_id,
			"name": c.name,
			"is_customer": c.is_customer,
			"emails": list(c.emails),
			"organisation": organisation_of(c.contact_id),
			"organisation_name": names.get(organisation_of(c.contact_id), ""),
		}
		for c in contacts
	]


@frappe.whitelist()
@read_once
def xero_contact_matches(doctype: str, name: str, contact_id: str) -> dict:
	"""Before linking by hand: which records already show this Xero contact's invoices (those the
	caller may read), for the rep to confirm. For those who may link by hand."""
	_check_permission(doctype, name, "write", linking=True)
	if not isinstance(contact_id, str) or not contact_id or len(contact_id) > 140:
		frappe.throw(_("Give the Xero contact to link."), frappe.ValidationError)
	require_visible(contact_id)
	contact, matching = already_matching(contact_id)
	if contact is None:
		frappe.throw(_("That Xero contact is not in the local cache. Wait for the sync, then try again."))
	records = [
		{"doctype": d, "name": n, "title": _title(d, n), "how": m.how}
		for d, n, m in matching
		if (d, n) != (doctype, name)
	]
	return {
		"contact": {
			"contact_id": contact.contact_id,
			"name": contact.name,
			"is_customer": contact.is_customer,
		},
		"records": records,
		"this_record": any((d, n) == (doctype, name) for d, n, _m in matching),
	}


@frappe.whitelist(methods=["POST"])
@read_once
def link_xero_contact(doctype: str, name: str, contact_id: str) -> dict:
	"""A user's explicit choice: wins over automatic matching in the contact's organisation until
	unlinked (a record links at most one contact per organisation)."""
	_check_permission(doctype, name, "write", linking=True)
	if not isinstance(contact_id, str) or not frappe.db.exists(CONTACT, contact_id):
		frappe.throw(_("That Xero contact is not in the local cache. Wait for the sync, then try again."))
	require_visible(contact_id)
	organisation = organisation_of(contact_id)
	frappe.db.delete(
		LINK, {"reference_doctype": doctype, "reference_name": name, "organisation": organisation or None}
	)
	frappe.get_doc(
		{
			"doctype": LINK,
			"reference_doctype": doctype,
			"reference_name": name,
			"xero_contact": contact_id,
			"organisation": organisation or None,
			"linked_by": frappe.session.user,
		}
	).insert(ignore_permissions=True)
	return {"linked": contact_id}


@frappe.whitelist(methods=["POST"])
@read_once
def unlink_xero_contact(doctype: str, name: str, organisation: str | None = None) -> dict:
	"""Back to automatic matching: in one organisation, or in every one the user may see."""
	_check_permission(doctype, name, "write", linking=True)
	visible = visible_organisations()
	organisations = [_organisation_filter(organisation, visible)] if organisation else sorted(visible)
	if organisations:
		frappe.db.delete(
			LINK,
			{"reference_doctype": doctype, "reference_name": name, "organisation": ("in", organisations)},
		)
	return {"linked": None}


MAX_LIST_NAMES = 500


@frappe.whitelist()
@read_once
def overdue_for(doctype: str, names: str | list) -> dict:
	"""For the Customer list: which of a page's Customers have overdue invoices, each as
	`{"count", "oldest_days", "by_currency"}` (like get_summary's `overdue`), only those the caller may
	read and only those with something overdue. One look-up of the page's Xero contacts and one
	grouped query over their invoices, whatever the page's size."""
	_check_desk_user()
	if doctype != "Customer":
		frappe.throw(_("Overdue status is listed for Customers only."), frappe.ValidationError)
	names = _list_names(names)
	if not names or not frappe.db.exists("DocType", "Customer"):
		return {}
	keys, links = customer_page(names)  # only the Customers the caller may read
	today = frappe.utils.getdate(frappe.utils.nowdate())  # looked up per call: tests fix the day
	found = overdue_for_records(run, tables(), today, keys, links, visible_organisations().__contains__)
	names = {o: info.name for o, info in org_infos().items()}
	for summary in found.values():
		for row in summary["by_currency"]:
			row["organisation_name"] = names.get(row["organisation"], "")
	return found


def _list_names(value) -> list[str]:
	if isinstance(value, str):
		try:
			value = frappe.parse_json(value)
		except ValueError:
			value = None
	if not isinstance(value, list) or not all(isinstance(n, str) and 0 < len(n) <= 140 for n in value):
		frappe.throw(_("Give the Customers' names as a list."), frappe.ValidationError)
	if len(value) > MAX_LIST_NAMES:
		frappe.throw(
			_("Overdue status is given for at most {0} Customers at a time.").format(MAX_LIST_NAMES),
			frappe.ValidationError,
		)
	return list(dict.fromkeys(value))


def _check_desk_user() -> None:
	user = frappe.session.user
	if user == "Guest" or frappe.get_cached_value("User", user, "user_type") != "System User":
		frappe.throw(_("Not permitted"), frappe.PermissionError)  # portal users get nothing


def _check_permission(doctype: str, name: str, ptype: str = "read", linking: bool = False, doc=None) -> None:
	"""Desk users with `ptype` on the record (and, to link, a linking role). A record that does not
	exist is refused like one the user may not read, so names cannot be probed. `doc`: the record,
	already loaded (the form's own load), checked as it is instead of read again."""
	_check_desk_user()
	if doctype not in SUPPORTED:
		frappe.throw(
			_(
				"Xero invoices are shown on Contact, Customer and Opportunity, and on Frappe CRM's Deal, "
				"Organization and Lead only."
			),
			frappe.ValidationError,
		)
	if not isinstance(name, str) or not name or len(name) > 140:
		frappe.throw(_("Give the name of the record."), frappe.ValidationError)
	if not frappe.db.exists("DocType", doctype):
		app = "Frappe CRM" if doctype in CRM_DOCTYPES else "ERPNext"
		frappe.throw(
			_("{0} needs {1}, which is not installed.").format(_(doctype), app), frappe.ValidationError
		)
	if linking and not may_link(frappe.session.user):
		frappe.throw(
			_("Only a Sales Manager or System Manager may link Xero contacts."), frappe.PermissionError
		)
	if not _may(doctype, name, ptype, doc):
		frappe.throw(_("Not permitted"), frappe.PermissionError)


def _may(doctype: str, name: str, ptype: str, doc=None) -> bool:
	"""`ptype` on the record: on `doc` where it is that record, loaded already; else read by name."""
	if doc is not None and (doc.doctype, doc.name) == (doctype, name):
		return bool(frappe.has_permission(doctype, ptype, doc=doc))
	return bool(frappe.db.exists(doctype, name)) and bool(frappe.has_permission(doctype, ptype, doc=name))


def _check_invoice_belongs(doctype: str, name: str, invoice_id: str) -> None:
	contact = (
		frappe.db.get_value(INVOICE, invoice_id, "xero_contact") if isinstance(invoice_id, str) else None
	)
	if not contact or contact not in resolve(doctype, name).customer_ids:
		frappe.throw(_("That invoice is not one of this record's Xero invoices."), frappe.ValidationError)


def _organisation_filter(organisation, visible: set[str]) -> str | None:
	"""A panel's organisation filter: empty for all, else one the user may see."""
	if organisation in (None, ""):
		return None
	if not isinstance(organisation, str) or organisation not in visible:
		frappe.throw(_("Unknown Xero organisation."), frappe.ValidationError, title=_("Invalid filter"))
	return organisation


def _of(contact_ids: tuple[str, ...], organisation: str | None) -> tuple[str, ...]:
	if organisation is None:
		return contact_ids
	return tuple(c for c in contact_ids if organisation_of(c) == organisation)


def _panel() -> Panel:
	return Panel(
		run,
		tables(),
		frappe.utils.getdate(frappe.utils.nowdate()),
		deep_link_base=endpoints().deep_link_url,
		memo=RedisMemo(),
		generation=generation(),
		organisations=org_infos(),
	)


def _title(doctype: str, name: str) -> str:
	field = frappe.get_meta(doctype).title_field
	return (field and frappe.db.get_value(doctype, name, field)) or name


def _pinned(doctype: str, name: str) -> tuple[str, ...]:
	pin = frappe.qb.DocType(PIN)
	rows = (
		frappe.qb.from_(pin)
		.select(pin.xero_invoice)
		.where((pin.reference_doctype == doctype) & (pin.reference_name == name))
		.run()
	)
	return tuple(r[0] for r in rows)


def _freshest(visible: set[str]) -> str | None:
	"""When the cache last heard from Xero (a full or catch-up sync, a webhook refresh), for the
	organisations the user sees: the oldest of their latest, so "last synced" never flatters."""
	latest = []
	for org in all_organisations():
		if org.name in visible:
			stamps = [s for s in (org.last_sync_at, org.last_webhook_sync_at) if s]
			if stamps:
				latest.append(max(stamps))
	return str(min(latest)) if latest else None
