"""Background jobs around the connector's sync engine: the initial (full) sync on activation, the
scheduled catch-up, and progress/status an admin can see on Xero Settings. Open forms hear about
changed invoices through `publish_realtime`."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import frappe
from frappe import _
from frappe.utils import add_to_date, get_datetime, get_system_timezone, now_datetime

from xero_crm.cache import frappe_cache
from xero_crm.connection import make_client
from xero_crm.constants import (
	CATCH_UP_JOB,
	CONTACT,
	CREDIT,
	FULL_SYNC_JOB,
	INVOICE,
	INVOICES_CHANGED,
	PAYMENT,
	QUARANTINE_TITLE,
	SETTINGS,
	SYNC_PROGRESS,
)
from xero_crm.redis_stores import RedisDayCounter
from xero_crm.settings import is_active, require_system_manager, settings
from xero_crm.xero.errors import XeroAuthError, XeroError, XeroRateLimited, XeroTenantChanged
from xero_crm.xero.records import CREDIT_RESOURCES
from xero_crm.xero.status import sync_failure
from xero_crm.xero.sync import Syncer, full_sync_calls, progress_percent

CREDIT_TYPES = tuple(credit_type for credit_type, _id, _number in CREDIT_RESOURCES.values())


def enqueue_full_sync() -> None:
	frappe.enqueue(
		"xero_crm.sync.run_full_sync", queue="long", timeout=6 * 3600, job_id=FULL_SYNC_JOB, deduplicate=True
	)
	_status(_("Initial sync queued"))


@frappe.whitelist()
def full_resync_cost() -> dict:
	"""What a Full Resync would spend of today's Xero budget, for the admin to decide."""
	require_system_manager()
	current = settings()
	budget = int(current.daily_call_budget or 1000)
	credits = tuple(frappe.db.count(CREDIT, {"credit_type": t}) for t in CREDIT_TYPES)
	calls = full_sync_calls(
		frappe.db.count(CONTACT), frappe.db.count(INVOICE), frappe.db.count(PAYMENT), credits=credits
	)
	return {"calls": calls, "budget": budget, "left": max(0, budget - RedisDayCounter().used())}


@frappe.whitelist(methods=["POST"])
def start_full_resync() -> None:
	require_system_manager()
	if not is_active():
		frappe.throw(_("Enable the Xero integration first."))
	frappe.db.set_single_value(SETTINGS, "sync_cursor", None)
	enqueue_full_sync()


def run_full_sync() -> None:
	if not is_active():
		return

	def progress(phase: str, page: int, pages: int | None):
		percent = progress_percent(phase, page, pages)
		if percent is None:
			message = _("Initial sync: {0}, page {1} stored").format(_(phase), page)
		else:
			message = _("Initial sync: {0}, page {1} of {2} stored ({3}%)").format(
				_(phase), page, pages, percent
			)
		_status(message)
		frappe.db.commit()  # the form reads the status while the sync runs
		frappe.publish_realtime(SYNC_PROGRESS, {"message": message, "percent": percent})

	_run(
		lambda syncer: syncer.full_sync(),
		progress,
		done=_("Initial sync finished: {0} invoices, {1} contacts synced"),
	)


def catch_up_if_due() -> None:
	"""Scheduler tick: enqueue a catch-up when the interval set in Xero Settings has passed."""
	current = settings()
	if not is_active(current):
		return
	if current.sync_cursor:  # an unfinished full sync resumes before anything else
		enqueue_full_sync()
		return
	interval = max(5, int(current.sync_interval_minutes or 30))
	last = current.last_sync_at
	if last and get_datetime(last) > add_to_date(now_datetime(), minutes=-interval):
		return
	enqueue_catch_up()


def enqueue_catch_up() -> None:
	frappe.enqueue("xero_crm.sync.run_catch_up", queue="short", job_id=CATCH_UP_JOB, deduplicate=True)


def run_catch_up() -> None:
	current = settings()
	if not is_active(current):
		return
	if not current.last_sync_at:
		enqueue_full_sync()
		return
	since = _utc_from_local(get_datetime(current.last_sync_at))
	_run(lambda syncer: syncer.catch_up(since))


def _run(work, progress=None, done: str | None = None) -> None:
	"""Run a sync and leave its outcome in Xero Settings' status. `done` words a finished sync
	(with the invoices and contacts it wrote); a catch-up says what changed."""
	cache = frappe_cache()
	syncer = Syncer(make_client(), cache, progress)
	# Stamped before the first page lands: switching organisation mid-sync still empties the cache.
	frappe.db.set_single_value(SETTINGS, "cache_tenant_id", syncer.client.tenant_id)
	try:
		report = work(syncer)
	except XeroError as e:
		frappe.db.rollback()  # the page in flight; committed pages and the cursor stay
		_status(sync_failure(e, resumable=bool(cache.load_cursor())))
		if not isinstance(e, XeroAuthError | XeroRateLimited | XeroTenantChanged):
			frappe.log_error(title="Xero sync failed", message=str(e))
		frappe.db.commit()
		return
	except Exception:
		frappe.db.rollback()
		frappe.log_error(title="Xero sync failed")  # with the traceback, for whoever fixes it
		_status(
			_(
				"Failed with an unexpected error (see Error Log). It resumes where it stopped at the next catch-up."
			)
		)
		frappe.db.commit()
		return
	status = (done or _("Up to date ({0} invoices, {1} contacts changed)")).format(
		report.invoices, report.contacts
	)
	if cache.quarantined:
		status += " " + quarantine_note(cache.quarantined)
	frappe.db.set_single_value(
		SETTINGS,
		{
			"last_sync_at": str(_local_naive(report.started_at)),
			"sync_status": status,
			"invoice_count": frappe.db.count(INVOICE),
			"contact_count": frappe.db.count(CONTACT),
		},
	)
	frappe.db.commit()
	publish_changes(report.contact_ids)
	frappe.publish_realtime(SYNC_PROGRESS, {"message": status, "percent": 100, "done": True})


def quarantine_note(quarantined) -> str:
	"""Records Xero sent that the cache could not hold: named in the status, each logged once."""
	for q in quarantined:
		if not frappe.db.exists("Error Log", {"method": QUARANTINE_TITLE, "reference_name": q.xero_id}):
			frappe.log_error(
				title=QUARANTINE_TITLE,
				message=f"Xero {q.kind} {q.xero_id} was not cached: {q.reason}.",
				reference_doctype=SETTINGS,
				reference_name=q.xero_id,
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


def _status(message: str) -> None:
	frappe.db.set_single_value(SETTINGS, "sync_status", message)


def _utc_from_local(value: datetime) -> datetime:
	return value.replace(tzinfo=ZoneInfo(get_system_timezone())).astimezone(UTC)


def _local_naive(value: datetime) -> datetime:
	"""Datetime fields hold the site's local time, without a zone."""
	return value.astimezone(ZoneInfo(get_system_timezone())).replace(tzinfo=None)
