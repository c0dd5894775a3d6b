// The Xero invoices panel's rendering: data in (xero_crm.api's answers), HTML strings out.
//
// The server decides what an invoice is (status_key, instalment_count, is_bill, counted, due) and which
// views there are (summary.views); this module only labels, translates and formats those facts.
// It touches no Frappe global: whatever it needs from the desk (__, escape_html, format_currency, the
// user's date format, "2 minutes ago") comes in a `ctx`; without one it uses the plain stand-ins below,
// which the node tests and a page without Frappe use. Every value from Xero or the user is escaped.
// An ES module: the desk bundle (xero_panel.bundle.js) imports it, and so can another page script (a
// Frappe CRM page) or a test.

export const DEFAULT_VIEW = "open";
// The saved views, for a server older than get_summary's `views` only.
export const FALLBACK_VIEWS = ["open", "unpaid", "overdue", "paid", "pinned", "all"];
// The list the Total paid box opens: every sales invoice with a payment (no pill of its own).
export const PAID_TO_DATE = "paid_to_date";
// Which view each total box opens, and what its list adds up to (the same measure as the box).
export const BOX_VIEWS = { paid: PAID_TO_DATE, unpaid: "unpaid", overdue: "overdue" };
// The aging buckets (get_summary's `aging`), in order; each bar segment opens the list `aging_<key>`.
export const AGING_KEYS = ["current", "1_30", "31_60", "61_90", "90_plus"];
export function aging_view(key) {
	return `aging_${key}`;
}

// ------------------------------------------------------------------------------------------------
// Plain stand-ins for the desk's helpers
// ------------------------------------------------------------------------------------------------

const HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#x60;" };

