// The panel's rendering module (xero_crm/public/js/xero_panel/render.js), as a rep would read it, and
// its Frappe wiring driven in a headless browser. Run: node --test tests/js/
"use strict";

const { test, before } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const { pathToFileURL } = require("node:url");

const RENDER = path.join(__dirname, "..", "..", "xero_crm", "public", "js", "xero_panel", "render.js");
// an ES module (as the desk bundle imports it): loaded once, before the tests
let panel;
before(async () => {
	panel = await import(pathToFileURL(RENDER).href);
});

const XSS_SCRIPT = "<script>alert(1)</script>";
const XSS_IMG = "<img src=x onerror=alert(1)>";

// What Frappe would inject: a user date format and a currency formatter with symbols.
const ctx = {
	format_date: (iso) => {
		const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
		const [y, m, d] = iso.split("-");
		return `${d} ${months[Number(m) - 1]} ${y}`;
	},
	format_currency: (value, currency) =>
		({ NZD: "$", USD: "$" })[currency] +
		" " +
		value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
	when: () => "2 minutes ago",
};

// An invoice as xero_crm.api returns it: the documented fields and the server's facts (here an open
// sales invoice, part-paid, due later).
function invoice(overrides) {
	return Object.assign(
		{
			invoice_id: "inv-1",
			invoice_number: "INV-A010",
			reference: "PO 4471",
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
			url: "https://go.xero.com/organisationlogin/default.aspx?shortcode=!k3Lm9&redirecturl=%2FAccountsReceivable%2FView.aspx%3FInvoiceID%3Dinv-1",
			pinned: false,
			payments: [],
			status_key: "open",
			instalment_count: 1,
			is_bill: false,
			counted: true,
			unpaid: true,
			due: "later",
		},
		overrides,
	);
}

// A supplier bill: in no total, whatever its state.
function bill(overrides) {
	return invoice(Object.assign({ type: "ACCPAY", is_bill: true, counted: false }, overrides));
}

// A paid sales invoice.
const PAID = {
	status: "PAID",
	status_key: "paid",
	amount_due: 0,
	amount_paid: 900,
	unpaid: false,
	due: null,
};

const INSTALMENTS = [
	{ number: 1, date: "2026-11-05", amount: 200, reference: "DD-3341" },
	{ number: 2, date: "2026-11-12", amount: 200, reference: null },
	{ number: 3, date: "2026-11-19", amount: 200, reference: "Bank transfer" },
];

function summary(overrides) {
	return Object.assign(
		{
			connected: true,
			is_admin: false,
			matched: true,
			is_customer: true,
			can_link: true,
			organisation_name: "Harbour Tools Ltd",
			xero_contacts: [{ contact_id: "c-1", name: "Acme Widgets Ltd", is_customer: true, how: "keys" }],
			totals: [
				{ currency: "NZD", paid: 1200, unpaid: 2200, overdue: 900 },
				{ currency: "USD", paid: 80, unpaid: 250, overdue: 0 },
			],
			counts: { open: 4, unpaid: 6, paid: 3, overdue: 2, pinned: 1, all: 12 },
			views: ["open", "unpaid", "paid", "overdue", "pinned", "all"],
			last_synced_at: "2026-11-29 05:40:00",
		},
		overrides,
	);
}

