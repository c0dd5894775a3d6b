// Connect (adds organisations) / Remove all / the organisations list. Secrets never come to the
// browser: the Password fields arrive masked and every Xero call runs on the server.
frappe.ui.form.on("Xero Settings", {
	refresh(frm) {
		frappe.xcall("xero_crm.oauth.organisations_overview").then((orgs) => {
			frm.xero_organisations = orgs;
			const connected = orgs.some((o) => o.status === "Connected");
			frm.add_custom_button(connected ? __("Connect another organisation") : __("Connect to Xero"), () =>
				connect(frm),
			);
			if (orgs.length) frm.add_custom_button(__("Remove all"), () => remove_all(frm));
			show_organisations(frm, orgs);
		});
		frm.add_custom_button(__("Webhook deliveries"), () => frappe.set_route("List", "Xero Webhook Event"));
		warn_about_host(frm);
		frappe.realtime.off("xero_sync_progress");
		frappe.realtime.on("xero_sync_progress", (data) => {
			const org = (frm.xero_organisations || []).find((o) => o.name === data.organisation);
			const title = org
				? __("Xero sync: {0}", [frappe.utils.escape_html(org.organisation_name)])
				: __("Xero sync");
			frm.dashboard.show_progress(title, data.percent || 0, frappe.utils.escape_html(data.message || ""));
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

function remove_all(frm) {
	frappe.confirm(
		__(
			"Remove every Xero connection? Access is revoked at Xero and the tokens are deleted here. Reps lose the Xero invoices on their records until you connect again; the cached invoices stay until then. To remove one organisation only, open it and use Remove.",
		),
		() =>
			frappe.xcall("xero_crm.oauth.disconnect").then((r) => {
				frappe.msgprint({
					title: __("Xero disconnected"),
					message: [r.message, r.warning].filter(Boolean).map(frappe.utils.escape_html).join("<br><br>"),
					indicator: r.warning ? "orange" : "green",
				});
				frm.reload_doc();
			}),
	);
}

// The connected organisations: name (opens its record: Company, budget, Remove), who connected it,
// its status and sync state. Every value from Xero is escaped.
function show_organisations(frm, orgs) {
	const e = frappe.utils.escape_html;
	const field = frm.get_field("organisations_html");
	if (!orgs.length) {
		field.$wrapper.html(
			`<p class="text-muted">${__("No Xero organisation is connected. Use Connect to Xero: Xero lets you allow one organisation or several.")}</p>`,
		);
		return;
	}
	const rows = orgs
		.map((o) => {
			const status =
				o.status !== "Connected"
					? `<span class="indicator-pill red">${__("Disconnected")}</span>`
					: o.enabled
						? `<span class="indicator-pill green">${__("Connected")}</span>`
						: `<span class="indicator-pill gray">${__("Disabled")}</span>`;
			const href = `/app/xero-organisation/${encodeURIComponent(o.name)}`;
			return `<tr>
				<td><a href="${e(href)}">${e(o.organisation_name || o.name)}</a></td>
				<td>${e(o.company || "")}</td>
				<td>${e(o.connected_user_email || "")}</td>
				<td>${status}</td>
				<td class="text-muted small">${e(o.sync_status || o.disconnect_reason || "")}</td>
			</tr>`;
		})
		.join("");
	field.$wrapper.html(`<table class="table table-bordered table-sm xero-organisations">
		<thead><tr><th>${__("Xero organisation")}</th><th>${__("Company")}</th><th>${__("Connected by")}</th><th>${__("Status")}</th><th>${__("Sync")}</th></tr></thead>
		<tbody>${rows}</tbody></table>`);
	if (!frm.doc.enabled && orgs.some((o) => o.status === "Connected")) {
		frm.dashboard.set_headline(__("Tick Enabled and Save to start syncing."));
	}
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