export function escape_html(value) {
	if (value === null || value === undefined) return "";
	return String(value).replace(/[&<>"'`]/g, (ch) => HTML_ESCAPES[ch]);
}

// Frappe's __ without its translation table: substitutes {0}, {1}, ...
export function identity_translate(text, args) {
	if (!args) return text;
	return String(text).replace(/\{(\d+)\}/g, (m, i) => (args[i] === undefined ? m : args[i]));
}

function plain_currency(value, currency) {
	const n = Number(value || 0).toLocaleString("en-US", {
		minimumFractionDigits: 2,
		maximumFractionDigits: 2,
	});
	return currency ? `${currency} ${n}` : n;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function plain_date(iso) {
	const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
	return m ? `${m[3]} ${MONTHS[Number(m[2]) - 1]} ${m[1]}` : iso || "";
}

// "YYYY-MM-DD HH:MM:SS" (server time) to "N minutes ago", relative to `now` (a Date).
export function relative_time(stamp, now) {
	const then = new Date(String(stamp || "").replace(" ", "T"));
	if (isNaN(then.getTime())) return "";
	const minutes = Math.floor(((now || new Date()).getTime() - then.getTime()) / 60000);
	if (minutes < 1) return "just now";
	if (minutes < 60) return minutes === 1 ? "1 minute ago" : `${minutes} minutes ago`;
	const hours = Math.floor(minutes / 60);
	if (hours < 24) return hours === 1 ? "1 hour ago" : `${hours} hours ago`;
	const days = Math.floor(hours / 24);
	return days === 1 ? "yesterday" : `${days} days ago`;
}

// The helpers rendering uses when the caller gives none: no Frappe, no translation.
export function default_ctx() {
	return {
		__: identity_translate,
		escape: escape_html,
		format_currency: plain_currency,
		format_date: plain_date,
		when: (stamp) => relative_time(stamp),
	};
}

function with_ctx(ctx) {
	return Object.assign(default_ctx(), ctx || {});
}

// "archived" -> "Archived": how the server words a status it has no label for.
function capitalised(key) {
	const text = String(key || "");
	return text.charAt(0).toUpperCase() + text.slice(1);
}

// ------------------------------------------------------------------------------------------------
// Labels: literal __() calls (through ctx) so Frappe's translation extractor finds them
// ------------------------------------------------------------------------------------------------

export function view_label(view, ctx) {
	ctx = with_ctx(ctx);
	const labels = {
		open: ctx.__("Open"),
		unpaid: ctx.__("Unpaid"),
		overdue: ctx.__("Overdue"),
		paid: ctx.__("Paid"),
		pinned: ctx.__("Pinned"),
		all: ctx.__("All"),
		paid_to_date: ctx.__("Paid to date"),
		aging_current: ctx.__("Current"),
		aging_1_30: ctx.__("1–30 days overdue"),
		aging_31_60: ctx.__("31–60 days overdue"),
		aging_61_90: ctx.__("61–90 days overdue"),
		aging_90_plus: ctx.__("90+ days overdue"),
	};
	return labels[view] || ctx.__(capitalised(view));
}

// The server's status_key, in the rep's language; a key this panel does not know yet is shown as the
// server words it (capitalised), through __() all the same.
export function status_label(key, ctx) {
	ctx = with_ctx(ctx);
	const labels = {
		paid: ctx.__("Paid"),
		open: ctx.__("Open"),
		overdue: ctx.__("Overdue"),
		draft: ctx.__("Draft"),
		submitted: ctx.__("Submitted"),
		authorised: ctx.__("Authorised"),
		voided: ctx.__("Voided"),
		deleted: ctx.__("Deleted"),
	};
	return labels[key] || ctx.__(capitalised(key));
}

// The pill's colour per status_key; a bill is grey whatever its state (what we owe, not the customer).
const STATUS_COLORS = { paid: "green", overdue: "red", open: "blue", authorised: "blue" };

export function status_color(inv) {
	if (inv.is_bill) return "gray";
	return STATUS_COLORS[inv.status_key] || "gray";
}

// "Open", "Paid · 3 instalments", "Bill · Open": a bill says so first, so it is never read as money
// the customer owes.
export function status_text(inv, ctx) {
	ctx = with_ctx(ctx);
	const parts = [status_label(inv.status_key, ctx)];
	const count = Number(inv.instalment_count || 0);
	if (count > 1) parts.push(ctx.__("{0} instalments", [count]));
	if (inv.is_bill) parts.unshift(ctx.__("Bill"));
	return parts.join(" · ");
}

export function type_label(inv, ctx) {
	ctx = with_ctx(ctx);
	return inv.is_bill ? ctx.__("Bill") : ctx.__("Sales invoice");
}

// The view pills, in the server's order.
export function views_of(summary) {
	const views = summary && summary.views;
	return Array.isArray(views) && views.length ? views : FALLBACK_VIEWS;
}

// ------------------------------------------------------------------------------------------------
// Money, links
// ------------------------------------------------------------------------------------------------

// Frappe may render NZD and USD both as "$": show the ISO code, then the number in the user's
// number format (the formatter's output without its symbol).
export function amount_text(value, currency, ctx) {
	ctx = with_ctx(ctx);
	const formatted = String(ctx.format_currency(Number(value || 0), currency) || "");
	const bare = formatted.replace(/^[^\d\-−(]+/, "").replace(/[^\d)]+$/, "");
	return bare || formatted;
}

export function money_html(value, currency, ctx) {
	ctx = with_ctx(ctx);
	const code = currency ? `<span class="xero-crm-ccy">${ctx.escape(currency)}</span> ` : "";
	return `<span class="xero-crm-money">${code}<span class="xero-crm-amt">${ctx.escape(
		amount_text(value, currency, ctx),
	)}</span></span>`;
}

// Links only to http(s): a `javascript:` URL must never become a link.
export function safe_url(url) {
	return /^https?:\/\//i.test(String(url || "")) ? String(url) : "";
}

export function contact_names(summary) {
	return ((summary && summary.xero_contacts) || []).map((c) => c.name).filter(Boolean);
}

function linked_by_user(summary) {
	return (summary.xero_contacts || []).some((c) => c.how === "link");
}

// ------------------------------------------------------------------------------------------------
// Several Xero organisations (one per Company): get_summary's `organisations` lists those whose
// contacts the record matches; totals, aging, list totals, overdue amounts and rows each carry their
// `organisation` (tenant id) and `organisation_name`. Amounts of two organisations are never added,
// even in one currency, and where more than one organisation is involved each line says whose it is.
// With one organisation (or a server that knows of none) nothing is labelled: the panel is as before.
// ------------------------------------------------------------------------------------------------

// get_summary's `organisations` ({organisation, name, short_code}), [] from an older server.
export function organisations_of(summary) {
	const orgs = summary && summary.organisations;
	return Array.isArray(orgs) ? orgs.filter((o) => o && o.organisation) : [];
}

// Does the record match contacts in more than one organisation?
export function several_organisations(summary) {
	return organisations_of(summary).length > 1;
}

// Which organisation a panel shows ("": all of them). `asked`: what the rep picked (null: nothing yet,
// so the record's default_organisation, a Company's organisation, is taken once); kept while the
// record matches it among several organisations. With one organisation or none there is no choice: "".
export function pick_organisation(organisations, asked, default_organisation) {
	const ids = (organisations || []).map((o) => o && o.organisation).filter(Boolean);
	if (ids.length < 2) return "";
	if (asked === null || asked === undefined) {
		return default_organisation && ids.includes(default_organisation) ? default_organisation : "";
	}
	return ids.includes(asked) ? asked : "";
}

function organisation_key(row) {
	return (row && (row.organisation || row.organisation_name)) || "";
}

// Must these rows say their organisation? Yes when the caller says several organisations are shown
// (`by_organisation`: the record matches several and no one is picked), or when the rows themselves
// come from more than one.
export function labels_organisations(rows, by_organisation) {
	if (by_organisation) return true;
	const keys = new Set((rows || []).map(organisation_key).filter(Boolean));
	return keys.size > 1;
}

// A row's organisation, as Xero names it (its tenant id where the server sent no name).
function organisation_label(row) {
	return String((row && (row.organisation_name || row.organisation)) || "");
}

// "Acme NZ", small and muted, beside a currency or under an invoice number (escaped).
function organisation_html(row, ctx, extra) {
	const name = organisation_label(row);
	return `<span class="xero-crm-org${extra ? ` ${extra}` : ""}" title="${ctx.escape(name)}">${ctx.escape(name)}</span>`;
}

// "Acme NZ · NZD" before an amount, or just "NZD" where organisations are not labelled.
function currency_key_html(row, label, ctx) {
	const ccy = `<span class="xero-crm-ccy">${ctx.escape(row.currency)}</span>`;
	if (!label) return ccy;
	return `<span class="xero-crm-key">${organisation_html(row, ctx)}<span class="xero-crm-dot"> · </span>${ccy}</span>`;
}

// An amount in running text: "NZD 500.00", or "Acme NZ: NZD 500.00" where organisations are labelled.
function amount_words(row, value, label, ctx) {
	const amount = `${row.currency} ${amount_text(value, row.currency, ctx)}`;
	return label ? ctx.__("{0}: {1}", [organisation_label(row), amount]) : amount;
}

// The organisation filter beside the views: "All organisations" and each organisation the record
// matches; only where there are several. `selected`: the tenant id shown ("" or null: all).
export function render_organisation_filter(organisations, selected, ctx) {
	ctx = with_ctx(ctx);
	const orgs = (organisations || []).filter((o) => o && o.organisation);
	if (orgs.length < 2) return "";
	const current = orgs.some((o) => o.organisation === selected) ? selected : "";
	const option = (value, label) =>
		`<option value="${ctx.escape(value)}"${value === current ? " selected" : ""}>${ctx.escape(label)}</option>`;
	const label = ctx.__("Xero organisation");
	return `<div class="xero-crm-org-filter">
		<select name="organisation" class="form-control input-xs xero-crm-org-select" aria-label="${ctx.escape(label)}"
			title="${ctx.escape(label)}">${option("", ctx.__("All organisations"))}${orgs
				.map((o) => option(o.organisation, o.name || o.short_code || o.organisation))
				.join("")}</select>
	</div>`;
}

// ------------------------------------------------------------------------------------------------
// The panel's parts
// ------------------------------------------------------------------------------------------------

// " · Acme Widgets Ltd" for the section head that Frappe draws from the label "Xero invoices".
export function render_title_suffix(summary, ctx) {
	ctx = with_ctx(ctx);
	let names = contact_names(summary || {});
	// the same customer in two organisations is named once
	if (several_organisations(summary)) names = [...new Set(names)];
	return names.length ? ` · ${ctx.escape(names.join(", "))}` : "";
}

const ICONS = {
	refresh:
		'<svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M21 12a9 9 0 1 1-9-9c2.52 0 4.93 1 6.74 2.74L21 8"/><path d="M21 3v5h-5"/></svg>',
	pin: '<svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M12 17v5"/><path d="M9 10.76a2 2 0 0 1-1.11 1.79l-1.78.9A2 2 0 0 0 5 15.24V17h14v-1.76a2 2 0 0 0-1.11-1.79l-1.78-.9A2 2 0 0 1 15 10.76V7a1 1 0 0 1 1-1 2 2 0 0 0 0-4H8a2 2 0 0 0 0 4 1 1 0 0 1 1 1z"/></svg>',
};

// Under the section head: which organisation, how the match was made, when we last synced.
export function render_header(summary, ctx) {
	ctx = with_ctx(ctx);
	const left = [];
	// with several organisations the filter beside the views names them (and says which is shown)
	const orgs = organisations_of(summary);
	const organisation_name = summary.organisation_name || (orgs.length === 1 ? orgs[0].name : "");
	if (organisation_name && orgs.length < 2) {
		left.push(ctx.escape(ctx.__("Xero organisation: {0}", [organisation_name])));
	}
	if (linked_by_user(summary)) {
		left.push(ctx.escape(ctx.__("linked by hand")));
		if (summary.can_link) {
			left.push(
				`<button type="button" class="btn btn-link btn-xs xero-crm-unlink" data-action="unlink">${ctx.escape(ctx.__("Unlink"))}</button>`,
			);
		}
	}
	const stamp = summary.last_synced_at;
	const synced = stamp
		? ctx.escape(ctx.__("last synced {0}", [ctx.when(stamp) || ctx.__("just now")]))
		: ctx.escape(ctx.__("not synced yet"));
	return `<div class="xero-crm-header">
		<div class="xero-crm-origin">${left.join(' <span class="xero-crm-dot">·</span> ')}</div>
		<div class="xero-crm-sync">
			<span class="xero-crm-synced" title="${ctx.escape(stamp ? ctx.format_date(stamp) : "")}">${synced}</span>
			<button type="button" class="btn btn-xs btn-default xero-crm-icon-btn" data-action="reload"
				title="${ctx.escape(ctx.__("Refresh"))}" aria-label="${ctx.escape(ctx.__("Refresh"))}">${ICONS.refresh}</button>
		</div>
	</div>`;
}

// One line per currency with something in it (what the list the box opens adds up to); with several
// organisations, one per organisation and currency, labelled "Acme NZ · NZD".
function total_lines(totals, key, ctx, label) {
	const rows = (totals || []).filter((row) => Number(row[key]) !== 0);
	if (!rows.length) return `<div class="xero-crm-total-none">—</div>`;
	return rows
		.map(
			(row) => `<div class="xero-crm-total-line${label ? " has-org" : ""}">
				${currency_key_html(row, label, ctx)}
				<span class="xero-crm-amt">${ctx.escape(amount_text(row[key], row.currency, ctx))}</span>
			</div>`,
		)
		.join("");
}

// One line per currency in each box; currencies are never added together. Each box opens the list
// that adds up to it (BOX_VIEWS): Total paid opens every invoice with a payment, part-paid ones too.
// `active`: the view shown, whose box is drawn pressed. opts.by_organisation: several organisations are
// shown (label each line with its organisation, as labels_organisations).
export function render_totals(totals, ctx, active, opts) {
	ctx = with_ctx(ctx);
	const label = labels_organisations(totals, opts && opts.by_organisation);
	const by_org = label;
	const box = (key, label, hint, extra, note) => {
		const view = BOX_VIEWS[key];
		const on = view === active;
		return `<button type="button" class="xero-crm-total ${extra || ""}${on ? " active" : ""}"
			data-action="box" data-view="${view}" aria-pressed="${on}" title="${ctx.escape(hint)}">
			<div class="xero-crm-total-label">${ctx.escape(label)}</div>
			${total_lines(totals, key, ctx, by_org)}
			${note ? `<div class="xero-crm-total-note">${ctx.escape(note)}</div>` : ""}
		</button>`;
	};
	const any_overdue = (totals || []).some((row) => Number(row.overdue) > 0);
	return `<div class="xero-crm-totals${by_org ? " has-orgs" : ""}">
		${box(
			"paid",
			ctx.__("Total paid"),
			ctx.__("Show every invoice with a payment"),
			"",
			ctx.__("incl. part-payments on unpaid invoices"),
		)}
		${box("unpaid", ctx.__("Total unpaid"), ctx.__("Show unpaid invoices"))}
		${render_credit_box(totals, ctx, { by_organisation: by_org })}
		${any_overdue ? box("overdue", ctx.__("Overdue"), ctx.__("Show overdue invoices"), "is-overdue") : ""}
	</div>`;
}

// Beside Total unpaid, only when the customer has credit: per currency, what its unallocated credit
// notes, overpayments and prepayments come to (`credit`), and what is owed net of it (`net` = unpaid −
// credit, never added across currencies). It opens All, where the credit is listed.
export function render_credit_box(totals, ctx, opts) {
	ctx = with_ctx(ctx);
	const rows = (totals || []).filter((row) => Number(row.credit || 0) !== 0);
	if (!rows.length) return "";
	const label = labels_organisations(totals, opts && opts.by_organisation);
	// escaped once, with the sentence it goes into
	const net = rows.map((row) => amount_words(row, row.net, label, ctx)).join(" · ");
	return `<button type="button" class="xero-crm-total is-credit" data-action="box" data-view="all"
		title="${ctx.escape(ctx.__("Unallocated credit notes, overpayments and prepayments: show them in All"))}">
		<div class="xero-crm-total-label">${ctx.escape(ctx.__("Credit available"))}</div>
		${total_lines(rows, "credit", ctx, label)}
		<div class="xero-crm-total-note">${ctx.escape(ctx.__("Net owed: {0}", [net]))}</div>
	</button>`;
}

// A credit row's type, in the rep's language: Credit note, Overpayment or Prepayment (a supplier's
// credit says so).
export function credit_type_label(inv, ctx) {
	ctx = with_ctx(ctx);
	const labels = {
		"Credit Note": ctx.__("Credit note"),
		Overpayment: ctx.__("Overpayment"),
		Prepayment: ctx.__("Prepayment"),
	};
	const label = labels[inv.credit_type] || ctx.__(String(inv.credit_type || ""));
	return inv.is_bill ? ctx.__("Supplier {0}", [label.toLowerCase()]) : label;
}

// A credit note, overpayment or prepayment in the All view (`is_credit`): its remaining credit in the
// balance column and its total, both shown as credit (−); muted when it counts in no total (a
// supplier's, voided, draft, used up). No pin, no share: it is not an invoice. opts.by_organisation:
// its organisation's name under its number.
export function render_credit_row(inv, ctx, opts) {
	ctx = with_ctx(ctx);
	const type = credit_type_label(inv, ctx);
	const url = safe_url(inv.url);
	const number = inv.number
		? ctx.escape(inv.number)
		: `<span class="text-muted">${ctx.escape(ctx.__("(no number)"))}</span>`;
	const link = url
		? `<a class="xero-crm-number" href="${ctx.escape(url)}" target="_blank" rel="noopener noreferrer"
			title="${ctx.escape(ctx.__("Open {0} in Xero (new tab)", [inv.number || type]))}">${number}</a>`
		: `<span class="xero-crm-number">${number}</span>`;
	const reference = inv.reference
		? `<div class="xero-crm-sub xero-crm-ref">${ctx.escape(inv.reference)}</div>`
		: "";
	const counted = Boolean(inv.counted);
	const num = counted
		? `class="xero-crm-num is-credit"`
		: `class="xero-crm-num is-credit is-muted" title="${ctx.escape(ctx.__("Not counted in the credit available"))}"`;
	const credit = (value) =>
		`<span class="xero-crm-credit-sign" aria-label="${ctx.escape(ctx.__("credit"))}">−</span>${money_html(
			value,
			inv.currency,
			ctx,
		)}`;
	const status = inv.status_key === "credit" ? ctx.__("Credit available") : status_label(inv.status_key, ctx);
	const details = ctx.__("Details of {0}", [inv.number || type]);
	return `<tr class="xero-crm-row is-credit${counted ? "" : " is-uncounted"}" data-credit-id="${ctx.escape(inv.credit_id)}">
		<td class="xero-crm-pin-cell"></td>
		<td class="xero-crm-number-cell">${link}${row_organisation(inv, ctx, opts)}${reference}</td>
		<td class="xero-crm-nowrap">${ctx.escape(ctx.format_date(inv.date))}</td>
		<td class="xero-crm-type" data-label="${ctx.escape(ctx.__("Type"))}">${ctx.escape(type)}</td>
		<td ${num}>${credit(inv.remaining_credit)}</td>
		<td ${num} data-label="${ctx.escape(ctx.__("Total"))}">${credit(inv.total)}</td>
		<td class="xero-crm-status-cell"><span class="indicator-pill no-indicator-dot ${
			inv.is_bill || !counted ? "gray" : "purple"
		} xero-crm-status">${ctx.escape(status)}</span></td>
		<td class="xero-crm-toggle-cell"><button type="button" class="xero-crm-details" data-action="details"
			aria-expanded="false" title="${ctx.escape(details)}" aria-label="${ctx.escape(details)}">▾</button></td>
	</tr>`;
}

// What is owed, per currency, by days overdue (get_summary's `aging`): one compact bar a currency,
// its segments as wide as their share of what is owed, neutral (current) to red (90+), each titled
// with its bucket, amount and count and opening its list. Currencies are never added together, nor
// organisations: one bar per organisation and currency, labelled "Acme NZ · NZD" where several are
// involved (opts.by_organisation, as labels_organisations).
export function render_aging(aging, ctx, active, opts) {
	ctx = with_ctx(ctx);
	const label = labels_organisations(Array.isArray(aging) ? aging : [], opts && opts.by_organisation);
	const rows = (Array.isArray(aging) ? aging : [])
		.map((row) => {
			const buckets = (row.buckets || []).filter((b) => AGING_KEYS.includes(b.key) && Number(b.amount) > 0);
			const owed = buckets.reduce((sum, b) => sum + Number(b.amount), 0);
			if (!(owed > 0)) return "";
			const segments = buckets.map((b) => {
				const view = aging_view(b.key);
				const on = view === active;
				const share = ((Number(b.amount) / owed) * 100).toFixed(2);
				const n = Number(b.count) || 0;
				const what = n === 1 ? ctx.__("1 invoice") : ctx.__("{0} invoices", [n]);
				const title = `${view_label(view, ctx)}: ${amount_words(row, b.amount, label, ctx)} · ${what}`;
				return `<button type="button" class="xero-crm-aging-seg is-${b.key}${on ? " active" : ""}"
					data-action="box" data-view="${view}" aria-pressed="${on}" style="width: ${share}%"
					title="${ctx.escape(title)}" aria-label="${ctx.escape(title)}"></button>`;
			});
			return `<div class="xero-crm-aging-row${label ? " has-org" : ""}">
				${currency_key_html(row, label, ctx)}
				<div class="xero-crm-aging-bar">${segments.join("")}</div>
			</div>`;
		})
		.filter(Boolean);
	if (!rows.length) return "";
	return `<div class="xero-crm-aging" role="group" aria-label="${ctx.escape(ctx.__("Aging of what is owed"))}">
		<div class="xero-crm-total-label">${ctx.escape(ctx.__("Aging"))}</div>${rows.join("")}</div>`;
}

// The saved views the server names (summary.views), each with its count: `counts` when given (what
// each view holds under the search and dates, from get_invoices; `filtered` says so), else
// summary.counts. A view without a pill (Paid to date, opened by its box) gets one while it is shown.
export function render_views(summary, active, ctx, counts, filtered) {
	ctx = with_ctx(ctx);
	counts = counts || (summary && summary.counts) || {};
	const views = views_of(summary).slice();
	if (active && !views.includes(active)) views.push(active);
	const hint = filtered ? ctx.__("Counts match the search and dates") : "";
	const buttons = views.map((view) => {
		const on = view === active;
		const n = Number(counts[view] || 0);
		const alert = view === "overdue" && n > 0 ? " has-alert" : "";
		const title = hint ? ` title="${ctx.escape(hint)}"` : "";
		return `<button type="button" class="xero-crm-view${on ? " active" : ""}${alert}${
			filtered ? " is-filtered" : ""
		}" data-action="view"
			data-view="${ctx.escape(view)}" aria-pressed="${on}"${title}>${ctx.escape(view_label(view, ctx))}<span class="xero-crm-count">${ctx.escape(
				n,
			)}</span></button>`;
	});
	return `<div class="xero-crm-views" role="group" aria-label="${ctx.escape(ctx.__("Saved views"))}">${buttons.join(
		"",
	)}</div>`;
}

export function render_filters(filters, ctx) {
	ctx = with_ctx(ctx);
	filters = filters || {};
	// a native date input (YYYY-MM-DD); in the desk the wiring swaps in a Frappe Date control, which
	// reads and shows the user's date format (and takes YYYY-MM-DD typed by hand too)
	const date_input = (name, label, aria, value) => `<label class="xero-crm-date">${ctx.escape(label)}
			<span class="xero-crm-date-slot" data-fieldname="${name}"><input type="date" name="${name}" class="form-control input-xs" value="${ctx.escape(
				value || "",
			)}" aria-label="${ctx.escape(aria)}"></span></label>`;
	const any = Boolean(filters.search || filters.from_date || filters.to_date);
	// a div, not a <form>: Frappe wraps form columns in <form>, and nested forms are dropped
	return `<div class="xero-crm-filters" role="search">
		<input type="search" name="search" class="form-control input-xs xero-crm-search" maxlength="100"
			placeholder="${ctx.escape(ctx.__("Invoice no. or reference"))}" aria-label="${ctx.escape(ctx.__("Search invoice number or reference"))}" value="${ctx.escape(filters.search || "")}">
		<span class="xero-crm-dates">
		${date_input("from_date", ctx.__("Invoice date from"), ctx.__("Invoice date from"), filters.from_date)}
		${date_input("to_date", ctx.__("to"), ctx.__("Invoice date to"), filters.to_date)}
		</span>
		<button type="button" class="btn btn-default btn-xs xero-crm-apply" data-action="apply">${ctx.escape(ctx.__("Apply"))}</button>
		<button type="button" class="btn btn-link btn-xs xero-crm-clear${any ? "" : " hidden"}"
			data-action="clear">${ctx.escape(ctx.__("Clear"))}</button>
		<div class="xero-crm-filter-note hidden" role="alert"></div>
	</div>`;
}

// "2026-09-01" from a date typed by hand as YYYY-MM-DD (or YYYY-M-D), when it is a real date; else null.
export function iso_date(text) {
	const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(String(text || "").trim());
	if (!m) return null;
	const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const date = new Date(Date.UTC(year, month - 1, day));
	if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
		return null;
	}
	return `${m[1]}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

// What is wrong with an invoice-date range (YYYY-MM-DD or ""), in words a rep can act on; null if
// nothing. The server refuses the same, but the panel says it first, without asking.
export function date_range_problem(from_date, to_date, ctx) {
	ctx = with_ctx(ctx);
	if (from_date && to_date && from_date > to_date) {
		return ctx.__("The invoice date from ({0}) is after the date to ({1}): change one of them.", [
			ctx.format_date(from_date),
			ctx.format_date(to_date),
		]);
	}
	return null;
}

function render_pin(inv, ctx) {
	const label = inv.pinned ? ctx.__("Unpin {0}", [inv.invoice_number || ""]) : ctx.__("Pin to this record");
	return `<button type="button" class="xero-crm-pin${inv.pinned ? " is-pinned" : ""}" data-action="pin"
		aria-pressed="${Boolean(inv.pinned)}" title="${ctx.escape(label)}" aria-label="${ctx.escape(label)}">${
			ICONS.pin
		}</button>`;
}

// The payments the server lists (it lists them for an invoice settled by two or more), as
// "#1 · 05 Nov 2026 · NZD 200.00 · DD-3341", shown on hover and on keyboard focus.
export function render_payments(inv, ctx) {
	ctx = with_ctx(ctx);
	const payments = inv.payments || [];
	if (!payments.length) return "";
	const items = payments
		.map((p) => {
			const parts = [
				`<span class="xero-crm-pay-no">#${ctx.escape(p.number)}</span>`,
				ctx.escape(ctx.format_date(p.date)),
				money_html(p.amount, inv.currency, ctx),
			];
			if (p.reference) parts.push(`<span class="xero-crm-pay-ref">${ctx.escape(p.reference)}</span>`);
			return `<li>${parts.join(" · ")}</li>`;
		})
		.join("");
	return `<span class="xero-crm-payments">
		<button type="button" class="btn btn-link btn-xs xero-crm-payments-toggle" data-action="payments"
			aria-haspopup="true" aria-expanded="false">${ctx.escape(ctx.__("Payments"))} ▾</button>
		<div class="xero-crm-popover" role="tooltip">
			<div class="xero-crm-popover-title">${ctx.escape(ctx.__("{0} payments", [payments.length]))}</div>
			<ol>${items}</ol>
		</div>
	</span>`;
}

