// Share and download on the panel's invoice rows (render.js): "Copy link" and "PDF" only on approved
// sales invoices, only where the page names the record, every value escaped. Run: node --test tests/js/
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

const RECORD = { doctype: "Contact", name: "Wile Coyote" };
const ctx = { format_date: (iso) => iso, format_currency: (v, c) => `${c} ${v}`, when: () => "now" };

function invoice(overrides) {
	return Object.assign(
		{
			invoice_id: "inv-1",
			invoice_number: "INV-A010",
			reference: "",
			type: "ACCREC",
			date: "2026-11-16",
			due_date: "2026-12-16",
			status: "AUTHORISED",
			display_status: "Open",
			currency: "NZD",
			total: 900,
			amount_due: 300,
			amount_paid: 600,
			amount_credited: 0,
			url: "https://go.xero.com/x",
			pinned: false,
			payments: [],
			status_key: "open",
			instalment_count: 0,
			is_bill: false,
			counted: true,
			unpaid: true,
			due: "later",
		},
		overrides,
	);
}

const row = (inv, record = RECORD) => panel.render_invoice_row(inv, ctx, { measure: "due", record });
const actions = (html) => (html.match(/data-action="(copy-link|pdf)"/g) || []).map((m) => m.slice(13, -1));

test("an authorised or paid sales invoice has Copy link and PDF", () => {
	for (const status of ["AUTHORISED", "PAID"]) {
		const html = row(invoice({ status }));
		assert.deepEqual(actions(html), ["copy-link", "pdf"], status);
		assert.match(html, />Copy link<\/button>/);
		assert.match(html, />PDF<\/a>/);
	}
});

test("drafts, submitted, voided and deleted invoices have neither", () => {
	for (const status of ["DRAFT", "SUBMITTED", "VOIDED", "DELETED"]) {
		assert.deepEqual(actions(row(invoice({ status, counted: false }))), [], status);
	}
});

test("bills have neither, whatever their status", () => {
	for (const status of ["AUTHORISED", "PAID"]) {
		const bill = invoice({ type: "ACCPAY", is_bill: true, status, counted: false });
		assert.deepEqual(actions(row(bill)), [], status);
	}
});

test("without the record (a page that does not wire them) there are no actions", () => {
	assert.deepEqual(actions(panel.render_invoice_row(invoice(), ctx, { measure: "due" })), []);
	assert.deepEqual(actions(panel.render_invoice_row(invoice(), ctx)), []);
});

test("the PDF link asks the server for this record's invoice, every part URL-encoded", () => {
	const html = row(invoice({ invoice_id: "a&b=c" }), { doctype: "Customer", name: "Acme & Sons/1?" });
	const href = /data-action="pdf" href="([^"]*)"/.exec(html)[1];
	assert.equal(
		href,
		"/api/method/xero_crm.invoice_documents.download_pdf?doctype=Customer&amp;name=Acme%20%26%20Sons%2F1%3F&amp;invoice_id=a%26b%3Dc",
	);
	assert.match(html, /data-action="pdf" href="[^"]*" download/);
});

test("the invoice number in the actions' labels is escaped", () => {
	const html = row(invoice({ invoice_number: '<img src=x onerror=alert(1)>"' }));
	assert.doesNotMatch(html, /<img/);
	assert.match(html, /Copy the online invoice link of &lt;img src=x onerror=alert\(1\)&gt;&quot;/);
	assert.match(html, /Download &lt;img src=x onerror=alert\(1\)&gt;&quot; as PDF/);
});

test("the labels are translated", () => {
	const mark = Object.assign({}, ctx, {
		__: (t, a) => `«${(a || []).reduce((s, v, i) => s.replace(`{${i}}`, v), t)}»`,
	});
	const html = panel.render_invoice_row(invoice(), mark, { record: RECORD });
	assert.match(html, />«Copy link»<\/button>/);
	assert.match(html, />«PDF»<\/a>/);
});

test("the list passes its record to every row", () => {
	const list = {
		view: "all",
		invoices: [invoice(), invoice({ invoice_id: "inv-2", status: "DRAFT", counted: false })],
		total_count: 2,
		record: RECORD,
	};
	assert.deepEqual(actions(panel.render_list(list, ctx)), ["copy-link", "pdf"]);
	delete list.record;
	assert.deepEqual(actions(panel.render_list(list, ctx)), []);
});

test("may_share: approved sales invoices only", () => {
	assert.equal(panel.may_share(invoice()), true);
	assert.equal(panel.may_share(invoice({ status: "PAID" })), true);
	assert.equal(panel.may_share(invoice({ status: "DRAFT" })), false);
	assert.equal(panel.may_share(invoice({ type: "ACCPAY", is_bill: true })), false);
	assert.equal(panel.may_share(null), false);
});
