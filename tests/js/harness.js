// A stand-in for just enough of Frappe's desk to render the Xero panel from a file:// page, with
// canned data shaped like xero_crm.api's answers (the structured facts included). Not loaded by the app.
// The forms are driven through the app's own form scripts (customer.js, contact.js): their refresh asks
// frappe.require for xero_panel.bundle.js and .css, which this stand-in resolves to the sources (the
// bundle entry is an ES module: Chromium needs --allow-file-access-from-files to load it from file://).
//
// Query parameters:
//   ?hover=1          open the first Payments list (as on hover)
//   ?state=empty      the empty states, one fake form each
//   ?state=error      get_invoices fails with the server's PermissionError message
//   ?state=dialog     the "Link Xero contact" dialog with results
//   ?view=overdue     start on another saved view (clicks the view button)
//   ?tabs=0           a form without tabs (Contact); by default the form has tabs like Customer: Details
//                     first, the dashboard in a Connections tab
//   ?controls=1       a stand-in for frappe.ui.form.make_control: the date filters become "Frappe Date
//                     controls" typed as dd-mm-yyyy (as the desk does), instead of the native inputs;
//                     like Frappe's, a control left to itself checks a typed date on change and pops
//                     frappe.msgprint ("Date … must be in format …") when it is not one
//   ?search=A006      type this in the search and apply it (a screenshot of a search across views)
//   ?dates=30-09-2026,01-09-2026  type these dates and press Apply (a screenshot of the date check)
//   ?state=confirm    the "Link Xero contact" dialog, a contact picked: which records already show it
//   ?narrowtest=1     at a phone's width (390 px): nothing wider than the screen, each invoice a card;
//                     PASS/FAIL lines into #selftest as for ?selftest=1
//   ?selftest=1       drive the panel (placement, views, search, dates, pin, paging, realtime, errors,
//                     sidebar, refresh) and print PASS/FAIL lines into #selftest:
//                     chromium --headless --allow-file-access-from-files --dump-dom ... | grep -A60 selftest
"use strict";

const params = new URLSearchParams(location.search);
const TODAY = "2026-11-29";

// ---- canned Xero data ---------------------------------------------------------------------------

const CONTACTS = [{ contact_id: "c-acme-nz", name: "Acme Widgets Ltd", is_customer: true, how: "keys" }];

const base = "https://go.xero.com/organisationlogin/default.aspx?shortcode=!k3Lm9&redirecturl=";
const url = (type, id) =>
	base +
	encodeURIComponent(
		`/${type === "ACCREC" ? "AccountsReceivable" : "AccountsPayable"}/View.aspx?InvoiceID=${id}`,
	);

function invoice(o) {
	const paid = (o.payments || []).reduce((s, p) => s + p.amount, 0);
	const inv = Object.assign(
		{ type: "ACCREC", reference: "", status: "AUTHORISED", currency: "NZD", amount_credited: 0 },
		o,
	);
	inv.amount_paid = o.amount_paid !== undefined ? o.amount_paid : paid;
	inv.amount_due = inv.status === "AUTHORISED" ? inv.total - inv.amount_paid : 0;
	inv.url = url(inv.type, inv.invoice_id);
	inv.pinned = Boolean(o.pinned);
	const all_payments = o.payments || [];
	inv.payments =
		all_payments.length >= 2 ? all_payments.map((p, i) => Object.assign({ number: i + 1 }, p)) : [];
	inv.instalment_count = all_payments.length;
	return with_facts(inv);
}

// What xero_crm.xero.semantics.present adds to an invoice: the facts the panel labels and formats.
function with_facts(inv) {
	const is_bill = inv.type !== "ACCREC";
	const unpaid = inv.status === "AUTHORISED" && inv.amount_due > 0;
	const past_due = Boolean(inv.due_date) && inv.due_date < TODAY;
	let key = inv.status.toLowerCase();
	if (inv.status === "PAID") key = "paid";
	else if (unpaid) key = past_due && !is_bill ? "overdue" : "open";
	let due = null;
	if (unpaid)
		due = !inv.due_date ? "later" : past_due ? "overdue" : inv.due_date === TODAY ? "today" : "later";
	// display_status, for integrators: the panel reads the facts instead
	const label = key.charAt(0).toUpperCase() + key.slice(1);
	return Object.assign(inv, {
		display_status: inv.instalment_count > 1 ? `${label} · ${inv.instalment_count} instalments` : label,
		status_key: key,
		is_bill,
		counted: !is_bill && ["AUTHORISED", "PAID"].includes(inv.status),
		unpaid,
		due,
	});
}

const INVOICES = [
	invoice({
		invoice_id: "9a1-010",
		invoice_number: "INV-A010",
		reference: "PO 4471",
		date: "2026-11-16",
		due_date: "2026-12-16",
		total: 100,
		pinned: true,
	}),
	invoice({
		invoice_id: "9a1-005",
		invoice_number: "INV-A005",
		reference: "Spring order & install",
		date: "2026-11-04",
		due_date: "2026-12-04",
		total: 900,
		payments: [
			{ date: "2026-11-05", amount: 200, reference: "DD-3341" },
			{ date: "2026-11-12", amount: 200, reference: "" },
			{ date: "2026-11-19", amount: 200, reference: "Bank transfer" },
		],
	}),
	invoice({
		invoice_id: "9a1-u03",
		invoice_number: "INV-U003",
		reference: "Export batch 12",
		date: "2026-11-02",
		due_date: "2026-12-02",
		currency: "USD",
		total: 250,
	}),
	invoice({
		invoice_id: "9a1-011",
		invoice_number: "INV-A011",
		reference: "Site visit",
		date: "2026-10-30",
		due_date: TODAY,
		total: 640,
	}),
	invoice({
		invoice_id: "9a1-012",
		invoice_number: "INV-A012",
		reference: "Quote for spring",
		date: "2026-11-25",
		due_date: "2026-12-25",
		status: "DRAFT",
		total: 150,
		amount_paid: 0,
	}),
	invoice({
		invoice_id: "bill-778",
		invoice_number: "RINV-778",
		reference: "Returned pallets",
		type: "ACCPAY",
		date: "2026-11-10",
		due_date: "2026-12-10",
		total: 320,
	}),
	invoice({
		invoice_id: "9a1-002",
		invoice_number: "INV-A002",
		date: "2026-10-20",
		due_date: "2026-11-03",
		total: 500,
	}),
	invoice({
		invoice_id: "9a1-003",
		invoice_number: "INV-A003",
		reference: "Maintenance Q3",
		date: "2026-09-25",
		due_date: "2026-10-25",
		total: 400,
		payments: [{ date: "2026-10-30", amount: 100, reference: "" }],
	}),
	invoice({
		invoice_id: "9a1-006",
		invoice_number: "INV-A006",
		reference: "Widgets x 40",
		date: "2026-09-02",
		due_date: "2026-10-02",
		status: "PAID",
		total: 600,
		payments: [
			{ date: "2026-09-10", amount: 200, reference: "" },
			{ date: "2026-09-24", amount: 200, reference: "" },
			{ date: "2026-10-01", amount: 200, reference: "Final" },
		],
	}),
	invoice({
		invoice_id: "9a1-001",
		invoice_number: "INV-A001",
		date: "2026-08-14",
		due_date: "2026-09-14",
		status: "PAID",
		total: 500,
		payments: [{ date: "2026-09-01", amount: 500, reference: "" }],
	}),
	invoice({
		invoice_id: "9a1-u01",
		invoice_number: "INV-U001",
		date: "2026-08-03",
		due_date: "2026-09-03",
		currency: "USD",
		status: "PAID",
		total: 80,
		payments: [{ date: "2026-08-20", amount: 80, reference: "" }],
	}),
	invoice({
		invoice_id: "9a1-007",
		invoice_number: "INV-A007",
		date: "2026-07-21",
		due_date: "2026-08-21",
		status: "VOIDED",
		total: 75,
		amount_paid: 0,
	}),
];

