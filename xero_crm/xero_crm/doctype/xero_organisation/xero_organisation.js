// One connected Xero organisation: map it to a Company, set its budget, disable it, resync it, or
// Remove it (disconnects it at Xero and deletes its cache; the other organisations stay).
frappe.ui.form.on("Xero Organisation", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(__("Remove"), () => remove(frm));
		if (frm.doc.status === "Connected" && frm.doc.enabled) {
			frm.add_custom_button(__("Full Resync"), () => full_resync(frm));
		}
		if (frm.doc.status === "Disconnected") {
			frm.dashboard.set_headline_alert(
				frappe.utils.escape_html(frm.doc.disconnect_reason || __("Xero access was lost.")) +
					" " +
					__("Connect to Xero again from Xero Settings."),
				"red",
			);
		}
		frappe.realtime.off("xero_sync_progress");
		frappe.realtime.on("xero_sync_progress", (data) => {
			if (data.organisation !== frm.doc.name) return;
			frm.dashboard.show_progress(
				__("Xero sync"),
				data.percent || 0,
				frappe.utils.escape_html(data.message || ""),
			);
			if (data.done) frm.reload_doc();
		});
	},
});

function remove(frm) {
	frappe.confirm(
		__(
			"Remove {0}? It is disconnected at Xero, and its cached invoices, with the invoices reps pinned and the contacts they linked in it, are deleted here. Other organisations are not touched.",
			[`<b>${frappe.utils.escape_html(frm.doc.organisation_name || frm.doc.name)}</b>`],
		),
		() =>
			frappe.xcall("xero_crm.oauth.remove_organisation", { organisation: frm.doc.name }).then((r) => {
				frappe.msgprint({
					title: __("Xero organisation removed"),
					message: [r.message, r.warning].filter(Boolean).map(frappe.utils.escape_html).join("<br><br>"),
					indicator: r.warning ? "orange" : "green",
				});
				frappe.set_route("Form", "Xero Settings");
			}),
	);
}

function full_resync(frm) {
	frappe.xcall("xero_crm.sync.full_resync_cost", { organisation: frm.doc.name }).then((cost) =>
		frappe.confirm(
			__(
				"A full resync fetches every contact, invoice and payment of this organisation from Xero again: about {0} calls of its budget today ({1} of {2} left). Start it?",
				[cost.calls, cost.left, cost.budget],
			),
			() =>
				frappe.xcall("xero_crm.sync.start_full_resync", { organisation: frm.doc.name }).then(() => {
					frappe.show_alert({ message: __("Full resync started"), indicator: "blue" });
					frm.reload_doc();
				}),
		),
	);
}
