// The Xero invoices panel's Frappe wiring: xero_crm.panel.attach(frm), called from the Contact, Customer
// and Opportunity forms' refresh, puts the panel on the form and in its sidebar, owns the state, calls
// xero_crm.api and reloads on the realtime event `xero_crm_invoices_changed`. What the panel shows is
// drawn by render.js, given the desk's own helpers (desk_ctx).

import {
	DEFAULT_VIEW,
	contact_names,
	date_range_problem,
	iso_date,
	organisations_of,
	pick_organisation,
	render_aging,
	render_contact_results,
	render_empty_state,
	render_error,
	render_filters,
	render_header,
	render_link_confirm,
	render_list,
	render_loading,
	render_organisation_filter,
	render_overdue_headline,
	render_sidebar,
	render_title_suffix,
	render_totals,
	render_views,
	safe_url,
	server_message,
	touches,
	views_of,
} from "./render.js";

const PAGE_LENGTH = 20;
const MAX_PAGE_LENGTH = 100; // the server refuses more in one call
const METHOD = "xero_crm.api.";

// What rendering needs from the desk: translation, escaping, money and dates in the user's formats.
let ctx_cache = null;
function desk_ctx() {
	if (!ctx_cache) {
		const escape = frappe.utils.escape_html;
		ctx_cache = {
			__,
			// Frappe's escape_html returns "" for 0: stringify first.
			escape: (v) => (v === null || v === undefined ? "" : escape(String(v))),
			format_currency: (value, currency) => format_currency(value, currency),
			format_date: (d) => (d ? frappe.datetime.str_to_user(d) : ""),
			when: (stamp) => frappe.datetime.prettyDate(stamp),
		};
	}
	return ctx_cache;
}

const panels = new Map(); // frm -> state of the panel currently on that form
let realtime_bound = false;
// "doctype\u0000name" -> the organisation the rep picked for that record ("": all): a form refresh
// (a save, say) keeps the rep's choice instead of going back to the record's default organisation
const picked_organisations = new Map();

function to_element(x) {
	if (!x) return null;
	if (typeof Element !== "undefined" && x instanceof Element) return x;
	return x[0] || null; // a jQuery object
}

// frappe.call rather than frappe.xcall: xcall rejects with `undefined` (the message is lost) and lets
// Frappe pop a dialog; silent + our own error text keeps failures inside the panel.
function server_call(method, args) {
	return new Promise((resolve, reject) => {
		let settled = false;
		let last = null;
		const fail = (r) => {
			if (settled) return;
			settled = true;
			const err = new Error(server_message(r || last, desk_ctx()));
			err.exc_type = (r || last || {}).exc_type || "";
			reject(err);
		};
		frappe.call({
			// a name without a module is one of xero_crm.api's
			method: method.includes(".") ? method : METHOD + method,
			args,
			silent: true,
			callback: (r) => {
				settled = true;
				resolve(r ? r.message : undefined);
			},
			error: fail,
			always: (r) => {
				last = r;
				// Frappe skips the error callback on some failures: settle anyway.
				Promise.resolve().then(() => fail(r));
			},
		});
	});
}

export function attach(frm) {
	const side_host = sidebar_host(frm);
	// frm is reused across records: never show the last one's panel or totals
	remove_panel(frm);
	remove_sidebar(side_host);
	clear_headline(frm);
	if (frm.is_new()) return;
	bind_realtime();
	const body = to_element(
		frm.dashboard.add_section(render_loading(desk_ctx()), __("Xero invoices"), "custom xero-crm-section"),
	);
	const section = body.closest(".xero-crm-section") || body;
	// a form without dashboard links keeps the dashboard hidden: show it where the panel stays in it
	if (!move_to_first_tab(frm, section) && frm.dashboard.show) frm.dashboard.show();
	const state = {
		frm,
		doctype: frm.doctype,
		name: frm.docname,
		body,
		section,
		side_host,
		date_controls: null,
		summary: null,
		view: DEFAULT_VIEW,
		filters: { search: "", from_date: "", to_date: "" },
		// the Xero organisation shown ("": all; null: not chosen yet, so get_summary's
		// default_organisation is taken) and the organisations the record matches (the filter's choices)
		organisation: picked_organisations.has(record_key(frm))
			? picked_organisations.get(record_key(frm))
			: null,
		organisations: [],
		// every Xero contact any summary named: a realtime change to one reloads, whichever organisation is shown
		contact_ids: new Set(),
		invoices: [],
		total_count: 0,
		// from the last list answer: every view's count and the list's totals, under state.filters
		counts: null,
		list_totals: null,
		seq: 0,
		busy: false,
		again: false,
		again_reset: false,
		// the first view, computed with the form's own load (xero_crm.panel_onload), or null
		preloaded: state_preloaded(frm),
	};
	panels.set(frm, state);
	body.addEventListener("click", (e) => on_click(state, e));
	body.addEventListener("keydown", (e) => on_keydown(state, e));
	body.addEventListener("input", (e) => on_input(state, e));
	body.addEventListener("change", (e) => on_change(state, e));
	load(state, { reset: true });
}

