frappe.query_reports["Xero Receivables by Customer"] = {
	filters: [
		{
			// a Select filled with the organisations the viewer may see (the Xero Organisation
			// DocType is for System Managers: a Link would refuse a Xero Invoice Viewer)
			fieldname: "organisation",
			label: __("Xero organisation"),
			fieldtype: "Select",
			options: [""],
		},
		{
			fieldname: "currency",
			label: __("Currency"),
			fieldtype: "Link",
			options: "Currency",
		},
		{
			fieldname: "overdue_only",
			label: __("Overdue only"),
			fieldtype: "Check",
		},
	],
	onload(report) {
		frappe.xcall("xero_crm.receivables.organisation_choices").then((orgs) => {
			const filter = report.get_filter("organisation");
			filter.df.options = [
				{ value: "", label: __("All organisations") },
				// Xero's text, put into the page as HTML by the Select: escaped
				...orgs.map((o) => ({ value: o.value, label: frappe.utils.escape_html(o.label) })),
			];
			filter.refresh();
			filter.toggle(orgs.length > 1);
		});
	},
};