// ?selftest=1 needs more than one page in the All view.
if (params.get("selftest")) {
	for (let n = 1; n <= 45; n++) {
		const day = String(1 + (n % 28)).padStart(2, "0");
		INVOICES.push(
			invoice({
				invoice_id: `old-${n}`,
				invoice_number: `INV-O${String(n).padStart(3, "0")}`,
				date: `2025-0${1 + (n % 9)}-${day}`,
				due_date: `2025-0${1 + (n % 9)}-${day}`,
				status: "PAID",
				total: 10 * n,
				payments: [{ date: `2025-0${1 + (n % 9)}-${day}`, amount: 10 * n, reference: "" }],
			}),
		);
	}
}

// The server's semantics, enough for the harness views to behave: the four saved views hold sales
// invoices only; bills are in All and Pinned.
const sales = (i) => i.type === "ACCREC";
const unpaid = (i) => sales(i) && i.status === "AUTHORISED" && i.amount_due > 0;
const counted = (i) => sales(i) && ["AUTHORISED", "PAID"].includes(i.status);
const IN_VIEW = {
	open: (i) => unpaid(i) && i.due_date >= TODAY,
	overdue: (i) => unpaid(i) && i.due_date < TODAY,
	unpaid,
	paid: (i) => sales(i) && i.status === "PAID",
	pinned: (i) => i.pinned,
	all: () => true,
	paid_to_date: (i) => counted(i) && i.amount_paid > 0, // what the Total paid box opens
};
const PILLS = ["open", "unpaid", "paid", "overdue", "pinned", "all"];
// Aging (semantics.AGING): buckets by days overdue, each the most days it holds; no due date: current.
const AGING = [
	["current", 0],
	["1_30", 30],
	["31_60", 60],
	["61_90", 90],
	["90_plus", Infinity],
];
const days_overdue = (i) =>
	i.due_date ? Math.round((Date.parse(TODAY) - Date.parse(i.due_date)) / 86400000) : null;
const bucket_of = (i) => {
	const days = days_overdue(i);
	return days === null ? "current" : AGING.find(([, most]) => days <= most)[0];
};
for (const [key] of AGING) IN_VIEW[`aging_${key}`] = (i) => counted(i) && unpaid(i) && bucket_of(i) === key;

function aging_of() {
	const by = {};
	for (const i of INVOICES.filter((i) => counted(i) && unpaid(i))) {
		by[i.currency] = by[i.currency] || AGING.map(([key]) => ({ key, amount: 0, count: 0 }));
		const b = by[i.currency].find((x) => x.key === bucket_of(i));
		b.amount += i.amount_due;
		b.count += 1;
	}
	return Object.keys(by)
		.sort()
		.map((currency) => ({ currency, buckets: by[currency] }));
}

function summary(overrides) {
	const totals = {};
	for (const i of INVOICES) {
		if (i.type !== "ACCREC" || !["AUTHORISED", "PAID"].includes(i.status)) continue;
		const t = (totals[i.currency] = totals[i.currency] || {
			currency: i.currency,
			paid: 0,
			unpaid: 0,
			overdue: 0,
		});
		t.paid += i.amount_paid;
		if (unpaid(i)) t.unpaid += i.amount_due;
		if (IN_VIEW.overdue(i)) t.overdue += i.amount_due;
	}
	const counts = {};
	for (const view of PILLS) counts[view] = INVOICES.filter(IN_VIEW[view]).length;
	const synced = new Date(Date.now() - 2 * 60000);
	return Object.assign(
		{
			connected: true,
			is_admin: false,
			matched: true,
			is_customer: true,
			can_link: true,
			organisation_name: "Harbour Tools Ltd",
			xero_contacts: CONTACTS,
			totals: Object.values(totals).sort((a, b) => a.currency.localeCompare(b.currency)),
			aging: aging_of(),
			counts,
			views: ["open", "unpaid", "paid", "overdue", "pinned", "all"],
			last_synced_at: stamp(synced),
		},
		overrides || {},
	);
}