// The panel's first view that came with the form's load, taken once and only for the record it was
// made for, and only while the rep has picked no organisation on this page: every later view asks.
function state_preloaded(frm) {
	const onload = frm.doc && frm.doc.__onload;
	const found = onload && onload.xero_panel;
	if (!found) return null;
	delete onload.xero_panel;
	if (found.doctype !== frm.doctype || found.name !== frm.docname || !found.summary) return null;
	return picked_organisations.has(record_key(frm)) ? null : found;
}

// Paint the first view that came with the form's load; false when it does not fit (then load asks).
function paint_preloaded(state, preloaded) {
	const summary = preloaded.summary;
	const shown = settle_organisation(state, summary, null);
	if (shown !== (summary.organisation || "")) return false;
	const list = preloaded.list || {};
	state.summary = summary;
	take_rows(state, {
		invoices: list.invoices || [],
		total: list.total_count || 0,
		counts: list.counts || null,
		list_totals: list.list_totals || null,
	});
	paint(state);
	return true;
}

function record_key(frm) {
	return `${frm.doctype}\u0000${frm.docname}`;
}

// The dashboard of a tabbed form (Customer, Opportunity) sits in its Dashboard/Connections tab, out of
// sight on the Details tab the form opens on: put the panel at the top of the first tab instead (the
// top of the form where there are no tabs). Frappe's dashboard reset no longer clears a moved section,
// so remove_panel() does, on every attach. Returns whether the section moved.
function move_to_first_tab(frm, section) {
	const host = first_tab_host(frm);
	if (!host || !section) return false;
	host.prepend(section);
	return true;
}

function first_tab_host(frm) {
	const layout = frm.layout;
	if (!layout) return null;
	const tabs = layout.tabs || [];
	if (tabs.length) {
		const tab = tabs.find((t) => !t.hidden) || tabs[0];
		return to_element(tab.wrapper);
	}
	const wrapper = to_element(layout.wrapper);
	return wrapper ? wrapper.querySelector(".form-page") || wrapper : null;
}

// This form's panel, wherever it was put, and the date pickers it opened.
function remove_panel(frm) {
	const old = panels.get(frm);
	if (old) dispose(old);
	panels.delete(frm);
	const roots = [frm.layout && frm.layout.wrapper, frm.dashboard && frm.dashboard.parent]
		.map(to_element)
		.filter(Boolean);
	for (const root of roots) root.querySelectorAll(".xero-crm-section").forEach((el) => el.remove());
}

function dispose(state) {
	for (const control of Object.values(state.date_controls || {})) {
		// the picker lives in <body>, outside the section: remove it with the panel
		if (control.datepicker && control.datepicker.destroy) control.datepicker.destroy();
	}
	state.date_controls = null;
}

function alive(state) {
	return panels.get(state.frm) === state;
}

function args_of(state, extra) {
	return Object.assign({ doctype: state.doctype, name: state.name }, extra || {});
}

// get_summary and get_invoices follow the organisation filter; nothing is sent for "all" (as a site of
// one organisation never sends it).
function organisation_args(organisation) {
	return organisation ? { organisation } : {};
}

// Several organisations shown at once (the record matches several, none picked): every line says whose.
function by_organisation(state) {
	return state.organisations.length > 1 && !state.organisation;
}

// Take a summary's organisations; returns the organisation to show, which may differ from the one
// asked (the record's default the first time; "all" when the one picked is no longer matched).
function settle_organisation(state, summary, asked) {
	const orgs = organisations_of(summary);
	// an answer for all organisations says which there are; a filtered one keeps the list unless it names several
	if (!asked || orgs.length > 1) state.organisations = orgs;
	for (const c of (summary && summary.xero_contacts) || []) state.contact_ids.add(c.contact_id);
	state.organisation = pick_organisation(state.organisations, asked, summary && summary.default_organisation);
	return state.organisation;
}

function list_args(state, start, page_length) {
	return args_of(state, {
		...organisation_args(state.organisation),
		view: state.view,
		search: state.filters.search || null,
		from_date: state.filters.from_date || null,
		to_date: state.filters.to_date || null,
		start,
		page_length,
	});
}

// Rows [0, count) of the current view, in pages the server accepts, with the last answer's counts
// (every view, under the same search and dates) and list totals.
async function fetch_rows(state, count) {
	let invoices = [];
	let total = 0;
	let last = {};
	do {
		const size = Math.min(MAX_PAGE_LENGTH, Math.max(PAGE_LENGTH, count - invoices.length));
		last = await server_call("get_invoices", list_args(state, invoices.length, size));
		invoices = invoices.concat(last.invoices || []);
		total = last.total_count || 0;
		if (!(last.invoices || []).length) break;
	} while (invoices.length < Math.min(count, total));
	return { invoices, total, counts: last.counts || null, list_totals: last.list_totals || null };
}

function take_rows(state, rows) {
	state.invoices = rows.invoices;
	state.total_count = rows.total;
	state.counts = rows.counts;
	state.list_totals = rows.list_totals;
}

