// Xero invoices on Frappe CRM's pages (/crm): the side panel of a Deal, Organization or Contact, a
// "Xero invoices" header action opening the full list in a dialog, and a badge on a Lead.
//
// Frappe CRM runs xero_crm's standard CRM Form Scripts (xero_crm/frappe_crm/form_script.js), which
// import this ES module and call attach(). All HTML comes from the desk panel's renderer (render.js):
// every Xero string escaped there. The side panel's HTML field is sanitised by Frappe CRM (DOMPurify:
// no handlers, no target), so its links carry data attributes that one listener here acts on; the
// dialog's body is ours. Styles: the desk panel's stylesheet plus frappe_crm.css (the desk's CSS
// variables and the few desk classes the renderer uses, scoped to .xero-crm-crm).
import * as R from "../xero_panel/render.js";

const FIELD = "xero_invoices"; // the HTML field xero_crm adds to each page's side panel
const EVENT = "xero_crm_invoices_changed";
const PAGE_LENGTH = 20;
const RECENT = 3;
const pages = new Map(); // "doctype\u0000name" -> {form, doctype, name, env, summary}
let current = null; // the page last attached: what "All Xero invoices" in a side panel opens
let dialog = null; // the open dialog's state

function ctx() {
	const translate = typeof window.__ === "function" ? window.__ : R.identity_translate;
	return Object.assign(R.default_ctx(), {
		__: (text, args) => translate(text, args),
		format_currency: (value, currency) => {
			try {
				return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(value);
			} catch (e) {
				return `${currency || ""} ${Number(value || 0).toFixed(2)}`;
			}
		},
	});
}

export function attach(form, doctype, env) {
	const doc = form.doc || {};
	if (!doc.name || doc.__newDocument) return;
	add_styles();
	listen_once(env);
	const page = { form, doctype, name: doc.name, env, summary: null };
	pages.set(key(doctype, doc.name), page);
	current = page;
	if (doctype === "CRM Lead") {
		refresh_badge(page);
		return;
	}
	if (!(form.actions || []).some((a) => a.xero_crm)) {
		form.actions.push({
			label: ctx().__("Xero invoices"),
			xero_crm: true,
			onClick: () => open_dialog(page),
		});
	}
	refresh_side(page);
}

function key(doctype, name) {
	return `${doctype}\u0000${name}`;
}

async function refresh_side(page) {
	const c = ctx();
	try {
		const [summary, recent] = await Promise.all([
			call(page, "get_summary", {}),
			call(page, "get_invoices", { view: "unpaid", start: 0, page_length: RECENT }),
		]);
		page.summary = summary;
		page.form.setFieldHtml(FIELD, R.render_crm_side_panel(summary, recent.invoices || [], c));
	} catch (err) {
		page.form.setFieldHtml(FIELD, R.render_error(message_of(err), c));
	}
}

async function refresh_badge(page) {
	try {
		page.summary = await call(page, "get_summary", {});
		page.form.setFieldHtml(FIELD, R.render_crm_lead_badge(page.summary, ctx()));
	} catch (err) {
		page.form.setFieldHtml(FIELD, "");
	}
}

function call(page, method, args) {
	return page.env.call(
		`xero_crm.api.${method}`,
		Object.assign({ doctype: page.doctype, name: page.name }, args),
	);
}

// frappe-ui's call rejects with the server's messages (frappe.throw's words) in err.messages.
function message_of(err) {
	const text = String(((err && err.messages) || [])[0] || (err && err.message) || "")
		.replace(/<[^>]*>/g, " ")
		.replace(/\s+/g, " ")
		.trim();
	return text.slice(0, 200) || ctx().__("Could not reach the server. Try again in a moment.");
}

// ------------------------------------------------------------------------------------------------
// Once per page load: styles, the side panel's links, realtime refreshes
// ------------------------------------------------------------------------------------------------

function add_styles() {
	for (const href of ["/assets/xero_crm/css/xero_panel.bundle.css", "/assets/xero_crm/css/frappe_crm.css"]) {
		if (document.querySelector(`link[href="${href}"]`)) continue;
		const link = document.createElement("link");
		link.rel = "stylesheet";
		link.href = href;
		document.head.appendChild(link);
	}
}

