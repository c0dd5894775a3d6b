import frappe
from frappe.model.document import Document


class XeroCredit(Document):
	"""A cached Xero credit note, overpayment or prepayment: written only by the sync."""


def on_doctype_update():
	# The panel's All view filters by contact and sorts by date, then number, as for invoices.
	frappe.db.add_index("Xero Credit", ["xero_contact", "credit_date", "number"])
