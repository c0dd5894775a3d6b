"""The webhook endpoint Xero posts to, and the job that processes what it stored.

The request verifies the signature over the raw bytes, stores the delivery, commits, enqueues and
answers an empty 200: no Xero call happens inside it."""

import hashlib
import html
import json
from dataclasses import replace
from datetime import UTC, datetime

import frappe
from frappe import _
from frappe.utils import now_datetime
from frappe.utils.password import get_decrypted_password
from werkzeug.wrappers import Response

from xero_crm.cache import frappe_cache
from xero_crm.connection import DEFAULT_DAILY_BUDGET, make_client
from xero_crm.constants import DRAIN_JOB, ORGANISATION, SETTINGS
from xero_crm.constants import WEBHOOK_EVENT as LOG
from xero_crm.organisations import active_organisations, get_organisation, is_active
from xero_crm.redis_stores import RedisDayCounter, load_bucket, save_bucket
from xero_crm.settings import require_system_manager, settings
from xero_crm.sync import publish_changes
from xero_crm.xero.budget import DrainPacer
from xero_crm.xero.errors import XeroError
from xero_crm.xero.sync import Syncer
from xero_crm.xero.webhooks import (
	MAX_ATTEMPTS,
	Inbox,
	by_tenant,
	check_delivery,
	drain,
	event_from_dict,
	event_to_dict,
	retry_due,
)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def receive():
	raw = frappe.request.get_data(cache=True)
	key = get_decrypted_password(SETTINGS, SETTINGS, "webhook_key", raise_exception=False)
	tenants = {o.name for o in active_organisations()}
	delivery = check_delivery(raw, frappe.get_request_header("x-xero-signature"), key, tenants)

	if delivery.accepted and not delivery.events and not delivery.other_tenant:
		return _empty(200)  # intent to receive: nothing to store
	if delivery.log_status == "Rejected" and not _first_rejection_this_minute():
		return _empty(delivery.status)  # one logged rejection a minute: strangers cannot flood the log
	body_hash = hashlib.sha256(raw).hexdigest() if delivery.accepted else None
	stored = _log_each_organisation(delivery, body_hash)
	if not stored:
		return _empty(200)  # a signed delivery Xero sent again (a retry, a replay): stored once
	# Commit on purpose: stored before we answer, and a rejected call's log survives the request.
	frappe.db.commit()
	for organisation in stored:
		if organisation:
			enqueue_drain(organisation)
	return _empty(delivery.status)


def _log_each_organisation(delivery, body_hash: str | None) -> list[str]:
	"""One log row per organisation the delivery carries events for (each drains on its own), or one
	row for a delivery with none of ours (refused, or only unknown organisations' events). Returns
	the organisations stored ("" for the latter); none when the same signed body is already there."""
	groups = by_tenant(delivery.events) or {"": ()}
	stored = []
	for n, (organisation, events) in enumerate(groups.items()):
		part = replace(delivery, events=events, other_tenant=delivery.other_tenant if n == 0 else 0)
		row_hash = f"{body_hash}:{organisation}" if body_hash and organisation else body_hash
		if _log(part, row_hash, organisation):
			stored.append(organisation)
	return stored


def _log(delivery, body_hash: str | None, organisation: str) -> bool:
	"""Store the delivery in the log; False when the same signed body is already there."""
	if body_hash and frappe.db.exists(LOG, {"body_hash": body_hash}):
		return False
	log = frappe.get_doc(
		{
			"doctype": LOG,
			"title": delivery.summary,
			"status": delivery.log_status,
			"received_at": now_datetime(),
			"event_count": len(delivery.events),
			"organisation": organisation or None,
			"other_tenant_events": delivery.other_tenant,
			"http_status": delivery.status,
			"reason": delivery.reason,
			"attempts": 0,
			"events": json.dumps([event_to_dict(e) for e in delivery.events]) if delivery.events else None,
			"body_hash": body_hash,
		}
	)
	frappe.db.savepoint("xero_crm_log")
	try:
		log.insert(ignore_permissions=True)
	except frappe.UniqueValidationError:
		# the same delivery, stored by a request running beside this one: undo only this row
		frappe.db.rollback(save_point="xero_crm_log")
		return False
	return True


def enqueue_drain(organisation: str) -> None:
	frappe.enqueue(
		"xero_crm.webhook.process_pending",
		queue="short",
		job_id=DRAIN_JOB.format(organisation),
		deduplicate=True,
		organisation=organisation,
	)


def process_pending(organisation: str) -> None:
	"""Drain one organisation's waiting deliveries, paced within its own daily budget."""
	org = get_organisation(organisation)
	current = settings()
	if not is_active(org, current):
		return
	pacer = DrainPacer(
		budget=int(org.daily_call_budget or DEFAULT_DAILY_BUDGET),
		catch_up_minutes=int(current.sync_interval_minutes or 30),
	)
	go, bucket, _wait = pacer.take(datetime.now(UTC), load_bucket(org.name), RedisDayCounter(org.name).used())
	save_bucket(org.name, bucket)
	if not go:
		return  # the deliveries stay Queued: the next scheduler tick tries again
	try:
		syncer = Syncer(make_client(org), frappe_cache(org.name))
		report = drain(LogInbox(org.name), syncer)
	except XeroError:
		return  # the deliveries are marked Failed with the reason; retried with back-off, or by Retry
	for name in report.failed:
		frappe.log_error(title="Xero webhook delivery failed", reference_doctype=LOG, reference_name=name)
	frappe.db.set_value(ORGANISATION, org.name, "last_webhook_sync_at", now_datetime())
	frappe.db.commit()
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
		if retry_due(row.attempts, row.processed_at, now_datetime()):
			frappe.db.set_value(LOG, row.name, "status", "Queued")
	frappe.db.commit()
	waiting = set(frappe.get_all(LOG, filters={"status": "Queued"}, pluck="organisation", distinct=True))
	for org in active_organisations():
		if org.name in waiting:
			enqueue_drain(org.name)


@frappe.whitelist(methods=["POST"])
def retry(name: str) -> None:
	require_system_manager()
	organisation = frappe.db.get_value(LOG, name, "organisation")
	if not organisation:
		frappe.throw(
			_("This delivery carried nothing for a connected organisation: there is nothing to retry.")
		)
	frappe.db.set_value(LOG, name, {"status": "Queued", "error": None})
	frappe.db.commit()
	enqueue_drain(organisation)


class LogInbox(Inbox):
	"""One organisation's waiting deliveries."""

	def __init__(self, organisation: str):
		self.organisation = organisation

	def pending(self, limit: int):
		rows = frappe.get_all(
			LOG,
			filters={"status": "Queued", "organisation": self.organisation},
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
			.set(log.error, html.escape((error or "")[:1000]) or None)  # shown as text in Frappe's views
			.set(log.processed_at, now_datetime())
			.set(log.attempts, log.attempts + 1)
			.where(log.name.isin(ids))
		).run()
		frappe.db.commit()


def _first_rejection_this_minute() -> bool:
	return bool(frappe.cache.set(f"{frappe.local.site}:xero_crm:rejected_logged", 1, ex=60, nx=True))


def _empty(status: int) -> Response:
	# Xero's rule: an empty body. No cookies either: the cookie manager is emptied before it flushes.
	if getattr(frappe.local, "cookie_manager", None):
		frappe.local.cookie_manager.cookies = {}
		frappe.local.cookie_manager.to_delete = []
	return Response(status=status)