let listening = false;
function listen_once(env) {
	if (listening) return;
	listening = true;
	document.addEventListener("click", (e) => {
		const link = e.target.closest && e.target.closest("a[data-xero-crm-link]");
		if (link) {
			// Frappe CRM strips target from the side panel's HTML: open Xero in a new tab here
			e.preventDefault();
			window.open(link.href, "_blank", "noopener");
			return;
		}
		if (e.target.closest && e.target.closest("a[data-xero-crm-open]")) {
			e.preventDefault();
			if (current) open_dialog(current);
		}
	});
	if (env.socket && env.socket.on) {
		env.socket.on(EVENT, (data) => {
			for (const page of pages.values()) {
				if (!page.summary || !R.touches((data && data.contact_ids) || [], page.summary)) continue;
				if (page.doctype === "CRM Lead") refresh_badge(page);
				else refresh_side(page);
				if (dialog && dialog.page === page && dialog.body.isConnected) load(dialog);
			}
		});
	}
}

// ------------------------------------------------------------------------------------------------
// The dialog: boxes, aging, views, search and dates, the list with pins and payments
// ------------------------------------------------------------------------------------------------

let dialogs = 0;
function open_dialog(page) {
	const id = `xero-crm-dialog-${++dialogs}`;
	page.env.createDialog({
		title: ctx().__("Xero invoices"),
		size: "5xl",
		html: `<div id="${id}" class="xero-crm-crm xero-crm-crm-dialog">${R.render_loading(ctx())}</div>`,
	});
	when_present(id, (body) => {
		dialog = {
			page,
			body,
			view: R.DEFAULT_VIEW,
			filters: { search: "", from_date: "", to_date: "" },
			// the Xero organisation shown ("": all; null: the record's default_organisation first) and
			// those the record matches
			organisation: null,
			organisations: [],
			invoices: [],
		};
		body.addEventListener("click", (e) => on_click(dialog, e));
		body.addEventListener("change", (e) => on_change(dialog, e));
		body.addEventListener("keydown", (e) => {
			if (e.key === "Enter" && e.target.closest(".xero-crm-filters")) apply(dialog);
		});
		load(dialog);
	});
}

function when_present(id, fn, tries = 100) {
	const el = document.getElementById(id);
	if (el) fn(el);
	else if (tries > 0) setTimeout(() => when_present(id, fn, tries - 1), 30);
}

// get_summary and get_invoices follow the dialog's organisation filter ("": all, sent as nothing).
function organisation_args(organisation) {
	return organisation ? { organisation } : {};
}

// Several organisations shown at once: every total, bar and row says whose.
function by_organisation(state) {
	return state.organisations.length > 1 && !state.organisation;
}

// The summary's organisations taken; returns the organisation to show (the record's default the first
// time, all when the one picked is gone).
function settle_organisation(state, summary, asked) {
	const orgs = R.organisations_of(summary);
	if (!asked || orgs.length > 1) state.organisations = orgs;
	state.organisation = R.pick_organisation(
		state.organisations,
		asked,
		summary && summary.default_organisation,
	);
	return state.organisation;
}

async function load(state) {
	const c = ctx();
	try {
		const asked = state.organisation;
		let summary = await call(state.page, "get_summary", organisation_args(asked));
		if (state.organisation !== asked) return; // the rep picked another meanwhile: its load paints
		const shown = settle_organisation(state, summary, asked);
		if (shown !== (asked || "")) {
			summary = await call(state.page, "get_summary", organisation_args(shown));
			if (state.organisation !== shown) return;
		}
		state.summary = summary;
		// the page's summary (realtime matching, the side panel) is the record's whole: not a filtered one
		if (!shown) state.page.summary = summary;
		const empty = R.render_empty_state(summary, state.page.doctype, c);
		if (empty) {
			// an organisation picked that shows nothing keeps the filter, to pick another
			const filter = R.render_organisation_filter(state.organisations, state.organisation, c);
			state.body.innerHTML = `<div class="xero-crm-panel">${
				filter ? `<div class="xero-crm-bar">${filter}</div>` : ""
			}${empty}</div>`;
			return;
		}
		if (!state.body.querySelector(".xero-crm-list")) {
			state.body.innerHTML = `<div class="xero-crm-panel">
				<div class="xero-crm-top"></div>
				<div class="xero-crm-bar"><div class="xero-crm-views-slot"></div><div class="xero-crm-org-slot"></div>${R.render_filters(
					state.filters,
					c,
				)}</div>
				<div class="xero-crm-message"></div>
				<div class="xero-crm-list"></div>
			</div>`;
		}
		await load_list(state, PAGE_LENGTH);
	} catch (err) {
		state.body.innerHTML = R.render_error(message_of(err), c, true);
	}
}