// Share and download (xero_crm.invoice_documents): only an approved sales invoice has an online invoice
// and a PDF to share (Xero has none for a bill or a draft; the server refuses the rest too).
const SHAREABLE_STATUSES = ["AUTHORISED", "PAID"];
export function may_share(inv) {
	return Boolean(inv && !inv.is_bill && inv.type === "ACCREC" && SHAREABLE_STATUSES.includes(inv.status));
}

// Where "PDF" points: the server streams the file back as a download (GET).
export function pdf_url(doctype, name, invoice_id) {
	const q = (v) => encodeURIComponent(v === null || v === undefined ? "" : String(v));
	return `/api/method/xero_crm.invoice_documents.download_pdf?doctype=${q(doctype)}&name=${q(name)}&invoice_id=${q(invoice_id)}`;
}

// "Copy link · PDF" under an approved sales invoice's status; "" for any other invoice, and wherever no
// record ({doctype, name}: whose panel this is, which the server checks) is given: a page that does not
// wire the two actions gets none. The PDF is a real link (new tab, save as…); the wiring acts on both.
export function render_document_actions(inv, ctx, record) {
	ctx = with_ctx(ctx);
	if (!record || !record.doctype || !record.name || !may_share(inv)) return "";
	const number = inv.invoice_number || "";
	const copy = ctx.__("Copy the online invoice link of {0}", [number]);
	const download = ctx.__("Download {0} as PDF", [number]);
	const href = pdf_url(record.doctype, record.name, inv.invoice_id);
	return `<div class="xero-crm-sub xero-crm-doc-actions">
		<button type="button" class="btn btn-link btn-xs xero-crm-copy-link" data-action="copy-link"
			title="${ctx.escape(copy)}" aria-label="${ctx.escape(copy)}">${ctx.escape(ctx.__("Copy link"))}</button>
		· <a class="btn btn-link btn-xs xero-crm-pdf" data-action="pdf" href="${ctx.escape(href)}" download
			title="${ctx.escape(download)}" aria-label="${ctx.escape(download)}">${ctx.escape(ctx.__("PDF"))}</a>
	</div>`;
}

