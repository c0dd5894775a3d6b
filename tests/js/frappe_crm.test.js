// Xero invoices on Frappe CRM's pages: the side panel and Lead badge HTML (render.js) escape every Xero
// string and keep their links through DOMPurify, as Frappe CRM sanitises an HTML field; the page
// wiring (public/js/frappe_crm/panel.js) driven in jsdom with a fake page and server.
// Run: node --test tests/js/ (DOMPurify and jsdom from tests/js/package.json, which scripts/test installs).
"use strict";

const { test, before } = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { pathToFileURL } = require("node:url");

const JS = path.join(__dirname, "..", "..", "xero_crm", "public", "js");
let R;
let JSDOM;
let createDOMPurify;
let missing = "";
before(async () => {
	R = await import(pathToFileURL(path.join(JS, "xero_panel", "render.js")).href);
	try {
		({ JSDOM } = require("jsdom"));
		createDOMPurify = require("dompurify");
	} catch (e) {
		missing = "jsdom and dompurify are not installed (npm install --prefix tests/js)";
	}
});

const XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>';

function summary(overrides) {
	return Object.assign(
		{
			connected: true,
			matched: true,
			is_customer: true,
			xero_contacts: [{ contact_id: "c-1", name: `Acme ${XSS}`, how: "keys" }],
			totals: [{ currency: "NZD", paid: "1200.00", unpaid: "2200.00", overdue: "500.00" }],
			counts: { open: 1, unpaid: 2, overdue: 1, paid: 3, pinned: 0, all: 6 },
			overdue: {
				count: 1,
				oldest_days: 45,
				by_currency: [{ currency: "NZD", count: 1, amount: "500.00", oldest_days: 45 }],
			},
			last_synced_at: "2026-11-29 10:00:00",
			views: ["open", "unpaid", "overdue", "paid", "pinned", "all"],
		},
		overrides,
	);
}

function invoice(number, overrides) {
	return Object.assign(
		{
			invoice_id: `i-${number}`,
			invoice_number: number,
			reference: "",
			date: "2026-11-01",
			due_date: "2026-10-15",
			currency: "NZD",
			total: "500.00",
			amount_due: "500.00",
			amount_paid: "0.00",
			status_key: "overdue",
			due: "overdue",
			counted: true,
			url: `https://go.xero.com/organisationlogin/default.aspx?shortcode=!aB3&redirecturl=/AccountsReceivable/View.aspx?InvoiceID=i-${number}`,
			payments: [],
		},
		overrides,
	);
}

function sanitise(html) {
	const window = new JSDOM("").window;
	const clean = createDOMPurify(window).sanitize(html);
	const doc = new JSDOM(`<body>${clean}</body>`).window.document;
	return { clean, doc };
}

