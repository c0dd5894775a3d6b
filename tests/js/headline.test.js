// The form headline's text (render.js overdue_headline_text / render_overdue_headline): what a rep
// reads at the top of a Customer or Opportunity with overdue invoices. Run: node --test tests/js/
"use strict";

const { test, before } = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { pathToFileURL } = require("node:url");

const RENDER = path.join(__dirname, "..", "..", "xero_crm", "public", "js", "xero_panel", "render.js");
let panel;
before(async () => {
	panel = await import(pathToFileURL(RENDER).href);
});

// Frappe's format_currency with symbols: NZD and USD both "$" (the headline shows the ISO code).
const ctx = {
	format_currency: (value, currency) =>
		({ NZD: "$", USD: "$", JPY: "¥" })[currency] +
		" " +
		value.toLocaleString("en-US", {
			minimumFractionDigits: currency === "JPY" ? 0 : 2,
			maximumFractionDigits: currency === "JPY" ? 0 : 2,
		}),
};

function overdue(by_currency, oldest_days) {
	return {
		count: by_currency.reduce((n, row) => n + row.count, 0),
		oldest_days: oldest_days === undefined ? Math.max(...by_currency.map((r) => r.oldest_days)) : oldest_days,
		by_currency,
	};
}

test("the headline says how many, how much per currency and how old the oldest is", () => {
	const o = overdue([{ currency: "NZD", count: 2, amount: "500.00", oldest_days: 45 }]);
	assert.equal(panel.overdue_headline_text(o, ctx), "2 overdue invoices · NZD 500.00, oldest 45 days");
});

test("currencies are listed one by one, never added together", () => {
	const o = overdue([
		{ currency: "JPY", count: 1, amount: "1000", oldest_days: 120 },
		{ currency: "NZD", count: 2, amount: "1500.5", oldest_days: 45 },
	]);
	assert.equal(
		panel.overdue_headline_text(o, ctx),
		"3 overdue invoices · JPY 1,000, NZD 1,500.50, oldest 120 days",
	);
});

test("one invoice and one day are singular", () => {
	const one = (days) => overdue([{ currency: "USD", count: 1, amount: "40", oldest_days: days }]);
	assert.equal(panel.overdue_headline_text(one(12), ctx), "1 overdue invoice · USD 40.00, 12 days overdue");
	assert.equal(panel.overdue_headline_text(one(1), ctx), "1 overdue invoice · USD 40.00, 1 day overdue");
	const two = overdue([{ currency: "USD", count: 2, amount: "40", oldest_days: 1 }]);
	assert.equal(panel.overdue_headline_text(two, ctx), "2 overdue invoices · USD 40.00, oldest 1 day");
});

test("nothing overdue: no headline", () => {
	assert.equal(panel.overdue_headline_text({ count: 0, oldest_days: null, by_currency: [] }, ctx), "");
	assert.equal(panel.overdue_headline_text(undefined, ctx), "");
	assert.equal(panel.render_overdue_headline(null, ctx), "");
});

test("every value is escaped, the translation included", () => {
	const o = overdue([{ currency: "<img src=x onerror=alert(1)>", count: 2, amount: "5", oldest_days: 3 }]);
	const html = panel.render_overdue_headline(o, ctx);
	assert.doesNotMatch(html, /<img/);
	assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
	const hostile = { __: (t, args) => `<b>${t}</b>`.replace("{0}", args[0]) };
	const translated = panel.overdue_headline_text(o, hostile);
	assert.doesNotMatch(translated, /<b>/);
	assert.match(translated, /^&lt;b&gt;2 overdue invoices/);
});

test("the headline is a link the wiring makes open the Overdue view, in the translated words", () => {
	const o = overdue([{ currency: "NZD", count: 2, amount: "500", oldest_days: 45 }]);
	const french = {
		...ctx,
		__: (t, args) =>
			({
				"{0} overdue invoices · {1}, oldest {2} days":
					"{0} factures en retard · {1}, la plus ancienne {2} jours",
				"Show the overdue Xero invoices": "Voir les factures Xero en retard",
			})[t]?.replace(/\{(\d+)\}/g, (m, i) => args[i]) ?? t,
	};
	assert.equal(
		panel.render_overdue_headline(o, french),
		'<a href="#" class="xero-crm-headline" title="Voir les factures Xero en retard">' +
			"2 factures en retard · NZD 500.00, la plus ancienne 45 jours</a>",
	);
});