// Summary and list together. reset: a new view/filter (first page); else keep what is loaded.
async function load(state, opts) {
	if (state.busy) {
		state.again = true; // a burst of realtime events becomes one more reload
		if (opts && opts.reset) state.again_reset = true;
		return;
	}
	state.busy = true;
	const seq = ++state.seq;
	const keep = opts && opts.reset ? PAGE_LENGTH : Math.max(PAGE_LENGTH, state.invoices.length);
	const preloaded = state.preloaded;
	state.preloaded = null;
	mark_loading(state, true);
	try {
		if (preloaded && state.organisation === null && paint_preloaded(state, preloaded)) return;
		// The organisation asked for; a change meanwhile (the rep's pick) drops this answer: the reload
		// that pick queued paints the organisation picked.
		const asked = state.organisation;
		let summary = await server_call("get_summary", args_of(state, organisation_args(asked)));
		if (state.organisation !== asked) return;
		const shown = settle_organisation(state, summary, asked);
		if (shown !== (asked || "")) {
			// the record's default organisation (first load), or all (the one picked is gone)
			summary = await server_call("get_summary", args_of(state, organisation_args(shown)));
			if (state.organisation !== shown) return;
			settle_organisation(state, summary, shown);
		}
		const rows =
			summary.connected && summary.matched && summary.is_customer
				? await fetch_rows(state, keep)
				: { invoices: [], total: 0, counts: null, list_totals: null };
		if (!alive(state) || state.organisation !== shown) return;
		if (seq !== state.seq && state.summary) {
			// the rep switched view meanwhile: keep the new list, take the fresh totals and counts
			state.summary = summary;
			set_overdue_headline(state);
			paint_top(state);
			return;
		}
		state.summary = summary;
		take_rows(state, rows);
		paint(state);
	} catch (err) {
		if (alive(state)) show_error(state, err, null, { list: true });
	} finally {
		state.busy = false;
		mark_loading(state, false);
		if (state.again && alive(state)) {
			const reset = state.again_reset;
			state.again = false;
			state.again_reset = false;
			load(state, { reset });
		}
	}
}

async function load_list(state) {
	const seq = ++state.seq;
	mark_loading(state, true);
	try {
		const rows = await fetch_rows(state, PAGE_LENGTH);
		if (!alive(state) || seq !== state.seq) return;
		take_rows(state, rows);
		paint_top(state);
		paint_list(state);
	} catch (err) {
		// no rows of another view or filter left under the error
		if (alive(state) && seq === state.seq) show_error(state, err, null, { list: true });
	} finally {
		mark_loading(state, false);
	}
}

async function load_more(state) {
	const seq = state.seq;
	try {
		const r = await server_call("get_invoices", list_args(state, state.invoices.length, PAGE_LENGTH));
		if (!alive(state) || seq !== state.seq) return;
		state.invoices = state.invoices.concat(r.invoices || []);
		state.total_count = r.total_count || 0;
		state.counts = r.counts || state.counts;
		state.list_totals = r.list_totals || state.list_totals;
		paint_list(state);
	} catch (err) {
		if (!alive(state)) return;
		paint_list(state); // enables Load more again
		show_error(state, err);
	}
}

function mark_loading(state, on) {
	const root = state.body.querySelector(".xero-crm-panel");
	if (root) root.classList.toggle("is-loading", on);
}

function paint(state) {
	const s = state.summary;
	set_head(state, s);
	set_overdue_headline(state);
	const empty = render_empty_state(s, state.doctype, desk_ctx());
	if (empty) {
		dispose(state);
		// an organisation picked that shows nothing keeps the filter, to pick another
		const filter = render_organisation_filter(state.organisations, state.organisation, desk_ctx());
		state.body.innerHTML = `<div class="xero-crm-panel">${
			filter ? `<div class="xero-crm-bar">${filter}</div>` : ""
		}${empty}</div>`;
		remove_sidebar(state.side_host);
		return;
	}
	if (!state.body.querySelector(".xero-crm-list")) paint_frame(state);
	paint_top(state);
	paint_list(state);
	paint_sidebar(state);
}

// Built once per attach: a reload in place must not wipe what the rep is typing in the filters.
function paint_frame(state) {
	dispose(state);
	state.body.innerHTML = `<div class="xero-crm-panel">
		<div class="xero-crm-top"></div>
		<div class="xero-crm-bar"><div class="xero-crm-views-slot"></div><div class="xero-crm-org-slot"></div>${render_filters(
			state.filters,
			desk_ctx(),
		)}</div>
		<div class="xero-crm-message"></div>
		<div class="xero-crm-list"></div>
	</div>`;
	state.date_controls = make_date_controls(state);
}

// In the desk, Frappe Date controls replace the native date inputs: the rep types and reads dates in
// their own date format, as everywhere else in the desk, and picks them from Frappe's calendar.
// Elsewhere (node, the harness without Frappe) the native inputs stay. null: the native inputs.
function make_date_controls(state) {
	const ui = typeof frappe !== "undefined" && frappe.ui;
	if (!(ui && ui.form && typeof ui.form.make_control === "function")) return null;
	const controls = {};
	// the format to type in, e.g. dd-mm-yyyy, since the label beside says From / To
	const defaults = (frappe.boot && frappe.boot.sysdefaults) || {};
	const hint = defaults.date_format || "";
	try {
		for (const slot of state.body.querySelectorAll(".xero-crm-date-slot")) {
			const fieldname = slot.getAttribute("data-fieldname");
			const native = slot.querySelector("input");
			const label = native ? native.getAttribute("aria-label") : "";
			slot.innerHTML = "";
			const control = ui.form.make_control({
				df: { fieldtype: "Date", fieldname, placeholder: hint || label },
				parent: slot,
				render_input: true,
				only_input: true,
			});
			// The panel reads what was typed when the filters are applied, and says itself what is
			// wrong: Frappe's own check on change would pop its "must be in format" dialog (and
			// refuses YYYY-MM-DD typed by hand where the user's format is another).
			control.change = () => note_pending(state);
			control.validate = (value) => value;
			const input = to_element(control.$input);
			if (input) {
				input.classList.add("input-xs");
				input.setAttribute("name", fieldname);
				input.setAttribute("aria-label", label);
			}
			if (state.filters[fieldname]) control.set_input(state.filters[fieldname]);
			controls[fieldname] = control;
		}
	} catch (err) {
		// a desk without a working Date control still filters, with the native inputs
		console.warn("xero_crm: Frappe Date control unavailable, using the browser's date input", err);
		state.body.querySelector(".xero-crm-filters").outerHTML = render_filters(state.filters, desk_ctx());
		return null;
	}
	return controls;
}