test("the side panel escapes every Xero string: no element or handler comes from Xero's text", (t) => {
	if (missing) return t.skip(missing);
	const html = R.render_crm_side_panel(
		summary(),
		[invoice(`INV-${XSS}`, { currency: `NZ${XSS}` }), invoice("INV-2", { url: "javascript:alert(3)" })],
		{},
	);
	const doc = new JSDOM(`<body>${html}</body>`).window.document;
	assert.equal(doc.querySelectorAll("script, img").length, 0);
	for (const el of doc.querySelectorAll("*")) {
		for (const attr of el.attributes) assert.doesNotMatch(attr.name, /^on/, `${el.tagName} ${attr.name}`);
	}
	assert.match(doc.body.textContent, /INV-"><script>alert\(1\)<\/script>/);
	// a javascript: URL is never a link
	const links = [...doc.querySelectorAll("a[data-xero-crm-link]")].map((a) => a.textContent);
	assert.deepEqual(links, [`INV-${XSS}`]);
});

test("the side panel survives DOMPurify with its Xero links and its All invoices link intact", (t) => {
	if (missing) return t.skip(missing);
	const invoices = [invoice("INV-0247", { status_key: "open", due: "later" }), invoice("INV-0224")];
	const html = R.render_crm_side_panel(summary(), invoices, {});
	const { clean, doc } = sanitise(html);
	const hrefs = [...doc.querySelectorAll("a[data-xero-crm-link]")].map((a) => a.getAttribute("href"));
	assert.deepEqual(
		hrefs,
		invoices.map((i) => i.url),
	);
	assert.equal(doc.querySelectorAll("a[data-xero-crm-open]").length, 1);
	assert.match(doc.body.textContent, /1 overdue invoice · NZD 500\.00, 45 days overdue/);
	assert.match(doc.body.textContent, /Most recent unpaid invoices/);
	// nothing the panel relies on was taken out
	assert.equal(clean.replace(/\s+/g, " ").length > 0, true);
	assert.equal(sanitise(clean).clean, clean, "already clean: a second pass changes nothing");
});

test("the side panel says why it shows no invoices", () => {
	assert.match(R.render_crm_side_panel(summary({ connected: false }), [], {}), /Xero is not connected/);
	assert.match(
		R.render_crm_side_panel(summary({ matched: false }), [], {}),
		/No Xero customer matches this record/,
	);
	assert.match(
		R.render_crm_side_panel(summary({ is_customer: false }), [], {}),
		/is in Xero but not as a customer/,
	);
});

test("a Lead's badge: an existing Xero customer, and how many invoices are overdue; escaped", (t) => {
	assert.equal(R.render_crm_lead_badge(summary({ is_customer: false }), {}), "");
	assert.equal(R.render_crm_lead_badge(summary({ matched: false }), {}), "");
	const overdue = R.render_crm_lead_badge(summary(), {});
	assert.match(overdue, />Existing Xero customer · 1 overdue</);
	assert.match(overdue, /is-overdue/);
	assert.doesNotMatch(overdue, /<script|<img/);
	assert.match(R.render_crm_lead_badge(summary({ overdue: { count: 0 } }), {}), />Existing Xero customer</);
	if (missing) return t.skip(missing);
	assert.match(sanitise(overdue).doc.body.textContent, /Existing Xero customer · 1 overdue/);
});

// ------------------------------------------------------------------------------------------------
// The page wiring, in jsdom: a fake Frappe CRM page (form script context) and a fake server
// ------------------------------------------------------------------------------------------------

function fake_page(dom, doctype, name) {
	const calls = [];
	const html = {};
	const dialogs = [];
	const answers = {
		get_summary: () => summary({ xero_contacts: [{ contact_id: "c-1", name: "Acme", how: "keys" }] }),
		get_invoices: (args) => ({
			invoices: [invoice(args.view === "paid" ? "INV-P1" : "INV-0224")],
			total_count: 1,
			counts: { open: 1, unpaid: 2, overdue: 1, paid: 3, pinned: 0, all: 6 },
			filtered: false,
			list_totals: [],
		}),
		pin_invoice: () => ({ pinned: true }),
	};
	const env = {
		call: async (method, args) => {
			calls.push([method.replace("xero_crm.api.", ""), args]);
			return answers[method.replace("xero_crm.api.", "")](args);
		},
		createDialog: (options) => {
			dialogs.push(options);
			const host = dom.window.document.createElement("div");
			host.innerHTML = options.html; // Frappe CRM's dialog body is not sanitised
			dom.window.document.body.appendChild(host);
		},
		toast: {},
		socket: {
			handlers: {},
			on(event, fn) {
				this.handlers[event] = fn;
			},
		},
	};
	const form = {
		doc: { name, doctype },
		actions: [],
		setFieldHtml(field, value) {
			html[field] = value;
		},
	};
	return { form, env, calls, html, dialogs };
}

async function settle() {
	for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
}

test("a Deal: its side panel, one Xero invoices action however often it renders, the dialog's views", async (t) => {
	if (missing) return t.skip(missing);
	const dom = new JSDOM("<!doctype html><html><head></head><body></body></html>", {
		url: "http://127.0.0.1/crm",
	});
	Object.assign(global, { window: dom.window, document: dom.window.document });
	try {
		const panel = await import(pathToFileURL(path.join(JS, "frappe_crm", "panel.js")).href);
		const page = fake_page(dom, "CRM Deal", "CRM-DEAL-2026-00001");
		panel.attach(page.form, "CRM Deal", page.env);
		panel.attach(page.form, "CRM Deal", page.env); // Frappe CRM renders again
		await settle();
		assert.equal(page.form.actions.length, 1);
		assert.match(page.html.xero_invoices, /INV-0224/);
		assert.deepEqual(page.calls[0], ["get_summary", { doctype: "CRM Deal", name: "CRM-DEAL-2026-00001" }]);
		assert.equal(document.querySelectorAll('link[href$="frappe_crm.css"]').length, 1);

		page.form.actions[0].onClick();
		await settle();
		const body = document.querySelector(".xero-crm-crm-dialog");
		assert.match(body.textContent, /Total paid/);
		assert.match(body.querySelector(".xero-crm-list").textContent, /INV-0224/);
		body.querySelector('[data-action="view"][data-view="paid"]').click();
		await settle();
		const last = page.calls.filter((c) => c[0] === "get_invoices").pop();
		assert.equal(last[1].view, "paid");
		assert.match(body.querySelector(".xero-crm-list").textContent, /INV-P1/);
		body.querySelector('[data-action="pin"]').click();
		await settle();
		assert.ok(page.calls.some((c) => c[0] === "pin_invoice" && c[1].invoice_id === "i-INV-P1"));

		// a change in Xero for this record's contact refreshes the side panel without a reload
		const before = page.calls.length;
		page.env.socket.handlers.xero_crm_invoices_changed({ contact_ids: ["c-1"] });
		await settle();
		assert.ok(page.calls.length > before);
		page.env.socket.handlers.xero_crm_invoices_changed({ contact_ids: ["someone-else"] });
		const after = page.calls.length;
		await settle();
		assert.equal(page.calls.length, after);
	} finally {
		delete global.window;
		delete global.document;
	}
});