async function load_list(state, count) {
	const organisation = state.organisation;
	const answer = await call(state.page, "get_invoices", {
		...organisation_args(organisation),
		view: state.view,
		search: state.filters.search || null,
		from_date: state.filters.from_date || null,
		to_date: state.filters.to_date || null,
		start: 0,
		page_length: Math.min(100, Math.max(PAGE_LENGTH, count)),
	});
	if (state.organisation !== organisation) return; // another organisation picked meanwhile
	state.invoices = answer.invoices || [];
	state.answer = answer;
	paint(state);
}

function paint(state) {
	const c = ctx();
	const s = state.summary;
	const a = state.answer || {};
	const opts = { by_organisation: by_organisation(state) };
	state.body.querySelector(".xero-crm-top").innerHTML =
		R.render_header(s, c) +
		R.render_totals(s.totals, c, state.view, opts) +
		R.render_aging(s.aging, c, state.view, opts);
	const orgs = state.body.querySelector(".xero-crm-org-slot");
	if (orgs) orgs.innerHTML = R.render_organisation_filter(state.organisations, state.organisation, c);
	state.body.querySelector(".xero-crm-views-slot").innerHTML = R.render_views(
		s,
		state.view,
		c,
		a.counts,
		a.filtered,
	);
	state.body.querySelector(".xero-crm-list").innerHTML = R.render_list(
		{
			view: state.view,
			invoices: state.invoices,
			total_count: a.total_count,
			filtered: a.filtered,
			counts: a.counts,
			views: R.views_of(s),
			list_totals: a.list_totals,
			record: { doctype: state.page.doctype, name: state.page.name },
			by_organisation: opts.by_organisation,
		},
		c,
	);
	const clear = state.body.querySelector(".xero-crm-clear");
	const any = state.filters.search || state.filters.from_date || state.filters.to_date;
	if (clear) clear.classList.toggle("hidden", !any);
}

function typed(state) {
	const value = (name) => {
		const input = state.body.querySelector(`.xero-crm-filters [name="${name}"]`);
		return input ? input.value.trim() : "";
	};
	return { search: value("search"), from_date: value("from_date"), to_date: value("to_date") };
}

function apply(state, view) {
	const filters = typed(state);
	const problem = R.date_range_problem(filters.from_date, filters.to_date, ctx());
	const note = state.body.querySelector(".xero-crm-filter-note");
	if (note) {
		note.textContent = problem || "";
		note.classList.toggle("hidden", !problem);
	}
	if (problem) return;
	state.filters = filters;
	if (view) state.view = view;
	load_list(state, PAGE_LENGTH).catch((err) => show(state, err));
}

function show(state, err) {
	const box = state.body.querySelector(".xero-crm-message");
	if (box) box.innerHTML = R.render_error(message_of(err), ctx());
}

// The organisation filter: boxes, aging, views and list follow it.
function on_change(state, e) {
	const select = e.target.closest && e.target.closest(".xero-crm-org-select");
	if (!select || !state.body.contains(select)) return;
	state.organisation = select.value || "";
	load(state);
}

async function toggle_pin(state, invoice_id) {
	const inv = state.invoices.find((i) => i.invoice_id === invoice_id);
	if (!inv) return;
	try {
		await call(state.page, inv.pinned ? "unpin_invoice" : "pin_invoice", { invoice_id });
		await load(state);
	} catch (err) {
		show(state, err);
	}
}

function on_click(state, e) {
	const pick = e.target.closest("button[data-contact-id]");
	if (pick && state.body.contains(pick)) {
		pick_contact(state, pick);
		return;
	}
	const target = e.target.closest("[data-action]");
	if (!target || !state.body.contains(target)) return;
	const action = target.getAttribute("data-action");
	if (action === "view") {
		apply(state, target.getAttribute("data-view") || R.DEFAULT_VIEW);
	} else if (action === "box") {
		state.filters = { search: "", from_date: "", to_date: "" };
		state.body.querySelectorAll(".xero-crm-filters input").forEach((input) => (input.value = ""));
		state.view = target.getAttribute("data-view") || R.DEFAULT_VIEW;
		load_list(state, PAGE_LENGTH).catch((err) => show(state, err));
	} else if (action === "apply") {
		apply(state);
	} else if (action === "clear") {
		state.body.querySelectorAll(".xero-crm-filters input").forEach((input) => (input.value = ""));
		apply(state);
	} else if (action === "more") {
		target.disabled = true;
		load_list(state, state.invoices.length + PAGE_LENGTH).catch((err) => show(state, err));
	} else if (action === "reload") {
		load(state);
	} else if (action === "pin") {
		toggle_pin(state, target.closest("tr").getAttribute("data-invoice-id"));
	} else if (action === "payments") {
		const wrap = target.closest(".xero-crm-payments");
		const open = !wrap.classList.contains("is-open");
		wrap.classList.toggle("is-open", open);
		target.setAttribute("aria-expanded", String(open));
	} else if (action === "details") {
		const row = target.closest(".xero-crm-row");
		if (row) row.classList.toggle("is-open");
	} else if (action === "copy-link") {
		copy_link(state, target);
	} else if (action === "pdf") {
		// a plain download link: the browser saves what the server sends (or shows its refusal)
	} else if (action === "link") {
		show_link_search(state);
	} else if (action === "unlink") {
		unlink(state);
	} else {
		on_link_click(state, action, target);
	}
}