// YYYY-MM-DD from a date filter, or "" when empty: typed in the user's date format (a Frappe Date
// control parses it) or as YYYY-MM-DD. Throws, with what to type, when it is not a date.
function date_value(state, fieldname) {
	const control = state.date_controls && state.date_controls[fieldname];
	const typed = typed_date(state, fieldname);
	if (!typed) return "";
	const iso = iso_date(typed);
	if (iso) return iso;
	let value = "";
	if (control) {
		try {
			value = String(control.get_value() || "").trim();
		} catch (e) {
			value = "";
		}
	}
	if (!iso_date(value)) {
		const defaults = (typeof frappe !== "undefined" && frappe.boot && frappe.boot.sysdefaults) || {};
		const format = defaults.date_format || "yyyy-mm-dd";
		const err = new Error(__("{0} is not a date: type it as {1} or YYYY-MM-DD.", [typed, format]));
		err.fieldname = fieldname;
		throw err;
	}
	return iso_date(value);
}

function typed_date(state, fieldname) {
	const control = state.date_controls && state.date_controls[fieldname];
	if (control) return String(control.get_input_value ? control.get_input_value() || "" : "").trim();
	const input = state.body.querySelector(`.xero-crm-filters [name="${fieldname}"]`);
	return input ? input.value.trim() : "";
}

function search_input(state) {
	return state.body.querySelector(".xero-crm-filters .xero-crm-search");
}

// The search and dates as typed (not yet applied, perhaps), checked: {search, from_date, to_date}.
// Throws with what to fix (err.fieldname: which field), before anything is asked of the server.
function typed_filters(state) {
	const search = search_input(state);
	const from_date = date_value(state, "from_date");
	const to_date = date_value(state, "to_date");
	const problem = date_range_problem(from_date, to_date, desk_ctx());
	if (problem) {
		const err = new Error(problem);
		err.fieldname = "from_date to_date";
		throw err;
	}
	return { search: search ? search.value.trim() : "", from_date, to_date };
}

// Beside the filters: what is wrong with them (null: nothing), the fields concerned marked invalid.
// Meanwhile the list, still that of the filters last applied, is dimmed and says so.
function show_filter_note(state, message, fieldnames) {
	const note = state.body.querySelector(".xero-crm-filter-note");
	if (note) {
		note.textContent = message ? `${message} ${__("The list below is for the filters applied before.")}` : "";
		note.classList.toggle("hidden", !message);
	}
	const list = state.body.querySelector(".xero-crm-list");
	if (list) list.classList.toggle("is-held", Boolean(message));
	const wrong = new Set(
		String(fieldnames || "")
			.split(" ")
			.filter(Boolean),
	);
	for (const fieldname of ["from_date", "to_date"]) {
		const input = state.body.querySelector(`.xero-crm-filters [name="${fieldname}"]`);
		if (input) input.setAttribute("aria-invalid", String(Boolean(message) && wrong.has(fieldname)));
	}
}

// Typed but not applied: Apply stands out and Clear is offered, so nothing typed is silently ignored.
function note_pending(state) {
	const search = (search_input(state) || { value: "" }).value.trim();
	const f = state.filters;
	const pending =
		search !== f.search ||
		date_or_blank(state, "from_date") !== f.from_date ||
		date_or_blank(state, "to_date") !== f.to_date;
	const apply = state.body.querySelector(".xero-crm-apply");
	if (apply) apply.classList.toggle("is-pending", pending);
	const typed = Boolean(search || typed_date(state, "from_date") || typed_date(state, "to_date"));
	const clear = state.body.querySelector(".xero-crm-clear");
	if (clear) clear.classList.toggle("hidden", !(typed || has_filters(f)));
}

// YYYY-MM-DD, "" when empty, null when what is typed is not a date.
function date_or_blank(state, fieldname) {
	try {
		return date_value(state, fieldname);
	} catch (e) {
		return null;
	}
}

function has_filters(f) {
	return Boolean(f.search || f.from_date || f.to_date);
}

function clear_filter_inputs(state) {
	const search = search_input(state);
	if (search) search.value = "";
	if (state.date_controls) {
		for (const control of Object.values(state.date_controls)) control.set_input("");
	} else {
		state.body.querySelectorAll(".xero-crm-date-slot input").forEach((input) => (input.value = ""));
	}
	show_filter_note(state, null);
}

