"""The webhook endpoint Xero posts to, and the job that processes what it stored.

The request verifies the signature over the raw bytes, stores the delivery, commits, enqueues and
answers an empty 200: no Xero call happens inside it."""

import json
import time
from datetime import UTC, datetime

import frappe
from frappe.utils import add_to_date, now_datetime
from frappe.utils.password import get_decrypted_password
from werkzeug.wrappers import Response

from xero_crm.cache import FrappeCache
from xero_crm.connection import RedisDayCounter, make_client, require_system_manager
from xero_crm.sync import publish_changes
from xero_crm.xero.budget import DrainPacer
from xero_crm.xero.errors import XeroError
from xero_crm.xero.sync import Syncer
from xero_crm.xero.webhooks import Inbox, check_delivery, drain, event_from_dict, event_to_dict

SETTINGS = "Xero Settings"
LOG = "Xero Webhook Event"
DRAIN_JOB = "xero_crm:webhook_drain"
ENDPOINT_PATH = "/api/method/xero_crm.webhook.receive"
MAX_WAIT_SECONDS = 120  # a drain waits at most this long for a burst to gather
MAX_ATTEMPTS = 5


@frappe.whitelist(allow_guest=True, methods=["POST"])
def receive():
	raw = frappe.request.get_data(cache=True)
	key = get_decrypted_password(SETTINGS, SETTINGS, "webhook_key", raise_exception=False)
	tenant_id = frappe.db.get_single_value(SETTINGS, "tenant_id")
	delivery = check_delivery(raw, frappe.get_request_header("x-xero-signature"), key, tenant_id)

	if delivery.accepted and not delivery.events and not delivery.other_tenant:
		return _empty(200)  # intent to receive: nothing to store
	status = "Queued" if delivery.events else ("Ignored" if delivery.accepted else "Rejected")
	frappe.get_doc(
		{
			"doctype": LOG,
			"status": status,
			"received_at": now_datetime(),
			"event_count": len(delivery.events),
			"other_tenant_events": delivery.other_tenant,
			"http_status": delivery.status,
			"reason": delivery.reason,
			"attempts": 0,
			"events": json.dumps([event_to_dict(e) for e in delivery.events]) if delivery.events else None,
		}
	).insert(ignore_permissions=True)
	# Commit on purpose: stored before we answer, and a rejected call's log survives the request.
	frappe.db.commit()
	if delivery.events:
		enqueue_drain()
	return _empty(delivery.status)


def enqueue_drain() -> None:
	# The long queue: a drain may wait for a burst to gather (see DrainPacer).
	frappe.enqueue("xero_crm.webhook.process_pending", queue="long", job_id=DRAIN_JOB, deduplicate=True)


def process_pending() -> None:
	settings = frappe.db.get_singles_dict(SETTINGS, cast=True)
	if not (settings.enabled and settings.status == "Connected"):
		return
	pacer = DrainPacer(
		budget=int(settings.daily_call_budget or 1000),
		catch_up_minutes=int(settings.sync_interval_minutes or 30),
	)
	last = frappe.cache.get(_last_drain_key())
	now = datetime.now(UTC)
	wait = pacer.wait(now, datetime.fromisoformat(last.decode()) if last else None, RedisDayCounter().used())
	if wait is None or wait > MAX_WAIT_SECONDS:
		return  # the deliveries stay Queued: a later tick (or the catch-up) takes them
	if wait:
		time.sleep(wait)  # let a burst gather: one fetch for all of it
	frappe.cache.set(_last_drain_key(), datetime.now(UTC).isoformat(), ex=86400)
	syncer = Syncer(make_client(), FrappeCache())
	try:
		report = drain(LogInbox(), syncer)
	except XeroError:
		return  # logs are marked Failed with the reason; they are retried with back-off, or by Retry
	publish_changes(report.contact_ids)


def drain_if_waiting() -> None:
	"""Scheduler tick: deliveries stored while a drain was finishing, and failed ones whose back-off
	has passed (1, 2, 4 … minutes, five tries), are not left waiting."""
	log = frappe.qb.DocType(LOG)
	for row in (
		frappe.qb.from_(log)
		.select(log.name, log.attempts, log.processed_at)
		.where((log.status == "Failed") & (log.attempts < MAX_ATTEMPTS))
		.run(as_dict=True)
	):
		if row.processed_at and row.processed_at <= add_to_date(
			now_datetime(), minutes=-(2 ** (row.attempts - 1))
		):
			frappe.db.set_value(LOG, row.name, "status", "Queued")
	frappe.db.commit()
	if frappe.db.exists(LOG, {"status": "Queued"}):
		enqueue_drain()


@frappe.whitelist(methods=["POST"])
def retry(name: str) -> None:
	require_system_manager()
	frappe.db.set_value(LOG, name, {"status": "Queued", "error": None})
	frappe.db.commit()
	enqueue_drain()


class LogInbox(Inbox):
	def pending(self, limit: int):
		rows = frappe.get_all(
			LOG,
			filters={"status": "Queued"},
			fields=["name", "events"],
			order_by="creation asc",
			limit=limit,
		)
		return [(r.name, [event_from_dict(e) for e in json.loads(r.events or "[]")]) for r in rows]

	def mark(self, ids, status, error=None) -> None:
		log = frappe.qb.DocType(LOG)
		(
			frappe.qb.update(log)
			.set(log.status, status)
			.set(log.error, (error or "")[:1000] or None)
			.set(log.processed_at, now_datetime())
			.set(log.attempts, log.attempts + 1)
			.where(log.name.isin(ids))
		).run()
		frappe.db.commit()


def strip_cookies(response=None, request=None) -> None:
	"""after_request hook: Xero gets no session cookies from the webhook endpoint."""
	if response is not None and request is not None and request.path == ENDPOINT_PATH:
		response.headers.remove("Set-Cookie")


def _last_drain_key() -> str:
	return f"{frappe.local.site}:xero_crm:last_drain"


def _empty(status: int) -> Response:
	# Xero's rule: an empty body. No cookies either: the cookie manager is emptied before it flushes.
	if getattr(frappe.local, "cookie_manager", None):
		frappe.local.cookie_manager.cookies = {}
		frappe.local.cookie_manager.to_delete = []
	return Response(status=status)
