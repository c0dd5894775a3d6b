import frappe
from frappe import _
from frappe.model.document import Document

from xero_crm.constants import ORGANISATION


class XeroOrganisation(Document):
	"""A connected Xero organisation: created by Connect to Xero (xero_crm.oauth), removed by its
	Remove button. A System Manager maps it to a Company, sets its budget, disables it."""

	def before_validate(self):
		# Company is ERPNext's: where it is not installed, there is nothing to map to.
		self.company_doctype = "Company" if frappe.db.exists("DocType", "Company") else None
		if not self.company_doctype:
			self.company = None

	def validate(self):
		if self.daily_call_budget is not None and int(self.daily_call_budget) < 10:
			frappe.throw(_("The daily call budget must be at least 10 calls."))
		if self.company:
			other = frappe.db.get_value(
				ORGANISATION, {"company": self.company, "name": ("!=", self.name)}, "organisation_name"
			)
			if other:
				frappe.throw(
					_(
						"{0} is already mapped to {1}: each Company keeps its books in one Xero organisation."
					).format(self.company, other)
				)

	def on_update(self):
		before = self.get_doc_before_save()
		if self.enabled and before and not before.enabled:
			from xero_crm.organisations import get_organisation, is_active
			from xero_crm.sync import enqueue_activation

			org = get_organisation(self.name)
			if is_active(org):
				enqueue_activation(org)
