frappe.query_reports["Xero Receivables by Customer"] = {
	filters: [
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
};