function stamp(d) {
	const p = (n) => String(n).padStart(2, "0");
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(
		d.getMinutes(),
	)}:${p(d.getSeconds())}`;
}

// The server's get_invoices: a page of the view, every view's count under the same search and dates,
// and what the list's counted invoices add up to per currency. A range the wrong way round is refused
// as the server does (417, ValidationError), so a panel that asked would show it.
function invoices(args) {
	if (args.from_date && args.to_date && args.from_date > args.to_date) throw INVALID_RANGE;
	const search = (args.search || "").toLowerCase();
	const matching = INVOICES.filter(
		(i) =>
			!search ||
			i.invoice_number.toLowerCase().includes(search) ||
			i.reference.toLowerCase().includes(search),
	)
		.filter((i) => !args.from_date || i.date >= args.from_date)
		.filter((i) => !args.to_date || i.date <= args.to_date)
		.sort((a, b) => b.date.localeCompare(a.date));
	const rows = matching.filter(IN_VIEW[args.view || "open"]);
	const counts = {};
	for (const view of Object.keys(IN_VIEW)) counts[view] = matching.filter(IN_VIEW[view]).length;
	const totals = {};
	for (const i of rows.filter(counted)) {
		const t = (totals[i.currency] = totals[i.currency] || {
			currency: i.currency,
			count: 0,
			amount_paid: 0,
			amount_due: 0,
		});
		t.count += 1;
		t.amount_paid += i.amount_paid;
		t.amount_due += i.amount_due;
	}
	const start = Number(args.start || 0);
	return {
		invoices: rows.slice(start, start + Number(args.page_length || 20)),
		total_count: rows.length,
		view: args.view,
		filtered: Boolean(args.search || args.from_date || args.to_date),
		counts,
		list_totals: Object.values(totals).sort((a, b) => a.currency.localeCompare(b.currency)),
		last_synced_at: summary().last_synced_at,
	};
}

const PERMISSION_ERROR = {
	exc_type: "PermissionError",
	exc: '["Traceback (most recent call last):\\n  File \\"apps/frappe/frappe/app.py\\" ..."]',
	_server_messages: JSON.stringify([JSON.stringify({ message: "Not permitted", indicator: "red" })]),
};

const INVALID_RANGE = {
	exc_type: "ValidationError",
	exc: '["Traceback (most recent call last):\\n  File \\"apps/xero_crm/xero_crm/api.py\\" ..."]',
	_server_messages: JSON.stringify([JSON.stringify({ message: "From date must be on or before To date." })]),
};

// Records that already show a Xero contact's invoices (xero_contact_matches), and links made here.
const ALREADY = {
	"c-acme-nz": [
		{ doctype: "Customer", name: "CUST-0001", title: "Acme Widgets Ltd", how: "keys" },
		{ doctype: "Contact", name: "Mary Jones", title: "Mary Jones", how: "fallback" },
		{ doctype: "Opportunity", name: "CRM-OPP-2026-00012", title: "Acme Widgets Ltd", how: "link" },
	],
};
const LINKS = {};
const CONTACT_DIRECTORY = [
	{ contact_id: "c-acme-nz", name: "Acme Widgets Ltd", is_customer: true, emails: ["accounts@acme.example"] },
	{ contact_id: "c-acme-au", name: "Acme Widgets Pty (AU)", is_customer: false, emails: [] },
	{
		contact_id: "c-acme-x",
		name: "ACME <script>alert(1)</script>",
		is_customer: true,
		emails: ["x@acme.example"],
	},
];

const calls = [];
const call_args = []; // [method, args] of every call, for what the server was asked
let fail_next = false;

const HANDLERS = {
	get_summary: (args) => {
		const linked = CONTACT_DIRECTORY.find((c) => c.contact_id === LINKS[args.name]);
		if (linked) {
			const contact = Object.assign({ how: "link" }, linked);
			return summary({ xero_contacts: [contact], matched: true, is_customer: linked.is_customer });
		}
		return summary(window.SUMMARY_OVERRIDES && window.SUMMARY_OVERRIDES[args.name]);
	},
	get_invoices: (args) => {
		if (params.get("state") === "error" || fail_next) {
			fail_next = false;
			throw PERMISSION_ERROR;
		}
		return invoices(args);
	},
	pin_invoice: (args) => {
		INVOICES.find((i) => i.invoice_id === args.invoice_id).pinned = true;
		return { pinned: true };
	},
	unpin_invoice: (args) => {
		INVOICES.find((i) => i.invoice_id === args.invoice_id).pinned = false;
		return { pinned: false };
	},
	// as the server does: a part of a name, or a whole email (any case)
	search_xero_contacts: (args) => {
		const text = String(args.text).trim().toLowerCase();
		return CONTACT_DIRECTORY.filter((c) => c.name.toLowerCase().includes(text) || c.emails.includes(text));
	},
	xero_contact_matches: (args) => {
		const contact = CONTACT_DIRECTORY.find((c) => c.contact_id === args.contact_id);
		return {
			contact: { contact_id: contact.contact_id, name: contact.name, is_customer: contact.is_customer },
			records: ALREADY[args.contact_id] || [],
			this_record: LINKS[args.name] === args.contact_id,
		};
	},
	link_xero_contact: (args) => {
		LINKS[args.name] = args.contact_id;
		return { linked: args.contact_id };
	},
	unlink_xero_contact: (args) => {
		delete LINKS[args.name];
		return { linked: null };
	},
};

// ---- frappe stubs ---------------------------------------------------------------------------------

window.__ = (text, args) =>
	args ? String(text).replace(/\{(\d+)\}/g, (m, i) => (args[i] === undefined ? m : args[i])) : text;

// Frappe's format_currency with Currency symbols: NZD and USD are both "$".
const SYMBOLS = { NZD: "$", USD: "$", EUR: "€" };
window.format_currency = (value, currency) =>
	(SYMBOLS[currency] || currency) +
	" " +
	Number(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const realtime_handlers = {};
const alerts = []; // frappe.show_alert messages
const msgprints = []; // frappe.msgprint messages
const form_handlers = {}; // doctype -> what its form script gave frappe.ui.form.on

// frappe.require with the names the form scripts ask for, resolved as bench build's assets.json would,
// here to the sources. An unknown name fails the way a missing asset would: nothing loads.
const BUNDLES = {
	"xero_panel.bundle.js": "../../xero_crm/public/js/xero_panel.bundle.js",
	"xero_panel.bundle.css": "../../xero_crm/public/css/xero_panel.bundle.css",
};
const required = []; // every name asked for, in order
function require_assets(items, callback) {
	items = typeof items === "string" ? [items] : items;
	required.push(...items);
	const load = (name) => {
		const src = BUNDLES[name];
		if (!src) return Promise.reject(new Error(`no asset ${name}`));
		if (name.endsWith(".css")) {
			const link = document.createElement("link");
			link.rel = "stylesheet";
			link.href = src;
			document.head.appendChild(link);
			return new Promise((resolve, reject) => {
				link.onload = resolve;
				link.onerror = () => reject(new Error(`could not load ${src}`));
			});
		}
		return import(src);
	};
	return Promise.all(items.map(load)).then(
		() => callback && callback(),
		(err) => console.error("frappe.require:", err),
	);
}

window.frappe = {
	require: require_assets,
	utils: {
		escape_html(txt) {
			if (!txt) return "";
			const map = {
				"&": "&amp;",
				"<": "&lt;",
				">": "&gt;",
				'"': "&quot;",
				"'": "&#39;",
				"`": "&#x60;",
				"=": "&#x3D;",
			};
			return String(txt).replace(/[&<>"'`=]/g, (c) => map[c]);
		},
		// Frappe's, given a number: scroll the page there less the offset (without its animation)
		scroll_to(element, animate, additional_offset) {
			if (typeof element !== "number") throw new Error("the harness scrolls to numbers only");
			window.scrollTo({ top: Math.max(0, element - (additional_offset || 0)), behavior: "instant" });
		},
	},
	datetime: {
		// the System Settings default date format, dd-mm-yyyy
		str_to_user(val) {
			const m = /^(\d{4})-(\d{2})-(\d{2})(.*)$/.exec(val || "");
			return m ? `${m[3]}-${m[2]}-${m[1]}${m[4] ? m[4].slice(0, 6) : ""}` : val;
		},
		prettyDate(val) {
			const minutes = Math.floor((Date.now() - new Date(val.replace(" ", "T")).getTime()) / 60000);
			if (minutes < 1) return "just now";
			if (minutes < 2) return "1 minute ago";
			return minutes < 60 ? `${minutes} minutes ago` : `${Math.floor(minutes / 60)} hours ago`;
		},
	},
	call(opts) {
		const method = opts.method.replace("xero_crm.api.", "");
		calls.push(method);
		call_args.push([method, opts.args || {}]);
		setTimeout(() => {
			try {
				const message = HANDLERS[method](opts.args || {});
				opts.callback({ message });
				opts.always && opts.always({ message });
			} catch (err) {
				opts.always && opts.always(err);
				opts.error && opts.error(err);
			}
		}, 30);
	},
	xcall(method, args) {
		return new Promise((resolve, reject) =>
			frappe.call({ method, args, callback: (r) => resolve(r.message), error: reject }),
		);
	},
	realtime: {
		on(event, fn) {
			(realtime_handlers[event] = realtime_handlers[event] || []).push(fn);
		},
	},
	confirm(message, yes) {
		if (window.confirm(message.replace(/<[^>]*>/g, ""))) yes();
	},
	// Frappe's toast: HTML, bottom right
	show_alert(opts) {
		alerts.push(opts.message);
		const el = document.createElement("div");
		el.className = `harness-alert ${opts.indicator || ""}`;
		el.innerHTML = opts.message;
		document.body.appendChild(el);
	},
	// Frappe's message dialog: the panel must never need it
	msgprint(message) {
		msgprints.push(String(message));
		const el = document.createElement("div");
		el.className = "harness-modal harness-msgprint";
		el.innerHTML = `<div class="harness-dialog"><div class="harness-dialog-title">Message</div>${message}</div>`;
		document.body.appendChild(el);
	},
	boot: { sysdefaults: { date_format: "dd-mm-yyyy" } },
	ui: {
		form: {
			on(doctype, handlers) {
				form_handlers[doctype] = handlers;
			},
			make_control: params.get("controls") ? make_date_control : undefined,
		},
		Dialog: class {
			constructor(opts) {
				this.opts = opts;
				this.el = document.createElement("div");
				this.el.className = "harness-modal";
				this.el.innerHTML = `<div class="harness-dialog"><div class="harness-dialog-title">${opts.title}</div>
					<label class="control-label">${opts.fields[0].label}</label>
					<input class="form-control" type="text">
					<p class="help-box small text-muted">${opts.fields[0].description}</p>
					<div class="harness-results"></div></div>`;
				this.fields_dict = {
					text: { $input: [this.el.querySelector("input")] },
					results: { $wrapper: [this.el.querySelector(".harness-results")] },
				};
			}
			show() {
				document.body.appendChild(this.el);
			}
			hide() {
				this.el.remove();
			}
		},
	},
};