// The pills count what each view holds under the applied search and dates (the last list answer);
// the boxes stay the record's totals.
function paint_top(state) {
	const s = state.summary;
	const top = state.body.querySelector(".xero-crm-top");
	const views = state.body.querySelector(".xero-crm-views-slot");
	const orgs = state.body.querySelector(".xero-crm-org-slot");
	const opts = { by_organisation: by_organisation(state) };
	if (top) {
		top.innerHTML =
			render_header(s, desk_ctx()) +
			render_totals(s.totals, desk_ctx(), state.view, opts) +
			render_aging(s.aging, desk_ctx(), state.view, opts);
	}
	if (views) {
		views.innerHTML = render_views(s, state.view, desk_ctx(), state.counts, has_filters(state.filters));
	}
	// only with several organisations: "" (and the slot hidden) otherwise
	if (orgs) orgs.innerHTML = render_organisation_filter(state.organisations, state.organisation, desk_ctx());
}

function paint_list(state) {
	const list = state.body.querySelector(".xero-crm-list");
	const message = state.body.querySelector(".xero-crm-message");
	if (message) message.innerHTML = "";
	if (list) {
		list.innerHTML = render_list(
			{
				view: state.view,
				invoices: state.invoices,
				total_count: state.total_count,
				filtered: has_filters(state.filters),
				counts: state.counts || (state.summary && state.summary.counts),
				views: views_of(state.summary),
				list_totals: state.list_totals,
				record: { doctype: state.doctype, name: state.name },
				by_organisation: by_organisation(state),
			},
			desk_ctx(),
		);
	}
	note_pending(state);
}

// The section head reads "Xero invoices · Acme Widgets Ltd".
function set_head(state, summary) {
	const section = state.body.closest(".form-dashboard-section") || state.body.parentElement;
	const head = section && section.querySelector(".section-head");
	if (!head) return;
	let names = head.querySelector(".xero-crm-head-names");
	if (!names) {
		names = document.createElement("span");
		names.className = "xero-crm-head-names";
		head.insertBefore(names, head.querySelector(".collapse-indicator"));
	}
	names.innerHTML = render_title_suffix(summary, desk_ctx());
}

// Customer and Opportunity: a red headline at the top of the form while something is overdue, which
// opens the panel's Overdue view. Only our own line is replaced or removed: another app's stays.
const HEADLINE_DOCTYPES = ["Customer", "Opportunity"];

function headline_host(frm) {
	const ok = frm.dashboard && frm.dashboard.set_headline_alert && frm.layout;
	return ok ? to_element(frm.layout.message) : null;
}

function clear_headline(frm) {
	const host = headline_host(frm);
	const mine = host && host.querySelector(".xero-crm-headline");
	if (!mine) return;
	let line = mine;
	while (line.parentElement && line.parentElement !== host) line = line.parentElement;
	const close = line.nextElementSibling;
	if (close && close.classList.contains("close-message")) close.remove();
	line.remove();
	if (!host.children.length) frm.dashboard.clear_headline();
}

function set_overdue_headline(state) {
	const frm = state.frm;
	clear_headline(frm);
	const host = headline_host(frm);
	const html = HEADLINE_DOCTYPES.includes(state.doctype)
		? render_overdue_headline(state.summary && state.summary.overdue, desk_ctx(), {
				by_organisation: by_organisation(state),
			})
		: "";
	if (!host || !html) return;
	frm.dashboard.set_headline_alert(html, "red");
	const link = host.querySelector(".xero-crm-headline");
	if (link) {
		link.addEventListener("click", (e) => {
			e.preventDefault();
			if (alive(state)) open_view(state, "overdue");
		});
	}
}

// A box, or the headline: the record's whole list for that view, shown.
function open_view(state, view) {
	state.filters = { search: "", from_date: "", to_date: "" };
	clear_filter_inputs(state);
	state.view = view || DEFAULT_VIEW;
	load_list(state);
	reveal(state);
}

// describe(reason): what failed, in the rep's words; by default loading the panel. opts.list: the
// list failed to load, so it is emptied (no rows of another view or filter stay under the error).
// An argument the server refused is not offered "Try again" (it would fail the same way).
function show_error(state, err, describe, opts) {
	const reason = (err && err.message) || server_message(null, desk_ctx());
	const text = describe ? describe(reason) : __("Could not load Xero invoices: {0}", [reason]);
	const retry = !(err && err.exc_type === "ValidationError");
	const slot = state.body.querySelector(".xero-crm-message");
	if (opts && opts.list) {
		state.invoices = [];
		state.total_count = 0;
		const list = state.body.querySelector(".xero-crm-list");
		if (list) list.innerHTML = "";
	}
	if (slot) slot.innerHTML = render_error(text, desk_ctx(), retry);
	else state.body.innerHTML = `<div class="xero-crm-panel">${render_error(text, desk_ctx(), retry)}</div>`;
	note_pending(state);
}

function sidebar_host(frm) {
	const host = (frm.sidebar && frm.sidebar.sidebar) || (frm.page && frm.page.sidebar);
	return to_element(host);
}

function remove_sidebar(host) {
	const old = host && host.querySelector(".xero-crm-sidebar");
	if (old) old.remove();
}

