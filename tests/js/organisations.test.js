// Several Xero organisations (one per Company) in the panel: amounts of two organisations are never
// added, even in one currency; each line, bar and row says whose where more than one organisation is
// shown; an organisation filter (only with several) drives get_summary and get_invoices, starting on
// the record's default organisation; a site of one organisation sees the panel exactly as before.
// The renderer (render.js) as a rep reads it, and the desk wiring (wiring.js) and the Frappe CRM page
// wiring (frappe_crm/panel.js) driven in jsdom with a fake server. Run: node --test tests/js/
"use strict";

const { test, before } = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { pathToFileURL } = require("node:url");

const JS = path.join(__dirname, "..", "..", "xero_crm", "public", "js");
let R;
let JSDOM;
let missing = "";
before(async () => {
	R = await import(pathToFileURL(path.join(JS, "xero_panel", "render.js")).href);
	try {
		({ JSDOM } = require("jsdom"));
	} catch (e) {
		missing = "jsdom is not installed (npm install --prefix tests/js)";
	}
});

const XSS = "<img src=x onerror=alert(1)>";

const ctx = {
	format_date: (iso) => iso,
	format_currency: (value, currency) =>
		({ NZD: "$", USD: "$", AUD: "$" })[currency] +
		" " +
		Number(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
	when: () => "2 minutes ago",
};

// What the rep reads: tags dropped, entities decoded, whitespace collapsed.
function text(html) {
	return String(html)
		.replace(/<[^>]*>/g, " ")
		.replace(/&lt;/g, "<")
		.replace(/&gt;/g, ">")
		.replace(/&quot;/g, '"')
		.replace(/&#39;/g, "'")
		.replace(/&amp;/g, "&")
		.replace(/\s+/g, " ")
		.trim();
}

// ---- data shaped as get_summary / get_invoices answer with several organisations ----------------

const NZ = { organisation: "tenant-nz", organisation_name: "Acme NZ" };
const AU = { organisation: "tenant-au", organisation_name: "Acme AU" };
const ORGANISATIONS = [
	{ organisation: "tenant-au", name: "Acme AU", short_code: "!au1" },
	{ organisation: "tenant-nz", name: "Acme NZ", short_code: "!nz1" },
];

// Both organisations bill this customer in NZD: two entries of one currency, never one sum.
const TOTALS = [
	{
		...NZ,
		currency: "NZD",
		paid: "1200.00",
		unpaid: "500.00",
		overdue: "500.00",
		credit: "50.00",
		net: "450.00",
	},
	{
		...AU,
		currency: "NZD",
		paid: "300.00",
		unpaid: "200.00",
		overdue: "200.00",
		credit: "0.00",
		net: "200.00",
	},
];

// get_summary's aging entry: the buckets in order (render.js AGING_KEYS), zeros included
const AGING_KEYS = ["current", "1_30", "31_60", "61_90", "90_plus"];
function aging(org, currency, amounts) {
	return {
		...org,
		currency,
		buckets: AGING_KEYS.map((key, i) => ({
			key,
			amount: String(amounts[i] || 0),
			count: amounts[i] ? 1 : 0,
		})),
	};
}

const AGING = [aging(NZ, "NZD", [0, 500]), aging(AU, "NZD", [0, 0, 200])];

const OVERDUE = {
	count: 3,
	oldest_days: 45,
	// as the server sends it: organisation_name on each entry
	by_currency: [
		{ currency: "NZD", count: 2, amount: "500.00", oldest_days: 12, organisation_name: "Acme NZ" },
		{ currency: "NZD", count: 1, amount: "200.00", oldest_days: 45, organisation_name: "Acme AU" },
	],
};

function invoice(number, org, overrides) {
	return Object.assign(
		{
			invoice_id: `i-${number}`,
			invoice_number: number,
			reference: "",
			type: "ACCREC",
			date: "2026-11-01",
			due_date: "2026-10-15",
			status: "AUTHORISED",
			currency: "NZD",
			total: "500.00",
			amount_due: "500.00",
			amount_paid: "0.00",
			status_key: "overdue",
			due: "overdue",
			counted: true,
			is_bill: false,
			pinned: false,
			payments: [],
			url: `https://go.xero.com/organisationlogin/default.aspx?shortcode=${org.organisation === "tenant-au" ? "!au1" : "!nz1"}&redirecturl=x`,
			...org,
		},
		overrides,
	);
}

function summary(overrides) {
	return Object.assign(
		{
			connected: true,
			is_admin: false,
			matched: true,
			is_customer: true,
			can_link: false,
			organisation_name: null,
			organisations: ORGANISATIONS,
			default_organisation: null,
			xero_contacts: [
				{ contact_id: "c-nz", name: "Acme Widgets Ltd", is_customer: true, how: "keys" },
				{ contact_id: "c-au", name: "Acme Widgets Ltd", is_customer: true, how: "keys" },
			],
			totals: TOTALS,
			aging: AGING,
			overdue: OVERDUE,
			counts: { open: 0, unpaid: 3, overdue: 3, paid: 0, pinned: 0, all: 3 },
			views: ["open", "unpaid", "overdue", "paid", "pinned", "all"],
			last_synced_at: "2026-11-29 05:40:00",
		},
		overrides,
	);
}

// ---- the renderer -------------------------------------------------------------------------------

test("two organisations in one currency: each box shows two lines, each named, never their sum", () => {
	const shown = text(R.render_totals(TOTALS, ctx, null, { by_organisation: true }));
	assert.match(shown, /Total paid Acme NZ · NZD 1,200\.00 Acme AU · NZD 300\.00/);
	assert.match(shown, /Total unpaid Acme NZ · NZD 500\.00 Acme AU · NZD 200\.00/);
	assert.match(shown, /Overdue Acme NZ · NZD 500\.00 Acme AU · NZD 200\.00/);
	// only the organisation with credit has a line; what it is owed net of it says whose
	assert.match(shown, /Credit available Acme NZ · NZD 50\.00 Net owed: Acme NZ: NZD 450\.00/);
	assert.doesNotMatch(shown, /1,500\.00|700\.00/, "two organisations' NZD are never added together");
	// the rows alone say they come from two organisations: labelled without being told
	assert.equal(
		R.render_totals(TOTALS, ctx),
		R.render_totals(TOTALS, ctx, undefined, { by_organisation: true }),
	);
});

test("the aging has one bar per organisation and currency, each named", () => {
	const html = R.render_aging(AGING, ctx, null);
	const rows = html.match(/<div class="xero-crm-aging-row[\s\S]*?<\/div>\s*<\/div>/g);
	assert.equal(rows.length, 2);
	assert.match(text(rows[0]), /^Acme NZ · NZD$/);
	assert.match(text(rows[1]), /^Acme AU · NZD$/);
	assert.match(html, /title="1–30 days overdue: Acme NZ: NZD 500\.00 · 1 invoice"/);
	assert.match(html, /title="31–60 days overdue: Acme AU: NZD 200\.00 · 1 invoice"/);
});

test("the overdue headline names each organisation's amount, never adding them", () => {
	assert.equal(
		R.overdue_headline_text(OVERDUE, ctx),
		"3 overdue invoices · Acme NZ: NZD 500.00, Acme AU: NZD 200.00, oldest 45 days",
	);
});

test("rows say their organisation under the number, and the list's total is one line per organisation", () => {
	const list = {
		view: "unpaid",
		invoices: [invoice("INV-N1", NZ), invoice("INV-A1", AU, { total: "200.00", amount_due: "200.00" })],
		total_count: 2,
		list_totals: [
			{ ...NZ, currency: "NZD", amount_due: "500.00", amount_paid: "0.00" },
			{ ...AU, currency: "NZD", amount_due: "200.00", amount_paid: "0.00" },
		],
	};
	const html = R.render_list(list, ctx);
	const rows = html.match(/<tr class="xero-crm-row[\s\S]*?<\/tr>/g);
	assert.match(text(rows[0].match(/xero-crm-number-cell">[\s\S]*?<\/td>/)[0]), /INV-N1 Acme NZ$/);
	assert.match(text(rows[1].match(/xero-crm-number-cell">[\s\S]*?<\/td>/)[0]), /INV-A1 Acme AU$/);
	assert.match(rows[1], /href="https:\/\/go\.xero\.com\/organisationlogin\/default\.aspx\?shortcode=!au1/);
	const total = text(html.match(/<div class="xero-crm-list-total">[\s\S]*?<\/div>/)[0]);
	assert.equal(total, "Total unpaid Acme NZ · NZD 500.00 Acme AU · NZD 200.00");
	// a list of one organisation's rows is labelled when the caller says several are shown (All)
	const one = R.render_list(
		{ ...list, invoices: [list.invoices[0]], list_totals: [list.list_totals[0]] },
		ctx,
	);
	assert.doesNotMatch(one, /xero-crm-row-org/);
	const told = R.render_list(
		{ ...list, invoices: [list.invoices[0]], list_totals: [list.list_totals[0]], by_organisation: true },
		ctx,
	);
	assert.match(told, /xero-crm-row-org/);
});

test("the sidebar has per-organisation lines only when several organisations are involved", () => {
	const several = text(R.render_sidebar(summary(), ctx));
	assert.match(
		several,
		/Paid Acme NZ NZD 1,200\.00 Acme AU NZD 300\.00 Unpaid Acme NZ NZD 500\.00 Acme AU NZD 200\.00/,
	);
	assert.match(several, /Credit Acme NZ NZD 50\.00/);
	const one = summary({ organisations: [ORGANISATIONS[1]], totals: [TOTALS[0]] });
	assert.doesNotMatch(R.render_sidebar(one, ctx), /Acme NZ|xero-crm-side-org/);
});

test("the organisation filter: only with several, All organisations first, the picked one selected", () => {
	assert.equal(R.render_organisation_filter([], "", ctx), "");
	assert.equal(R.render_organisation_filter([ORGANISATIONS[0]], "", ctx), "");
	const html = R.render_organisation_filter(ORGANISATIONS, "tenant-nz", ctx);
	const options = [...html.matchAll(/<option value="([^"]*)"( selected)?>([^<]*)<\/option>/g)];
	assert.deepEqual(
		options.map((m) => [m[1], m[3], Boolean(m[2])]),
		[
			["", "All organisations", false],
			["tenant-au", "Acme AU", false],
			["tenant-nz", "Acme NZ", true],
		],
	);
	// an organisation the record no longer matches: All
	assert.match(R.render_organisation_filter(ORGANISATIONS, "gone", ctx), /<option value="" selected>/);
});

test("which organisation a panel starts on: the record's default among several, else all", () => {
	assert.equal(R.pick_organisation(ORGANISATIONS, null, "tenant-nz"), "tenant-nz");
	assert.equal(R.pick_organisation(ORGANISATIONS, null, null), "");
	assert.equal(R.pick_organisation(ORGANISATIONS, null, "not-matched"), "");
	// the rep's pick wins over the default, "All" included
	assert.equal(R.pick_organisation(ORGANISATIONS, "", "tenant-nz"), "");
	assert.equal(R.pick_organisation(ORGANISATIONS, "tenant-au", "tenant-nz"), "tenant-au");
	// one organisation (or none): nothing to filter
	assert.equal(R.pick_organisation([ORGANISATIONS[1]], null, "tenant-nz"), "");
	assert.equal(R.pick_organisation(undefined, "tenant-nz", null), "");
});

test("an organisation's name from Xero is shown as text wherever it appears", () => {
	const evil = { organisation: "tenant-x", organisation_name: XSS };
	const totals = [{ ...TOTALS[0] }, { ...TOTALS[1], ...evil }];
	const s = summary({
		totals,
		organisations: [ORGANISATIONS[1], { organisation: "tenant-x", name: XSS, short_code: "!x" }],
		aging: [AGING[0], aging(evil, "NZD", [0, 0, 200])],
		overdue: {
			...OVERDUE,
			by_currency: [OVERDUE.by_currency[0], { ...OVERDUE.by_currency[1], organisation_name: XSS }],
		},
	});
	const list = {
		view: "unpaid",
		invoices: [
			invoice("INV-1", evil),
			invoice("INV-2", NZ),
			{
				...invoice("CN-1", evil),
				is_credit: true,
				credit_id: "cn",
				credit_type: "Credit Note",
				number: "CN-1",
				remaining_credit: "5.00",
				status_key: "credit",
			},
		],
		total_count: 3,
		list_totals: [
			{ ...evil, currency: "NZD", amount_due: "5.00" },
			{ ...NZ, currency: "NZD", amount_due: "5.00" },
		],
	};
	const parts = {
		totals: R.render_totals(totals, ctx),
		aging: R.render_aging(s.aging, ctx),
		list: R.render_list(list, ctx),
		sidebar: R.render_sidebar(s, ctx),
		headline: R.render_overdue_headline(s.overdue, ctx),
		filter: R.render_organisation_filter(s.organisations, "", ctx),
		crm: R.render_crm_side_panel(s, [invoice("INV-3", evil)], ctx),
	};
	for (const [name, html] of Object.entries(parts)) {
		assert.doesNotMatch(html, /<img/i, name);
		assert.ok(text(html).includes(XSS), `${name} shows the name as text`);
		if (!missing) {
			const doc = new JSDOM(`<body>${html}</body>`).window.document;
			assert.equal(doc.querySelectorAll("img").length, 0, name);
			assert.ok(doc.body.textContent.includes(XSS), name);
		}
	}
});

// Strip what a multi-organisation server adds: what an older, single-organisation server answers.
function legacy(value) {
	if (Array.isArray(value)) return value.map(legacy);
	if (value && typeof value === "object") {
		const out = {};
		for (const [k, v] of Object.entries(value)) {
			if (!["organisation", "organisations", "default_organisation"].includes(k)) out[k] = legacy(v);
		}
		if ("organisation_name" in value && !("organisations" in value)) delete out.organisation_name;
		return out;
	}
	return value;
}

test("one organisation renders exactly as before: no filter, no labels", () => {
	const s = summary({
		organisation_name: "Acme NZ",
		organisations: [ORGANISATIONS[1]],
		default_organisation: "tenant-nz",
		xero_contacts: [{ contact_id: "c-nz", name: "Acme Widgets Ltd", is_customer: true, how: "keys" }],
		totals: [
			TOTALS[0],
			{ ...NZ, currency: "USD", paid: "80.00", unpaid: "250.00", overdue: "0", credit: "0", net: "250.00" },
		],
		aging: [AGING[0]],
		overdue: { count: 2, oldest_days: 12, by_currency: [OVERDUE.by_currency[0]] },
	});
	const old = legacy(s);
	assert.equal(old.organisation_name, "Acme NZ");
	assert.equal(old.totals[0].organisation_name, undefined);
	const list = {
		view: "unpaid",
		invoices: [invoice("INV-N1", NZ), invoice("INV-N2", NZ, { currency: "USD" })],
		total_count: 2,
		list_totals: [
			{ ...NZ, currency: "NZD", amount_due: "500.00" },
			{ ...NZ, currency: "USD", amount_due: "250.00" },
		],
	};
	const render = (sum, l) => [
		R.render_header(sum, ctx),
		R.render_title_suffix(sum, ctx),
		R.render_totals(sum.totals, ctx, "unpaid"),
		R.render_aging(sum.aging, ctx),
		R.render_sidebar(sum, ctx),
		R.render_overdue_headline(sum.overdue, ctx),
		R.render_list(l, ctx),
		R.render_crm_side_panel(sum, l.invoices, ctx),
		R.render_organisation_filter(R.organisations_of(sum), sum.default_organisation, ctx),
	];
	assert.deepEqual(render(s, list), render(old, legacy(list)));
	const all = render(s, list).join("");
	assert.doesNotMatch(all, /xero-crm-org|<select|has-org/);
	assert.match(text(all), /Xero organisation: Acme NZ/);
});

// ---- the desk wiring (wiring.js), in jsdom with a fake frappe and server ----------------------------

let desk = null; // { dom, wiring, server } once loaded

// The server: get_summary and get_invoices answer per `organisation` as xero_crm.api would; every call
// recorded as [method, args].
function multi_server(options) {
	const opts = Object.assign(
		{ default_organisation: null, organisations: ORGANISATIONS, names: {} },
		options,
	);
	const orgs = opts.organisations;
	const named = (org) => ({
		...org,
		organisation_name: opts.names[org.organisation] || org.organisation_name,
	});
	const of = (args) =>
		[NZ, AU].filter(
			(o) =>
				orgs.some((x) => x.organisation === o.organisation) &&
				(!args.organisation || args.organisation === o.organisation),
		);
	return {
		get_summary: (args) => {
			const shown = of(args);
			const ids = shown.map((o) => o.organisation);
			return summary({
				organisations: orgs.map((o) => ({ ...o, name: opts.names[o.organisation] || o.name })),
				default_organisation: opts.default_organisation,
				organisation_name: orgs.length === 1 ? orgs[0].name : null,
				// a filtered answer names only that organisation's contacts
				xero_contacts: summary().xero_contacts.filter((c) =>
					shown.some((o) => c.contact_id === (o === NZ ? "c-nz" : "c-au")),
				),
				totals: TOTALS.filter((t) => ids.includes(t.organisation)).map(named),
				aging: AGING.filter((a) => ids.includes(a.organisation)).map(named),
				overdue: {
					count: shown.length,
					oldest_days: 45,
					by_currency: OVERDUE.by_currency
						.filter((r) => ids.includes(r.organisation_name === "Acme NZ" ? "tenant-nz" : "tenant-au"))
						.map((r) => ({
							...r,
							organisation_name:
								opts.names[r.organisation_name === "Acme NZ" ? "tenant-nz" : "tenant-au"] ||
								r.organisation_name,
						})),
				},
			});
		},
		get_invoices: (args) => {
			const shown = of(args);
			const invoices = shown.map((o) => named({ ...invoice(o === NZ ? "INV-N1" : "INV-A1", o) }));
			return {
				invoices,
				total_count: invoices.length,
				counts: {
					open: 0,
					unpaid: invoices.length,
					overdue: invoices.length,
					paid: 0,
					pinned: 0,
					all: invoices.length,
				},
				filtered: false,
				list_totals: shown.map((o) =>
					named({ ...o, currency: "NZD", amount_due: o === NZ ? "500.00" : "200.00" }),
				),
			};
		},
	};
}

async function load_desk() {
	if (desk) return desk;
	const dom = new JSDOM("<!doctype html><html><head></head><body></body></html>", {
		url: "http://127.0.0.1/app",
	});
	const state = { answers: null, calls: [], pending: 0, realtime: {} };
	const escape = (s) =>
		String(s).replace(
			/[&<>"']/g,
			(c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
		);
	Object.assign(global, {
		window: dom.window,
		document: dom.window.document,
		Element: dom.window.Element,
		__: R.identity_translate,
		format_currency: ctx.format_currency,
		frappe: {
			utils: { escape_html: escape },
			datetime: { str_to_user: (d) => d, prettyDate: () => "2 minutes ago" },
			realtime: {
				on(event, fn) {
					state.realtime[event] = fn;
				},
			},
			call(opts) {
				const method = opts.method.replace("xero_crm.api.", "");
				state.calls.push([method, opts.args]);
				state.pending++;
				setTimeout(() => {
					state.pending--;
					const message = state.answers[method](opts.args);
					opts.callback({ message });
					if (opts.always) opts.always({ message });
				}, 1);
			},
		},
	});
	const wiring = await import(pathToFileURL(path.join(JS, "xero_panel", "wiring.js")).href);
	desk = { dom, wiring, server: state };
	return desk;
}

// A desk form without tabs (as Contact), with a sidebar and a headline area.
function fake_frm(doctype, name) {
	const doc = desk.dom.window.document;
	doc.body.innerHTML = `<div class="form"><div class="form-sidebar"><ul class="sidebar-menu form-assignments"></ul></div>
		<div class="form-layout"><div class="form-message"></div><div class="form-page"><div class="form-dashboard"></div></div></div></div>`;
	const jq = (el) => ({ 0: el, length: 1 });
	const dashboard = doc.querySelector(".form-dashboard");
	const message = doc.querySelector(".form-message");
	return {
		doctype,
		docname: name,
		is_new: () => false,
		sidebar: { sidebar: jq(doc.querySelector(".form-sidebar")) },
		layout: { wrapper: jq(doc.querySelector(".form-layout")), tabs: [], message: jq(message) },
		dashboard: {
			parent: jq(dashboard),
			add_section(html, label, css_class) {
				const wrapper = doc.createElement("div");
				wrapper.className = `form-dashboard-section ${css_class}`;
				wrapper.innerHTML = `<div class="section-head">${label}<span class="collapse-indicator"></span></div><div class="section-body">${html}</div>`;
				dashboard.appendChild(wrapper);
				return jq(wrapper.querySelector(".section-body"));
			},
			set_headline_alert(html) {
				message.innerHTML = `<div>${html}</div>`;
			},
			clear_headline() {
				message.innerHTML = "";
			},
			show() {},
		},
	};
}

// Until every call has been answered and the panel has drawn what it got.
async function idle() {
	for (let quiet = 0; quiet < 3;) {
		await new Promise((r) => setTimeout(r, 3));
		quiet = desk.server.pending ? 0 : quiet + 1;
	}
}

function calls_of(method) {
	return desk.server.calls.filter((c) => c[0] === method).map((c) => c[1]);
}

function pick(select, value) {
	select.value = value;
	select.dispatchEvent(new desk.dom.window.Event("change", { bubbles: true }));
}

// What the rep reads there (tags as spaces: an element's textContent runs words together)
const shown = (selector) => {
	const el = document.querySelector(selector);
	return el ? text(el.innerHTML) : "";
};

async function open_form(answers, doctype, name) {
	await load_desk();
	desk.server.answers = answers;
	desk.server.calls = [];
	const frm = fake_frm(doctype, name);
	desk.wiring.attach(frm);
	await idle();
	return frm;
}

test("the desk panel: with two organisations, a filter; picking one passes it to both calls and the panel follows", async (t) => {
	if (missing) return t.skip(missing);
	await open_form(multi_server(), "Contact", "Jane Smith");
	const select = document.querySelector(".xero-crm-bar .xero-crm-org-select");
	assert.ok(select, "the organisation filter is shown beside the views");
	assert.deepEqual(
		[...select.options].map((o) => [o.value, o.textContent]),
		[
			["", "All organisations"],
			["tenant-au", "Acme AU"],
			["tenant-nz", "Acme NZ"],
		],
	);
	assert.equal(select.value, "");
	// all organisations: nothing sent, every line named, never one sum
	assert.ok(calls_of("get_summary").every((a) => !("organisation" in a)));
	assert.ok(calls_of("get_invoices").every((a) => !("organisation" in a)));
	assert.match(shown(".xero-crm-totals"), /Total paid Acme NZ · NZD 1,200\.00 Acme AU · NZD 300\.00/);
	assert.doesNotMatch(shown(".xero-crm-totals"), /1,500\.00/);
	assert.match(shown(".xero-crm-list"), /INV-N1\s*Acme NZ/);
	assert.match(shown(".xero-crm-list"), /INV-A1\s*Acme AU/);
	assert.match(shown(".xero-crm-sidebar"), /Paid Acme NZ NZD 1,200\.00 Acme AU NZD 300\.00/);

	desk.server.calls = [];
	pick(select, "tenant-au");
	await idle();
	assert.deepEqual(
		calls_of("get_summary").map((a) => a.organisation),
		["tenant-au"],
	);
	assert.ok(calls_of("get_invoices").length >= 1);
	assert.ok(calls_of("get_invoices").every((a) => a.organisation === "tenant-au"));
	// one organisation shown: its amounts alone, no labels; the filter says which
	assert.match(
		shown(".xero-crm-totals"),
		/^Total paid NZD 300\.00 incl\. part-payments on unpaid invoices Total unpaid NZD 200\.00 Overdue NZD 200\.00$/,
	);
	assert.doesNotMatch(document.querySelector(".xero-crm-panel").innerHTML, /xero-crm-org"/);
	assert.match(shown(".xero-crm-list"), /INV-A1/);
	assert.doesNotMatch(shown(".xero-crm-list"), /INV-N1/);
	assert.equal(document.querySelector(".xero-crm-org-select").value, "tenant-au");

	// a view switched keeps the organisation
	desk.server.calls = [];
	document.querySelector('[data-action="view"][data-view="overdue"]').click();
	await idle();
	assert.deepEqual(
		calls_of("get_invoices").map((a) => [a.view, a.organisation]),
		[["overdue", "tenant-au"]],
	);
});

test("the desk panel starts on the record's default organisation; All organisations shows every one", async (t) => {
	if (missing) return t.skip(missing);
	await open_form(multi_server({ default_organisation: "tenant-nz" }), "Customer", "Acme Widgets");
	// the first summary tells the default; the panel then shows that organisation only
	assert.deepEqual(
		calls_of("get_summary").map((a) => a.organisation),
		[undefined, "tenant-nz"],
	);
	assert.ok(calls_of("get_invoices").every((a) => a.organisation === "tenant-nz"));
	assert.equal(document.querySelector(".xero-crm-org-select").value, "tenant-nz");
	assert.match(shown(".xero-crm-totals"), /Total paid NZD 1,200\.00/);
	assert.doesNotMatch(shown(".xero-crm-totals"), /300\.00|Acme/);
	assert.match(shown(".form-message"), /^1 overdue invoice · NZD 500\.00, 45 days overdue$/);

	desk.server.calls = [];
	pick(document.querySelector(".xero-crm-org-select"), "");
	await idle();
	assert.ok(calls_of("get_summary").length === 1 && !("organisation" in calls_of("get_summary")[0]));
	assert.ok(calls_of("get_invoices").every((a) => !("organisation" in a)));
	assert.match(shown(".xero-crm-totals"), /Acme NZ · NZD 1,200\.00 Acme AU · NZD 300\.00/);
	assert.match(shown(".form-message"), /Acme NZ: NZD 500\.00, Acme AU: NZD 200\.00/);

	// a form refresh (a save) keeps the rep's choice rather than the default
	desk.server.calls = [];
	desk.wiring.attach(fake_frm("Customer", "Acme Widgets"));
	await idle();
	assert.ok(calls_of("get_summary").every((a) => !("organisation" in a)));
	assert.equal(document.querySelector(".xero-crm-org-select").value, "");
});

test("the desk panel: a realtime change reloads with the organisation shown", async (t) => {
	if (missing) return t.skip(missing);
	await open_form(multi_server(), "Contact", "Realtime Person");
	pick(document.querySelector(".xero-crm-org-select"), "tenant-nz");
	await idle();
	desk.server.calls = [];
	desk.server.realtime.xero_crm_invoices_changed({ contact_ids: ["c-nz"] });
	await idle();
	assert.ok(calls_of("get_summary").length >= 1);
	assert.ok(
		[...calls_of("get_summary"), ...calls_of("get_invoices")].every((a) => a.organisation === "tenant-nz"),
	);
	// the other organisation's contact (named by the unfiltered summary) concerns this record too
	desk.server.calls = [];
	desk.server.realtime.xero_crm_invoices_changed({ contact_ids: ["c-au"] });
	await idle();
	assert.ok(calls_of("get_summary").length >= 1);
	desk.server.calls = [];
	desk.server.realtime.xero_crm_invoices_changed({ contact_ids: ["someone-else"] });
	await idle();
	assert.equal(desk.server.calls.length, 0);
});

test("the desk panel: an organisation's name is text in the filter, the boxes, the rows and the sidebar", async (t) => {
	if (missing) return t.skip(missing);
	await open_form(multi_server({ names: { "tenant-au": XSS } }), "Contact", "Escaped Person");
	const panel = document.querySelector(".xero-crm-section");
	assert.equal(document.querySelectorAll("img").length, 0);
	const option = [...document.querySelector(".xero-crm-org-select").options].find(
		(o) => o.value === "tenant-au",
	);
	assert.equal(option.textContent, XSS);
	assert.ok(panel.querySelector(".xero-crm-totals").textContent.includes(`${XSS} · NZD`));
	assert.ok(panel.querySelector(".xero-crm-list").textContent.includes(XSS));
	assert.ok(document.querySelector(".xero-crm-sidebar").textContent.includes(XSS));
});

test("the desk panel of a single-organisation site: no filter, no labels, no organisation sent, as before", async (t) => {
	if (missing) return t.skip(missing);
	const one = multi_server({ organisations: [ORGANISATIONS[1]], default_organisation: "tenant-nz" });
	await open_form(one, "Customer", "Single Org Ltd");
	const html_now = document.querySelector(".xero-crm-section").innerHTML;
	const side_now = document.querySelector(".xero-crm-sidebar").outerHTML;
	assert.equal(document.querySelector(".xero-crm-org-select"), null);
	assert.doesNotMatch(html_now, /xero-crm-org"|has-org|Acme AU/);
	assert.ok(desk.server.calls.every(([, a]) => !("organisation" in a)));
	assert.deepEqual(
		desk.server.calls.map((c) => c[0]),
		["get_summary", "get_invoices"],
	);
	// the same answers without the organisation fields (an older server) draw the same panel
	const older = {
		get_summary: (a) => legacy(one.get_summary(a)),
		get_invoices: (a) => legacy(one.get_invoices(a)),
	};
	await open_form(older, "Customer", "Single Org Ltd");
	assert.equal(document.querySelector(".xero-crm-section").innerHTML, html_now);
	assert.equal(document.querySelector(".xero-crm-sidebar").outerHTML, side_now);
});

// ---- Frappe CRM's pages (frappe_crm/panel.js) -------------------------------------------------------

test("Frappe CRM: the side panel names each organisation; its dialog filters, starting on the default", async (t) => {
	if (missing) return t.skip(missing);
	await load_desk(); // the same jsdom window and document
	const server = multi_server({ default_organisation: "tenant-au" });
	const calls = [];
	const env = {
		call: async (method, args) => {
			const name = method.replace("xero_crm.api.", "");
			calls.push([name, args]);
			return server[name](args);
		},
		createDialog: (options) => {
			const host = document.createElement("div");
			host.innerHTML = options.html;
			document.body.appendChild(host);
		},
		toast: {},
		socket: { on() {} },
	};
	const html = {};
	const form = { doc: { name: "CRM-DEAL-1" }, actions: [], setFieldHtml: (f, v) => (html[f] = v) };
	const panel = await import(pathToFileURL(path.join(JS, "frappe_crm", "panel.js")).href);
	document.body.innerHTML = "";
	panel.attach(form, "CRM Deal", env);
	await idle();
	// the side panel shows every organisation (no filter there): each line and row says whose
	const side = text(html.xero_invoices);
	assert.match(side, /Paid Acme NZ NZ\$?.*1,200\.00 Acme AU .*300\.00/);
	assert.match(side, /INV-N1 Acme NZ/);
	assert.match(side, /Acme NZ: .*500\.00, Acme AU: .*200\.00/);

	form.actions[0].onClick();
	await idle();
	await idle();
	const body = document.querySelector(".xero-crm-crm-dialog");
	const select = body.querySelector(".xero-crm-org-select");
	assert.equal(select.value, "tenant-au");
	const dialog_calls = calls.slice(2);
	assert.deepEqual(
		dialog_calls.filter((c) => c[0] === "get_summary").map((c) => c[1].organisation),
		[undefined, "tenant-au"],
	);
	assert.ok(
		dialog_calls.filter((c) => c[0] === "get_invoices").every((c) => c[1].organisation === "tenant-au"),
	);
	assert.doesNotMatch(body.querySelector(".xero-crm-totals").textContent, /1,200\.00|Acme/);

	calls.length = 0;
	select.value = "";
	select.dispatchEvent(new desk.dom.window.Event("change", { bubbles: true }));
	await idle();
	await idle();
	assert.ok(calls.length >= 2 && calls.every((c) => !("organisation" in c[1])));
	assert.match(body.querySelector(".xero-crm-totals").textContent.replace(/\s+/g, " "), /Acme NZ · NZD/);
	assert.match(body.querySelector(".xero-crm-list").textContent, /Acme AU/);
});

test("the desk panel paints the first view that came with the form's load, without a call, once", async (t) => {
	if (missing) return t.skip(missing);
	await load_desk();
	const server = multi_server({ default_organisation: "tenant-nz" });
	desk.server.answers = server;
	desk.server.calls = [];
	const frm = fake_frm("Customer", "Preloaded Ltd");
	// what xero_crm.api.first_view puts in the form's __onload: the default organisation's summary and list
	const preloaded = {
		doctype: "Customer",
		name: "Preloaded Ltd",
		summary: { ...server.get_summary({ organisation: "tenant-nz" }), organisation: "tenant-nz" },
		list: server.get_invoices({ view: "open", organisation: "tenant-nz" }),
	};
	frm.doc = { __onload: { xero_panel: preloaded } };
	desk.wiring.attach(frm);
	await idle();
	assert.deepEqual(desk.server.calls, [], "the form's load brought the first view: no request");
	assert.equal(document.querySelector(".xero-crm-org-select").value, "tenant-nz");
	assert.match(shown(".xero-crm-totals"), /Total paid NZD 1,200\.00/);
	assert.match(shown(".xero-crm-list"), /INV-N1/);
	assert.doesNotMatch(shown(".xero-crm-list"), /INV-A1/);
	assert.equal(frm.doc.__onload.xero_panel, undefined, "taken once");

	// a refresh of the same form (no new load) asks the server, as every later view does
	desk.wiring.attach(frm);
	await idle();
	assert.ok(calls_of("get_summary").length >= 1);

	// a first view made for another record is never painted
	desk.server.calls = [];
	const other = fake_frm("Customer", "Someone Else");
	other.doc = { __onload: { xero_panel: preloaded } };
	desk.wiring.attach(other);
	await idle();
	assert.ok(calls_of("get_summary").length >= 1);
});
