from frappe.model.document import Document


class XeroContact(Document):
	"""A cached Xero contact, for matching CRM records and for the manual link search."""
