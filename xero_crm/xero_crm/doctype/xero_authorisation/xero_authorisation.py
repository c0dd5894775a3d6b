from frappe.model.document import Document


class XeroAuthorisation(Document):
	"""One Xero sign-in and consent: its tokens, refreshed single-flight (xero_crm.connection)."""
