from frappe.model.document import Document


class XeroContactEmail(Document):
	"""One address of a cached Xero contact: an exact, indexed key for matching and the link search."""
