"""Background jobs around the connector's sync engine: the initial (full) sync on activation, the
scheduled catch-up, and progress/status an admin can see on Xero Settings. Open forms hear about
changed invoices through `publish_realtime`."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import frappe
from frappe import _
from frappe.query_builder.functions import Count
from frappe.utils import add_to_date, get_datetime, get_system_timezone, now_datetime

from xero_crm.cache import frappe_cache
from xero_crm.connection import DEFAULT_DAILY_BUDGET, make_client
from xero_crm.constants import (
	CATCH_UP_JOB,
	CONTACT,
	CREDIT,
	FULL_SYNC_JOB,
	INVOICE,
	INVOICES_CHANGED,
	ORGANISATION,
	PAYMENT,
	QUARANTINE_TITLE,
	SYNC_PROGRESS,
)
from xero_crm.organisations import active_organisations, get_organisation, is_active
from xero_crm.redis_stores import RedisDayCounter
from xero_crm.settings import require_system_manager, settings
from xero_crm.xero.errors import XeroAuthError, XeroError, XeroRateLimited, XeroTenantChanged
from xero_crm.xero.keys import cache_key
from xero_crm.xero.records import CREDIT_RESOURCES
from xero_crm.xero.status import sync_failure
from xero_crm.xero.sync import HISTORY, OWED, RECENT, Syncer, full_sync_calls, progress_percent

CREDIT_TYPES = tuple(credit_type for credit_type, _id, _number in CREDIT_RESOURCES.values())


def enqueue_full_sync(organisation: str) -> None:
	frappe.enqueue(
		"xero_crm.sync.run_full_sync",
		queue="long",
		timeout=6 * 3600,
		job_id=FULL_SYNC_JOB.format(organisation),
		deduplicate=True,
		organisation=organisation,
	)
	_status(organisation, _("Initial sync queued"))


@frappe.whitelist()
def full_resync_cost(organisation: str) -> dict:
	"""What a Full Resync of one organisation would spend of its day's Xero budget, for the admin
	to decide."""
	require_system_manager()
	org = _organisation_or_throw(organisation)
	budget = int(org.daily_call_budget or DEFAULT_DAILY_BUDGET)
	mine = {"organisation": org.name}
	credits = tuple(frappe.db.count(CREDIT, {**mine, "credit_type": t}) for t in CREDIT_TYPES)
	payments = frappe.qb.DocType(PAYMENT)
	invoices = frappe.qb.DocType(INVOICE)
	payment_count = (
		frappe.qb.from_(payments)
		.join(invoices)
		.on(invoices.name == payments.parent)
		.select(Count("*"))
		.where(invoices.organisation == org.name)
	).run()[0][0]
	calls = full_sync_calls(
		frappe.db.count(CONTACT, mine), frappe.db.count(INVOICE, mine), payment_count, credits=credits
	)
	return {"calls": calls, "budget": budget, "left": max(0, budget - RedisDayCounter(org.name).used())}


@frappe.whitelist(methods=["POST"])
def start_full_resync(organisation: str) -> None:
	require_system_manager()
	org = _organisation_or_throw(organisation)
	if not is_active(org):
		frappe.throw(_("Enable the Xero integration and this organisation first."))
	frappe.db.set_value(ORGANISATION, org.name, "sync_cursor", None)
	enqueue_full_sync(org.name)


def run_full_sync(organisation: str) -> None:
	org = get_organisation(organisation)
	if not is_active(org):
		return

	def progress(phase: str, page: int, pages: int | None):
		percent = progress_percent(phase, page, pages)
		label = phase_label(phase)
		if percent is None:
			message = _("Initial sync: {0}, page {1} stored").format(label, page)
		else:
			message = _("Initial sync: {0}, page {1} of {2} stored ({3}%)").format(
				label, page, pages, percent
			)
		_status(org.name, message)
		frappe.db.commit()  # the form reads the status while the sync runs
		frappe.publish_realtime(
			SYNC_PROGRESS, {"organisation": org.name, "message": message, "percent": percent}
		)

	_run(
		org,
		lambda syncer: syncer.full_sync(),
		progress,
		done=_("Initial sync finished: {0} invoices, {1} contacts synced"),
	)


def phase_label(phase: str) -> str:
	"""A sync phase as the admin reads it; a large organisation's staged phases say what they bring."""
	return {
		OWED: _("invoices owed"),
		RECENT: _("invoices of the last 12 months"),
		HISTORY: _("older invoices (the history, over the next days if today's budget runs out)"),
	}.get(phase) or _(phase)


def catch_up_if_due() -> None:
	"""Scheduler tick: for each active organisation, resume an unfinished initial sync, or enqueue a
	catch-up when the interval set in Xero Settings has passed."""
	interval = max(5, int(settings().sync_interval_minutes or 30))
	for org in active_organisations():
		if org.sync_cursor:  # an unfinished full sync resumes before anything else
			enqueue_full_sync(org.name)
			continue
		last = org.last_sync_at
		if last and get_datetime(last) > add_to_date(now_datetime(), minutes=-interval):
			continue
		enqueue_catch_up(org.name)


