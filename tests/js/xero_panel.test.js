// The panel's pure rendering, as a rep would read it. Run: node --test tests/js/
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const panel = require("../../xero_crm/public/js/xero_panel.js");

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
	today: () => "2026-11-29",
};

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
		},
		overrides,
	);
}

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

test("Frappe's escape_html is used when present", () => {
	const html = panel.render_invoice_row(
		invoice({ invoice_number: "A&B" }),
		Object.assign({}, ctx, { escape: (v) => `[${String(v)}]` }),
	);
	assert.ok(html.includes("[A&B]"));
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

test("Total paid says it includes part-payments, so it may exceed the Paid list; Total unpaid needs no note", () => {
	const html = panel.render_totals(summary().totals, ctx);
	const paid = /<button[^>]*data-view="paid"[\s\S]*?<\/button>/.exec(html)[0];
	assert.match(paid, /<div class="xero-crm-total-note">incl\. part-payments on unpaid invoices<\/div>/);
	const unpaid = /<button[^>]*data-view="unpaid"[\s\S]*?<\/button>/.exec(html)[0];
	assert.doesNotMatch(unpaid, /xero-crm-total-note/);
	assert.match(panel.render_sidebar(summary(), ctx), /title="incl\. part-payments on unpaid invoices">Paid</);
});

test("Total paid opens the Paid view and Total unpaid the Unpaid view", () => {
	const html = panel.render_totals(summary().totals, ctx);
	assert.match(html, /data-view="paid"[^>]*>\s*<div class="xero-crm-total-label">Total paid/);
	assert.match(html, /data-view="unpaid"[^>]*>\s*<div class="xero-crm-total-label">Total unpaid/);
});

test("an Overdue box appears only when something is overdue", () => {
	assert.match(text(panel.render_totals(summary().totals, ctx)), /Overdue NZD 900\.00/);
	const none = panel.render_totals([{ currency: "NZD", paid: 5, unpaid: 5, overdue: 0 }], ctx);
	assert.doesNotMatch(none, /data-view="overdue"/);
});

// ---- rows ---------------------------------------------------------------------------------------

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
	assert.match(text(panel.render_invoice_row(invoice({ type: "ACCPAY" }), ctx)), /\bBill\b/);
});

const pill_of = (html) =>
	/indicator-pill no-indicator-dot (\w+) xero-crm-status">([^<]*)</.exec(html).slice(1);

test("a bill's status pill is grey and says Bill before its state", () => {
	const bill = (o) => panel.render_invoice_row(invoice(Object.assign({ type: "ACCPAY" }, o)), ctx);
	assert.deepEqual(pill_of(bill({ display_status: "Open" })), ["gray", "Bill · Open"]);
	assert.deepEqual(pill_of(bill({ status: "PAID", display_status: "Paid", amount_due: 0 })), [
		"gray",
		"Bill · Paid",
	]);
	assert.deepEqual(pill_of(bill({ display_status: "Overdue" })), ["gray", "Bill · Overdue"]);
	const parts = bill({ status: "PAID", display_status: "Paid · 2 instalments", payments: INSTALMENTS });
	assert.deepEqual(pill_of(parts), ["gray", "Bill · Paid · 2 instalments"]);
});

test("bills, drafts, submitted, voided and deleted invoices show their amounts muted: they are in no total", () => {
	const muted = (o) => {
		const html = panel.render_invoice_row(invoice(o), ctx);
		return (html.match(/class="xero-crm-num[^"]*is-muted" title="Not counted in the totals"/g) || []).length;
	};
	assert.equal(muted({ type: "ACCPAY" }), 2, "balance and total of a bill");
	for (const status of ["DRAFT", "SUBMITTED", "VOIDED", "DELETED"]) {
		assert.equal(
			muted({ status, display_status: status.charAt(0) + status.slice(1).toLowerCase() }),
			2,
			status,
		);
	}
	assert.equal(muted({}), 0, "an open sales invoice");
	assert.equal(muted({ status: "PAID", display_status: "Paid", amount_due: 0 }), 0, "a paid sales invoice");
	assert.match(
		panel.render_invoice_row(invoice({ type: "ACCPAY" }), ctx),
		/class="xero-crm-row is-uncounted"/,
	);
});

test("an open invoice due today says due today, emphasised, not its date", () => {
	const due_cell = (o) => {
		const html = panel.render_invoice_row(invoice(o), ctx);
		return /<td class="xero-crm-nowrap">[\s\S]*?<\/td>/.exec(html)[0];
	};
	const today = due_cell({ due_date: "2026-11-29" });
	assert.match(today, /<div class="xero-crm-sub is-due-today">due today<\/div>/);
	assert.doesNotMatch(text(today), /29 Nov 2026/);
	assert.equal(text(due_cell({ due_date: "2026-11-30" })), "16 Nov 2026 due 30 Nov 2026");
	assert.doesNotMatch(due_cell({ due_date: "2026-11-30" }), /is-due-today|is-late/);
	const late = due_cell({ due_date: "2026-11-28", display_status: "Overdue" });
	assert.match(
		late,
		/<div class="xero-crm-sub is-late">due 28 Nov 2026<\/div>/,
		"overdue keeps its red date",
	);
	assert.doesNotMatch(due_cell({ due_date: "2026-11-29", status: "PAID", amount_due: 0 }), /due/, "paid");
});

test("today is the user's today from Frappe when present", () => {
	const saved = globalThis.frappe;
	globalThis.frappe = { datetime: { get_today: () => "2031-01-02" } };
	try {
		assert.equal(panel.default_ctx().today(), "2031-01-02");
	} finally {
		globalThis.frappe = saved;
	}
	assert.match(panel.default_ctx().today(), /^\d{4}-\d{2}-\d{2}$/, "else the browser's local date");
});

test("the status pill is coloured by status and says the instalment count", () => {
	const pill = (inv) =>
		/indicator-pill no-indicator-dot (\w+) xero-crm-status">([^<]*)</.exec(
			panel.render_invoice_row(invoice(inv), ctx),
		);
	const paid = pill({
		status: "PAID",
		display_status: "Paid · 3 instalments",
		amount_due: 0,
		payments: INSTALMENTS,
	});
	assert.equal(paid[1], "green");
	assert.equal(paid[2], "Paid · 3 instalments");
	assert.deepEqual(pill({ display_status: "Open" }).slice(1), ["blue", "Open"]);
	assert.deepEqual(pill({ display_status: "Overdue" }).slice(1), ["red", "Overdue"]);
	assert.deepEqual(pill({ status: "DRAFT", display_status: "Draft" }).slice(1), ["gray", "Draft"]);
	assert.deepEqual(pill({ status: "VOIDED", display_status: "Voided", amount_due: 0 }).slice(1), [
		"gray",
		"Voided",
	]);
});