function paint_sidebar(state) {
	const host = state.side_host;
	if (!host) return;
	remove_sidebar(host);
	const wrap = document.createElement("div");
	wrap.innerHTML = render_sidebar(state.summary, desk_ctx(), { by_organisation: by_organisation(state) });
	const block = wrap.firstElementChild;
	const go = () => reveal(state);
	block.addEventListener("click", go);
	block.addEventListener("keydown", (e) => {
		if (e.key === "Enter" || e.key === " ") {
			e.preventDefault();
			go();
		}
	});
	// near the top, above Assigned To, where a rep looks first
	const anchor = host.querySelector(".form-assignments");
	if (anchor) anchor.before(block);
	else host.appendChild(block);
}

const SCROLL_OFFSET = 120; // px kept clear above the section title, under the sticky navbar and page head

// From the sidebar: show the panel's tab if it is in one, open the section if collapsed, and scroll
// so that its title sits below the sticky navbar and page head.
function reveal(state) {
	const section = state.section;
	if (!section || !section.isConnected) return;
	const pane = section.closest(".tab-pane");
	if (pane && !pane.classList.contains("active")) {
		const tab = ((state.frm.layout && state.frm.layout.tabs) || []).find(
			(t) => to_element(t.wrapper) === pane,
		);
		if (tab && tab.set_active) tab.set_active();
		else {
			const link = document.querySelector(`.form-tabs [aria-controls="${pane.id}"]`);
			if (link) link.click();
		}
	}
	const head = section.querySelector(".section-head");
	if (head && head.classList.contains("collapsed")) head.click();
	// Bootstrap shows the tab's pane once the old one has faded out: scroll when it is laid out
	when_shown(section, () => {
		const utils = typeof frappe !== "undefined" && frappe.utils;
		if (utils && utils.scroll_to && !(frappe.flags && frappe.flags.disable_auto_scroll)) {
			const top = section.getBoundingClientRect().top + window.scrollY;
			utils.scroll_to(top, true, SCROLL_OFFSET); // a number: scroll there less the offset
		} else {
			section.scrollIntoView({ behavior: "smooth", block: "start" }); // CSS scroll-margin-top
		}
	});
}

function when_shown(el, fn, tries) {
	if (el.offsetParent !== null || tries === 0) fn();
	else setTimeout(() => when_shown(el, fn, (tries === undefined ? 50 : tries) - 1), 20);
}

function on_click(state, e) {
	const target = e.target.closest("[data-action]");
	if (!target || !state.body.contains(target)) {
		toggle_card(state, e);
		return;
	}
	const action = target.getAttribute("data-action");
	if (action === "view") {
		// what the rep typed and has not applied goes with the switch
		apply_filters(state, target.getAttribute("data-view") || DEFAULT_VIEW);
	} else if (action === "box") {
		// a box is the record's total: it opens the whole list that adds up to it
		state.filters = { search: "", from_date: "", to_date: "" };
		clear_filter_inputs(state);
		state.view = target.getAttribute("data-view") || DEFAULT_VIEW;
		load_list(state);
	} else if (action === "details") {
		toggle_details(target.closest(".xero-crm-row"));
	} else if (action === "reload") {
		load(state);
	} else if (action === "more") {
		target.disabled = true;
		load_more(state);
	} else if (action === "apply") {
		apply_filters(state);
	} else if (action === "clear") {
		state.filters = { search: "", from_date: "", to_date: "" };
		clear_filter_inputs(state);
		load_list(state);
	} else if (action === "pin") {
		toggle_pin(state, target.closest("tr").getAttribute("data-invoice-id"));
	} else if (action === "payments") {
		// touch screens have no hover: a tap toggles the list
		const wrap = target.closest(".xero-crm-payments");
		const open = !wrap.classList.contains("is-open");
		wrap.classList.toggle("is-open", open);
		target.setAttribute("aria-expanded", String(open));
	} else if (action === "link") {
		open_link_dialog(state);
	} else if (action === "unlink") {
		confirm_unlink(state);
	} else if (action === "copy-link") {
		copy_online_link(state, target);
	} else if (action === "pdf") {
		e.preventDefault(); // fetched, so a refusal is said in words rather than as a JSON page
		download_pdf(target);
	}
}

// ---------------------------------------------------------------- share and download
// Both ask Xero (xero_crm.invoice_documents) at the rep's click: a refusal or Xero's "no" (budget spent,
// invoice gone, not connected) comes back as the server's own words and is shown in a dialog.

function invoice_of(state, el) {
	const row = el.closest(".xero-crm-row");
	const invoice_id = row ? row.getAttribute("data-invoice-id") : null;
	return state.invoices.find((i) => i.invoice_id === invoice_id) || null;
}

function say_failure(title, err) {
	frappe.msgprint({
		title,
		indicator: "red",
		message: frappe.utils.escape_html((err && err.message) || server_message(null, desk_ctx())),
	});
}

async function copy_online_link(state, button) {
	const inv = invoice_of(state, button);
	if (!inv || button.disabled) return;
	button.disabled = true;
	try {
		const answer = await server_call(
			"xero_crm.invoice_documents.online_invoice_link",
			args_of(state, { invoice_id: inv.invoice_id }),
		);
		const url = safe_url(answer && answer.url);
		if (!url) throw new Error(__("Xero sent no online invoice link."));
		const how = await copy_text(url);
		if (how === "clipboard") {
			toast(__("Online invoice link of {0} copied.", [inv.invoice_number || ""]), "green");
		} else if (!how) {
			// no clipboard here: the rep copies it by hand
			frappe.msgprint({
				title: __("Online invoice link"),
				message: `<a href="${frappe.utils.escape_html(url)}" target="_blank" rel="noopener noreferrer">${frappe.utils.escape_html(url)}</a>`,
			});
		}
	} catch (err) {
		say_failure(__("Could not get the online invoice link"), err);
	} finally {
		button.disabled = false;
	}
}

