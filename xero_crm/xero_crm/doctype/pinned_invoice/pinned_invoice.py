import frappe
from frappe import _
from frappe.model.document import Document


class PinnedInvoice(Document):
	def validate(self):
		if frappe.db.exists(
			"Pinned Invoice",
			{
				"reference_doctype": self.reference_doctype,
				"reference_name": self.reference_name,
				"xero_invoice": self.xero_invoice,
				"name": ("!=", self.name),
			},
		):
			frappe.throw(_("This invoice is already pinned to {0}.").format(self.reference_name))


def on_doctype_update():
	frappe.db.add_unique(
		"Pinned Invoice",
		["reference_doctype", "reference_name", "xero_invoice"],
		constraint_name="unique_pin",
	)
