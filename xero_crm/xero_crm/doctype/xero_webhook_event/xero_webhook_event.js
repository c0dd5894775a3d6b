frappe.ui.form.on("Xero Webhook Event", {
	refresh(frm) {
		if (frm.doc.status === "Failed") {
			frm.add_custom_button(__("Retry"), () =>
				frappe.xcall("xero_crm.webhook.retry", { name: frm.doc.name }).then(() => {
					frappe.show_alert({ message: __("Queued again"), indicator: "blue" });
					frm.reload_doc();
				}),
			);
		}
	},
});
