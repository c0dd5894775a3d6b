// The Xero invoices panel lives in xero_panel.js (loaded on every desk page); this only wires it up.
frappe.ui.form.on("Contact", {
	refresh(frm) {
		xero_crm.panel.attach(frm);
	},
});