// ?controls=1: just enough of a Frappe Date control (only_input): the rep types dd-mm-yyyy; get_value()
// gives YYYY-MM-DD, or "Invalid date" like frappe.datetime.user_to_str for what is not a date.
const pickers = { made: 0, destroyed: 0 };
function make_date_control(opts) {
	const wrapper = document.createElement("div");
	wrapper.className = "form-group frappe-control";
	wrapper.innerHTML = `<input type="text" autocomplete="off" class="input-with-feedback form-control">`;
	opts.parent.appendChild(wrapper);
	const input = wrapper.querySelector("input");
	input.setAttribute("placeholder", opts.df.placeholder || "");
	input.setAttribute("data-fieldtype", opts.df.fieldtype);
	pickers.made++;
	const control = {
		df: opts.df,
		$input: { 0: input, length: 1 },
		$wrapper: { 0: wrapper, length: 1 },
		datepicker: { hide() {}, destroy: () => pickers.destroyed++ },
		get_input_value: () => input.value,
		// as frappe.datetime.user_to_str: the user's format only (YYYY-MM-DD typed here is not a date)
		get_value() {
			if (!input.value) return undefined;
			const m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(input.value.trim());
			return m && Number(m[2]) <= 12 && Number(m[1]) <= 31 ? `${m[3]}-${m[2]}-${m[1]}` : "Invalid date";
		},
		set_input(value) {
			input.value = value ? frappe.datetime.str_to_user(value) : "";
		},
		// ControlDate.validate: what is not a date pops Frappe's dialog
		validate(value) {
			if (value && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
				frappe.msgprint(`Date ${value} must be in format: dd-mm-yyyy`);
				return "";
			}
			return value;
		},
	};
	// ControlData.bind_change_event: the control's own `change` if it has one, else parse and validate
	input.addEventListener("change", (e) => {
		if (control.change) control.change(e);
		else control.validate(control.get_value());
	});
	return control;
}

window.emit_realtime = (data) =>
	(realtime_handlers.xero_crm_invoices_changed || []).forEach((fn) => fn(data));

// ---- a fake form ----------------------------------------------------------------------------------

// Tabbed like Customer in v15 (Details first, frm.dashboard in a Connections tab further on), or, with
// ?tabs=0, a single page with the dashboard on top like Contact.
function fake_form(doctype, name, host) {
	const tabbed = params.get("tabs") !== "0";
	const fields = `<div class="harness-fields"><div><label>${doctype} Name</label><div class="fake-input">${name}</div></div>
		<div><label>Customer Group</label><div class="fake-input">Commercial</div></div>
		<div><label>Territory</label><div class="fake-input">New Zealand</div></div></div>`;
	const page = tabbed
		? `<ul class="nav form-tabs">
				<li class="nav-item"><a class="nav-link active" href="#t-details" aria-controls="t-details">Details</a></li>
				<li class="nav-item"><a class="nav-link" href="#t-dashboard" aria-controls="t-dashboard">Connections</a></li>
			</ul>
			<div class="form-tab-content tab-content">
				<div class="tab-pane active" id="t-details">${fields}</div>
				<div class="tab-pane" id="t-dashboard"><div class="form-dashboard"></div>
					<div class="harness-links">Sales Order · Quotation · Sales Invoice</div></div>
			</div>`
		: `<div class="form-dashboard"></div>${fields}`;
	host.insertAdjacentHTML(
		"beforeend",
		`<div class="harness-form">
			<div class="page-head"><span class="page-title">${name}</span>
				<span class="indicator-pill green">Enabled</span></div>
			<div class="harness-body">
				<div class="form-sidebar"><ul class="sidebar-menu form-assignments"><li>Assigned To</li></ul>
					<ul class="sidebar-menu"><li>Attachments</li></ul><ul class="sidebar-menu"><li>Tags</li></ul></div>
				<div class="form-layout"><div class="form-page">${page}</div></div>
			</div>
		</div>`,
	);
	const form = host.lastElementChild;
	const dashboard = form.querySelector(".form-dashboard");
	const sidebar = form.querySelector(".form-sidebar");
	const jq = (el) => ({ 0: el, length: 1 }); // jQuery-like, as in Frappe
	const tabs = [...form.querySelectorAll(".tab-pane")].map((pane) => {
		const link = form.querySelector(`.form-tabs [aria-controls="${pane.id}"]`);
		const tab = {
			wrapper: jq(pane),
			hidden: false,
			set_active() {
				form
					.querySelectorAll(".tab-pane, .form-tabs .nav-link")
					.forEach((el) => el.classList.remove("active"));
				pane.classList.add("active");
				link.classList.add("active");
			},
		};
		link.addEventListener("click", (e) => {
			e.preventDefault();
			tab.set_active();
		});
		return tab;
	});
	return {
		doctype,
		docname: name,
		is_new: () => false,
		sidebar: { sidebar: jq(sidebar) },
		page: { sidebar: jq(sidebar) },
		layout: { wrapper: jq(form.querySelector(".form-layout")), tabs },
		dashboard: {
			parent: jq(dashboard),
			add_section(html, label, css_class) {
				const wrapper = document.createElement("div");
				wrapper.className = `row form-dashboard-section card-section ${css_class || "custom"}`;
				wrapper.innerHTML = `<div class="section-head collapsible">${label}<span class="ml-2 collapse-indicator">▾</span></div>
					<div class="section-body">${html}</div>`;
				dashboard.appendChild(wrapper);
				return jq(wrapper.querySelector(".section-body"));
			},
			// Frappe's dashboard.reset() on every refresh: removes the .custom sections it holds
			reset() {
				dashboard.querySelectorAll(".custom").forEach((el) => el.remove());
			},
			show() {},
		},
	};
}

// What Frappe does when a form loads or refreshes: run its form script's refresh.
function refresh(frm) {
	form_handlers[frm.doctype].refresh(frm);
}

// Resolves once the panel has rendered rows or an empty state.
function settled() {
	return new Promise((resolve) => {
		const tick = () =>
			document.querySelector(".xero-crm-table, .xero-crm-empty, .xero-crm-error, .xero-crm-empty-view")
				? resolve()
				: setTimeout(tick, 20);
		tick();
	});
}

document.addEventListener("DOMContentLoaded", async () => {
	const host = document.getElementById("forms");
	const state = params.get("state");
	if (state === "empty") {
		window.SUMMARY_OVERRIDES = {
			"Acme (admin)": { connected: false, is_admin: true, organisation_name: null },
			"Acme (rep)": { connected: false, is_admin: false, organisation_name: null },
			"Jane Smith": { matched: false, is_customer: false, xero_contacts: [], totals: [] },
			"Beta Supplies": {
				is_customer: false,
				totals: [],
				xero_contacts: [{ contact_id: "c-beta", name: "Beta Supplies Ltd", is_customer: false, how: "link" }],
			},
		};
		for (const [doctype, name] of [
			["Customer", "Acme (admin)"],
			["Customer", "Acme (rep)"],
			["Contact", "Jane Smith"],
			["Customer", "Beta Supplies"],
		]) {
			refresh(fake_form(doctype, name, host));
		}
		document.body.classList.add("harness-compact");
		return;
	}
	if (state === "dialog" || state === "confirm") {
		window.SUMMARY_OVERRIDES = { "Jane Smith": { matched: false, is_customer: false, xero_contacts: [] } };
		refresh(fake_form("Contact", "Jane Smith", host));
		await settled();
		document.querySelector('[data-action="link"]').click();
		const input = document.querySelector(".harness-modal input");
		input.value = state === "confirm" ? "accounts@acme.example" : "acme";
		input.dispatchEvent(new Event("input"));
		if (state === "confirm") {
			await until(() => document.querySelector(".xero-crm-result"));
			document.querySelector(".xero-crm-result").click();
			await until(() => document.querySelector(".xero-crm-confirm"));
		}
		document.body.setAttribute("data-ready", "1");
		return;
	}
	if (params.get("selftest")) {
		// a long page around the form, so that scrolling to the panel can be seen
		host.insertAdjacentHTML("beforebegin", `<div id="harness-above" style="height: 1600px"></div>`);
		host.insertAdjacentHTML("afterend", `<div id="harness-below" style="height: 1600px"></div>`);
	}
	// the form scripts of both: Customer (tabbed) and Contact (no tabs)
	const frm = fake_form(params.get("tabs") === "0" ? "Contact" : "Customer", "Acme Widgets Ltd", host);
	refresh(frm);
	await settled();
	if (params.get("selftest")) {
		await selftest(frm);
		return;
	}
	if (params.get("narrowtest")) {
		await narrowtest();
		return;
	}
	if (params.get("view")) {
		document.querySelector(`.xero-crm-view[data-view="${params.get("view")}"]`).click();
		await new Promise((r) => setTimeout(r, 120));
	}
	if (params.get("hover")) {
		const payments = document.querySelector(".xero-crm-payments");
		payments.classList.add("is-open");
		payments.querySelector("button").setAttribute("aria-expanded", "true");
	}
	if (params.get("search")) {
		document.querySelector(".xero-crm-search").value = params.get("search");
		document.querySelector('[data-action="apply"]').click();
		await until(() => !document.querySelector(".xero-crm-panel.is-loading"));
		await new Promise((r) => setTimeout(r, 60));
	}
	if (params.get("dates")) {
		const [from, to] = params.get("dates").split(",");
		document.querySelector('[name="from_date"]').value = from;
		document.querySelector('[name="to_date"]').value = to;
		document.querySelector('[data-action="apply"]').click();
	}
	if (params.get("tap")) {
		document.querySelectorAll(".xero-crm-row")[Number(params.get("tap"))].click();
	}
	document.body.setAttribute("data-ready", "1");
});

