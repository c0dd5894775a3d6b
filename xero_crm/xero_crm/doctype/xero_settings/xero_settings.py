import frappe
from frappe import _
from frappe.model.document import Document

from xero_crm.settings import redirect_uri, webhook_url


class XeroSettings(Document):
	@property
	def redirect_uri(self) -> str:
		return redirect_uri()

	@property
	def webhook_url(self) -> str:
		return webhook_url()

	def validate(self):
		from xero_crm.organisations import all_organisations

		if self.enabled and not any(o.status == "Connected" for o in all_organisations()):
			frappe.throw(
				_("Connect to Xero and allow at least one organisation before enabling the integration.")
			)
		if self.sync_interval_minutes is not None and int(self.sync_interval_minutes) < 5:
			frappe.throw(_("Catch-up sync can run at most every 5 minutes."))

	def on_update(self):
		before = self.get_doc_before_save()
		if self.enabled and not (before and before.enabled):
			# Activation: each organisation fills its cache (a background job; the form shows its
			# progress), or, already cached, fetches only what changed while disabled.
			from xero_crm.organisations import active_organisations
			from xero_crm.sync import enqueue_activation

			kinds = [enqueue_activation(org) for org in active_organisations()]
			if "full_sync" in kinds:
				frappe.msgprint(
					_(
						"The initial sync started in the background. Its progress shows beside each "
						"organisation; reps see invoices as each page is stored."
					),
					title=_("Initial sync started"),
				)
			elif kinds:
				frappe.msgprint(
					_("Syncing resumed: what changed in Xero while it was disabled is being fetched."),
					alert=True,
				)