def enqueue_catch_up(organisation: str) -> None:
	frappe.enqueue(
		"xero_crm.sync.run_catch_up",
		queue="short",
		job_id=CATCH_UP_JOB.format(organisation),
		deduplicate=True,
		organisation=organisation,
	)


def enqueue_activation(org) -> str:
	"""An organisation starts syncing (the integration enabled, the organisation connected or
	re-enabled): a cache already holding it needs only what changed; else the initial sync."""
	if org.last_sync_at and not org.sync_cursor:
		enqueue_catch_up(org.name)
		return "catch_up"
	enqueue_full_sync(org.name)
	return "full_sync"


def run_catch_up(organisation: str) -> None:
	org = get_organisation(organisation)
	if not is_active(org):
		return
	if not org.last_sync_at:
		enqueue_full_sync(org.name)
		return
	since = _utc_from_local(get_datetime(org.last_sync_at))
	_run(org, lambda syncer: syncer.catch_up(since))


def _run(org, work, progress=None, done: str | None = None) -> None:
	"""Run one organisation's sync and leave its outcome in its status. `done` words a finished sync
	(with the invoices and contacts it wrote); a catch-up says what changed. Another organisation's
	failure never touches this one: each has its own client, tokens, budget and cursor."""
	cache = frappe_cache(org.name)
	try:
		syncer = Syncer(make_client(org), cache, progress)
		report = work(syncer)
	except XeroError as e:
		frappe.db.rollback()  # the page in flight; committed pages and the cursor stay
		if frappe.db.exists(ORGANISATION, org.name):  # not removed meanwhile
			_status(org.name, sync_failure(e, resumable=bool(cache.load_cursor())))
		if not isinstance(e, XeroAuthError | XeroRateLimited | XeroTenantChanged):
			frappe.log_error(title="Xero sync failed", message=f"{org.organisation_name}: {e}")
		frappe.db.commit()
		return
	except Exception:
		frappe.db.rollback()
		frappe.log_error(title="Xero sync failed")  # with the traceback, for whoever fixes it
		_status(
			org.name,
			_(
				"Failed with an unexpected error (see Error Log). It resumes where it stopped at the next catch-up."
			),
		)
		frappe.db.commit()
		return
	status = (done or _("Up to date ({0} invoices, {1} contacts changed)")).format(
		report.invoices, report.contacts
	)
	if cache.quarantined:
		status += " " + quarantine_note(cache.quarantined, org.name)
	mine = {"organisation": org.name}
	frappe.db.set_value(
		ORGANISATION,
		org.name,
		{
			"last_sync_at": str(_local_naive(report.started_at)),
			"sync_status": status,
			"invoice_count": frappe.db.count(INVOICE, mine),
			"contact_count": frappe.db.count(CONTACT, mine),
		},
	)
	frappe.db.commit()
	publish_changes(report.contact_ids)
	frappe.publish_realtime(
		SYNC_PROGRESS, {"organisation": org.name, "message": status, "percent": 100, "done": True}
	)


def _organisation_or_throw(organisation: str):
	org = get_organisation(organisation) if isinstance(organisation, str) else None
	if not org:
		frappe.throw(_("Unknown Xero organisation."), frappe.DoesNotExistError)
	return org


def quarantine_note(quarantined, organisation: str) -> str:
	"""Records Xero sent that the cache could not hold: named in the status, each logged once (by the
	name its row would have had: the same id in another organisation is another record)."""
	for q in quarantined:
		name = cache_key(organisation, q.xero_id)
		if not frappe.db.exists("Error Log", {"method": QUARANTINE_TITLE, "reference_name": name}):
			frappe.log_error(
				title=QUARANTINE_TITLE,
				message=f"Xero {q.kind} {q.xero_id} of organisation {organisation} was not cached: {q.reason}.",
				reference_name=name,
			)
	shown = ", ".join(f"{q.kind} {q.xero_id}" for q in quarantined[:5])
	more = _(" and {0} more").format(len(quarantined) - 5) if len(quarantined) > 5 else ""
	return _("{0} record(s) could not be stored and were skipped: {1}{2} (see Error Log).").format(
		len(quarantined), shown, more
	)


def publish_changes(contact_ids) -> None:
	"""Tell every open panel which Xero contacts changed; a panel showing one of them re-renders."""
	ids = sorted(contact_ids)
	for start in range(0, len(ids), 500):
		frappe.publish_realtime(
			INVOICES_CHANGED, {"contact_ids": ids[start : start + 500]}, after_commit=True
		)


def _status(organisation: str, message: str) -> None:
	frappe.db.set_value(ORGANISATION, organisation, "sync_status", message)


def _utc_from_local(value: datetime) -> datetime:
	return value.replace(tzinfo=ZoneInfo(get_system_timezone())).astimezone(UTC)


def _local_naive(value: datetime) -> datetime:
	"""Datetime fields hold the site's local time, without a zone."""
	return value.astimezone(ZoneInfo(get_system_timezone())).replace(tzinfo=None)