// Xero's online invoice link, fetched on demand (counted against the day's budget), to the clipboard.
async function copy_link(state, target) {
	const invoice_id = target.closest("tr").getAttribute("data-invoice-id");
	target.disabled = true;
	try {
		const answer = await state.page.env.call("xero_crm.invoice_documents.online_invoice_link", {
			doctype: state.page.doctype,
			name: state.page.name,
			invoice_id,
		});
		await navigator.clipboard.writeText(answer.url);
		notify(state, ctx().__("Online invoice link copied"), "success");
	} catch (err) {
		notify(state, message_of(err), "error");
	} finally {
		target.disabled = false;
	}
}

function notify(state, text, kind) {
	const toast = state.page.env.toast;
	if (toast && typeof toast[kind] === "function") toast[kind](text);
	else show(state, { message: text });
}

// ------------------------------------------------------------------------------------------------
// Link Xero contact by hand (Sales Manager, System Manager): search, see who shows it, confirm
// ------------------------------------------------------------------------------------------------

function show_link_search(state) {
	const c = ctx();
	state.body.innerHTML = `<div class="xero-crm-panel xero-crm-link">
		<input type="search" class="form-control xero-crm-link-search" maxlength="100"
			placeholder="${c.escape(c.__("Part of a name, or a whole email address, as in Xero"))}">
		<div class="xero-crm-link-results">${R.render_contact_results([], "", c)}</div>
	</div>`;
	const input = state.body.querySelector(".xero-crm-link-search");
	let timer = null;
	let seq = 0;
	input.addEventListener("input", () => {
		clearTimeout(timer);
		timer = setTimeout(async () => {
			const text = input.value.trim();
			const mine = ++seq;
			const rows =
				text.length < 2 ? [] : await call(state.page, "search_xero_contacts", { text }).catch(() => []);
			if (mine === seq) results(state).innerHTML = R.render_contact_results(rows, text, ctx());
		}, 250);
	});
	input.focus();
}

function results(state) {
	return state.body.querySelector(".xero-crm-link-results");
}

async function on_link_click(state, action, target) {
	try {
		if (action === "back") {
			results(state).innerHTML = state.listed || "";
		} else if (action === "confirm-link") {
			target.disabled = true;
			const contact_id = target.closest(".xero-crm-confirm").getAttribute("data-contact-id");
			await call(state.page, "link_xero_contact", { contact_id });
			state.body.innerHTML = "";
			await load(state);
			refresh_side(state.page);
		}
	} catch (err) {
		target.disabled = false;
		results(state).insertAdjacentHTML("afterbegin", R.render_error(message_of(err), ctx(), false));
	}
}

async function pick_contact(state, pick) {
	try {
		const answer = await call(state.page, "xero_contact_matches", {
			contact_id: pick.getAttribute("data-contact-id"),
		});
		state.listed = results(state).innerHTML;
		results(state).innerHTML = R.render_link_confirm(
			answer,
			state.page.doctype,
			R.contact_names(state.summary || {}),
			ctx(),
		);
	} catch (err) {
		results(state).insertAdjacentHTML("afterbegin", R.render_error(message_of(err), ctx(), false));
	}
}

async function unlink(state) {
	const c = ctx();
	if (
		!window.confirm(
			c.__("Unlink {0}? The record goes back to matching automatically.", [
				R.contact_names(state.summary).join(", "),
			]),
		)
	) {
		return;
	}
	try {
		await call(state.page, "unlink_xero_contact", {});
		state.body.innerHTML = "";
		await load(state);
		refresh_side(state.page);
	} catch (err) {
		show(state, err);
	}
}