// What the rep reads: tags dropped, entities decoded, whitespace collapsed.
function text(html) {
	return html
		.replace(/<[^>]*>/g, " ")
		.replace(/&lt;/g, "<")
		.replace(/&gt;/g, ">")
		.replace(/&quot;/g, '"')
		.replace(/&#39;/g, "'")
		.replace(/&amp;/g, "&")
		.replace(/\s+/g, " ")
		.trim();
}

function assert_inert(html, payload) {
	assert.doesNotMatch(html, /<script/i);
	assert.doesNotMatch(html, /<img/i);
	assert.ok(text(html).includes(payload), `the payload is shown as text: ${payload}`);
}

// ---- escaping -------------------------------------------------------------------------------------

test("invoice number and reference from Xero are shown as text, never run", () => {
	const html = panel.render_invoice_row(invoice({ invoice_number: XSS_SCRIPT, reference: XSS_IMG }), ctx);
	assert_inert(html, XSS_SCRIPT);
	assert_inert(html, XSS_IMG);
	assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
});

test("a payment reference in the instalments list is shown as text", () => {
	const payments = INSTALMENTS.map((p, i) => (i === 0 ? Object.assign({}, p, { reference: XSS_IMG }) : p));
	const html = panel.render_invoice_row(invoice({ payments }), ctx);
	assert_inert(html, XSS_IMG);
});

test("a Xero contact name is shown as text in the title, the not-a-customer state and the link search", () => {
	const contacts = [{ contact_id: "c-1", name: XSS_SCRIPT, is_customer: false, how: "link" }];
	assert_inert(panel.render_title_suffix(summary({ xero_contacts: contacts }), ctx), XSS_SCRIPT);
	const empty = panel.render_empty_state(
		summary({ is_customer: false, xero_contacts: contacts }),
		"Customer",
		ctx,
	);
	assert_inert(empty, XSS_SCRIPT);
	const results = panel.render_contact_results(
		[{ contact_id: '"><img src=x>', name: XSS_IMG, is_customer: true, emails: [XSS_SCRIPT] }],
		"acme",
		ctx,
	);
	assert_inert(results, XSS_IMG);
	assert.doesNotMatch(results, /"><img/);
});

test("values in attributes cannot break out of their quotes", () => {
	const html = panel.render_invoice_row(
		invoice({ invoice_id: '"><script>alert(1)</script>', url: 'https://go.xero.com/?x="><img src=x>' }),
		ctx,
	);
	assert.doesNotMatch(html, /<script|<img/i);
	assert.ok(html.includes('data-invoice-id="&quot;&gt;&lt;script&gt;'));
});

test("a javascript: URL never becomes a link", () => {
	const html = panel.render_invoice_row(invoice({ url: "javascript:alert(1)" }), ctx);
	assert.doesNotMatch(html, /href=/);
	assert.ok(text(html).includes("INV-A010"));
});

test("the built-in escape covers & < > \" ' and backtick, and keeps zero", () => {
	assert.equal(panel.escape_html(`&<>"'\``), "&amp;&lt;&gt;&quot;&#39;&#x60;");
	assert.equal(panel.escape_html(0), "0");
	assert.equal(panel.escape_html(null), "");
});

test("the desk's escape (Frappe's escape_html, given by the wiring) is used when given", () => {
	const html = panel.render_invoice_row(
		invoice({ invoice_number: "A&B" }),
		Object.assign({}, ctx, { escape: (v) => `[${String(v)}]` }),
	);
	assert.ok(html.includes("[A&B]"));
});

test("the rendering module reads no Frappe global: the desk's helpers come in ctx", () => {
	const trap = (name) =>
		new Proxy(function () {}, {
			get: () => {
				throw new Error(`render.js read ${name}`);
			},
			apply: () => {
				throw new Error(`render.js called ${name}`);
			},
		});
	const saved = { frappe: globalThis.frappe, __: globalThis.__, format_currency: globalThis.format_currency };
	Object.assign(globalThis, {
		frappe: trap("frappe"),
		__: trap("__"),
		format_currency: trap("format_currency"),
	});
	try {
		const s = summary();
		const rows = [invoice({ payments: INSTALMENTS }), bill({ due: "today" })];
		for (const c of [undefined, ctx]) {
			panel.render_header(s, c);
			panel.render_totals(s.totals, c);
			panel.render_views(s, "open", c);
			panel.render_sidebar(s, c);
			panel.render_list({ view: "all", invoices: rows, total_count: 2 }, c);
			panel.render_empty_state(summary({ connected: false }), "Customer", c);
			panel.render_contact_results([{ contact_id: "c", name: "n", emails: [] }], "ac", c);
			panel.render_error(panel.server_message(null, c), c);
		}
	} finally {
		Object.assign(globalThis, saved);
	}
	const code = fs
		.readFileSync(RENDER, "utf8")
		.split("\n")
		.filter((line) => !line.trim().startsWith("//"))
		.join("\n");
	assert.doesNotMatch(code, /(^|[^.\w])(frappe|window|document|format_currency|__)\b(?!\s*:)/m);
});

test("a failed call shows the server's short message, never the traceback", () => {
	const response = {
		exc_type: "PermissionError",
		exc: '["Traceback (most recent call last):\\n  File \\"frappe/app.py\\""]',
		_server_messages: JSON.stringify([JSON.stringify({ message: "Not <b>permitted</b>", indicator: "red" })]),
	};
	const message = panel.server_message(response, ctx);
	assert.equal(message, "Not permitted");
	assert.match(panel.server_message(undefined, ctx), /Try again/);
	const html = panel.render_error(message, ctx);
	assert.doesNotMatch(html, /Traceback/);
	assert.match(text(html), /Not permitted Try again/);
});

// ---- totals -------------------------------------------------------------------------------------

test("totals show one line per currency and never add currencies together", () => {
	const html = panel.render_totals(summary().totals, ctx);
	const shown = text(html);
	assert.match(shown, /Total paid NZD 1,200\.00 USD 80\.00/);
	assert.match(shown, /Total unpaid NZD 2,200\.00 USD 250\.00/);
	assert.doesNotMatch(shown, /1,280|2,450/);
});

test("money goes through the injected formatter with its currency", () => {
	const calls = [];
	const html = panel.render_totals(
		[{ currency: "EUR", paid: 1234.5, unpaid: 0, overdue: 0 }],
		Object.assign({}, ctx, {
			format_currency: (value, currency) => {
				calls.push([value, currency]);
				return `€ ${value === 0 ? "0,00" : "1.234,50"}`;
			},
		}),
	);
	assert.deepEqual(calls[0], [1234.5, "EUR"]);
	assert.match(text(html), /EUR 1\.234,50/);
});

test("Total paid says it includes part-payments (its list holds them too); Total unpaid needs no note", () => {
	const html = panel.render_totals(summary().totals, ctx);
	const paid = /<button[^>]*data-view="paid_to_date"[\s\S]*?<\/button>/.exec(html)[0];
	assert.match(paid, /<div class="xero-crm-total-note">incl\. part-payments on unpaid invoices<\/div>/);
	const unpaid = /<button[^>]*data-view="unpaid"[\s\S]*?<\/button>/.exec(html)[0];
	assert.doesNotMatch(unpaid, /xero-crm-total-note/);
	assert.match(panel.render_sidebar(summary(), ctx), /title="incl\. part-payments on unpaid invoices">Paid</);
});

test("each box opens the list that adds up to it: Total paid every invoice with a payment, Total unpaid the Unpaid view", () => {
	const html = panel.render_totals(summary().totals, ctx);
	assert.match(html, /data-view="paid_to_date"[^>]*>\s*<div class="xero-crm-total-label">Total paid/);
	assert.match(html, /data-view="unpaid"[^>]*>\s*<div class="xero-crm-total-label">Total unpaid/);
	assert.match(html, /data-view="overdue"[^>]*>\s*<div class="xero-crm-total-label">Overdue/);
	assert.doesNotMatch(html, /data-view="paid"/, "not the Paid pill: it leaves out part-paid invoices");
	const pressed = panel.render_totals(summary().totals, ctx, "paid_to_date");
	assert.match(
		pressed,
		/class="xero-crm-total  active"\s+data-action="box" data-view="paid_to_date" aria-pressed="true"/,
	);
});

test("a box shows only the currencies with something in them, as its list's total does", () => {
	const html = panel.render_totals([{ currency: "JPY", paid: 0, unpaid: 150000, overdue: 0 }], ctx);
	const paid = /<button[^>]*data-view="paid_to_date"[\s\S]*?<\/button>/.exec(html)[0];
	assert.equal(text(paid), "Total paid — incl. part-payments on unpaid invoices");
});

test("an Overdue box appears only when something is overdue", () => {
	assert.match(text(panel.render_totals(summary().totals, ctx)), /Overdue NZD 900\.00/);
	const none = panel.render_totals([{ currency: "NZD", paid: 5, unpaid: 5, overdue: 0 }], ctx);
	assert.doesNotMatch(none, /data-view="overdue"/);
});

// ---- aging: what is owed, by days overdue, one bar a currency --------------------------------------

function aging(currency, amounts, counts) {
	const keys = ["current", "1_30", "31_60", "61_90", "90_plus"];
	return {
		currency,
		buckets: keys.map((key, i) => ({
			key,
			amount: amounts[i],
			count: counts ? counts[i] : amounts[i] ? 1 : 0,
		})),
	};
}

const segments = (html) =>
	[...html.matchAll(/<button[^>]*class="xero-crm-aging-seg[^>]*>/g)].map((m) => m[0]);

test("the aging bar: one segment per bucket with something owed, as wide as its share", () => {
	const html = panel.render_aging([aging("NZD", [400, 300, 0, 200, 100], [2, 1, 0, 1, 3])], ctx);
	const segs = segments(html);
	assert.deepEqual(
		segs.map((s) => /data-view="([^"]+)"/.exec(s)[1]),
		["aging_current", "aging_1_30", "aging_61_90", "aging_90_plus"],
		"in order, the empty 31–60 left out",
	);
	assert.deepEqual(
		segs.map((s) => /style="width: ([\d.]+)%"/.exec(s)[1]),
		["40.00", "30.00", "20.00", "10.00"],
	);
	assert.deepEqual(
		segs.map((s) => /class="xero-crm-aging-seg (is-[\w]+)/.exec(s)[1]),
		["is-current", "is-1_30", "is-61_90", "is-90_plus"],
		"coloured by bucket, neutral to red",
	);
	const titles = segs.map((s) => /title="([^"]*)"/.exec(s)[1]);
	assert.deepEqual(titles, [
		"Current: NZD 400.00 · 2 invoices",
		"1–30 days overdue: NZD 300.00 · 1 invoice",
		"61–90 days overdue: NZD 200.00 · 1 invoice",
		"90+ days overdue: NZD 100.00 · 3 invoices",
	]);
});

test("each currency has its own bar; amounts are never added across currencies", () => {
	const html = panel.render_aging([aging("NZD", [100, 0, 0, 0, 300]), aging("USD", [0, 50, 0, 0, 0])], ctx);
	const rows = html.split('class="xero-crm-aging-row"').slice(1);
	assert.equal(rows.length, 2);
	assert.match(rows[0], /xero-crm-ccy">NZD</);
	assert.deepEqual(
		segments(rows[0]).map((s) => /width: ([\d.]+)%/.exec(s)[1]),
		["25.00", "75.00"],
	);
	assert.match(rows[1], /xero-crm-ccy">USD</);
	assert.deepEqual(
		segments(rows[1]).map((s) => /width: ([\d.]+)%/.exec(s)[1]),
		["100.00"],
	);
	assert.match(rows[1], /title="1–30 days overdue: USD 50\.00 · 1 invoice"/);
});

test("nothing owed, no bar; what the bar shows is escaped", () => {
	assert.equal(panel.render_aging([], ctx), "");
	assert.equal(panel.render_aging(undefined, ctx), "");
	assert.equal(panel.render_aging([aging("NZD", [0, 0, 0, 0, 0])], ctx), "");
	const hostile = panel.render_aging(
		[aging(XSS_SCRIPT, [1, 0, 0, 0, 0]), aging(`"><img src=x onerror=alert(1)>`, [0, 2, 0, 0, 0])],
		ctx,
	);
	assert.doesNotMatch(hostile, /<script|<img/);
	assert.match(hostile, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
	assert.match(hostile, /title="1–30 days overdue: &quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;/);
	// a bucket the panel does not know is left out rather than drawn with an unknown class or view
	const odd = panel.render_aging(
		[{ currency: "NZD", buckets: [{ key: 'x" onclick="a', amount: 5, count: 1 }] }],
		ctx,
	);
	assert.equal(odd, "");
});

test("clicking a segment asks for its list: a box action with the bucket's view, pressed while shown", () => {
	const html = panel.render_aging([aging("NZD", [100, 200, 0, 0, 0])], ctx, "aging_1_30");
	const [current, overdue] = segments(html);
	assert.match(current, /data-action="box" data-view="aging_current" aria-pressed="false"/);
	assert.match(overdue, /class="xero-crm-aging-seg is-1_30 active"/);
	assert.match(overdue, /data-action="box" data-view="aging_1_30" aria-pressed="true"/);
	// the list it opens: labelled while shown as a pill, totalled in amount due, its empty state worded
	const views = panel.render_views(summary(), "aging_1_30", ctx);
	assert.match(views, /data-view="aging_1_30" aria-pressed="true">1–30 days overdue</);
	const list = {
		view: "aging_90_plus",
		invoices: [invoice()],
		total_count: 1,
		list_totals: [{ currency: "NZD", count: 1, amount_paid: 600, amount_due: 300 }],
	};
	assert.match(text(panel.render_list_total(list, ctx)), /^Total owed NZD 300\.00$/);
	assert.equal(panel.empty_view_message("aging_31_60", false, ctx), "No invoices owed in this range");
});

// ---- rows: the server's facts, labelled and formatted --------------------------------------------

test("a row shows number linking to Xero in a new tab, date, type, balance and total right aligned", () => {
	const html = panel.render_invoice_row(invoice(), ctx);
	assert.match(
		html,
		/<a class="xero-crm-number" href="https:\/\/go\.xero\.com\/[^"]*" target="_blank" rel="noopener noreferrer"/,
	);
	const cells = html.split("<td").slice(1);
	assert.match(text("<td" + cells[2]), /^16 Nov 2026 due 16 Dec 2026$/);
	assert.equal(text("<td" + cells[3]), "Sales invoice");
	assert.match(cells[4], /class="xero-crm-num"/);
	assert.equal(text("<td" + cells[4]), "NZD 300.00", "balance is the amount due");
	assert.match(cells[5], /class="xero-crm-num"/);
	assert.equal(text("<td" + cells[5]), "NZD 900.00");
});

test("a bill is labelled Bill", () => {
	const cells = panel.render_invoice_row(bill(), ctx).split("<td").slice(1);
	assert.equal(text("<td" + cells[3]), "Bill");
	assert.match(text(panel.render_invoice_row(bill(), ctx)), /\bBill\b/);
});

const pill_of = (html) =>
	/indicator-pill no-indicator-dot (\w+) xero-crm-status">([^<]*)</.exec(html).slice(1);
const pill = (o) => pill_of(panel.render_invoice_row(invoice(o), ctx));

test("a bill's status pill is grey and says Bill before its state", () => {
	const bill_pill = (o) => pill_of(panel.render_invoice_row(bill(o), ctx));
	assert.deepEqual(bill_pill({ status_key: "open" }), ["gray", "Bill · Open"]);
	assert.deepEqual(bill_pill(PAID), ["gray", "Bill · Paid"]);
	assert.deepEqual(bill_pill({ status_key: "overdue" }), ["gray", "Bill · Overdue"]);
	const parts = bill(Object.assign({}, PAID, { instalment_count: 2, payments: INSTALMENTS.slice(0, 2) }));
	assert.deepEqual(pill_of(panel.render_invoice_row(parts, ctx)), ["gray", "Bill · Paid · 2 instalments"]);
});

test("bills, drafts, submitted, voided and deleted invoices show their amounts muted: they are in no total", () => {
	const muted = (inv) => {
		const html = panel.render_invoice_row(inv, ctx);
		return (html.match(/class="xero-crm-num[^"]*is-muted" title="Not counted in the totals"/g) || []).length;
	};
	assert.equal(muted(bill()), 2, "balance and total of a bill");
	for (const status of ["DRAFT", "SUBMITTED", "VOIDED", "DELETED"]) {
		const facts = { status, status_key: status.toLowerCase(), counted: false, unpaid: false, due: null };
		assert.equal(muted(invoice(facts)), 2, status);
	}
	assert.equal(muted(invoice()), 0, "an open sales invoice");
	assert.equal(muted(invoice(PAID)), 0, "a paid sales invoice");
	assert.match(panel.render_invoice_row(bill(), ctx), /class="xero-crm-row is-uncounted"/);
});

test("amounts are muted exactly when the server says the invoice counts in no total", () => {
	const muted = (o) => /is-muted/.test(panel.render_invoice_row(invoice(o), ctx));
	// the facts decide, whatever the raw fields seem to say
	assert.equal(muted({ type: "ACCREC", status: "AUTHORISED", counted: false }), true);
	assert.equal(muted({ status: "DRAFT", status_key: "draft", counted: true }), false);
});

const due_cell = (inv) =>
	/<td class="xero-crm-nowrap">[\s\S]*?<\/td>/.exec(panel.render_invoice_row(inv, ctx))[0];

test("an open invoice due today says due today, emphasised, not its date", () => {
	const today = due_cell(invoice({ due_date: "2026-11-29", due: "today" }));
	assert.match(today, /<div class="xero-crm-sub is-due-today">due today<\/div>/);
	assert.doesNotMatch(text(today), /29 Nov 2026/);
	const later = due_cell(invoice({ due_date: "2026-11-30", due: "later" }));
	assert.equal(text(later), "16 Nov 2026 due 30 Nov 2026");
	assert.doesNotMatch(later, /is-due-today|is-late/);
	const late = due_cell(invoice({ due_date: "2026-11-28", due: "overdue", status_key: "overdue" }));
	assert.match(
		late,
		/<div class="xero-crm-sub is-late">due 28 Nov 2026<\/div>/,
		"overdue keeps its red date",
	);
	assert.doesNotMatch(due_cell(invoice(Object.assign({ due_date: "2026-11-29" }, PAID))), /due/, "paid");
});

test("whether an invoice is due today or overdue is the server's `due`, never the browser's clock", () => {
	const p = (n) => String(n).padStart(2, "0");
	const now = new Date();
	const browser_today = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
	// the server's today is not the browser's (another time zone): it says "later"
	assert.doesNotMatch(due_cell(invoice({ due_date: browser_today, due: "later" })), /due today|is-late/);
	assert.match(due_cell(invoice({ due_date: "2031-01-02", due: "today" })), /is-due-today">due today/);
	assert.match(due_cell(invoice({ due_date: "2031-01-02", due: "overdue" })), /is-late/);
	assert.equal(text(due_cell(invoice({ due_date: "2020-01-02", due: null }))), "16 Nov 2026", "nothing due");
});

test("a bill past its due date keeps its grey row: its due date is not red", () => {
	const html = due_cell(bill({ due_date: "2026-11-01", due: "overdue" }));
	assert.equal(text(html), "16 Nov 2026 due 01 Nov 2026");
	assert.doesNotMatch(html, /is-late|is-due-today/);
	assert.doesNotMatch(due_cell(bill({ due_date: "2026-11-29", due: "today" })), /due today/);
});

test("the status pill is coloured by status and says the instalment count", () => {
	const paid = pill(Object.assign({}, PAID, { instalment_count: 3, payments: INSTALMENTS }));
	assert.deepEqual(paid, ["green", "Paid · 3 instalments"]);
	assert.deepEqual(pill({}), ["blue", "Open"]);
	assert.deepEqual(pill({ status_key: "overdue", due: "overdue" }), ["red", "Overdue"]);
	assert.deepEqual(pill({ status: "DRAFT", status_key: "draft", counted: false }), ["gray", "Draft"]);
	assert.deepEqual(pill({ status: "VOIDED", status_key: "voided", counted: false, amount_due: 0 }), [
		"gray",
		"Voided",
	]);
	assert.deepEqual(pill({ status_key: "authorised", unpaid: false, amount_due: 0 }), ["blue", "Authorised"]);
});

test("the label is the server's status_key, translated: display_status is never parsed", () => {
	assert.deepEqual(pill({ status_key: "paid", display_status: "Open · 7 instalments" }), ["green", "Paid"]);
	assert.deepEqual(pill({ status_key: "submitted", display_status: "Whatever" }), ["gray", "Submitted"]);
});

test("instalments come from instalment_count, not from the text of display_status", () => {
	const shown = (o) => pill(Object.assign({}, PAID, o))[1];
	assert.equal(
		shown({ instalment_count: 2, display_status: "Paid · 9 instalments" }),
		"Paid · 2 instalments",
	);
	assert.equal(shown({ instalment_count: 4, display_status: "Paid" }), "Paid · 4 instalments");
	assert.equal(shown({ instalment_count: 1, display_status: "Paid · 3 instalments" }), "Paid", "one payment");
	assert.equal(shown({ instalment_count: 0 }), "Paid");
});

test("a status_key the panel has never seen is shown as the server words it, through __()", () => {
	const mark = Object.assign({}, ctx, { __: (label, args) => `«${panel.identity_translate(label, args)}»` });
	const future = invoice({
		status: "ARCHIVED",
		status_key: "archived",
		display_status: "Archived · 2 instalments",
		instalment_count: 2,
		counted: false,
	});
	assert.deepEqual(pill_of(panel.render_invoice_row(future, ctx)), ["gray", "Archived · 2 instalments"]);
	assert.match(panel.render_invoice_row(future, mark), /«Archived» · «2 instalments»/);
	const translated = Object.assign({}, ctx, {
		__: (label, args) => (label === "Archived" ? "Archivée" : label),
	});
	assert.match(panel.status_label("archived", translated), /^Archivée$/);
});

test("a row is drawn from the server's facts alone, whatever the raw fields would suggest", () => {
	// raw fields of an overdue sales invoice; the facts of a paid bill
	const inv = invoice({
		type: "ACCREC",
		status: "AUTHORISED",
		display_status: "Overdue",
		due_date: "2020-01-01",
		amount_due: 300,
		status_key: "paid",
		instalment_count: 0,
		is_bill: true,
		counted: false,
		unpaid: false,
		due: null,
	});
	const html = panel.render_invoice_row(inv, ctx);
	assert.deepEqual(pill_of(html), ["gray", "Bill · Paid"]);
	const cells = html.split("<td").slice(1);
	assert.equal(text("<td" + cells[2]), "16 Nov 2026", "no due line");
	assert.equal(text("<td" + cells[3]), "Bill");
	assert.match(html, /is-uncounted/);
});

test("the Payments link appears when the server lists the payments (it does for two or more)", () => {
	assert.doesNotMatch(panel.render_invoice_row(invoice({ payments: [] }), ctx), /xero-crm-payments/);
	// one payment: the server counts it (instalment_count 1) and lists none
	const one = invoice({ instalment_count: 1, payments: [] });
	assert.doesNotMatch(panel.render_invoice_row(one, ctx), /Payments/);
	const two = invoice({ instalment_count: 2, payments: INSTALMENTS.slice(0, 2) });
	assert.match(panel.render_invoice_row(two, ctx), /data-action="payments"/);
});

test("the Payments hover lists number, date and amount of each instalment, with its reference", () => {
	const html = panel.render_payments(invoice({ payments: INSTALMENTS }), ctx);
	const popover = text(/<div class="xero-crm-popover"[\s\S]*<\/div>/.exec(html)[0]);
	assert.ok(popover.includes("3 payments"));
	assert.ok(popover.includes("#1 · 05 Nov 2026 · NZD 200.00 · DD-3341"));
	assert.ok(popover.includes("#2 · 12 Nov 2026 · NZD 200.00 #3"), "no reference, no trailing separator");
	assert.ok(popover.includes("#3 · 19 Nov 2026 · NZD 200.00 · Bank transfer"));
	assert.match(html, /role="tooltip"/);
	assert.match(html, /<button type="button"[^>]*aria-haspopup="true"/, "focusable for keyboard users");
});

test("the pin icon shows whether the invoice is pinned", () => {
	const pinned = panel.render_invoice_row(invoice({ pinned: true }), ctx);
	assert.match(pinned, /class="xero-crm-pin is-pinned" data-action="pin"\s+aria-pressed="true"/);
	assert.match(pinned, /title="Unpin INV-A010"/);
	const loose = panel.render_invoice_row(invoice({ pinned: false }), ctx);
	assert.match(loose, /class="xero-crm-pin" data-action="pin"\s+aria-pressed="false"/);
	assert.match(loose, /title="Pin to this record"/);
});

// ---- views, list, paging ------------------------------------------------------------------------

test("view buttons show their counts and highlight the active one", () => {
	const html = panel.render_views(summary(), "overdue", ctx);
	assert.equal(text(html), "Open 4 Unpaid 6 Paid 3 Overdue 2 Pinned 1 All 12");
	const active = html.match(/class="xero-crm-view active[^"]*"[^>]*data-view="(\w+)"/g);
	assert.equal(active.length, 1);
	assert.match(active[0], /data-view="overdue"/);
	assert.match(html, /data-view="overdue" aria-pressed="true"/);
	assert.match(html, /data-view="open" aria-pressed="false"/);
	assert.match(html, /class="xero-crm-view active has-alert" data-action="view"\s+data-view="overdue"/);
});

test("the view pills are the server's views, in its order, with any view it adds", () => {
	const views = (list, counts) =>
		text(panel.render_views(summary(Object.assign({ views: list }, counts && { counts })), "open", ctx));
	assert.equal(views(["all", "open"]), "All 12 Open 4");
	assert.equal(views(["open", "disputed"], { open: 4, disputed: 2 }), "Open 4 Disputed 2");
	const mark = Object.assign({}, ctx, { __: (label) => `«${label}»` });
	const html = panel.render_views(summary({ views: ["disputed"] }), "open", mark);
	assert.match(html, /data-view="disputed"[^>]*>«Disputed»/);
});

test("an older server that sends no views gets the panel's own list", () => {
	const html = panel.render_views(summary({ views: undefined }), "open", ctx);
	assert.equal(text(html), "Open 4 Unpaid 6 Overdue 2 Paid 3 Pinned 1 All 12");
	assert.deepEqual(panel.views_of({ views: [] }), panel.FALLBACK_VIEWS);
});

test("an empty view says so, and says when the search is why", () => {
	assert.equal(
		text(panel.render_list({ view: "overdue", invoices: [], total_count: 0 }, ctx)),
		"No overdue invoices",
	);
	assert.equal(text(panel.render_list({ view: "open", invoices: [] }, ctx)), "No open invoices");
	const filtered = text(panel.render_list({ view: "paid", invoices: [], filtered: true }, ctx));
	assert.equal(filtered, "No paid invoices match this search and dates.");
});

test("Load more appears while there are more invoices than shown", () => {
	const rows = [invoice({ invoice_id: "a" }), invoice({ invoice_id: "b" })];
	const partial = panel.render_list({ view: "all", invoices: rows, total_count: 57 }, ctx);
	assert.match(partial, /data-action="more"/);
	assert.match(text(partial), /Showing 2 of 57/);
	const whole = panel.render_list({ view: "all", invoices: rows, total_count: 2 }, ctx);
	assert.doesNotMatch(whole, /data-action="more"/);
});

test("the search box and dates keep what the rep applied, escaped", () => {
	const html = panel.render_filters({ search: '"><script>', from_date: "2026-11-01", to_date: "" }, ctx);
	assert.doesNotMatch(html, /<script/);
	assert.match(html, /name="from_date" class="form-control input-xs" value="2026-11-01"/);
	assert.match(html, /data-action="apply"/);
	assert.doesNotMatch(html, /xero-crm-clear hidden/, "Clear shows when a filter is set");
	assert.match(panel.render_filters({}, ctx), /xero-crm-clear hidden/);
});

// ---- empty states -------------------------------------------------------------------------------

test("not connected: an admin gets a link to Xero Settings", () => {
	const html = panel.render_empty_state(summary({ connected: false, is_admin: true }), "Customer", ctx);
	assert.match(html, /href="\/app\/xero-settings"/);
	assert.match(text(html), /Xero is not connected\./);
	assert.doesNotMatch(text(html), /yet/);
});

test("not connected: a rep is told to ask the administrator", () => {
	const html = panel.render_empty_state(summary({ connected: false, is_admin: false }), "Customer", ctx);
	assert.doesNotMatch(html, /xero-settings/);
	assert.match(text(html), /Ask your administrator to connect Xero/);
});

test("no Xero contact matched: offers Link Xero contact to someone who may edit", () => {
	const unmatched = { matched: false, is_customer: false, xero_contacts: [] };
	const html = panel.render_empty_state(summary(unmatched), "Contact", ctx);
	assert.match(text(html), /No Xero contact matches this Contact\. Link Xero contact/);
	assert.match(html, /data-action="link"/);
	const reader = panel.render_empty_state(
		summary(Object.assign({ can_link: false }, unmatched)),
		"Contact",
		ctx,
	);
	assert.doesNotMatch(reader, /data-action="link"/);
});

test("matched but not a customer in Xero: says there are no sales invoices yet", () => {
	const contacts = [{ contact_id: "c-2", name: "Beta Supplies Ltd", is_customer: false, how: "keys" }];
	const html = panel.render_empty_state(
		summary({ is_customer: false, xero_contacts: contacts }),
		"Customer",
		ctx,
	);
	assert.equal(text(html), "Beta Supplies Ltd is in Xero but not as a customer: no sales invoices yet.");
});

test("a customer with invoices gets the panel, not an empty state", () => {
	assert.equal(panel.render_empty_state(summary(), "Customer", ctx), null);
});

// ---- header, sidebar, realtime ------------------------------------------------------------------

test("the header says when the data was last synced and offers a refresh", () => {
	const html = panel.render_header(summary(), ctx);
	assert.match(text(html), /last synced 2 minutes ago/);
	assert.match(html, /data-action="reload"/);
	assert.match(text(panel.render_header(summary({ last_synced_at: null }), ctx)), /not synced yet/);
	assert.equal(panel.render_title_suffix(summary(), ctx), " · Acme Widgets Ltd");
});

test("Unlink is offered only for a link a user made, to someone who may edit", () => {
	const linked = [{ contact_id: "c-1", name: "Acme Widgets Ltd", is_customer: true, how: "link" }];
	assert.match(panel.render_header(summary({ xero_contacts: linked }), ctx), /data-action="unlink"/);
	assert.doesNotMatch(panel.render_header(summary(), ctx), /data-action="unlink"/, "automatic match");
	const reader = summary({ xero_contacts: linked, can_link: false });
	assert.doesNotMatch(panel.render_header(reader, ctx), /data-action="unlink"/);
});

test("the sidebar shows totals per currency, the overdue count and the last sync", () => {
	const shown = text(panel.render_sidebar(summary(), ctx));
	assert.equal(
		shown,
		"Xero invoices Paid NZD 1,200.00 USD 80.00 Unpaid NZD 2,200.00 USD 250.00 2 overdue invoices synced 2 minutes ago",
	);
	const one = text(panel.render_sidebar(summary({ counts: { overdue: 1 } }), ctx));
	assert.match(one, /1 overdue invoice synced/);
});

test("a realtime change reloads only panels showing one of the changed contacts", () => {
	assert.equal(panel.touches(["c-9", "c-1"], summary()), true);
	assert.equal(panel.touches(["c-9"], summary()), false);
	assert.equal(panel.touches(undefined, summary()), false);
});

test("every label goes through __()", () => {
	const mark = Object.assign({}, ctx, {
		__: (label, args) => `«${panel.identity_translate(label, args)}»`,
	});
	assert.match(panel.render_totals(summary().totals, mark), /«Total paid»/);
	assert.match(panel.render_views(summary(), "open", mark), /«Pinned»/);
	assert.match(panel.render_invoice_row(bill(), mark), /«Bill»/);
	assert.match(panel.render_list({ view: "overdue", invoices: [] }, mark), /«No overdue invoices»/);
	const paid = invoice(Object.assign({}, PAID, { instalment_count: 3, payments: INSTALMENTS }));
	assert.match(panel.render_invoice_row(paid, mark), /«Paid» · «3 instalments»/);
	assert.match(panel.render_invoice_row(bill(), mark), /«Bill» · «Open»/);
	assert.match(
		panel.render_invoice_row(invoice({ due_date: "2026-11-29", due: "today" }), mark),
		/«due today»/,
	);
	for (const key of ["draft", "submitted", "authorised", "voided", "deleted", "overdue"]) {
		assert.match(
			panel.render_invoice_row(invoice({ status_key: key }), mark),
			new RegExp(`«${key[0].toUpperCase()}`),
		);
	}
	assert.match(panel.render_totals(summary().totals, mark), /«incl\. part-payments on unpaid invoices»/);
	assert.match(panel.render_filters({}, mark), /«Invoice date from»[\s\S]*«to»/);
	const empty = panel.render_empty_state(summary({ connected: false }), "Customer", mark);
	assert.match(empty, /«Ask your administrator to connect Xero\.»/);
});

// ---- search across views, list totals, dates, linking ------------------------------------------------

test("a search that finds nothing here says which views hold matches, each with Show", () => {
	const counts = { open: 0, unpaid: 0, overdue: 0, paid: 2, pinned: 1, all: 2, paid_to_date: 2 };
	const list = { view: "open", invoices: [], filtered: true, counts, views: summary().views };
	const html = panel.render_list(list, ctx);
	assert.equal(
		text(html),
		"No open invoices match this search and dates. 2 matches in Paid · Show 1 match in Pinned · Show",
	);
	assert.match(html, /data-action="view" data-view="paid">Show</);
	assert.doesNotMatch(html, /data-view="all"/, "All only when no other view holds any");
	const only_all = panel.render_list(
		{ view: "open", invoices: [], filtered: true, counts: { all: 3 }, views: summary().views },
		ctx,
	);
	assert.match(text(only_all), /3 matches in All · Show$/);
	const none = panel.render_list({ view: "open", invoices: [], filtered: true, counts: {} }, ctx);
	assert.equal(text(none), "No open invoices match this search and dates.");
	const unfiltered = panel.render_list({ view: "open", invoices: [], counts }, ctx);
	assert.equal(text(unfiltered), "No open invoices", "without a search: no hint");
});

test("the pills count what each view holds under the search, and a view without a pill gets one while shown", () => {
	const counts = { open: 0, unpaid: 1, overdue: 0, paid: 1, pinned: 0, all: 2, paid_to_date: 2 };
	const html = panel.render_views(summary(), "paid_to_date", ctx, counts, true);
	assert.equal(text(html), "Open 0 Unpaid 1 Paid 1 Overdue 0 Pinned 0 All 2 Paid to date 2");
	assert.match(
		html,
		/is-filtered[^>]*data-view="paid_to_date" aria-pressed="true" title="Counts match the search and dates"/,
	);
	assert.doesNotMatch(panel.render_views(summary(), "open", ctx), /Paid to date|is-filtered/);
});

test("under a list, what the whole list adds up to, in its box's measure, per currency", () => {
	const list_totals = [
		{ currency: "NZD", count: 2, amount_paid: 1800, amount_due: 300 },
		{ currency: "USD", count: 1, amount_paid: 80, amount_due: 0 },
	];
	const rows = [invoice()];
	const total = (view, filtered) =>
		text(panel.render_list({ view, invoices: rows, total_count: 3, list_totals, filtered }, ctx));
	assert.match(total("paid_to_date"), /Total paid NZD 1,800\.00 · USD 80\.00 Showing 1 of 3/);
	assert.match(
		total("unpaid"),
		/Total unpaid NZD 300\.00 Showing/,
		"a currency with nothing due is left out",
	);
	assert.match(total("paid_to_date", true), /USD 80\.00 \(matching the search and dates\)/);
	assert.doesNotMatch(
		total("all"),
		/Total paid|Total unpaid|Balance due/,
		"All mixes bills and drafts: no total",
	);
});

test("the lists of paid invoices show what was paid on each; the others the balance", () => {
	const part_paid = invoice({ amount_paid: 600, amount_due: 300 });
	const list = (view) => panel.render_list({ view, invoices: [part_paid], total_count: 1 }, ctx);
	const cell = (html) => text("<td" + html.split("<td")[5]);
	assert.equal(cell(list("paid_to_date")), "NZD 600.00");
	assert.match(list("paid_to_date"), /<th class="xero-crm-num">Paid<\/th>/);
	assert.match(list("paid_to_date"), /Every sales invoice with a payment, part-paid ones included/);
	assert.equal(cell(list("open")), "NZD 300.00");
	assert.match(list("open"), /<th class="xero-crm-num">Balance<\/th>/);
});

test("a row carries what a phone shows on a tap: a details toggle, and labels for type and total", () => {
	const html = panel.render_invoice_row(invoice(), ctx);
	assert.match(
		html,
		/<button type="button" class="xero-crm-details" data-action="details"\s+aria-expanded="false"/,
	);
	assert.match(html, /title="Details of INV-A010"/);
	assert.match(html, /<td class="xero-crm-type" data-label="Type">Sales invoice<\/td>/);
	assert.match(html, /data-label="Total"/);
	assert.match(html, /<a class="xero-crm-number"[^>]*title="Open INV-A010 in Xero \(new tab\)"/);
	assert.match(html, /<div class="xero-crm-sub xero-crm-ref">PO 4471<\/div>/);
});

test("dates typed by hand as YYYY-MM-DD are read, when they are real dates", () => {
	assert.equal(panel.iso_date("2026-09-01"), "2026-09-01");
	assert.equal(panel.iso_date(" 2026-9-1 "), "2026-09-01");
	for (const wrong of ["2026-02-30", "2026-13-01", "01-09-2026", "2026/09/01", "", null, "2026-09-01x"]) {
		assert.equal(panel.iso_date(wrong), null, String(wrong));
	}
});

test("a range the wrong way round is said in the rep's date format; a right one is no problem", () => {
	assert.equal(
		panel.date_range_problem("2026-09-30", "2026-09-01", ctx),
		"The invoice date from (30 Sep 2026) is after the date to (01 Sep 2026): change one of them.",
	);
	assert.equal(panel.date_range_problem("2026-09-01", "2026-09-01", ctx), null);
	assert.equal(panel.date_range_problem("2026-09-30", "", ctx), null);
});

test("the date fields are labelled as the invoice date, with a place to say what is wrong", () => {
	const html = panel.render_filters({}, ctx);
	assert.match(text(html), /Invoice date from to Apply Clear/);
	assert.match(html, /aria-label="Invoice date from"/);
	assert.match(html, /aria-label="Invoice date to"/);
	assert.match(html, /<div class="xero-crm-filter-note hidden" role="alert"><\/div>/);
});

test("an error the same call would repeat offers no Try again", () => {
	assert.match(panel.render_error("x", ctx), /Try again/);
	assert.doesNotMatch(panel.render_error("x", ctx, false), /Try again/);
});

test("before linking: which records already show the contact's invoices, how, and Link / Back", () => {
	const answer = {
		contact: { contact_id: "c-1", name: "Acme Widgets Ltd", is_customer: true },
		records: [
			{ doctype: "Customer", name: "CUST-1", title: "Acme Widgets Ltd", how: "keys" },
			{ doctype: "Contact", name: "Jane", title: "Jane Smith", how: "fallback" },
			{ doctype: "Opportunity", name: "OPP-1", title: XSS_SCRIPT, how: "link" },
		],
		this_record: false,
	};
	const html = panel.render_link_confirm(answer, "Contact", ["Globex"], ctx);
	assert_inert(html, XSS_SCRIPT);
	const shown = text(html);
	assert.match(shown, /^Link this Contact to the Xero contact Acme Widgets Ltd\?/);
	assert.match(shown, /It shows the invoices of Globex now; the link replaces that\./);
	assert.match(
		shown,
		/Already showing Acme Widgets Ltd's invoices: Customer Acme Widgets Ltd matched automatically/,
	);
	assert.match(shown, /Contact Jane Smith matched through its customer/);
	assert.match(shown, /Opportunity <script>alert\(1\)<\/script> linked by hand/);
	assert.match(html, /data-action="confirm-link">Link</);
	assert.match(html, /data-action="back">Back</);
	assert.match(html, /class="xero-crm-confirm" data-contact-id="c-1"/);
	const alone = text(
		panel.render_link_confirm(
			{ contact: { name: "Initech", is_customer: false }, records: [] },
			"Customer",
			[],
			ctx,
		),
	);
	assert.match(alone, /No other record you can see shows its invoices yet\./);
	assert.match(alone, /It is not a customer in Xero yet/);
	const again = text(
		panel.render_link_confirm(Object.assign({}, answer, { this_record: true }), "Contact", [], ctx),
	);
	assert.match(again, /This Contact already shows its invoices\./);
});

test("the link search says it takes part of a name or a whole email", () => {
	assert.match(text(panel.render_contact_results([], "", ctx)), /part of a name, or a whole email address/);
});

// ---- the wiring, in a headless browser ----------------------------------------------------------

// harness.html?selftest=1 drives the panel on a stand-in desk form as a rep would and prints PASS/FAIL
// lines: where the panel sits (top of the first tab, or of a form without tabs), one panel after a
// refresh or another record, the sidebar click (tab and scroll), the date filters (native inputs, or
// Frappe-like Date controls typed in the user's format) and the views.
const { spawnSync } = require("node:child_process");
const os = require("node:os");

const { CHROMIUM, FLAGS, open_page } = require("./cdp.js");

function selftest(query) {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), "xero-harness-"));
	try {
		const url = pathToFileURL(path.join(__dirname, "harness.html")).href + "?selftest=1" + query;
		const run = spawnSync(
			CHROMIUM,
			[...FLAGS, `--user-data-dir=${profile}`, "--virtual-time-budget=30000", "--dump-dom", url],
			{ encoding: "utf8", timeout: 120000 },
		);
		const out = /<pre id="selftest">([\s\S]*?)<\/pre>/.exec(run.stdout || "");
		return out ? out[1].replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&amp;/g, "&").split("\n") : [];
	} finally {
		fs.rmSync(profile, { recursive: true, force: true });
	}
}

for (const [query, form] of [
	["", "a tabbed form (Customer, Opportunity) with native date inputs"],
	["&controls=1", "a tabbed form with Frappe Date controls"],
	["&tabs=0", "a form without tabs (Contact)"],
	["&tabs=0&controls=1", "a form without tabs with Frappe Date controls"],
]) {
	test(
		`the panel's wiring, driven in a headless browser: ${form}`,
		{ skip: !CHROMIUM && "no Chromium" },
		() => {
			const lines = selftest(query);
			assert.ok(lines.length > 30, `the selftest ran: ${lines.join(" / ")}`);
			assert.deepEqual(
				lines.filter((line) => !line.startsWith("PASS")),
				[],
			);
			for (const must of [
				"PASS the panel is the first thing in the",
				"PASS a refresh shows one panel, not two",
				"PASS and scrolls its title to about 120 px from the top",
				"PASS the server gets the dates as YYYY-MM-DD",
				"PASS a bill's pill reads Bill · Open",
				"PASS the form script loads the panel with frappe.require: xero_panel.bundle.js and .css",
				"PASS and does not fetch the bundle again",
				"PASS each sidebar amount stays on one line in a narrow sidebar",
				// Total paid agrees with what it opens
				"PASS Total paid opens every invoice with a payment (Paid to date), pressed",
				"PASS the Paid box equals its list's total",
				"PASS and so do its rows",
				// aging: the bar's segments open their lists
				"PASS the aging bar's segments are as wide as their share",
				"PASS a segment clicked asks for its bucket's list",
				"PASS and the list adds up to the segment",
				// a search that finds, in another view too; typed text is not ignored
				"PASS an empty view says where the search finds something",
				"PASS the pill counts follow the search",
				"PASS Show opens that view with the search kept",
				"PASS a pill clicked applies what was typed",
				// dates checked before any call
				"PASS an inverted range is answered beside the dates",
				"PASS without asking the server",
				"PASS no error with Try again, no Frappe dialog",
				"PASS the list stays as applied, with Clear",
				// unpin in Pinned
				"PASS unpinned in the Pinned view, the row leaves at once and the pill counts one less",
				// manual linking
				"PASS the link search finds a contact by its email",
				"PASS picking a contact first shows which records already show its invoices",
				"PASS and links nothing yet",
				"PASS after linking, a toast says what changed",
				"PASS after unlinking, a toast says so",
				...(query.includes("controls")
					? ["PASS never Frappe's Invalid date dialog", "PASS a date typed as YYYY-MM-DD is taken as it is"]
					: []),
			]) {
				assert.ok(
					lines.some((line) => line.startsWith(must)),
					must,
				);
			}
		},
	);
}

// ---- at a phone's width -------------------------------------------------------------------------

// harness.html?narrowtest=1 at 390 x 844 CSS pixels (a phone, emulated over the DevTools protocol:
// --window-size stops at 500): the page no wider than the screen in every view, each invoice a card
// with number, date, balance and status, the rest on a tap, the invoice number whole.

for (const [query, form] of [
	["", "native date inputs"],
	["&controls=1", "Frappe Date controls"],
	["&tabs=0", "a form without tabs"],
]) {
	test(
		`at a phone's width (390 px) nothing is wider than the screen and each invoice is a card: ${form}`,
		{ skip: !CHROMIUM && "no Chromium", timeout: 120000 },
		async () => {
			const page = await open_page({ width: 390, height: 844 });
			try {
				await page.navigate(
					pathToFileURL(path.join(__dirname, "harness.html")).href + "?narrowtest=1" + query,
				);
				const out = await page.until(
					'document.getElementById("selftest") && document.getElementById("selftest").textContent',
				);
				const lines = out.split("\n");
				assert.ok(lines.length > 15, `the narrow test ran: ${lines.join(" / ")}`);
				assert.deepEqual(
					lines.filter((line) => !line.startsWith("PASS")),
					[],
				);
				const width = await page.evaluate("window.innerWidth");
				const scroll = await page.evaluate("document.documentElement.scrollWidth");
				assert.equal(width, 390);
				assert.ok(scroll <= width, `document scrollWidth ${scroll} <= viewport width ${width}`);
				for (const must of [
					"PASS Open view: the page is no wider than the screen (390 <= 390)",
					"PASS each invoice is a card",
					"PASS showing number, date, balance and status on screen",
					"PASS an invoice number never breaks",
					'PASS "last synced" is shown whole',
					"PASS a tap opens the rest: type, total, reference, payments",
					"PASS all view: the page is no wider than the screen (390 <= 390)",
				]) {
					assert.ok(
						lines.some((line) => line.startsWith(must)),
						must,
					);
				}
			} finally {
				await page.close();
			}
		},
	);
}
