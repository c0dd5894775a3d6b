// Xero invoices on this Frappe CRM page: installed and kept up to date by the xero_crm app (a standard
// CRM Form Script: only Enabled can be changed here). The panel itself is xero_crm's
// /assets/xero_crm/js/frappe_crm/panel.js; this script only hands it the page.
class __CLASS__ {
	onRender() {
		import("/assets/xero_crm/js/frappe_crm/panel.js?v=__VERSION__")
			.then((panel) => panel.attach(this, "__DOCTYPE__", { call, createDialog, toast, socket }))
			.catch((e) => console.error("xero_crm: the Xero invoices panel did not load", e));
	}
}