// ---- ?selftest=1: the wiring, driven as a rep would ------------------------------------------------

const until = (cond) =>
	new Promise((resolve, reject) => {
		const started = Date.now();
		const tick = () => {
			if (cond()) resolve();
			else if (Date.now() - started > 3000) reject(new Error("timed out"));
			else setTimeout(tick, 10);
		};
		tick();
	});

async function selftest(frm) {
	const out = [];
	const $ = (sel) => document.querySelector(sel);
	const $$ = (sel) => document.querySelectorAll(sel);
	const rows = () => $$(".xero-crm-row").length;
	const quiet = () => !$(".xero-crm-panel.is-loading");
	const check = (name, ok) => out.push(`${ok ? "PASS" : "FAIL"} ${name}`);
	const step = async (name, fn) => {
		try {
			await fn();
		} catch (err) {
			check(`${name}: ${err.message}`, false);
		}
	};
	const press_enter = (el) => el.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));

	const tabbed = params.get("tabs") !== "0";
	const section = () => $(".xero-crm-section");
	const last_list_args = () => call_args.filter((c) => c[0] === "get_invoices").pop()[1];

	await step("loading", async () => {
		check(
			"the form script loads the panel with frappe.require: xero_panel.bundle.js and .css",
			required.join(" ") === "xero_panel.bundle.js xero_panel.bundle.css",
		);
		check(
			"and its styles apply",
			getComputedStyle(section()).scrollMarginTop === "120px" &&
				getComputedStyle($(".xero-crm-view.active")).cursor === "pointer",
		);
	});
	await step("placement", async () => {
		const first = tabbed ? $(".tab-pane") : $(".form-page");
		check(
			`the panel is the first thing in the ${tabbed ? "first (Details) tab" : "form"}`,
			first.firstElementChild === section(),
		);
		check("not in the dashboard", !section().closest(".form-dashboard"));
		check("visible on the tab the form opens on", section().offsetParent !== null);
	});
	await step("open view", async () => {
		check(
			"default view is Open with 4 rows",
			rows() === 4 && $(".xero-crm-view.active").dataset.view === "open",
		);
		const today = [...$$(".xero-crm-row")].find((r) => r.textContent.includes("INV-A011"));
		check(
			"an invoice due today says due today, emphasised",
			today.querySelector(".xero-crm-sub.is-due-today").textContent.trim() === "due today",
		);
		check(
			"the Open view holds no bill",
			![...$$(".xero-crm-row")].some((r) => r.textContent.includes("RINV")),
		);
		check(
			"section head names the Xero contact",
			$(".section-head").textContent.includes("· Acme Widgets Ltd"),
		);
		check("sidebar block added above Assigned To", $(".xero-crm-sidebar + .form-assignments") !== null);
	});
	await step("Total paid", async () => {
		const box = $('.xero-crm-total[data-view="paid_to_date"]');
		box.click();
		await until(() => quiet() && $(".xero-crm-view.active").dataset.view === "paid_to_date");
		check(
			"Total paid opens every invoice with a payment (Paid to date), pressed",
			$(".xero-crm-view.active").textContent.startsWith("Paid to date") &&
				$(".xero-crm-total.active").dataset.view === "paid_to_date",
		);
		check("its rows show what was paid", $(".xero-crm-table th:nth-child(5)").textContent === "Paid");
		// the box's lines and the list's total line, per currency, as the rep reads them
		const lines = (root) =>
			[...root.querySelectorAll(".xero-crm-money, .xero-crm-total-line")]
				.map((el) => el.textContent.replace(/\s+/g, " ").trim())
				.join(" | ");
		const boxed = lines($('.xero-crm-total[data-view="paid_to_date"]'));
		const listed = lines($(".xero-crm-list-total"));
		check(`the Paid box equals its list's total (${boxed} = ${listed})`, boxed !== "" && boxed === listed);
		// and the rows themselves, every page loaded, add up to it
		while ($('[data-action="more"]')) {
			const before = rows();
			$('[data-action="more"]').click();
			await until(() => rows() > before);
		}
		const sums = {};
		for (const row of $$(".xero-crm-row")) {
			const money = row.querySelector("td:nth-child(5) .xero-crm-money");
			const ccy = money.querySelector(".xero-crm-ccy").textContent;
			sums[ccy] =
				(sums[ccy] || 0) + Number(money.querySelector(".xero-crm-amt").textContent.replace(/,/g, ""));
		}
		const in_box = {};
		for (const line of $$('.xero-crm-total[data-view="paid_to_date"] .xero-crm-total-line')) {
			in_box[line.querySelector(".xero-crm-ccy").textContent.trim()] = Number(
				line.querySelector(".xero-crm-amt").textContent.replace(/,/g, ""),
			);
		}
		check(
			`and so do its rows (${JSON.stringify(sums)})`,
			Object.keys(in_box).length > 0 &&
				JSON.stringify(sums, Object.keys(in_box).sort()) ===
					JSON.stringify(in_box, Object.keys(in_box).sort()),
		);
		check(
			"part-paid invoices are in it",
			[...$$(".xero-crm-row")].some((r) => r.textContent.includes("INV-A005")),
		);
		$('.xero-crm-view[data-view="paid"]').click();
		await until(() => quiet() && $(".xero-crm-view.active").dataset.view === "paid" && rows() === 20);
		check("the Paid pill: first page of 48 fully paid, with Load more", $('[data-action="more"]') !== null);
		check("and the Paid to date pill goes once left", !$('.xero-crm-view[data-view="paid_to_date"]'));
	});
	await step("aging", async () => {
		const bar = $(".xero-crm-aging-row .xero-crm-aging-bar");
		const segs = [...bar.querySelectorAll(".xero-crm-aging-seg")];
		const widths = segs.map((seg) => seg.getBoundingClientRect().width);
		const amounts = segs.map((seg) => Number(/ ([\d,.]+) ·/.exec(seg.title)[1].replace(/,/g, "")));
		const owed = amounts.reduce((a, b) => a + b, 0);
		const room = widths.reduce((a, b) => a + b, 0);
		check(
			`the aging bar's segments are as wide as their share (${widths.map(Math.round).join(", ")} px)`,
			segs.length > 1 && amounts.every((a, n) => Math.abs(widths[n] / room - a / owed) < 0.03),
		);
		const seg = segs.find((el) => !el.classList.contains("is-current"));
		const view = seg.dataset.view;
		const count = Number(/· (\d+) invoices?$/.exec(seg.title)[1]);
		seg.click();
		await until(() => quiet() && $(".xero-crm-view.active").dataset.view === view);
		check(
			"a segment clicked asks for its bucket's list",
			last_list_args().view === view && rows() === count && $(".xero-crm-aging-seg.active") !== null,
		);
		const amount = / ([\d,.]+) ·/.exec(seg.title)[1];
		check(
			`and the list adds up to the segment (${amount})`,
			$(".xero-crm-list-total").textContent.replace(/\s+/g, " ").includes(amount),
		);
		$('.xero-crm-view[data-view="paid"]').click();
		await until(() => quiet() && $(".xero-crm-view.active").dataset.view === "paid" && rows() === 20);
		check("and its pill goes once left", !$(`.xero-crm-view[data-view="${view}"]`));
	});
	await step("search", async () => {
		$(".xero-crm-search").value = "A006";
		press_enter($(".xero-crm-search"));
		await until(() => quiet() && rows() === 1);
		check("Enter in search applies it", $(".xero-crm-number").textContent.trim() === "INV-A006");
		check("Clear shows", !$(".xero-crm-clear").classList.contains("hidden"));
		$('[data-action="clear"]').click();
		await until(() => quiet() && rows() === 20);
		check("Clear empties the search", $(".xero-crm-search").value === "");
	});
	await step("search across views", async () => {
		$('.xero-crm-view[data-view="open"]').click();
		await until(() => quiet() && $(".xero-crm-view.active").dataset.view === "open");
		$(".xero-crm-search").value = "A006"; // a paid invoice, searched in the Open view
		press_enter($(".xero-crm-search"));
		await until(() => quiet() && $(".xero-crm-empty-view"));
		const empty = $(".xero-crm-empty-view").textContent.replace(/\s+/g, " ");
		check(
			`an empty view says where the search finds something (${empty.trim()})`,
			empty.includes("1 match in Paid · Show"),
		);
		const count = (view) => $(`.xero-crm-view[data-view="${view}"] .xero-crm-count`).textContent;
		check(
			"the pill counts follow the search",
			count("open") === "0" && count("paid") === "1" && count("all") === "1" && count("unpaid") === "0",
		);
		const before = call_args.length;
		$('.xero-crm-elsewhere [data-view="paid"]').click();
		await until(() => quiet() && rows() === 1);
		check(
			"Show opens that view with the search kept",
			$(".xero-crm-view.active").dataset.view === "paid" &&
				$(".xero-crm-number").textContent.trim() === "INV-A006" &&
				call_args.length > before,
		);
		// typed, not applied, then a pill: what was typed goes with it
		$(".xero-crm-search").value = "A010";
		$(".xero-crm-search").dispatchEvent(new Event("input", { bubbles: true }));
		check("typed but not applied: Apply stands out", $(".xero-crm-apply").classList.contains("is-pending"));
		$('.xero-crm-view[data-view="all"]').click();
		await until(() => quiet() && $(".xero-crm-view.active").dataset.view === "all");
		check(
			"a pill clicked applies what was typed",
			last_list_args().search === "A010" &&
				rows() === 1 &&
				$(".xero-crm-number").textContent.trim() === "INV-A010",
		);
		check("and Apply is quiet again", !$(".xero-crm-apply").classList.contains("is-pending"));
		$('[data-action="clear"]').click();
		await until(() => quiet() && rows() === 20);
		check("Clear brings back every count", count("all") === "57");
		$('.xero-crm-view[data-view="paid"]').click();
		await until(() => quiet() && $(".xero-crm-view.active").dataset.view === "paid" && rows() === 20);
	});
	await step("dates", async () => {
		const controls = Boolean(params.get("controls"));
		check(
			controls ? "the date filters are Frappe Date controls" : "the date filters are native date inputs",
			controls
				? $$('.xero-crm-filters .frappe-control [data-fieldtype="Date"]').length === 2
				: $$('.xero-crm-filters input[type="date"]').length === 2,
		);
		// as the rep types them: the user's format in a Date control, YYYY-MM-DD in a native input
		$('[name="from_date"]').value = controls ? "01-09-2026" : "2026-09-01";
		$('[name="to_date"]').value = controls ? "30-09-2026" : "2026-09-30";
		$('[data-action="apply"]').click();
		await until(() => quiet() && rows() === 1);
		check("Apply filters by date", $(".xero-crm-number").textContent.trim() === "INV-A006");
		const args = last_list_args();
		check(
			"the server gets the dates as YYYY-MM-DD",
			args.from_date === "2026-09-01" && args.to_date === "2026-09-30",
		);
		$('[name="from_date"]').value = controls ? "01-08-2026" : "2026-08-01";
		press_enter($('[name="to_date"]'));
		await until(() => quiet() && rows() === 3);
		check("Enter in a date applies the dates", last_list_args().from_date === "2026-08-01");
		// the range the wrong way round: said beside the dates, the server not asked
		const asked = call_args.length;
		const shown = rows();
		$('[name="from_date"]').value = controls ? "30-09-2026" : "2026-09-30";
		$('[name="to_date"]').value = controls ? "01-09-2026" : "2026-09-01";
		$('[data-action="apply"]').click();
		await new Promise((r) => setTimeout(r, 100));
		const note = $(".xero-crm-filter-note");
		check(
			`an inverted range is answered beside the dates (${note.textContent})`,
			!note.classList.contains("hidden") && note.textContent.includes("is after the date to"),
		);
		check("without asking the server", call_args.length === asked);
		check("no error with Try again, no Frappe dialog", !$(".xero-crm-error") && msgprints.length === 0);
		check(
			"the list stays as applied, with Clear",
			rows() === shown && !$(".xero-crm-clear").classList.contains("hidden"),
		);
		check(
			"dimmed, and the note says it is for the filters applied before",
			$(".xero-crm-list").classList.contains("is-held") && note.textContent.includes("applied before"),
		);
		check(
			"the dates are marked",
			$('[name="from_date"]').getAttribute("aria-invalid") === "true" &&
				$('[name="to_date"]').getAttribute("aria-invalid") === "true",
		);
		$('[name="to_date"]').value = controls ? "30-09-2026" : "2026-09-30";
		$('[data-action="apply"]').click();
		await until(() => quiet() && last_list_args().to_date === "2026-09-30");
		check(
			"put right, it applies and the note goes",
			note.classList.contains("hidden") && !$(".xero-crm-list").classList.contains("is-held"),
		);
		if (controls) {
			const before = call_args.length;
			$('[name="from_date"]').value = "31-31-2026";
			$('[name="from_date"]').dispatchEvent(new Event("change")); // as when the rep leaves the field
			press_enter($('[name="from_date"]'));
			await until(() => !$(".xero-crm-filter-note").classList.contains("hidden"));
			check(
				"a date that is not one says so, and how to type it",
				$(".xero-crm-filter-note").textContent.includes(
					"31-31-2026 is not a date: type it as dd-mm-yyyy or YYYY-MM-DD",
				),
			);
			check("and asks the server nothing", call_args.length === before);
			check("never Frappe's Invalid date dialog", msgprints.length === 0 && !$(".harness-msgprint"));
			// an ISO date typed by hand where the user's format is dd-mm-yyyy
			$('[name="from_date"]').value = "2026-08-01";
			$('[name="from_date"]').dispatchEvent(new Event("change"));
			press_enter($('[name="from_date"]'));
			await until(() => quiet() && last_list_args().from_date === "2026-08-01" && call_args.length > before);
			check("a date typed as YYYY-MM-DD is taken as it is", rows() === 3 && msgprints.length === 0);
		}
		$('[data-action="clear"]').click();
		await until(() => quiet() && rows() === 20);
		check(
			"Clear empties the dates",
			$('[name="from_date"]').value === "" && $('[name="to_date"]').value === "",
		);
		check("and the server gets no dates", !last_list_args().from_date && !last_list_args().to_date);
	});
	await step("load more", async () => {
		$('.xero-crm-view[data-view="all"]').click();
		await until(() => quiet() && $(".xero-crm-view.active").dataset.view === "all" && rows() === 20);
		$('[data-action="more"]').click();
		await until(() => rows() === 40);
		check("Load more appends the next 20", $(".xero-crm-shown").textContent.includes("40 of 57"));
		const row = (number) => [...$$(".xero-crm-row")].find((r) => r.textContent.includes(number));
		const bill = row("RINV-778");
		check(
			"a bill's pill reads Bill · Open",
			bill.querySelector(".xero-crm-status").textContent === "Bill · Open",
		);
		check("in grey", bill.querySelector(".xero-crm-status").classList.contains("gray"));
		check("with its amounts muted", bill.querySelectorAll(".xero-crm-num.is-muted").length === 2);
		const draft = row("INV-A012");
		check("a draft's amounts are muted too", draft.querySelectorAll(".xero-crm-num.is-muted").length === 2);
		check("an open sales invoice's are not", row("INV-A010").querySelectorAll(".is-muted").length === 0);
	});
	await step("realtime", async () => {
		$(".xero-crm-search").value = "half typed";
		const before = calls.length;
		window.emit_realtime({ contact_ids: ["someone-else"] });
		await new Promise((r) => setTimeout(r, 100));
		check("an unrelated change does not reload", calls.length === before);
		// Xero marks INV-A002 paid; the sync publishes its contact
		with_facts(
			Object.assign(
				INVOICES.find((i) => i.invoice_number === "INV-A002"),
				{ status: "PAID", amount_due: 0, amount_paid: 500, instalment_count: 1 },
			),
		);
		window.emit_realtime({ contact_ids: ["c-acme-nz"] });
		window.emit_realtime({ contact_ids: ["c-acme-nz"] });
		await until(() => calls.length > before && quiet());
		await new Promise((r) => setTimeout(r, 200));
		check("a related change reloads in place, same view", $(".xero-crm-view.active").dataset.view === "all");
		check("and keeps the loaded rows", rows() === 40);
		check("and keeps what the rep was typing", $(".xero-crm-search").value === "half typed");
		const a002 = [...$$(".xero-crm-row")].find((r) => r.textContent.includes("INV-A002"));
		check("INV-A002 now reads Paid", a002.querySelector(".xero-crm-status").textContent === "Paid");
		check("a burst of events reloads at most twice", calls.filter((c) => c === "get_summary").length <= 4);
		$(".xero-crm-search").value = "";
	});
	await step("unpin in Pinned", async () => {
		$('.xero-crm-view[data-view="pinned"]').click();
		await until(() => quiet() && $(".xero-crm-view.active").dataset.view === "pinned" && rows() > 0);
		const count = () => Number($('.xero-crm-view[data-view="pinned"] .xero-crm-count').textContent);
		const [n, pinned] = [rows(), count()];
		const row = $(".xero-crm-row");
		const id = row.dataset.invoiceId;
		row.querySelector(".xero-crm-pin").click();
		check(
			"unpinned in the Pinned view, the row leaves at once and the pill counts one less",
			rows() === n - 1 && !$(`[data-invoice-id="${id}"]`) && count() === pinned - 1,
		);
		await until(() => !INVOICES.find((i) => i.invoice_id === id).pinned);
		await new Promise((r) => setTimeout(r, 60));
		check("and stays gone once the server has it", rows() === n - 1 && !$(`[data-invoice-id="${id}"]`));
		INVOICES.find((i) => i.invoice_id === id).pinned = true; // put back for what follows
		$('.xero-crm-view[data-view="all"]').click();
		await until(() => quiet() && $(".xero-crm-view.active").dataset.view === "all");
		while (rows() < 40) {
			const before = rows();
			$('[data-action="more"]').click();
			await until(() => rows() > before);
		}
	});
	await step("pin", async () => {
		const row = [...$$(".xero-crm-row")].find((r) => !r.querySelector(".xero-crm-pin.is-pinned"));
		const id = row.dataset.invoiceId;
		const before = $('.xero-crm-view[data-view="pinned"] .xero-crm-count').textContent;
		row.querySelector(".xero-crm-pin").click();
		const pin = () => $(`[data-invoice-id="${id}"] .xero-crm-pin`);
		check("pin flips at once", pin().classList.contains("is-pinned"));
		check(
			"Pinned count goes up",
			$('.xero-crm-view[data-view="pinned"] .xero-crm-count').textContent === String(Number(before) + 1),
		);
		await until(() => INVOICES.find((i) => i.invoice_id === id).pinned);
		check("and the server is told", true);
	});
	await step("error", async () => {
		fail_next = true;
		$('.xero-crm-view[data-view="overdue"]').click();
		await until(() => $(".xero-crm-error"));
		const text = $(".xero-crm-error").textContent;
		check("a failed call shows a short message inline", text.includes("Not permitted"));
		check("and no traceback", !text.includes("Traceback"));
		$('.xero-crm-error [data-action="reload"]').click();
		await until(() => !$(".xero-crm-error") && quiet());
	});
	await step("link by hand", async () => {
		// another record, matched to no Xero contact, on its own form
		window.SUMMARY_OVERRIDES = { "Jane Smith": { matched: false, is_customer: false, xero_contacts: [] } };
		const other = fake_form("Contact", "Jane Smith", document.getElementById("forms"));
		refresh(other);
		const panel = () => document.querySelectorAll(".xero-crm-section")[1];
		await until(() => panel() && panel().querySelector('[data-action="link"]'));
		panel().querySelector('[data-action="link"]').click();
		const input = $(".harness-modal input");
		input.value = "ACCOUNTS@acme.example"; // a whole email, any case
		input.dispatchEvent(new Event("input"));
		await until(() => $(".harness-modal .xero-crm-result"));
		check(
			"the link search finds a contact by its email",
			$$(".harness-modal .xero-crm-result").length === 1 &&
				$(".xero-crm-result-name").textContent === "Acme Widgets Ltd",
		);
		const before = calls.filter((c) => c === "link_xero_contact").length;
		$(".harness-modal .xero-crm-result").click();
		await until(() => $(".harness-modal .xero-crm-confirm"));
		const confirm = $(".harness-modal .xero-crm-confirm").textContent.replace(/\s+/g, " ");
		check(
			"picking a contact first shows which records already show its invoices",
			confirm.includes("Link this Contact to the Xero contact Acme Widgets Ltd?") &&
				confirm.includes("Customer Acme Widgets Ltd matched automatically") &&
				confirm.includes("Opportunity Acme Widgets Ltd linked by hand"),
		);
		check("and links nothing yet", calls.filter((c) => c === "link_xero_contact").length === before);
		$('.harness-modal [data-action="back"]').click();
		check("Back returns to the results", $$(".harness-modal .xero-crm-result").length === 1);
		$(".harness-modal .xero-crm-result").click();
		await until(() => $(".harness-modal .xero-crm-confirm"));
		$('.harness-modal [data-action="confirm-link"]').click();
		await until(() => !$(".harness-modal") && alerts.length);
		check(
			`after linking, a toast says what changed (${alerts[alerts.length - 1]})`,
			alerts[alerts.length - 1] === "Linked this Contact to Acme Widgets Ltd: it shows their invoices now.",
		);
		await until(() => panel().querySelector(".xero-crm-table"));
		check("and the record shows the invoices", panel().querySelectorAll(".xero-crm-row").length > 0);
		const confirmed = window.confirm;
		window.confirm = () => true;
		panel().querySelector('[data-action="unlink"]').click();
		window.confirm = confirmed;
		await until(() => alerts.length === 2);
		check(
			`after unlinking, a toast says so (${alerts[1]})`,
			alerts[1] === "Unlinked Acme Widgets Ltd from this Contact: automatic matching applies again.",
		);
		await until(() => panel().querySelector('[data-action="link"]'));
		other.dashboard.reset();
		panel() && panel().remove();
		document.querySelectorAll(".harness-form")[1].remove();
		document.querySelectorAll(".harness-alert").forEach((el) => el.remove());
	});
	await step("narrow sidebar", async () => {
		// a 1100 px window leaves the desk sidebar about 137 px wide
		const sidebar = $(".form-sidebar");
		const before = sidebar.style.flexBasis;
		sidebar.style.flexBasis = "137px";
		const amounts = [...$$(".xero-crm-sidebar .xero-crm-money")];
		// split: the currency code and the number on different lines
		const split = amounts.filter((el) => {
			const [ccy, amt] = [el.querySelector(".xero-crm-ccy"), el.querySelector(".xero-crm-amt")];
			return Math.abs(ccy.getBoundingClientRect().bottom - amt.getBoundingClientRect().bottom) > 2;
		});
		const outside = amounts.filter(
			(el) => el.getBoundingClientRect().right > $(".xero-crm-sidebar").getBoundingClientRect().right,
		);
		check(
			"each sidebar amount stays on one line in a narrow sidebar",
			amounts.length > 0 && split.length === 0,
		);
		check("and inside the sidebar block", outside.length === 0);
		sidebar.style.flexBasis = before;
	});
	await step("sidebar click", async () => {
		if (tabbed) {
			$('.form-tabs [aria-controls="t-dashboard"]').click();
			check("on another tab the panel is out of sight", section().offsetParent === null);
		}
		window.scrollTo(0, document.documentElement.scrollHeight);
		$(".xero-crm-sidebar").click();
		await until(() => section().offsetParent !== null);
		if (tabbed) {
			check("a sidebar click brings back the panel's tab", $("#t-details").classList.contains("active"));
		}
		// the scroll waits for the tab switch to be laid out (a frame): wait for it, or time out
		const top = () => section().getBoundingClientRect().top;
		await until(() => top() > 100 && top() < 140).catch(() => {});
		check(
			`and scrolls its title to about 120 px from the top (${Math.round(top())})`,
			top() > 100 && top() < 140,
		);
	});
	await step("refresh", async () => {
		const made = pickers.made;
		// what Frappe does on every refresh: reset the dashboard, then run the form's refresh (attach)
		frm.dashboard.reset();
		refresh(frm);
		await settled();
		await until(() => quiet() && $$(".xero-crm-row").length);
		check("a refresh shows one panel, not two", $$(".xero-crm-section").length === 1);
		check("and does not fetch the bundle again", required.length === 2);
		check("and one sidebar block", $$(".xero-crm-sidebar").length === 1);
		if (params.get("controls")) {
			check(
				"the old panel's date pickers are removed with it",
				pickers.destroyed === made && pickers.made === made + 2,
			);
		}
		frm.docname = "Acme Widgets (2)";
		frm.dashboard.reset();
		refresh(frm);
		await until(() => $(".xero-crm-table") && quiet());
		check("another record on the same form: still one panel", $$(".xero-crm-section").length === 1);
		check("asked for the new record", last_list_args().name === "Acme Widgets (2)");
		frm.is_new = () => true;
		frm.dashboard.reset();
		refresh(frm);
		check("a new record shows no panel", $$(".xero-crm-section").length === 0);
		check("and no sidebar block", $$(".xero-crm-sidebar").length === 0);
	});
	const pre = document.createElement("pre");
	pre.id = "selftest";
	pre.textContent = out.join("\n");
	document.body.appendChild(pre);
}

