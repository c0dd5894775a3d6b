frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Xero Aging"] = {
	method: "xero_crm.receivables.aging_chart",
	filters: [],
};
