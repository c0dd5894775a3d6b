// Xero invoices panel shared by the Contact, Customer and Opportunity forms.
//
// Two halves:
//  (a) pure rendering: data in, HTML string out. Every value from Xero or the user is escaped, money goes
//      through an injected formatter and labels through __(). Node tests require these directly.
//  (b) Frappe wiring: xero_crm.panel.attach(frm), called from each form's refresh, owns the state, the
//      server calls and the DOM events.
// A plain browser script (loaded by app_include_js), wrapped so nothing but `xero_crm` leaks into window.
(function () {
	"use strict";

	const VIEWS = ["open", "unpaid", "overdue", "paid", "pinned", "all"];
	const DEFAULT_VIEW = "open";
	const PAGE_LENGTH = 20;
	const MAX_PAGE_LENGTH = 100; // the server refuses more in one call
	const METHOD = "xero_crm.api.";

	// ------------------------------------------------------------------------------------------------
	// (a) Pure rendering
	// ------------------------------------------------------------------------------------------------

	const HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#x60;" };

	function escape_html(value) {
		if (value === null || value === undefined) return "";
		return String(value).replace(/[&<>"'`]/g, (ch) => HTML_ESCAPES[ch]);
	}

	// Frappe's __ without its translation table: substitutes {0}, {1}, ...
	function identity_translate(text, args) {
		if (!args) return text;
		return String(text).replace(/\{(\d+)\}/g, (m, i) => (args[i] === undefined ? m : args[i]));
	}

	function fallback_currency(value, currency) {
		const n = Number(value || 0).toLocaleString("en-US", {
			minimumFractionDigits: 2,
			maximumFractionDigits: 2,
		});
		return currency ? `${currency} ${n}` : n;
	}

	const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

	function fallback_date(iso) {
		const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
		return m ? `${m[3]} ${MONTHS[Number(m[2]) - 1]} ${m[1]}` : iso || "";
	}

	// "YYYY-MM-DD HH:MM:SS" (server time) to "N minutes ago", relative to `now` (a Date).
	function relative_time(stamp, now) {
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

	// Today as YYYY-MM-DD in the browser's own time zone.
	function local_today() {
		const d = new Date();
		const p = (n) => String(n).padStart(2, "0");
		return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
	}

	// The helpers rendering needs, from Frappe when present, else plain fallbacks (node, harness).
	function default_ctx() {
		const g = typeof window !== "undefined" ? window : globalThis;
		const f = g.frappe || {};
		const esc = f.utils && f.utils.escape_html;
		const dt = f.datetime || {};
		return {
			__: typeof g.__ === "function" ? g.__ : identity_translate,
			// Frappe's escape_html returns "" for 0: stringify first.
			escape: esc ? (v) => (v === null || v === undefined ? "" : esc(String(v))) : escape_html,
			format_currency: typeof g.format_currency === "function" ? g.format_currency : fallback_currency,
			format_date: dt.str_to_user ? (d) => (d ? dt.str_to_user(d) : "") : fallback_date,
			when: dt.prettyDate ? (s) => dt.prettyDate(s) : (s) => relative_time(s),
			// the user's today (Frappe applies the user's time zone), as YYYY-MM-DD
			today: dt.get_today ? () => dt.get_today() : local_today,
		};
	}

	function with_ctx(ctx) {
		return Object.assign(default_ctx(), ctx || {});
	}

	// Labels are literal __() calls (through ctx) so Frappe's translation extractor finds them.
	function view_label(view, ctx) {
		return {
			open: ctx.__("Open"),
			unpaid: ctx.__("Unpaid"),
			overdue: ctx.__("Overdue"),
			paid: ctx.__("Paid"),
			pinned: ctx.__("Pinned"),
			all: ctx.__("All"),
		}[view];
	}

	// Xero's statuses as the server names them in display_status.
	function status_label(word, ctx) {
		const labels = {
			Paid: ctx.__("Paid"),
			Open: ctx.__("Open"),
			Overdue: ctx.__("Overdue"),
			Draft: ctx.__("Draft"),
			Submitted: ctx.__("Submitted"),
			Authorised: ctx.__("Authorised"),
			Voided: ctx.__("Voided"),
			Deleted: ctx.__("Deleted"),
		};
		return labels[word] || word;
	}

	// Frappe may render NZD and USD both as "$": show the ISO code, then the number in the user's
	// number format (the formatter's output without its symbol).
	function amount_text(value, currency, ctx) {
		const formatted = String(ctx.format_currency(Number(value || 0), currency) || "");
		const bare = formatted.replace(/^[^\d\-−(]+/, "").replace(/[^\d)]+$/, "");
		return bare || formatted;
	}

	function money_html(value, currency, ctx) {
		ctx = with_ctx(ctx);
		const code = currency ? `<span class="xero-crm-ccy">${ctx.escape(currency)}</span> ` : "";
		return `<span class="xero-crm-money">${code}<span class="xero-crm-amt">${ctx.escape(
			amount_text(value, currency, ctx),
		)}</span></span>`;
	}

	// Links only to http(s): a `javascript:` URL must never become a link.
	function safe_url(url) {
		return /^https?:\/\//i.test(String(url || "")) ? String(url) : "";
	}

	function base_status(inv) {
		return String((inv && inv.display_status) || "").split(" · ")[0];
	}

	// Sales invoices (ACCREC) that are authorised or paid make the totals; bills, drafts, submitted,
	// voided and deleted invoices are listed but count in no total.
	function counts_in_totals(inv) {
		return inv.type === "ACCREC" && (inv.status === "AUTHORISED" || inv.status === "PAID");
	}

	function status_color(inv) {
		if (inv.type === "ACCPAY") return "gray"; // a bill: what we owe, not what the customer owes
		if (inv.status === "PAID") return "green";
		if (base_status(inv) === "Overdue") return "red";
		if (inv.status === "AUTHORISED") return "blue";
		return "gray"; // drafts, submitted, voided: in no total
	}

	// The server sends English ("Paid · 3 instalments"): translate each part. A bill says so first
	// ("Bill · Open"), so it is never read as money the customer owes.
	function status_text(inv, ctx) {
		const parts = String(inv.display_status || inv.status || "")
			.split(" · ")
			.map((part, i) => {
				const count = /^(\d+) instalments$/.exec(part);
				if (count) return ctx.__("{0} instalments", [count[1]]);
				return i === 0 ? status_label(part, ctx) : part;
			});
		if (inv.type === "ACCPAY") parts.unshift(ctx.__("Bill"));
		return parts.join(" · ");
	}

	function type_label(type, ctx) {
		if (type === "ACCREC") return ctx.__("Sales invoice");
		if (type === "ACCPAY") return ctx.__("Bill");
		return type || "";
	}

	function is_unpaid(inv) {
		return inv.status === "AUTHORISED" && Number(inv.amount_due) > 0;
	}

	function contact_names(summary) {
		return (summary.xero_contacts || []).map((c) => c.name).filter(Boolean);
	}

	function linked_by_user(summary) {
		return (summary.xero_contacts || []).some((c) => c.how === "link");
	}

	// " · Acme Widgets Ltd" for the section head that Frappe draws from the label "Xero invoices".
	function render_title_suffix(summary, ctx) {
		ctx = with_ctx(ctx);
		const names = contact_names(summary || {});
		return names.length ? ` · ${ctx.escape(names.join(", "))}` : "";
	}

	const ICONS = {
		refresh:
			'<svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M21 12a9 9 0 1 1-9-9c2.52 0 4.93 1 6.74 2.74L21 8"/><path d="M21 3v5h-5"/></svg>',
		pin: '<svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M12 17v5"/><path d="M9 10.76a2 2 0 0 1-1.11 1.79l-1.78.9A2 2 0 0 0 5 15.24V17h14v-1.76a2 2 0 0 0-1.11-1.79l-1.78-.9A2 2 0 0 1 15 10.76V7a1 1 0 0 1 1-1 2 2 0 0 0 0-4H8a2 2 0 0 0 0 4 1 1 0 0 1 1 1z"/></svg>',
	};

	// Under the section head: which organisation, how the match was made, when we last synced.
	function render_header(summary, ctx) {
		ctx = with_ctx(ctx);
		const left = [];
		if (summary.organisation_name) {
			left.push(ctx.escape(ctx.__("Xero organisation: {0}", [summary.organisation_name])));
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

	function total_lines(totals, key, ctx) {
		const rows = (totals || []).filter((row) => key !== "overdue" || Number(row.overdue) > 0);
		if (!rows.length) return `<div class="xero-crm-total-none">—</div>`;
		return rows
			.map(
				(row) => `<div class="xero-crm-total-line">
					<span class="xero-crm-ccy">${ctx.escape(row.currency)}</span>
					<span class="xero-crm-amt">${ctx.escape(amount_text(row[key], row.currency, ctx))}</span>
				</div>`,
			)
			.join("");
	}

	// One line per currency in each box; currencies are never added together.
	function render_totals(totals, ctx) {
		ctx = with_ctx(ctx);
		const box = (
			key,
			label,
			hint,
			extra,
			note,
		) => `<button type="button" class="xero-crm-total ${extra || ""}"
				data-action="view" data-view="${key}" title="${ctx.escape(hint)}">
				<div class="xero-crm-total-label">${ctx.escape(label)}</div>
				${total_lines(totals, key, ctx)}
				${note ? `<div class="xero-crm-total-note">${ctx.escape(note)}</div>` : ""}
			</button>`;
		const any_overdue = (totals || []).some((row) => Number(row.overdue) > 0);
		// Total paid adds what was paid on every sales invoice, part-payments on unpaid ones too, so
		// it can be more than the Paid list (fully paid invoices) adds up to.
		return `<div class="xero-crm-totals">
			${box(
				"paid",
				ctx.__("Total paid"),
				ctx.__("Show paid invoices"),
				"",
				ctx.__("incl. part-payments on unpaid invoices"),
			)}
			${box("unpaid", ctx.__("Total unpaid"), ctx.__("Show unpaid invoices"))}
			${any_overdue ? box("overdue", ctx.__("Overdue"), ctx.__("Show overdue invoices"), "is-overdue") : ""}
		</div>`;
	}

	function render_views(counts, active, ctx) {
		ctx = with_ctx(ctx);
		counts = counts || {};
		const buttons = VIEWS.map((view) => {
			const on = view === active;
			const n = Number(counts[view] || 0);
			const alert = view === "overdue" && n > 0 ? " has-alert" : "";
			return `<button type="button" class="xero-crm-view${on ? " active" : ""}${alert}" data-action="view"
				data-view="${view}" aria-pressed="${on}">${ctx.escape(view_label(view, ctx))}<span class="xero-crm-count">${ctx.escape(
					n,
				)}</span></button>`;
		});
		return `<div class="xero-crm-views" role="group" aria-label="${ctx.escape(ctx.__("Saved views"))}">${buttons.join(
			"",
		)}</div>`;
	}

	function render_filters(filters, ctx) {
		ctx = with_ctx(ctx);
		filters = filters || {};
		// a native date input (YYYY-MM-DD); in the desk the wiring swaps in a Frappe Date control, which
		// reads and shows the user's date format
		const date_input = (name, label, value) => `<label class="xero-crm-date">${ctx.escape(label)}
				<span class="xero-crm-date-slot" data-fieldname="${name}"><input type="date" name="${name}" class="form-control input-xs" value="${ctx.escape(
					value || "",
				)}" aria-label="${ctx.escape(label)}"></span></label>`;
		const any = Boolean(filters.search || filters.from_date || filters.to_date);
		// a div, not a <form>: Frappe wraps form columns in <form>, and nested forms are dropped
		return `<div class="xero-crm-filters" role="search">
			<input type="search" name="search" class="form-control input-xs xero-crm-search" maxlength="100"
				placeholder="${ctx.escape(ctx.__("Invoice no. or reference"))}" aria-label="${ctx.escape(ctx.__("Search invoice number or reference"))}" value="${ctx.escape(filters.search || "")}">
			${date_input("from_date", ctx.__("From"), filters.from_date)}
			${date_input("to_date", ctx.__("To"), filters.to_date)}
			<button type="button" class="btn btn-default btn-xs" data-action="apply">${ctx.escape(ctx.__("Apply"))}</button>
			<button type="button" class="btn btn-link btn-xs xero-crm-clear${any ? "" : " hidden"}"
				data-action="clear">${ctx.escape(ctx.__("Clear"))}</button>
		</div>`;
	}

	function render_pin(inv, ctx) {
		const label = inv.pinned ? ctx.__("Unpin {0}", [inv.invoice_number || ""]) : ctx.__("Pin to this record");
		return `<button type="button" class="xero-crm-pin${inv.pinned ? " is-pinned" : ""}" data-action="pin"
			aria-pressed="${Boolean(inv.pinned)}" title="${ctx.escape(label)}" aria-label="${ctx.escape(label)}">${
				ICONS.pin
			}</button>`;
	}

	// "#1 · 05 Nov 2026 · NZD 200.00 · DD-3341", shown on hover and on keyboard focus.
	function render_payments(inv, ctx) {
		ctx = with_ctx(ctx);
		const payments = inv.payments || [];
		if (payments.length < 2) return "";
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

	// Under the date of an unpaid invoice: its due date, red once overdue; "due today" in amber on the
	// day it falls due (still Open, not yet Overdue).
	function render_due(inv, ctx) {
		if (!is_unpaid(inv) || !inv.due_date) return "";
		const late = status_color(inv) === "red";
		if (!late && counts_in_totals(inv) && inv.due_date === ctx.today()) {
			return `<div class="xero-crm-sub is-due-today">${ctx.escape(ctx.__("due today"))}</div>`;
		}
		return `<div class="xero-crm-sub${late ? " is-late" : ""}">${ctx.escape(
			ctx.__("due {0}", [ctx.format_date(inv.due_date)]),
		)}</div>`;
	}

	function render_invoice_row(inv, ctx) {
		ctx = with_ctx(ctx);
		const url = safe_url(inv.url);
		const number = inv.invoice_number
			? ctx.escape(inv.invoice_number)
			: `<span class="text-muted">${ctx.escape(ctx.__("(no number)"))}</span>`;
		const link = url
			? `<a class="xero-crm-number" href="${ctx.escape(url)}" target="_blank" rel="noopener noreferrer"
				title="${ctx.escape(ctx.__("Open in Xero (new tab)"))}">${number}</a>`
			: `<span class="xero-crm-number">${number}</span>`;
		const reference = inv.reference ? `<div class="xero-crm-sub">${ctx.escape(inv.reference)}</div>` : "";
		// bills, drafts, voided…: amounts in grey, since they are in no total
		const counted = counts_in_totals(inv);
		const num = (extra) =>
			counted
				? `class="xero-crm-num${extra}"`
				: `class="xero-crm-num${extra} is-muted" title="${ctx.escape(ctx.__("Not counted in the totals"))}"`;
		return `<tr class="xero-crm-row${counted ? "" : " is-uncounted"}" data-invoice-id="${ctx.escape(inv.invoice_id)}">
			<td class="xero-crm-pin-cell">${render_pin(inv, ctx)}</td>
			<td>${link}${reference}</td>
			<td class="xero-crm-nowrap">${ctx.escape(ctx.format_date(inv.date))}${render_due(inv, ctx)}</td>
			<td class="xero-crm-type">${ctx.escape(type_label(inv.type, ctx))}</td>
			<td ${num(Number(inv.amount_due) ? "" : " is-zero")}>${money_html(inv.amount_due, inv.currency, ctx)}</td>
			<td ${num("")}>${money_html(inv.total, inv.currency, ctx)}</td>
			<td class="xero-crm-status-cell"><span class="indicator-pill no-indicator-dot ${status_color(
				inv,
			)} xero-crm-status">${ctx.escape(status_text(inv, ctx))}</span>${render_payments(inv, ctx)}</td>
		</tr>`;
	}

	function empty_view_message(view, filtered, ctx) {
		const messages = {
			open: ctx.__("No open invoices"),
			unpaid: ctx.__("No unpaid invoices"),
			overdue: ctx.__("No overdue invoices"),
			paid: ctx.__("No paid invoices"),
			pinned: ctx.__("No pinned invoices. Pin one with its pin icon to keep it here."),
			all: ctx.__("No invoices"),
		};
		const base = messages[view] || messages.all;
		return filtered ? ctx.__("{0} match this search and dates.", [base]) : base;
	}

	// The list area: rows, "Showing n of N" and Load more, or what an empty view means.
	function render_list(list, ctx) {
		ctx = with_ctx(ctx);
		const invoices = list.invoices || [];
		if (!invoices.length) {
			return `<div class="xero-crm-empty-view">${ctx.escape(
				empty_view_message(list.view, list.filtered, ctx),
			)}</div>`;
		}
		const head = [
			"",
			ctx.__("Invoice"),
			ctx.__("Date"),
			ctx.__("Type"),
			ctx.__("Balance"),
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
		return `<table class="xero-crm-table">
				<colgroup>${cols}</colgroup>
				<thead><tr>${head}</tr></thead>
				<tbody>${invoices.map((inv) => render_invoice_row(inv, ctx)).join("")}</tbody>
			</table>
			<div class="xero-crm-footer">
				<span class="xero-crm-shown">${ctx.escape(ctx.__("Showing {0} of {1}", [invoices.length, total]))}</span>${more}
			</div>`;
	}

	// What the rep can do when there is nothing to list; null when the panel can show invoices.
	function render_empty_state(summary, doctype, ctx) {
		ctx = with_ctx(ctx);
		const box = (body) => `<div class="xero-crm-empty">${body}</div>`;
		if (!summary.connected) {
			const action = summary.is_admin
				? `<a class="btn btn-default btn-xs" href="/app/xero-settings">${ctx.escape(ctx.__("Connect Xero in Xero Settings"))}</a>`
				: `<span class="text-muted">${ctx.escape(ctx.__("Ask your administrator to connect Xero."))}</span>`;
			return box(`<p>${ctx.escape(ctx.__("Xero is not connected yet."))}</p>${action}`);
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

	// The sidebar's few lines: totals per currency, the overdue count, when we last synced.
	function render_sidebar(summary, ctx) {
		ctx = with_ctx(ctx);
		const lines = [];
		const totals = summary.totals || [];
		// one group per measure, one line per currency, as in the panel's boxes
		for (const [key, label, hint] of [
			["paid", ctx.__("Paid"), ctx.__("incl. part-payments on unpaid invoices")],
			["unpaid", ctx.__("Unpaid"), ""],
		]) {
			totals.forEach((row, i) => {
				const head =
					i === 0
						? `<span class="xero-crm-side-label"${hint ? ` title="${ctx.escape(hint)}"` : ""}>${ctx.escape(label)}</span>`
						: "";
				// the label wraps above the amount where the sidebar is too narrow for both on one line
				lines.push(
					`<div class="xero-crm-side-line${i === 0 ? " is-group" : ""}">${head}${money_html(
						row[key],
						row.currency,
						ctx,
					)}</div>`,
				);
			});
		}
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

	// Results of the "Link Xero contact" search, each a button carrying the contact id.
	function render_contact_results(results, text, ctx) {
		ctx = with_ctx(ctx);
		if (!text || String(text).trim().length < 2) {
			return `<div class="text-muted small">${ctx.escape(ctx.__("Type at least 2 characters of a name or email."))}</div>`;
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

	function render_error(message, ctx) {
		ctx = with_ctx(ctx);
		return `<div class="xero-crm-error" role="alert">${ctx.escape(message)}
			<button type="button" class="btn btn-link btn-xs" data-action="reload">${ctx.escape(ctx.__("Try again"))}</button></div>`;
	}

	function render_loading(ctx) {
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
	function server_message(response, ctx) {
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
	function touches(contact_ids, summary) {
		const mine = new Set(((summary && summary.xero_contacts) || []).map((c) => c.contact_id));
		return (contact_ids || []).some((id) => mine.has(id));
	}

	// ------------------------------------------------------------------------------------------------
	// (b) Frappe wiring
	// ------------------------------------------------------------------------------------------------

	const panels = new Map(); // frm -> state of the panel currently on that form
	let realtime_bound = false;

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
				reject(new Error(server_message(r || last)));
			};
			frappe.call({
				method: METHOD + method,
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

	function attach(frm) {
		const side_host = sidebar_host(frm);
		// frm is reused across records: never show the last one's panel or totals
		remove_panel(frm);
		remove_sidebar(side_host);
		if (frm.is_new()) return;
		bind_realtime();
		const body = to_element(
			frm.dashboard.add_section(render_loading(), __("Xero invoices"), "custom xero-crm-section"),
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
			invoices: [],
			total_count: 0,
			seq: 0,
			busy: false,
			again: false,
		};
		panels.set(frm, state);
		body.addEventListener("click", (e) => on_click(state, e));
		body.addEventListener("keydown", (e) => on_keydown(state, e));
		load(state, { reset: true });
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

	function list_args(state, start, page_length) {
		return args_of(state, {
			view: state.view,
			search: state.filters.search || null,
			from_date: state.filters.from_date || null,
			to_date: state.filters.to_date || null,
			start,
			page_length,
		});
	}

	// Rows [0, count) of the current view, in pages the server accepts.
	async function fetch_rows(state, count) {
		let invoices = [];
		let total = 0;
		do {
			const size = Math.min(MAX_PAGE_LENGTH, Math.max(PAGE_LENGTH, count - invoices.length));
			const r = await server_call("get_invoices", list_args(state, invoices.length, size));
			invoices = invoices.concat(r.invoices || []);
			total = r.total_count || 0;
			if (!(r.invoices || []).length) break;
		} while (invoices.length < Math.min(count, total));
		return { invoices, total };
	}

	// Summary and list together. reset: a new view/filter (first page); else keep what is loaded.
	async function load(state, opts) {
		if (state.busy) {
			state.again = true; // a burst of realtime events becomes one more reload
			return;
		}
		state.busy = true;
		const seq = ++state.seq;
		const keep = opts && opts.reset ? PAGE_LENGTH : Math.max(PAGE_LENGTH, state.invoices.length);
		mark_loading(state, true);
		try {
			const summary = await server_call("get_summary", args_of(state));
			const rows =
				summary.connected && summary.matched && summary.is_customer
					? await fetch_rows(state, keep)
					: { invoices: [], total: 0 };
			if (!alive(state)) return;
			if (seq !== state.seq && state.summary) {
				// the rep switched view meanwhile: keep the new list, take the fresh totals and counts
				state.summary = summary;
				paint_top(state);
				return;
			}
			state.summary = summary;
			state.invoices = rows.invoices;
			state.total_count = rows.total;
			paint(state);
		} catch (err) {
			if (alive(state)) show_error(state, err);
		} finally {
			state.busy = false;
			mark_loading(state, false);
			if (state.again && alive(state)) {
				state.again = false;
				load(state);
			}
		}
	}

	async function load_list(state) {
		const seq = ++state.seq;
		mark_loading(state, true);
		try {
			const rows = await fetch_rows(state, PAGE_LENGTH);
			if (!alive(state) || seq !== state.seq) return;
			state.invoices = rows.invoices;
			state.total_count = rows.total;
			paint_top(state);
			paint_list(state);
		} catch (err) {
			if (alive(state)) show_error(state, err);
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
		const empty = render_empty_state(s, state.doctype);
		if (empty) {
			dispose(state);
			state.body.innerHTML = `<div class="xero-crm-panel">${empty}</div>`;
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
			<div class="xero-crm-bar"><div class="xero-crm-views-slot"></div>${render_filters(state.filters)}</div>
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
			state.body.querySelector(".xero-crm-filters").outerHTML = render_filters(state.filters);
			return null;
		}
		return controls;
	}

	// YYYY-MM-DD from a date filter, or "" when empty. Throws when the rep typed something that is not
	// a date, with a message saying so.
	function date_value(state, fieldname) {
		const control = state.date_controls && state.date_controls[fieldname];
		let value;
		let typed;
		if (control) {
			typed = String(control.get_input_value ? control.get_input_value() || "" : "").trim();
			value = typed ? control.get_value() : "";
		} else {
			const input = state.body.querySelector(`.xero-crm-filters [name="${fieldname}"]`);
			typed = input ? input.value.trim() : "";
			value = typed;
		}
		value = String(value || "").trim();
		if (value && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
			throw new Error(__("{0} is not a date.", [typed || value]));
		}
		return typed ? value : "";
	}

	function clear_filter_inputs(state) {
		const search = state.body.querySelector(".xero-crm-filters .xero-crm-search");
		if (search) search.value = "";
		if (state.date_controls) {
			for (const control of Object.values(state.date_controls)) control.set_input("");
		} else {
			state.body.querySelectorAll(".xero-crm-date-slot input").forEach((input) => (input.value = ""));
		}
	}

	function paint_top(state) {
		const s = state.summary;
		const top = state.body.querySelector(".xero-crm-top");
		const views = state.body.querySelector(".xero-crm-views-slot");
		if (top) top.innerHTML = render_header(s) + render_totals(s.totals);
		if (views) views.innerHTML = render_views(s.counts, state.view);
	}

	function paint_list(state) {
		const list = state.body.querySelector(".xero-crm-list");
		const message = state.body.querySelector(".xero-crm-message");
		if (message) message.innerHTML = "";
		const f = state.filters;
		if (list) {
			list.innerHTML = render_list({
				view: state.view,
				invoices: state.invoices,
				total_count: state.total_count,
				filtered: Boolean(f.search || f.from_date || f.to_date),
			});
		}
		const clear = state.body.querySelector(".xero-crm-clear");
		if (clear) clear.classList.toggle("hidden", !(f.search || f.from_date || f.to_date));
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
		names.innerHTML = render_title_suffix(summary);
	}

	// describe(reason): what failed, in the rep's words; by default loading the panel.
	function show_error(state, err, describe) {
		const reason = (err && err.message) || server_message(null);
		const text = describe ? describe(reason) : __("Could not load Xero invoices: {0}", [reason]);
		const slot = state.body.querySelector(".xero-crm-message");
		if (slot) slot.innerHTML = render_error(text);
		else state.body.innerHTML = `<div class="xero-crm-panel">${render_error(text)}</div>`;
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
		wrap.innerHTML = render_sidebar(state.summary);
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
		if (!target || !state.body.contains(target)) return;
		const action = target.getAttribute("data-action");
		if (action === "view") {
			state.view = target.getAttribute("data-view") || DEFAULT_VIEW;
			load_list(state);
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
		}
	}

	// Search and dates apply together, from Apply or Enter in any of them.
	function apply_filters(state) {
		const search = state.body.querySelector(".xero-crm-filters .xero-crm-search");
		let from_date;
		let to_date;
		try {
			from_date = date_value(state, "from_date");
			to_date = date_value(state, "to_date");
		} catch (err) {
			show_error(state, err, (reason) => reason);
			return;
		}
		for (const control of Object.values(state.date_controls || {})) {
			if (control.datepicker && control.datepicker.hide) control.datepicker.hide();
		}
		state.filters = { search: search ? search.value.trim() : "", from_date, to_date };
		load_list(state);
	}

	function on_keydown(state, e) {
		if (e.key === "Enter" && e.target.closest(".xero-crm-filters")) {
			e.preventDefault();
			apply_filters(state);
		} else if (e.key === "Escape") {
			state.body
				.querySelectorAll(".xero-crm-payments.is-open")
				.forEach((el) => el.classList.remove("is-open"));
		}
	}

	// Optimistic: flip at once, undo if the server says no.
	async function toggle_pin(state, invoice_id) {
		const inv = state.invoices.find((i) => i.invoice_id === invoice_id);
		if (!inv) return;
		const pin = !inv.pinned;
		const apply = (on) => {
			inv.pinned = on;
			if (state.summary && state.summary.counts) {
				state.summary.counts.pinned = Math.max(0, (state.summary.counts.pinned || 0) + (on ? 1 : -1));
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
				pin
					? __("Could not pin the invoice: {0}", [reason])
					: __("Could not unpin the invoice: {0}", [reason]),
			);
		}
	}

	function confirm_unlink(state) {
		const names = contact_names(state.summary || {}).join(", ");
		frappe.confirm(
			__("Stop showing the invoices of {0} here? Automatic matching applies again.", [
				frappe.utils.escape_html(names),
			]),
			() =>
				server_call("unlink_xero_contact", args_of(state))
					.then(() => load(state, { reset: true }))
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
					description: __("Name or email, as in Xero"),
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
				results.innerHTML = render_contact_results([], text);
				return;
			}
			server_call("search_xero_contacts", args_of(state, { text }))
				.then((rows) => {
					if (mine === seq) results.innerHTML = render_contact_results(rows, text);
				})
				.catch((err) => {
					if (mine === seq) results.innerHTML = render_error(err.message);
				});
		};
		// wait for a pause in typing: one search per word, not per key
		input.addEventListener("input", () => {
			clearTimeout(timer);
			timer = setTimeout(search, 250);
		});
		results.addEventListener("click", (e) => {
			const pick = e.target.closest("[data-contact-id]");
			if (!pick) return;
			pick.disabled = true;
			server_call("link_xero_contact", args_of(state, { contact_id: pick.getAttribute("data-contact-id") }))
				.then(() => {
					dialog.hide();
					load(state, { reset: true });
				})
				.catch((err) => {
					pick.disabled = false;
					results.insertAdjacentHTML("afterbegin", render_error(err.message));
				});
		});
		results.innerHTML = render_contact_results([], "");
		dialog.show();
	}

	// One listener for the whole desk; each event reloads, in place, the panels it concerns.
	function bind_realtime() {
		if (realtime_bound || !frappe.realtime || !frappe.realtime.on) return;
		realtime_bound = true;
		frappe.realtime.on("xero_crm_invoices_changed", (data) => {
			for (const [frm, state] of panels) {
				if (!state.body.isConnected) {
					panels.delete(frm);
				} else if (state.summary && touches(data && data.contact_ids, state.summary)) {
					load(state);
				}
			}
		});
	}

	const pure = {
		escape_html,
		identity_translate,
		relative_time,
		default_ctx,
		amount_text,
		money_html,
		safe_url,
		status_color,
		status_text,
		type_label,
		render_title_suffix,
		render_header,
		render_totals,
		render_views,
		render_filters,
		render_payments,
		render_invoice_row,
		render_list,
		render_empty_state,
		render_sidebar,
		render_contact_results,
		render_error,
		server_message,
		empty_view_message: (view, filtered, ctx) => empty_view_message(view, filtered, with_ctx(ctx)),
		touches,
		VIEWS,
	};

	if (typeof module !== "undefined" && module.exports) {
		module.exports = pure;
	}
	if (typeof window !== "undefined") {
		window.xero_crm = window.xero_crm || {};
		window.xero_crm.panel = Object.assign({ attach }, pure);
	}
})();