test("the Payments link appears only for invoices paid in two or more payments", () => {
	assert.doesNotMatch(panel.render_invoice_row(invoice({ payments: [] }), ctx), /xero-crm-payments/);
	const one = [INSTALMENTS[0]];
	assert.doesNotMatch(panel.render_invoice_row(invoice({ payments: one }), ctx), /Payments/);
	const two = panel.render_invoice_row(invoice({ payments: INSTALMENTS.slice(0, 2) }), ctx);
	assert.match(two, /data-action="payments"/);
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
	const html = panel.render_views(summary().counts, "overdue", ctx);
	assert.equal(text(html), "Open 4 Unpaid 6 Overdue 2 Paid 3 Pinned 1 All 12");
	const active = html.match(/class="xero-crm-view active[^"]*"[^>]*data-view="(\w+)"/g);
	assert.equal(active.length, 1);
	assert.match(active[0], /data-view="overdue"/);
	assert.match(html, /data-view="overdue" aria-pressed="true"/);
	assert.match(html, /data-view="open" aria-pressed="false"/);
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
	assert.match(text(html), /Xero is not connected yet/);
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
	assert.match(panel.render_views(summary().counts, "open", mark), /«Pinned»/);
	assert.match(panel.render_invoice_row(invoice({ type: "ACCPAY" }), mark), /«Bill»/);
	assert.match(panel.render_list({ view: "overdue", invoices: [] }, mark), /«No overdue invoices»/);
	const paid = invoice({ status: "PAID", display_status: "Paid · 3 instalments", payments: INSTALMENTS });
	assert.match(panel.render_invoice_row(paid, mark), /«Paid» · «3 instalments»/);
	assert.match(panel.render_invoice_row(invoice({ type: "ACCPAY" }), mark), /«Bill» · «Open»/);
	assert.match(panel.render_invoice_row(invoice({ due_date: "2026-11-29" }), mark), /«due today»/);
	assert.match(panel.render_totals(summary().totals, mark), /«incl\. part-payments on unpaid invoices»/);
	assert.match(panel.render_filters({}, mark), /«From»[\s\S]*«To»/);
	const empty = panel.render_empty_state(summary({ connected: false }), "Customer", mark);
	assert.match(empty, /«Ask your administrator to connect Xero\.»/);
});

// ---- the wiring, in a headless browser ----------------------------------------------------------

// harness.html?selftest=1 drives the panel on a stand-in desk form as a rep would and prints PASS/FAIL
// lines: where the panel sits (top of the first tab, or of a form without tabs), one panel after a
// refresh or another record, the sidebar click (tab and scroll), the date filters (native inputs, or
// Frappe-like Date controls typed in the user's format) and the views.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { pathToFileURL } = require("node:url");

const CHROMIUM = ["chromium", "chromium-browser"].find(
	(cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0,
);

function selftest(query) {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), "xero-harness-"));
	try {
		const url = pathToFileURL(path.join(__dirname, "harness.html")).href + "?selftest=1" + query;
		const run = spawnSync(
			CHROMIUM,
			[
				"--headless",
				"--no-sandbox",
				"--disable-gpu",
				"--no-first-run",
				"--disable-background-networking",
				"--disable-component-update",
				"--disable-sync",
				`--user-data-dir=${profile}`,
				"--virtual-time-budget=30000",
				"--dump-dom",
				url,
			],
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
				"PASS each sidebar amount stays on one line in a narrow sidebar",
			]) {
				assert.ok(
					lines.some((line) => line.startsWith(must)),
					must,
				);
			}
		},
	);
}