// Under the date of an invoice with something due (the server's `due`): its due date, red once overdue;
// "due today" in amber on the day it falls due. A row in no total (a bill) stays grey throughout.
export function render_due(inv, ctx) {
	ctx = with_ctx(ctx);
	if (!inv.due || !inv.due_date) return "";
	const due = inv.counted ? inv.due : "later";
	if (due === "today") {
		return `<div class="xero-crm-sub is-due-today">${ctx.escape(ctx.__("due today"))}</div>`;
	}
	return `<div class="xero-crm-sub${due === "overdue" ? " is-late" : ""}">${ctx.escape(
		ctx.__("due {0}", [ctx.format_date(inv.due_date)]),
	)}</div>`;
}

// Which amount the money column of a view shows: what was paid in the lists of paid invoices, the
// balance (amount due) elsewhere.
export function measure_of(view) {
	return view === PAID_TO_DATE || view === "paid" ? "paid" : "due";
}

// Under an invoice's number, where several organisations are listed: whose it is (its link already
// opens that organisation in Xero).
function row_organisation(inv, ctx, opts) {
	if (!(opts && opts.by_organisation) || !organisation_label(inv)) return "";
	return `<div class="xero-crm-sub xero-crm-row-org">${organisation_html(inv, ctx)}</div>`;
}

