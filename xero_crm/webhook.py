"""The webhook endpoint Xero posts to, and the job that processes what it stored.

The request verifies the signature over the raw bytes, stores the delivery, commits, enqueues and
answers an empty 200: no Xero call happens inside it."""

import json

import frappe
from frappe.utils import now_datetime
from frappe.utils.password import get_decrypted_password
from werkzeug.wrappers import Response

from xero_crm.cache import FrappeCache
from xero_crm.connection import make_client, require_system_manager
from xero_crm.sync import publish_changes
from xero_crm.xero.errors import XeroError
from xero_crm.xero.sync import Syncer
from xero_crm.xero.webhooks import Inbox, check_delivery, drain, event_from_dict, event_to_dict

SETTINGS = "Xero Settings"
LOG = "Xero Webhook Event"
DRAIN_JOB = "xero_crm:webhook_drain"
ENDPOINT_PATH = "/api/method/xero_crm.webhook.receive"


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
	frappe.enqueue("xero_crm.webhook.process_pending", queue="short", job_id=DRAIN_JOB, deduplicate=True)


def process_pending() -> None:
	syncer = Syncer(make_client(), FrappeCache())
	try:
		report = drain(LogInbox(), syncer)
	except XeroError:
		return  # logs are marked Failed with the reason; an admin can Retry, catch-up repairs anyway
	publish_changes(report.contact_ids)


def drain_if_waiting() -> None:
	"""Scheduler tick: a delivery stored while a drain was finishing is not left waiting."""
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


def _empty(status: int) -> Response:
	# Xero's rule: an empty body. No cookies either: the cookie manager is emptied before it flushes.
	if getattr(frappe.local, "cookie_manager", None):
		frappe.local.cookie_manager.cookies = {}
		frappe.local.cookie_manager.to_delete = []
	return Response(status=status)
