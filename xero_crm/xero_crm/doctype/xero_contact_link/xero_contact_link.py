import frappe
from frappe.model.document import Document


class XeroContactLink(Document):
	"""A user's explicit choice of Xero contact for a CRM record; it wins over automatic matching."""


def on_doctype_update():
	frappe.db.add_index("Xero Contact Link", ["reference_doctype", "reference_name"])