// opts.measure: "paid" shows the amount paid in the money column, else the balance; opts.record
// ({doctype, name}) adds the share and download actions (render_document_actions); opts.by_organisation
// names the invoice's organisation under its number.
export function render_invoice_row(inv, ctx, opts) {
	ctx = with_ctx(ctx);
	const paid = Boolean(opts && opts.measure === "paid");
	const url = safe_url(inv.url);
	const number = inv.invoice_number
		? ctx.escape(inv.invoice_number)
		: `<span class="text-muted">${ctx.escape(ctx.__("(no number)"))}</span>`;
	// underlined like Frappe's links: it opens the invoice in Xero
	const link = url
		? `<a class="xero-crm-number" href="${ctx.escape(url)}" target="_blank" rel="noopener noreferrer"
			title="${ctx.escape(ctx.__("Open {0} in Xero (new tab)", [inv.invoice_number || ""]))}">${number}</a>`
		: `<span class="xero-crm-number">${number}</span>`;
	const reference = inv.reference
		? `<div class="xero-crm-sub xero-crm-ref">${ctx.escape(inv.reference)}</div>`
		: "";
	// what the server counts in no total (bills, drafts, voided…): amounts in grey
	const counted = Boolean(inv.counted);
	const num = (extra) =>
		counted
			? `class="xero-crm-num${extra}"`
			: `class="xero-crm-num${extra} is-muted" title="${ctx.escape(ctx.__("Not counted in the totals"))}"`;
	const amount = paid ? inv.amount_paid : inv.amount_due;
	const label = (text) => `data-label="${ctx.escape(text)}"`;
	const details = ctx.__("Details of {0}", [inv.invoice_number || ""]);
	// On a phone the row is a card (CSS): number, date, the amount and status; the rest on tap
	// (the details toggle, or the card itself).
	return `<tr class="xero-crm-row${counted ? "" : " is-uncounted"}" data-invoice-id="${ctx.escape(inv.invoice_id)}">
		<td class="xero-crm-pin-cell">${render_pin(inv, ctx)}</td>
		<td class="xero-crm-number-cell">${link}${row_organisation(inv, ctx, opts)}${reference}</td>
		<td class="xero-crm-nowrap">${ctx.escape(ctx.format_date(inv.date))}${render_due(inv, ctx)}</td>
		<td class="xero-crm-type" ${label(ctx.__("Type"))}>${ctx.escape(type_label(inv, ctx))}</td>
		<td ${num(Number(amount) ? "" : " is-zero")}>${money_html(amount, inv.currency, ctx)}</td>
		<td ${num("")} ${label(ctx.__("Total"))}>${money_html(inv.total, inv.currency, ctx)}</td>
		<td class="xero-crm-status-cell"><span class="indicator-pill no-indicator-dot ${status_color(
			inv,
		)} xero-crm-status">${ctx.escape(status_text(inv, ctx))}</span>${render_payments(inv, ctx)}${render_document_actions(
			inv,
			ctx,
			opts && opts.record,
		)}</td>
		<td class="xero-crm-toggle-cell"><button type="button" class="xero-crm-details" data-action="details"
			aria-expanded="false" title="${ctx.escape(details)}" aria-label="${ctx.escape(details)}">▾</button></td>
	</tr>`;
}

export function empty_view_message(view, filtered, ctx) {
	ctx = with_ctx(ctx);
	const messages = {
		open: ctx.__("No open invoices"),
		unpaid: ctx.__("No unpaid invoices"),
		overdue: ctx.__("No overdue invoices"),
		paid: ctx.__("No paid invoices"),
		pinned: ctx.__("No pinned invoices. Pin one with its pin icon to keep it here."),
		all: ctx.__("No invoices"),
		paid_to_date: ctx.__("No invoices with a payment"),
	};
	if (view && view.startsWith("aging_")) messages[view] = ctx.__("No invoices owed in this range");
	const base = messages[view] || messages.all;
	return filtered ? ctx.__("{0} match this search and dates.", [base]) : base;
}

// The other pills (in their order) whose lists hold something under the same search and dates; All
// only when no other does. For "No open invoices match … 1 match in Paid · Show".
export function views_with_matches(counts, view, views) {
	counts = counts || {};
	const found = (views || FALLBACK_VIEWS).filter(
		(v) => v !== view && v !== "all" && Number(counts[v] || 0) > 0,
	);
	if (!found.length && view !== "all" && Number(counts.all || 0) > 0) found.push("all");
	return found.slice(0, 3);
}

