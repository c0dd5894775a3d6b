// The Customer list: a red "Overdue" pill beside each Customer with overdue Xero invoices (its title
// says how many and how much per currency), from the local cache in one call per list refresh
// (xero_crm.api.overdue_for with the page's names). Extends whatever list settings ERPNext gave.
(() => {
	const settings = (frappe.listview_settings["Customer"] = frappe.listview_settings["Customer"] || {});
	const their_refresh = settings.refresh;
	let seq = 0;

	function amounts(overdue) {
		// each organisation's currency on its own, never added together; named when there are several
		const rows = overdue.by_currency || [];
		const several = new Set(rows.map((row) => row.organisation)).size > 1;
		return rows
			.map((row) => {
				const money = `${row.currency} ${format_number(row.amount, null, precision_of(row.amount))}`;
				return several ? `${row.organisation_name || row.organisation}: ${money}` : money;
			})
			.join(", ");
	}

	function precision_of(amount) {
		const text = String(amount);
		return text.includes(".") ? text.split(".")[1].length : 0;
	}

	function pill(overdue) {
		const escape = (v) => frappe.utils.escape_html(String(v));
		const title = __("{0} overdue · {1}", [overdue.count, amounts(overdue)]);
		return `<span class="indicator-pill red ml-2 xero-crm-overdue-pill" title="${escape(title)}">${escape(
			__("Overdue"),
		)}</span>`;
	}

	function mark(listview, found) {
		const rows = listview.$result.find(".list-row-container").toArray();
		rows.forEach((row, i) => {
			row.querySelectorAll(".xero-crm-overdue-pill").forEach((el) => el.remove());
			const doc = listview.data[i];
			const overdue = doc && found[doc.name];
			const subject = row.querySelector(".list-subject");
			if (overdue && subject) subject.insertAdjacentHTML("beforeend", pill(overdue));
		});
	}

	settings.refresh = function (listview) {
		if (their_refresh) their_refresh.call(this, listview);
		const names = (listview.data || []).map((doc) => doc.name).slice(0, 500);
		if (!names.length) return;
		const mine = ++seq;
		// silent: no pill is the quiet failure, the list itself is unaffected
		frappe.call({
			method: "xero_crm.api.overdue_for",
			args: { doctype: "Customer", names },
			silent: true,
			callback: (r) => {
				// only the latest refresh's answer, onto the rows it was asked for
				if (mine === seq) mark(listview, (r && r.message) || {});
			},
		});
	};
})();
