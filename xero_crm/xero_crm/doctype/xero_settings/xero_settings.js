// Connect / Remove / pick the organisation / resync. Secrets never come to the browser: the
// Password fields arrive masked and every Xero call runs on the server.
frappe.ui.form.on("Xero Settings", {
	refresh(frm) {
		const connected = frm.doc.status === "Connected";
		frm.add_custom_button(connected ? __("Reconnect to Xero") : __("Connect to Xero"), () => connect(frm));
		if (connected || frm.doc.status === "Disconnected") {
			frm.add_custom_button(__("Remove"), () => remove(frm));
		}
		if (connected && frm.doc.tenant_id && frm.doc.enabled) {
			frm.add_custom_button(__("Full Resync"), () =>
				frappe
					.xcall("xero_crm.sync.start_full_resync")
					.then(() => frappe.show_alert({ message: __("Full resync started"), indicator: "blue" })),
			);
		}
		show_connection(frm);
		offer_tenant_choice(frm);
		frappe.realtime.off("xero_sync_progress");
		frappe.realtime.on("xero_sync_progress", (data) => {
			frm.dashboard.show_progress(__("Xero sync"), data.percent || 0, data.message || "");
			if (data.done) frm.reload_doc();
		});
	},
});

function connect(frm) {
	const go = () =>
		frappe.xcall("xero_crm.oauth.get_authorize_url").then((url) => {
			window.location.href = url;
		});
	if (frm.is_dirty()) {
		frm.save().then(go);
	} else {
		go();
	}
}

function remove(frm) {
	frappe.confirm(
		__(
			"Remove the Xero connection? Access is revoked at Xero and the tokens are deleted here. Cached invoices stay until you connect a different organisation, which starts the cache afresh.",
		),
		() =>
			frappe.xcall("xero_crm.oauth.disconnect").then((r) => {
				if (r && r.warning) frappe.msgprint(r.warning);
				frm.reload_doc();
			}),
	);
}

function show_connection(frm) {
	if (frm.doc.status === "Connected" && frm.doc.organisation_name) {
		frm.dashboard.set_headline(
			__("Connected to {0} as {1}", [
				`<b>${frappe.utils.escape_html(frm.doc.organisation_name)}</b>`,
				frappe.utils.escape_html(frm.doc.connected_user_email || __("unknown user")),
			]) + (frm.doc.enabled ? "" : " · " + __("Tick Enabled and Save to start syncing.")),
		);
	} else if (frm.doc.status === "Disconnected") {
		frm.dashboard.set_headline_alert(
			frappe.utils.escape_html(frm.doc.disconnect_reason || __("Xero access was lost.")),
			"red",
		);
	}
}

function offer_tenant_choice(frm) {
	const choices = JSON.parse(frm.doc.tenant_choices || "[]");
	if (frm.doc.status !== "Connected" || frm.doc.tenant_id || !choices.length) return;
	frappe.prompt(
		{
			fieldname: "tenant_id",
			fieldtype: "Select",
			label: __("Xero organisation"),
			reqd: 1,
			// Select options are rendered as HTML: an organisation's name is shown as text.
			options: choices.map((c) => ({
				value: c.tenant_id,
				label: frappe.utils.escape_html(c.name),
			})),
		},
		(values) => select_tenant(frm, values.tenant_id, false),
		__("Pick the Xero organisation to use"),
		__("Use this organisation"),
	);
}

function select_tenant(frm, tenant_id, confirm) {
	frappe.xcall("xero_crm.oauth.select_tenant", { tenant_id, confirm }).then((r) => {
		if (!r || !r.needs_confirmation) return frm.reload_doc();
		frappe.confirm(
			__(
				"The cache holds another organisation's invoices. Switching deletes them, with {0} pinned invoice(s) and {1} manual link(s) reps made. Switch organisation?",
				[r.pins, r.links],
			),
			() => select_tenant(frm, tenant_id, true),
		);
	});
}
