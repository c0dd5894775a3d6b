import frappe
from frappe.model.document import Document


class XeroWebhookEvent(Document):
	"""One delivery from Xero: what arrived, what we answered, what processing did."""


def on_doctype_update():
	frappe.db.add_index("Xero Webhook Event", ["status", "creation"])
