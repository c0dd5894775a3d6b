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
			frm.add_custom_button(__("Full Resync"), () => full_resync(frm));
		}
		frm.add_custom_button(__("Webhook deliveries"), () => frappe.set_route("List", "Xero Webhook Event"));
		show_connection(frm);
		warn_about_host(frm);
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
			"Remove the Xero connection? Access is revoked at Xero and the tokens are deleted here. Reps lose the Xero invoices on their records until you connect again. Cached invoices stay until you connect a different organisation, which starts the cache afresh.",
		),
		() =>
			frappe.xcall("xero_crm.oauth.disconnect").then((r) => {
				frappe.msgprint({
					title: __("Xero disconnected"),
					message: [r.message, r.warning].filter(Boolean).join("<br><br>"),
					indicator: r.warning ? "orange" : "green",
				});
				frm.reload_doc();
			}),
	);
}

function full_resync(frm) {
	frappe.xcall("xero_crm.sync.full_resync_cost").then((cost) =>
		frappe.confirm(
			__(
				"A full resync fetches every contact, invoice and payment from Xero again: about {0} calls of today's budget ({1} of {2} left). Start it?",
				[cost.calls, cost.left, cost.budget],
			),
			() =>
				frappe.xcall("xero_crm.sync.start_full_resync").then(() => {
					frappe.show_alert({ message: __("Full resync started"), indicator: "blue" });
					frm.reload_doc();
				}),
		),
	);
}

// Xero sends the admin back to the Redirect URI and posts webhooks to the Webhook URL, both on the
// site's host_name when it is set: browsing under another host, the admin would paste the wrong ones.
function warn_about_host(frm) {
	if (!frm.doc.redirect_uri) return;
	const xero_calls = new URL(frm.doc.redirect_uri).origin;
	if (xero_calls === window.location.origin) return;
	frm.dashboard.set_headline_alert(
		__(
			"You are browsing at {0}, but Xero will call {1} (the site's host_name). Paste the URLs below into your Xero app, and connect from {1}.",
			[frappe.utils.escape_html(window.location.origin), frappe.utils.escape_html(xero_calls)],
		),
		"orange",
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