// "clipboard" (copied, say so), "frappe" (Frappe's copy, which says so itself) or "" (not copied).
async function copy_text(text) {
	if (navigator.clipboard && window.isSecureContext) {
		try {
			await navigator.clipboard.writeText(text);
			return "clipboard";
		} catch (e) {
			// the page lost the user's gesture or permission while Xero answered: Frappe's fallback
		}
	}
	if (frappe.utils && frappe.utils.copy_to_clipboard) {
		frappe.utils.copy_to_clipboard(text);
		return "frappe";
	}
	return "";
}

async function download_pdf(link) {
	if (link.classList.contains("is-busy")) return;
	link.classList.add("is-busy");
	link.setAttribute("aria-busy", "true");
	try {
		const response = await fetch(link.getAttribute("href"), {
			credentials: "same-origin",
			headers: { Accept: "application/pdf, application/json" },
		});
		if (!response.ok) {
			let body = null;
			try {
				body = await response.json();
			} catch (e) {
				body = null;
			}
			throw new Error(server_message(body, desk_ctx()));
		}
		save_file(await response.blob(), filename_of(response.headers.get("Content-Disposition")));
	} catch (err) {
		say_failure(__("Could not download the invoice PDF"), err);
	} finally {
		link.classList.remove("is-busy");
		link.removeAttribute("aria-busy");
	}
}

function filename_of(disposition) {
	const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition || "");
	return match ? decodeURIComponent(match[1]) : "invoice.pdf";
}