function render_elsewhere(list, ctx) {
	if (!list.filtered) return "";
	const found = views_with_matches(list.counts, list.view, list.views);
	if (!found.length) return "";
	const items = found.map((view) => {
		const n = Number(list.counts[view]);
		const text =
			n === 1
				? ctx.__("1 match in {0}", [view_label(view, ctx)])
				: ctx.__("{0} matches in {1}", [n, view_label(view, ctx)]);
		return `<span class="xero-crm-elsewhere-item">${ctx.escape(text)} · <button type="button"
			class="btn btn-link btn-xs" data-action="view" data-view="${ctx.escape(view)}">${ctx.escape(ctx.__("Show"))}</button></span>`;
	});
	return `<div class="xero-crm-elsewhere">${items.join("")}</div>`;
}

// Under the list: what the whole list adds up to (list_totals, per currency; every page, not just
// those loaded), in the measure of the box that opens it: so Total paid equals its list.
// With several organisations, one line per organisation and currency, each labelled.
export function render_list_total(list, ctx) {
	ctx = with_ctx(ctx);
	const measure = {
		paid_to_date: ["amount_paid", ctx.__("Total paid")],
		paid: ["amount_paid", ctx.__("Total paid")],
		unpaid: ["amount_due", ctx.__("Total unpaid")],
		open: ["amount_due", ctx.__("Balance due")],
		overdue: ["amount_due", ctx.__("Total overdue")],
		...Object.fromEntries(AGING_KEYS.map((key) => [aging_view(key), ["amount_due", ctx.__("Total owed")]])),
	}[list.view];
	if (!measure || !Array.isArray(list.list_totals)) return "";
	const [field, label] = measure;
	const rows = list.list_totals.filter((row) => Number(row[field]) !== 0);
	if (!rows.length) return "";
	const by_org = labels_organisations(list.list_totals, list.by_organisation);
	const amounts = by_org
		? rows
				.map(
					(row) =>
						`<span class="xero-crm-list-total-line">${organisation_html(row, ctx)}<span class="xero-crm-dot"> · </span>${money_html(
							row[field],
							row.currency,
							ctx,
						)}</span>`,
				)
				.join("")
		: rows.map((row) => money_html(row[field], row.currency, ctx)).join(" · ");
	const note = list.filtered
		? ` <span class="xero-crm-list-total-note">${ctx.escape(ctx.__("(matching the search and dates)"))}</span>`
		: "";
	return `<div class="xero-crm-list-total"><span class="xero-crm-list-total-label">${ctx.escape(label)}</span>
		<span class="xero-crm-list-total-amounts${by_org ? " has-orgs" : ""}">${amounts}</span>${note}</div>`;
}

// The list area: rows, "Showing n of N" and Load more, or what an empty view means (and, under a
// search, which other views hold matches). list: {view, invoices, total_count, filtered, counts,
// views, list_totals}, the last four from get_invoices (and the pills' order); `record` ({doctype, name})
// where the page wires the share and download actions; `by_organisation` where several organisations
// are listed (each row then names its organisation, as do the list's totals).
export function render_list(list, ctx) {
	ctx = with_ctx(ctx);
	const invoices = list.invoices || [];
	const by_organisation =
		labels_organisations(invoices, list.by_organisation) || labels_organisations(list.list_totals);
	if (!invoices.length) {
		return `<div class="xero-crm-empty-view">${ctx.escape(
			empty_view_message(list.view, list.filtered, ctx),
		)}${render_elsewhere(list, ctx)}</div>`;
	}
	const measure = measure_of(list.view);
	const head = [
		"",
		ctx.__("Invoice"),
		ctx.__("Date"),
		ctx.__("Type"),
		measure === "paid" ? ctx.__("Paid") : ctx.__("Balance"),
		ctx.__("Total"),
		ctx.__("Status"),
	]
		.map((label, i) => `<th class="${i === 4 || i === 5 ? "xero-crm-num" : ""}">${ctx.escape(label)}</th>`)
		.join("");
	const total = Number(list.total_count || invoices.length);
	const more =
		invoices.length < total
			? `<button type="button" class="btn btn-default btn-xs" data-action="more">${ctx.escape(ctx.__("Load more"))}</button>`
			: "";
	// fixed widths: columns must not jump when the rep switches views
	const cols = ["pin", "invoice", "date", "type", "balance", "total", "status"]
		.map((c) => `<col class="xero-crm-col-${c}">`)
		.join("");
	const caption =
		list.view === PAID_TO_DATE
			? `<div class="xero-crm-caption">${ctx.escape(
					ctx.__(
						"Every sales invoice with a payment, part-paid ones included; Paid is what the customer paid on each.",
					),
				)}</div>`
			: "";
	return `${caption}<table class="xero-crm-table">
			<colgroup>${cols}</colgroup>
			<thead><tr>${head}</tr></thead>
			<tbody>${invoices
				.map((inv) =>
					inv.is_credit
						? render_credit_row(inv, ctx, { by_organisation })
						: render_invoice_row(inv, ctx, { measure, record: list.record, by_organisation }),
				)
				.join("")}</tbody>
		</table>
		${render_list_total(Object.assign({}, list, { by_organisation }), ctx)}
		<div class="xero-crm-footer">
			<span class="xero-crm-shown">${ctx.escape(ctx.__("Showing {0} of {1}", [invoices.length, total]))}</span>${more}
		</div>`;
}

// What the rep can do when there is nothing to list; null when the panel can show invoices.
export function render_empty_state(summary, doctype, ctx) {
	ctx = with_ctx(ctx);
	const box = (body) => `<div class="xero-crm-empty">${body}</div>`;
	if (!summary.connected) {
		const action = summary.is_admin
			? `<a class="btn btn-default btn-xs" href="/app/xero-settings">${ctx.escape(ctx.__("Connect Xero in Xero Settings"))}</a>`
			: `<span class="text-muted">${ctx.escape(ctx.__("Ask your administrator to connect Xero."))}</span>`;
		return box(`<p>${ctx.escape(ctx.__("Xero is not connected."))}</p>${action}`);
	}
	if (!summary.matched) {
		const action = summary.can_link
			? `<button type="button" class="btn btn-default btn-xs" data-action="link">${ctx.escape(ctx.__("Link Xero contact"))}</button>`
			: `<span class="text-muted">${ctx.escape(ctx.__("Someone who can edit this record can link it to a Xero contact."))}</span>`;
		return box(
			`<p>${ctx.escape(ctx.__("No Xero contact matches this {0}.", [ctx.__(doctype || "record")]))}</p>${action}`,
		);
	}
	if (!summary.is_customer) {
		const names = contact_names(summary).join(", ");
		const unlink =
			linked_by_user(summary) && summary.can_link
				? `<button type="button" class="btn btn-link btn-xs" data-action="unlink">${ctx.escape(ctx.__("Unlink"))}</button>`
				: "";
		return box(
			`<p>${ctx.escape(ctx.__("{0} is in Xero but not as a customer: no sales invoices yet.", [names]))}</p>${unlink}`,
		);
	}
	return null;
}

