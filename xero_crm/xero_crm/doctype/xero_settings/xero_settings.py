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
		if self.enabled and not (self.status == "Connected" and self.tenant_id):
			frappe.throw(_("Connect to Xero and pick an organisation before enabling the integration."))
		if self.daily_call_budget is not None and int(self.daily_call_budget) < 10:
			frappe.throw(_("The daily call budget must be at least 10 calls."))
		if self.sync_interval_minutes is not None and int(self.sync_interval_minutes) < 5:
			frappe.throw(_("Catch-up sync can run at most every 5 minutes."))

	def on_update(self):
		before = self.get_doc_before_save()
		if self.enabled and not (before and before.enabled):
			# Activation: fill the local cache (a background job; the form shows progress). A cache
			# already holding this organisation only needs what changed while disabled.
			from xero_crm.sync import enqueue_catch_up, enqueue_full_sync

			if self.last_sync_at and self.cache_tenant_id == self.tenant_id and not self.sync_cursor:
				enqueue_catch_up()
				frappe.msgprint(
					_("Syncing resumed: what changed in Xero while it was disabled is being fetched."),
					alert=True,
				)
			else:
				enqueue_full_sync()
				frappe.msgprint(
					_(
						"The initial sync started in the background. Its progress shows under Sync Status; "
						"reps see invoices as each page is stored."
					),
					title=_("Initial sync started"),
				)
