"""The panel's first view, in the form's own load: Contact, Customer and Opportunity put it in
`__onload` (a doc event on `onload`, run by the desk's getdoc), so opening a form costs no request of
the panel's own. The panel takes it once, for the record it came with; every later view (another
tab, a search, a change in Xero) asks xero_crm.api as before. Anything the panel would refuse, or
any failure, leaves the form to load as it would without the app."""

import frappe

from xero_crm.api import first_view
from xero_crm.constants import ORGANISATION


def attach(doc, method=None) -> None:
	if doc.is_new() or not getattr(frappe.local, "request", None):
		return  # a form's load only: not a job, a patch or a script
	if not frappe.utils.cint(frappe.conf.get("xero_crm_form_panel", 1)):
		return  # site config 0: the panel asks after the form has loaded, as it always can
	if not frappe.db.count(ORGANISATION):
		return  # never connected: nothing to show, and nothing spent on every form of the site
	try:
		doc.set_onload("xero_panel", first_view(doc.doctype, doc.name, doc))
	except (frappe.PermissionError, frappe.ValidationError):
		return  # a portal user, a record the user may not read: the panel would say nothing either
	except Exception:
		# the form still opens; its panel asks the server as it would without this, and says why
		frappe.log_error(title="Xero panel's first view failed", reference_doctype=doc.doctype)