// ---- ?narrowtest=1: at a phone's width (chromium --window-size=390,844) -----------------------------

async function narrowtest() {
	const out = [];
	const $ = (sel) => document.querySelector(sel);
	const $$ = (sel) => [...document.querySelectorAll(sel)];
	const check = (name, ok) => out.push(`${ok ? "PASS" : "FAIL"} ${name}`);
	const quiet = () => !$(".xero-crm-panel.is-loading");
	const width = window.innerWidth;
	const page = () => document.documentElement.scrollWidth;
	const inside = (el) => {
		const r = el.getBoundingClientRect();
		return r.left >= -0.5 && r.right <= width + 0.5;
	};
	const one_line = (el) => el.getClientRects().length === 1 && el.getBoundingClientRect().height < 24;
	const form = $(".form-layout");
	const look = (where) => {
		check(`${where}: the page is no wider than the screen (${page()} <= ${width})`, page() <= width);
		check(
			`${where}: nothing in the panel is wider than the form`,
			$$(".xero-crm-panel *").every(
				(el) =>
					el.offsetParent === null ||
					el.getBoundingClientRect().right <= form.getBoundingClientRect().right + 0.5,
			),
		);
	};
	try {
		check(`the window is a phone's (${width} px)`, width <= 400);
		look("Open view");
		const rows = $$(".xero-crm-row");
		check("each invoice is a card", rows.length > 0 && getComputedStyle(rows[0]).display === "grid");
		check(
			"showing number, date, balance and status on screen",
			rows.every((r) =>
				["td:nth-child(2) .xero-crm-number", "td:nth-child(3)", "td:nth-child(5)", ".xero-crm-status"].every(
					(sel) => r.querySelector(sel).offsetParent !== null && inside(r.querySelector(sel)),
				),
			),
		);
		check("an invoice number never breaks", $$(".xero-crm-number").every(one_line));
		check(
			"type and total wait for a tap",
			rows.every((r) => r.querySelector(".xero-crm-type").offsetParent === null),
		);
		const synced = $(".xero-crm-synced");
		check(
			`"last synced" is shown whole (${synced.textContent})`,
			synced.scrollWidth <= synced.clientWidth + 1 && inside(synced),
		);
		const card = rows[1];
		card.querySelector(".xero-crm-date-cell, td:nth-child(3)").click();
		check(
			"a tap opens the rest: type, total, reference, payments",
			card.classList.contains("is-open") &&
				card.querySelector(".xero-crm-type").offsetParent !== null &&
				card.querySelector("td:nth-child(6)").offsetParent !== null &&
				card.querySelector(".xero-crm-details").getAttribute("aria-expanded") === "true",
		);
		const payments = card.querySelector(".xero-crm-payments-toggle");
		if (payments) {
			payments.click();
			const pop = card.querySelector(".xero-crm-popover");
			check("its payments open inside the card", pop.offsetParent !== null && inside(pop));
		}
		look("a card opened");
		card.querySelector(".xero-crm-details").click();
		check("and a tap closes it", !card.classList.contains("is-open"));
		for (const view of ["paid", "all"]) {
			$(`.xero-crm-view[data-view="${view}"]`).click();
			await until(() => quiet() && $(".xero-crm-view.active").dataset.view === view);
			look(`${view} view`);
		}
		$('.xero-crm-total[data-view="paid_to_date"]').click();
		await until(() => quiet() && $(".xero-crm-view.active").dataset.view === "paid_to_date");
		look("Paid to date, with its total");
		$('[name="from_date"]').value = params.get("controls") ? "30-09-2026" : "2026-09-30";
		$('[name="to_date"]').value = params.get("controls") ? "01-09-2026" : "2026-09-01";
		$('[data-action="apply"]').click();
		check("the date note fits", inside($(".xero-crm-filter-note")));
		look("the date note shown");
	} catch (err) {
		check(`narrow: ${err.message}`, false);
	}
	const pre = document.createElement("pre");
	pre.id = "selftest";
	pre.textContent = out.join("\n");
	document.body.appendChild(pre);
}