// The sidebar's few lines: totals per currency, the overdue count, when we last synced. Where several
// organisations are involved (opts.by_organisation, as labels_organisations), one line per organisation
// and currency, each named by its organisation, under its measure's label.
export function render_sidebar(summary, ctx, opts) {
	ctx = with_ctx(ctx);
	const lines = [];
	const totals = summary.totals || [];
	const by_org = labels_organisations(totals, opts && opts.by_organisation);
	// one organisation: "Paid  NZD 1,200.00" on the group's first line; several: "Paid" on a line of
	// its own, then "Acme NZ  NZD 1,200.00" a line
	const line = (row, value, i, head, extra) => {
		if (!by_org) {
			return `<div class="xero-crm-side-line${extra}${i === 0 ? " is-group" : ""}">${i === 0 ? head : ""}${money_html(
				value,
				row.currency,
				ctx,
			)}</div>`;
		}
		const group = i === 0 ? `<div class="xero-crm-side-line${extra} is-group">${head}</div>` : "";
		return `${group}<div class="xero-crm-side-line${extra} has-org">${organisation_html(
			row,
			ctx,
			"xero-crm-side-org",
		)}${money_html(value, row.currency, ctx)}</div>`;
	};
	// one group per measure, one line per currency, as in the panel's boxes
	for (const [key, label, hint] of [
		["paid", ctx.__("Paid"), ctx.__("incl. part-payments on unpaid invoices")],
		["unpaid", ctx.__("Unpaid"), ""],
	]) {
		// as in the boxes: the currencies with something in them
		totals
			.filter((row) => Number(row[key]) !== 0)
			.forEach((row, i) => {
				const head = `<span class="xero-crm-side-label"${hint ? ` title="${ctx.escape(hint)}"` : ""}>${ctx.escape(label)}</span>`;
				// the label wraps above the amount where the sidebar is too narrow for both on one line
				lines.push(line(row, row[key], i, head, ""));
			});
	}
	// the customer's credit (only where there is some), as in the Credit available box
	totals
		.filter((row) => Number(row.credit || 0) !== 0)
		.forEach((row, i) => {
			const hint = ctx.__("Unallocated credit notes, overpayments and prepayments");
			const head = `<span class="xero-crm-side-label" title="${ctx.escape(hint)}">${ctx.escape(ctx.__("Credit"))}</span>`;
			lines.push(line(row, row.credit, i, head, " is-credit"));
		});
	const overdue = Number((summary.counts || {}).overdue || 0);
	if (overdue) {
		const label = overdue === 1 ? ctx.__("1 overdue invoice") : ctx.__("{0} overdue invoices", [overdue]);
		lines.push(`<div class="xero-crm-side-overdue">${ctx.escape(label)}</div>`);
	}
	if (!lines.length) lines.push(`<div class="text-muted">${ctx.escape(ctx.__("No invoices yet"))}</div>`);
	const synced = summary.last_synced_at
		? `<div class="xero-crm-side-synced">${ctx.escape(
				ctx.__("synced {0}", [ctx.when(summary.last_synced_at) || ctx.__("just now")]),
			)}</div>`
		: "";
	return `<div class="sidebar-menu xero-crm-sidebar" role="button" tabindex="0"
		title="${ctx.escape(ctx.__("Show Xero invoices"))}">
		<div class="xero-crm-side-title">${ctx.escape(ctx.__("Xero invoices"))}</div>
		${lines.join("")}${synced}
	</div>`;
}

// ------------------------------------------------------------------------------------------------
// Frappe CRM (xero_crm/public/js/frappe_crm/panel.js): its pages sanitise an HTML field with DOMPurify
// (no scripts, handlers or target): links carry data attributes the page's wiring acts on.
// ------------------------------------------------------------------------------------------------

// The side panel of a Deal, Organization or Contact: the empty state, or the sidebar's totals and
// overdue count, the few most recent open invoices (each opening Xero) and "All invoices".
export function render_crm_side_panel(summary, recent, ctx) {
	ctx = with_ctx(ctx);
	if (!summary.connected) return crm_note(ctx.__("Xero is not connected."), ctx);
	if (!summary.matched) return crm_note(ctx.__("No Xero customer matches this record."), ctx);
	if (!summary.is_customer) {
		return crm_note(
			ctx.__("{0} is in Xero but not as a customer.", [contact_names(summary).join(", ")]),
			ctx,
		);
	}
	const overdue = summary.overdue && summary.overdue.count ? summary.overdue : null;
	// the side panel shows every organisation the record matches: each line and row says whose
	const by_organisation = several_organisations(summary);
	const rows = (recent || []).map((inv) => {
		const url = safe_url(inv.url);
		const number = ctx.escape(inv.invoice_number || ctx.__("(no number)"));
		const link = url
			? `<a href="${ctx.escape(url)}" data-xero-crm-link="1" rel="noopener noreferrer">${number}</a>`
			: number;
		return `<li class="xero-crm-recent-row${inv.due === "overdue" ? " is-overdue" : ""}">
			<span class="xero-crm-recent-number">${link}${
				by_organisation && organisation_label(inv) ? organisation_html(inv, ctx, "xero-crm-recent-org") : ""
			}</span>
			<span class="xero-crm-recent-date">${ctx.escape(ctx.format_date(inv.date))}</span>
			<span class="xero-crm-recent-amount">${money_html(inv.amount_due, inv.currency, ctx)}</span>
			<span class="indicator-pill no-indicator-dot ${status_color(inv)} xero-crm-status">${ctx.escape(status_text(inv, ctx))}</span>
		</li>`;
	});
	const recent_block = rows.length
		? `<div class="xero-crm-recent-title">${ctx.escape(ctx.__("Most recent unpaid invoices"))}</div><ul class="xero-crm-recent">${rows.join("")}</ul>`
		: "";
	return `<div class="xero-crm-crm xero-crm-crm-side">
		${render_sidebar(summary, ctx, { by_organisation }).replace(' role="button" tabindex="0"', "")}
		${overdue ? `<div class="xero-crm-crm-overdue">${overdue_headline_text(overdue, ctx, { by_organisation })}</div>` : ""}
		${recent_block}
		<a href="#" class="xero-crm-crm-open" data-xero-crm-open="1">${ctx.escape(ctx.__("All Xero invoices"))}</a>
	</div>`;
}

// A Lead's badge: "Existing Xero customer · 2 overdue"; nothing when it is not a Xero customer.
export function render_crm_lead_badge(summary, ctx) {
	ctx = with_ctx(ctx);
	if (!summary.connected || !summary.matched || !summary.is_customer) return "";
	const overdue = Number((summary.overdue && summary.overdue.count) || 0);
	const text = overdue
		? ctx.__("Existing Xero customer · {0} overdue", [overdue])
		: ctx.__("Existing Xero customer");
	const names = contact_names(summary).join(", ");
	return `<div class="xero-crm-crm xero-crm-lead-badge${overdue ? " is-overdue" : ""}" title="${ctx.escape(names)}">${ctx.escape(text)}</div>`;
}

function crm_note(text, ctx) {
	return `<div class="xero-crm-crm xero-crm-crm-note">${ctx.escape(text)}</div>`;
}

