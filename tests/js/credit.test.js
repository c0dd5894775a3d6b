// Customer credit in the panel (xero_crm/public/js/xero_panel/render.js): the Credit available box
// beside Total unpaid, per currency, and credit notes, overpayments and prepayments listed in All with
// their own type, their amounts shown as credit. Run: node --test tests/js/
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

const ctx = {
	format_date: (iso) => iso,
	format_currency: (value, currency) =>
		({ NZD: "$", USD: "$" })[currency] +
		" " +
		value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
	when: () => "2 minutes ago",
};

function text(html) {
	return html
		.replace(/<[^>]+>/g, " ")
		.replace(/\s+/g, " ")
		.trim();
}

// get_summary's totals: credit per currency, and what is owed net of it
const TOTALS = [
	{ currency: "NZD", paid: 1200, unpaid: 500, overdue: 0, credit: 130, net: 370 },
	{ currency: "USD", paid: 80, unpaid: 200, overdue: 0, credit: 50, net: 150 },
];

// A credit row as get_invoices lists it in All
function credit(overrides) {
	return Object.assign(
		{
			is_credit: true,
			credit_id: "cn-1",
			credit_type: "Credit Note",
			type: "ACCRECCREDIT",
			number: "CN-0001",
			reference: "Returned widgets",
			date: "2026-11-05",
			status: "AUTHORISED",
			status_key: "credit",
			currency: "NZD",
			total: 120,
			remaining_credit: 100,
			url: "https://go.xero.com/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=cn-1",
			pinned: false,
			is_bill: false,
			counted: true,
		},
		overrides,
	);
}

test("Credit available sits beside Total unpaid, one line per currency, with what is owed net of it", () => {
	const html = panel.render_totals(TOTALS, ctx);
	const shown = text(html);
	assert.match(shown, /Total unpaid NZD 500\.00 USD 200\.00 Credit available NZD 130\.00 USD 50\.00/);
	assert.match(shown, /Net owed: NZD 370\.00 · USD 150\.00/);
	assert.doesNotMatch(shown, /180\.00/, "currencies are never added together");
	assert.match(html, /class="xero-crm-total is-credit" data-action="box" data-view="all"/);
});

test("no credit, no Credit available box (nor a sidebar line)", () => {
	const none = TOTALS.map((row) => Object.assign({}, row, { credit: 0, net: row.unpaid }));
	assert.doesNotMatch(panel.render_totals(none, ctx), /Credit available/);
	assert.doesNotMatch(
		panel.render_totals([{ currency: "NZD", paid: 1, unpaid: 2, overdue: 0 }], ctx),
		/Credit/,
	);
	assert.doesNotMatch(panel.render_sidebar({ totals: none, counts: {} }, ctx), /Credit/);
	assert.match(
		text(panel.render_sidebar({ totals: TOTALS, counts: {} }, ctx)),
		/Credit NZD 130\.00 USD 50\.00/,
	);
});

test("All lists each credit with its own type and its amounts shown as credit", () => {
	const list = {
		view: "all",
		total_count: 3,
		invoices: [
			credit({
				credit_id: "pp-1",
				credit_type: "Prepayment",
				number: "",
				url: null,
				currency: "USD",
				total: 50,
				remaining_credit: 50,
			}),
			credit({
				credit_id: "op-1",
				credit_type: "Overpayment",
				number: "",
				url: null,
				total: 30,
				remaining_credit: 30,
			}),
			credit(),
		],
	};
	const html = panel.render_list(list, ctx);
	const rows = html.match(/<tr class="xero-crm-row is-credit[\s\S]*?<\/tr>/g);
	assert.equal(rows.length, 3);
	assert.match(text(rows[0]), /Prepayment − USD 50\.00 − USD 50\.00 Credit available/);
	assert.match(text(rows[1]), /\(no number\) .* Overpayment − NZD 30\.00/);
	assert.match(text(rows[2]), /CN-0001 Returned widgets 2026-11-05 Credit note − NZD 100\.00 − NZD 120\.00/);
	assert.match(rows[2], /href="https:\/\/go\.xero\.com\/AccountsReceivable\/ViewCreditNote/);
	assert.match(rows[2], /data-credit-id="cn-1"/);
	assert.doesNotMatch(html, /data-invoice-id/, "a credit is not an invoice: no pin, no share");
});

test("a supplier's credit and a used-up or voided one are muted and labelled so", () => {
	const supplier = panel.render_credit_row(
		credit({ type: "ACCPAYCREDIT", is_bill: true, counted: false }),
		ctx,
	);
	assert.match(text(supplier), /Supplier credit note/);
	assert.match(supplier, /is-uncounted/);
	assert.match(supplier, /is-muted" title="Not counted in the credit available"/);
	const voided = panel.render_credit_row(
		credit({ status: "VOIDED", status_key: "voided", counted: false }),
		ctx,
	);
	assert.match(text(voided), /Voided/);
	assert.match(voided, /indicator-pill no-indicator-dot gray/);
});

test("Xero text in a credit row is escaped", () => {
	const html = panel.render_credit_row(
		credit({
			number: "<img src=x onerror=alert(1)>",
			reference: "<script>alert(1)</script>",
			url: "javascript:alert(1)",
		}),
		ctx,
	);
	assert.doesNotMatch(html, /<img|<script|javascript:/);
	assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
});
