// The Xero invoices panel (xero_panel.bundle.js and .css) is loaded only on the forms that show it: on
// the first Customer form opened, frappe.require fetches it (the names resolve to the hashed files that
// `bench build` writes); afterwards it is in the page (frappe.require would fetch it again, behind a freeze).
frappe.ui.form.on("Customer", {
	refresh(frm) {
		const attach = () => xero_crm.panel.attach(frm);
		if (window.xero_crm && xero_crm.panel) attach();
		else frappe.require(["xero_panel.bundle.js", "xero_panel.bundle.css"], attach);
	},
});