// The form's headline when something is overdue: "2 overdue invoices · NZD 500.00, oldest 45 days"
// (each currency's amount, never added together), from the summary's `overdue`; "" when nothing is.
// With several organisations (opts.by_organisation, as labels_organisations) each amount says whose:
// "3 overdue invoices · Acme NZ: NZD 500.00, Acme AU: NZD 200.00, oldest 45 days".
// A link the wiring makes open the panel's Overdue view.
export function overdue_headline_text(overdue, ctx, opts) {
	ctx = with_ctx(ctx);
	const count = Number((overdue && overdue.count) || 0);
	if (!count) return "";
	const by_currency = overdue.by_currency || [];
	const label = labels_organisations(by_currency, opts && opts.by_organisation);
	const amounts = by_currency.map((row) => amount_words(row, row.amount, label, ctx)).join(", ");
	const days = overdue.oldest_days;
	let text;
	if (days === null || days === undefined) {
		text =
			count === 1
				? ctx.__("1 overdue invoice · {0}", [amounts])
				: ctx.__("{0} overdue invoices · {1}", [count, amounts]);
	} else if (count === 1) {
		text =
			Number(days) === 1
				? ctx.__("1 overdue invoice · {0}, 1 day overdue", [amounts])
				: ctx.__("1 overdue invoice · {0}, {1} days overdue", [amounts, days]);
	} else {
		text =
			Number(days) === 1
				? ctx.__("{0} overdue invoices · {1}, oldest 1 day", [count, amounts])
				: ctx.__("{0} overdue invoices · {1}, oldest {2} days", [count, amounts, days]);
	}
	return ctx.escape(text);
}

export function render_overdue_headline(overdue, ctx, opts) {
	ctx = with_ctx(ctx);
	const text = overdue_headline_text(overdue, ctx, opts);
	if (!text) return "";
	return `<a href="#" class="xero-crm-headline" title="${ctx.escape(
		ctx.__("Show the overdue Xero invoices"),
	)}">${text}</a>`;
}

// Results of the "Link Xero contact" search, each a button carrying the contact id.
export function render_contact_results(results, text, ctx) {
	ctx = with_ctx(ctx);
	if (!text || String(text).trim().length < 2) {
		return `<div class="text-muted small">${ctx.escape(
			ctx.__("Type part of a name, or a whole email address (at least 2 characters)."),
		)}</div>`;
	}
	if (!results || !results.length) {
		return `<div class="text-muted small">${ctx.escape(ctx.__("No Xero contact found for {0}.", [text]))}</div>`;
	}
	const items = results.map((c) => {
		const emails = (c.emails || []).slice(0, 3).join(", ");
		const badge = c.is_customer
			? `<span class="indicator-pill no-indicator-dot green">${ctx.escape(ctx.__("Customer"))}</span>`
			: `<span class="indicator-pill no-indicator-dot gray">${ctx.escape(ctx.__("Not a customer yet"))}</span>`;
		return `<button type="button" class="xero-crm-result" data-contact-id="${ctx.escape(c.contact_id)}">
			<span class="xero-crm-result-name">${ctx.escape(c.name)}</span>${badge}
			${emails ? `<span class="xero-crm-result-emails">${ctx.escape(emails)}</span>` : ""}
		</button>`;
	});
	return `<div class="xero-crm-results">${items.join("")}</div>`;
}

// Before linking by hand: the Xero contact picked, what this record shows now, and which records
// already show that contact's invoices (xero_contact_matches: only those the rep may read), with
// Link and Back. `current`: the names of the Xero contacts this record matches now.
export function render_link_confirm(answer, doctype, current, ctx) {
	ctx = with_ctx(ctx);
	const contact = answer.contact || {};
	const records = answer.records || [];
	const how = (key) => {
		const labels = {
			link: ctx.__("linked by hand"),
			keys: ctx.__("matched automatically"),
			fallback: ctx.__("matched through its customer"),
		};
		return labels[key] || ctx.__(capitalised(key));
	};
	const lines = [];
	lines.push(
		`<p class="xero-crm-confirm-q">${ctx.escape(
			ctx.__("Link this {0} to the Xero contact {1}?", [ctx.__(doctype || "record"), contact.name || ""]),
		)}</p>`,
	);
	if (answer.this_record) {
		lines.push(
			`<p class="text-muted">${ctx.escape(ctx.__("This {0} already shows its invoices.", [ctx.__(doctype || "record")]))}</p>`,
		);
	} else if (current && current.length) {
		lines.push(
			`<p class="text-muted">${ctx.escape(
				ctx.__("It shows the invoices of {0} now; the link replaces that.", [current.join(", ")]),
			)}</p>`,
		);
	}
	if (records.length) {
		const items = records
			.map(
				(r) => `<li><span class="xero-crm-confirm-doctype">${ctx.escape(ctx.__(r.doctype))}</span>
				<span class="xero-crm-confirm-title">${ctx.escape(r.title || r.name)}</span>
				<span class="text-muted">${ctx.escape(how(r.how))}</span></li>`,
			)
			.join("");
		lines.push(
			`<div class="xero-crm-confirm-label">${ctx.escape(
				ctx.__("Already showing {0}'s invoices:", [contact.name || ""]),
			)}</div><ul class="xero-crm-confirm-list">${items}</ul>`,
		);
	} else {
		lines.push(
			`<p class="text-muted">${ctx.escape(ctx.__("No other record you can see shows its invoices yet."))}</p>`,
		);
	}
	if (contact.is_customer === false) {
		lines.push(
			`<p class="text-muted">${ctx.escape(ctx.__("It is not a customer in Xero yet: no sales invoices to show."))}</p>`,
		);
	}
	return `<div class="xero-crm-confirm" data-contact-id="${ctx.escape(contact.contact_id)}">
		${lines.join("")}
		<div class="xero-crm-confirm-actions">
			<button type="button" class="btn btn-primary btn-xs" data-action="confirm-link">${ctx.escape(ctx.__("Link"))}</button>
			<button type="button" class="btn btn-default btn-xs" data-action="back">${ctx.escape(ctx.__("Back"))}</button>
		</div>
	</div>`;
}

// retry: offer "Try again" (not for what would fail the same way again).
export function render_error(message, ctx, retry) {
	ctx = with_ctx(ctx);
	const again =
		retry === false
			? ""
			: `<button type="button" class="btn btn-link btn-xs" data-action="reload">${ctx.escape(ctx.__("Try again"))}</button>`;
	return `<div class="xero-crm-error" role="alert">${ctx.escape(message)}
		${again}</div>`;
}

export function render_loading(ctx) {
	ctx = with_ctx(ctx);
	return `<div class="xero-crm-loading text-muted">${ctx.escape(ctx.__("Loading Xero invoices…"))}</div>`;
}

function decode_entities(text) {
	return text
		.replace(/&lt;/g, "<")
		.replace(/&gt;/g, ">")
		.replace(/&quot;/g, '"')
		.replace(/&#39;/g, "'")
		.replace(/&amp;/g, "&");
}

// A short message from a failed call: the server's own words (frappe.throw), never a traceback.
export function server_message(response, ctx) {
	ctx = with_ctx(ctx);
	let text = "";
	try {
		if (response && response._server_messages) {
			text = JSON.parse(response._server_messages)
				.map((m) => {
					try {
						return JSON.parse(m).message || "";
					} catch (e) {
						return String(m);
					}
				})
				.join(" ");
		} else if (response && typeof response._error_message === "string") {
			text = response._error_message;
		}
	} catch (e) {
		text = "";
	}
	text = decode_entities(String(text).replace(/<[^>]*>/g, " "))
		.replace(/\s+/g, " ")
		.trim();
	if (text.length > 200) text = text.slice(0, 199) + "…";
	return text || ctx.__("Could not reach the server. Try again in a moment.");
}

// Does a realtime change (contact ids) concern the contacts this panel shows?
export function touches(contact_ids, summary) {
	const mine = new Set(((summary && summary.xero_contacts) || []).map((c) => c.contact_id));
	return (contact_ids || []).some((id) => mine.has(id));
}
