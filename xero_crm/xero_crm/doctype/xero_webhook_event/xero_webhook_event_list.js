// Deliveries at a glance: what came in, what it was answered with, and how processing went.
frappe.listview_settings["Xero Webhook Event"] = {
	add_fields: ["status", "http_status"],
	get_indicator(doc) {
		const colours = {
			Queued: "blue",
			Processed: "green",
			Failed: "red",
			Rejected: "orange",
			Ignored: "gray",
		};
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
};
