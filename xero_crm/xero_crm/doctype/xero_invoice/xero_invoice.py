import frappe
from frappe.model.document import Document


class XeroInvoice(Document):
	"""A cached Xero invoice: written only by the sync (Xero is the source of truth)."""


def on_doctype_update():
	# The panel filters by contact and sorts by date, then number: with all three in the index the
	# first page is read in index order, without sorting the contact's every invoice.
	frappe.db.add_index("Xero Invoice", ["xero_contact", "invoice_date", "invoice_number"])
