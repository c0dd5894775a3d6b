from frappe.model.document import Document


class XeroInvoicePayment(Document):
	pass
