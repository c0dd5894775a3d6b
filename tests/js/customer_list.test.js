// The Customer list's overdue pill (xero_crm/public/js/customer_list.js): its title says how much is
// overdue per currency, and per organisation when a Customer owes in several. Run: node --test tests/js/
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const SCRIPT = path.join(__dirname, "..", "..", "xero_crm", "public", "js", "customer_list.js");

// Loads the list script against a fake desk and refreshes a one-row list whose answer is `found`;
// returns the pill's title (or null when no pill is drawn).
function pill_title(found) {
	const subject = {
		html: "",
		insertAdjacentHTML(_where, html) {
			this.html += html;
		},
	};
	const row = { querySelectorAll: () => [], querySelector: () => subject };
	const frappe = {
		listview_settings: {},
		utils: { escape_html: (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;") },
		call: ({ callback }) => callback({ message: found }),
	};
	const context = {
		frappe,
		__: (text, args) => text.replace(/\{(\d)\}/g, (_m, i) => args[i]),
		format_number: (value, _f, precision) => Number(value).toFixed(precision),
	};
	vm.runInNewContext(fs.readFileSync(SCRIPT, "utf8"), context);
	const listview = { data: [{ name: "CUST-1" }], $result: { find: () => ({ toArray: () => [row] }) } };
	frappe.listview_settings.Customer.refresh(listview);
	const match = subject.html.match(/title="([^"]*)"/);
	return match ? match[1] : null;
}

test("one organisation: each currency on its own, no organisation named", () => {
	const title = pill_title({
		"CUST-1": {
			count: 3,
			by_currency: [
				{ currency: "NZD", amount: "500.00", organisation: "t-1", organisation_name: "North" },
				{ currency: "USD", amount: "40.00", organisation: "t-1", organisation_name: "North" },
			],
		},
	});
	assert.equal(title, "3 overdue · NZD 500.00, USD 40.00");
});

test("several organisations: the same currency twice, each named, never added", () => {
	const title = pill_title({
		"CUST-1": {
			count: 2,
			by_currency: [
				{ currency: "NZD", amount: "100.00", organisation: "t-1", organisation_name: "North" },
				{ currency: "NZD", amount: "250.00", organisation: "t-2", organisation_name: "South <b>" },
			],
		},
	});
	assert.equal(title, "2 overdue · North: NZD 100.00, South &lt;b>: NZD 250.00");
});

test("a Customer with nothing overdue gets no pill", () => {
	assert.equal(pill_title({}), null);
});