// The PDF lives only in this tab's memory, long enough for the browser to save it.
function save_file(blob, filename) {
	const url = URL.createObjectURL(blob);
	const a = document.createElement("a");
	a.href = url;
	a.download = filename;
	a.rel = "noopener";
	document.body.appendChild(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// Search and dates apply together, from Apply, Enter in any of them, or a pill (`view`: switch to it
// too). A date that is not one, or a range the wrong way round, is said beside the dates and asks
// the server nothing; the list stays as it was, with Clear.
function apply_filters(state, view) {
	let filters;
	try {
		filters = typed_filters(state);
	} catch (err) {
		show_filter_note(state, err.message, err.fieldname);
		note_pending(state);
		return;
	}
	show_filter_note(state, null);
	for (const control of Object.values(state.date_controls || {})) {
		if (control.datepicker && control.datepicker.hide) control.datepicker.hide();
	}
	state.filters = filters;
	if (view) state.view = view;
	load_list(state);
}

function on_keydown(state, e) {
	if (e.key === "Enter" && e.target.closest(".xero-crm-filters")) {
		e.preventDefault();
		apply_filters(state);
	} else if (e.key === "Escape") {
		state.body.querySelectorAll(".xero-crm-payments.is-open").forEach((el) => el.classList.remove("is-open"));
	}
}

function on_input(state, e) {
	if (e.target.closest(".xero-crm-filters")) note_pending(state);
}

// The organisation filter: the boxes, aging, views and list all follow it (search, dates and view kept).
function on_change(state, e) {
	const select = e.target.closest(".xero-crm-org-select");
	if (!select || !state.body.contains(select)) return;
	const organisation = select.value || "";
	if (organisation === (state.organisation || "")) return;
	state.organisation = organisation;
	picked_organisations.set(record_key(state.frm), organisation);
	state.seq++; // a list still on its way for the organisation before is dropped
	load(state, { reset: true });
}

// On a phone a row is a card: its details (type, total, reference, payments) open on tap.
function toggle_details(row) {
	if (!row) return;
	const open = !row.classList.contains("is-open");
	row.classList.toggle("is-open", open);
	const button = row.querySelector(".xero-crm-details");
	if (button) button.setAttribute("aria-expanded", String(open));
}

function toggle_card(state, e) {
	const row = e.target.closest(".xero-crm-row");
	if (!row || e.target.closest("a, button, input")) return;
	const button = row.querySelector(".xero-crm-details");
	// only where the row is drawn as a card (the toggle is shown)
	if (button && button.offsetParent !== null) toggle_details(row);
}

// Optimistic: flip at once, undo if the server says no. Unpinned in the Pinned view, the row leaves
// the list at once (and comes back where it was if the server refuses).
async function toggle_pin(state, invoice_id) {
	const inv = state.invoices.find((i) => i.invoice_id === invoice_id);
	if (!inv) return;
	const pin = !inv.pinned;
	const index = state.invoices.indexOf(inv);
	const in_pinned = state.view === "pinned";
	const apply = (on) => {
		inv.pinned = on;
		for (const counts of [state.summary && state.summary.counts, state.counts]) {
			if (counts) counts.pinned = Math.max(0, (counts.pinned || 0) + (on ? 1 : -1));
		}
		if (in_pinned && !on) {
			state.invoices = state.invoices.filter((i) => i !== inv);
			state.total_count = Math.max(0, state.total_count - 1);
		} else if (in_pinned && on && !state.invoices.includes(inv)) {
			state.invoices.splice(Math.min(index, state.invoices.length), 0, inv);
			state.total_count += 1;
		}
		paint_top(state);
		paint_list(state);
	};
	apply(pin);
	try {
		await server_call(pin ? "pin_invoice" : "unpin_invoice", args_of(state, { invoice_id }));
	} catch (err) {
		if (!alive(state)) return;
		apply(!pin);
		show_error(state, err, (reason) =>
			pin ? __("Could not pin the invoice: {0}", [reason]) : __("Could not unpin the invoice: {0}", [reason]),
		);
	}
}

// A short note that fades, as the desk shows one: what a link or unlink changed.
function toast(message, indicator) {
	if (frappe.show_alert) frappe.show_alert({ message: frappe.utils.escape_html(message), indicator }, 7);
}

function confirm_unlink(state) {
	const names = contact_names(state.summary || {}).join(", ");
	frappe.confirm(
		__("Stop showing the invoices of {0} here? Automatic matching applies again.", [
			frappe.utils.escape_html(names),
		]),
		() =>
			server_call("unlink_xero_contact", args_of(state))
				.then(() => {
					toast(
						__("Unlinked {0} from this {1}: automatic matching applies again.", [names, __(state.doctype)]),
						"green",
					);
					return load(state, { reset: true });
				})
				.catch((err) => show_error(state, err, (reason) => __("Could not unlink: {0}", [reason]))),
	);
}

function open_link_dialog(state) {
	const dialog = new frappe.ui.Dialog({
		title: __("Link Xero contact"),
		fields: [
			{
				fieldname: "text",
				fieldtype: "Data",
				label: __("Search Xero contacts"),
				description: __("Part of a name, or a whole email address, as in Xero"),
			},
			{ fieldname: "results", fieldtype: "HTML" },
		],
	});
	const results = to_element(dialog.fields_dict.results.$wrapper);
	const input = to_element(dialog.fields_dict.text.$input);
	let seq = 0;
	let timer = null;
	const search = () => {
		const text = input.value.trim();
		const mine = ++seq;
		if (text.length < 2) {
			results.innerHTML = render_contact_results([], text, desk_ctx());
			return;
		}
		server_call("search_xero_contacts", args_of(state, { text }))
			.then((rows) => {
				if (mine === seq) results.innerHTML = render_contact_results(rows, text, desk_ctx());
			})
			.catch((err) => {
				if (mine === seq) results.innerHTML = render_error(err.message, desk_ctx());
			});
	};
	// wait for a pause in typing: one search per word, not per key
	input.addEventListener("input", () => {
		clearTimeout(timer);
		timer = setTimeout(search, 250);
	});
	// A pick first shows which records already show that contact's invoices; Link confirms.
	let listed = "";
	results.addEventListener("click", (e) => {
		const action = e.target.closest("[data-action]");
		if (action && action.getAttribute("data-action") === "back") {
			results.innerHTML = listed;
			return;
		}
		if (action && action.getAttribute("data-action") === "confirm-link") {
			const confirm = action.closest(".xero-crm-confirm");
			action.disabled = true;
			link_contact(state, dialog, confirm.getAttribute("data-contact-id"), confirm.dataset.name).catch(
				(err) => {
					action.disabled = false;
					confirm.insertAdjacentHTML("afterbegin", render_error(err.message, desk_ctx(), false));
				},
			);
			return;
		}
		const pick = e.target.closest("button[data-contact-id]");
		if (!pick) return;
		pick.disabled = true;
		const contact_id = pick.getAttribute("data-contact-id");
		server_call("xero_contact_matches", args_of(state, { contact_id }))
			.then((answer) => {
				pick.disabled = false; // Back brings the results back as they were, each to pick
				listed = results.innerHTML;
				const current = contact_names(state.summary || {});
				results.innerHTML = render_link_confirm(answer, state.doctype, current, desk_ctx());
				results.querySelector(".xero-crm-confirm").dataset.name = (answer.contact || {}).name || "";
			})
			.catch((err) => {
				pick.disabled = false;
				results.insertAdjacentHTML("afterbegin", render_error(err.message, desk_ctx(), false));
			});
	});
	results.innerHTML = render_contact_results([], "", desk_ctx());
	dialog.show();
}

async function link_contact(state, dialog, contact_id, name) {
	await server_call("link_xero_contact", args_of(state, { contact_id }));
	dialog.hide();
	toast(
		__("Linked this {0} to {1}: it shows their invoices now.", [__(state.doctype), name || contact_id]),
		"green",
	);
	await load(state, { reset: true });
}

// The contacts this summary names, or any an earlier summary named (another organisation's, say).
function touches_panel(state, contact_ids) {
	if (touches(contact_ids, state.summary)) return true;
	return (contact_ids || []).some((id) => state.contact_ids.has(id));
}

// One listener for the whole desk; each event reloads, in place, the panels it concerns.
function bind_realtime() {
	if (realtime_bound || !frappe.realtime || !frappe.realtime.on) return;
	realtime_bound = true;
	frappe.realtime.on("xero_crm_invoices_changed", (data) => {
		for (const [frm, state] of panels) {
			if (!state.body.isConnected) {
				panels.delete(frm);
			} else if (state.summary && touches_panel(state, data && data.contact_ids)) {
				load(state);
			}
		}
	});
}
