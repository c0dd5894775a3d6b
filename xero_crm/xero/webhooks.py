"""Xero webhooks: signature check, payload parsing, and what a delivery asks us to refresh.

Xero signs the exact raw body: `x-xero-signature` = base64(HMAC-SHA256(webhook key, body)). A bad or
missing signature gets 401 (that is also how Xero's intent-to-receive check probes us); a good one
gets 200 with an empty body within 5 seconds. So the request only verifies and stores; a job does
the Xero calls."""

import base64
import hashlib
import hmac
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

MAX_BODY_BYTES = 1024 * 1024
CATEGORIES = ("INVOICE", "CONTACT", "CREDITNOTE")
MAX_ATTEMPTS = 5  # a delivery whose processing failed is tried this many times in all


@dataclass(frozen=True)
class Event:
	category: str
	event_type: str
	resource_id: str
	tenant_id: str
	event_date: str = ""


@dataclass(frozen=True)
class Delivery:
	"""The endpoint's verdict on one POST. `status` is the HTTP status to answer with."""

	status: int
	reason: str
	events: tuple[Event, ...] = ()
	other_tenant: int = 0  # events for an organisation we are not connected to: recorded, ignored

	@property
	def accepted(self) -> bool:
		return self.status == 200

	@property
	def summary(self) -> str:
		"""A delivery's title in the log: what it carried, or why it was refused."""
		if not self.accepted:
			return f"Refused ({self.status}): {self.reason}"
		counts: dict[str, int] = {}
		for e in self.events:
			counts[e.category] = counts.get(e.category, 0) + 1
		parts = [f"{n} {category.lower()}" for category, n in sorted(counts.items())]
		if self.other_tenant:
			parts.append(f"{self.other_tenant} of another organisation")
		total = len(self.events) + self.other_tenant
		return f"{total} event{'s' if total != 1 else ''}: {', '.join(parts)}"

	@property
	def log_status(self) -> str:
		"""How the delivery is logged: Queued (events to process), Ignored (nothing for us),
		Rejected (unsigned or malformed)."""
		if self.events:
			return "Queued"
		return "Ignored" if self.accepted else "Rejected"


def retry_due(attempts: int, last_tried: datetime | None, now: datetime) -> bool:
	"""A failed delivery is tried again after 1, 2, 4 … minutes, MAX_ATTEMPTS times in all."""
	if attempts >= MAX_ATTEMPTS or last_tried is None:
		return False
	return last_tried <= now - timedelta(minutes=2 ** max(attempts - 1, 0))


@dataclass
class RefreshPlan:
	invoice_ids: list[str] = field(default_factory=list)
	contact_ids: list[str] = field(default_factory=list)
	credit_note_ids: list[str] = field(default_factory=list)


def sign(body: bytes, key: str) -> str:
	return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def signature_valid(body: bytes, signature: str | None, key: str | None) -> bool:
	if not key or not signature:
		return False
	# compare_digest: time does not depend on how many leading characters match.
	return hmac.compare_digest(sign(body, key).encode(), signature.strip().encode("utf-8", "replace"))


def check_delivery(
	body: bytes, signature: str | None, key: str | None, tenant_ids: Collection[str] | str | None
) -> Delivery:
	"""The verdict on one POST: its events for the organisations we sync (`tenant_ids`), and how
	many were for others (an unknown or disabled organisation: acknowledged, counted, not processed)."""
	known = {tenant_ids} if isinstance(tenant_ids, str) else set(tenant_ids or ())
	if len(body) > MAX_BODY_BYTES:
		return Delivery(413, "body larger than 1 MiB")
	if not signature_valid(body, signature, key):
		return Delivery(401, "signature missing or wrong" if key else "no webhook key is configured")
	try:
		payload = json.loads(body)
		raw_events = payload["events"]
		if not isinstance(raw_events, list):
			raise TypeError
		events = [_event(e) for e in raw_events]
	except (ValueError, KeyError, TypeError, AttributeError):
		return Delivery(400, "signed, but not a Xero webhook payload")
	if not events:
		return Delivery(200, "intent to receive")
	ours = tuple(e for e in events if e.tenant_id in known)
	return Delivery(200, "accepted", ours, other_tenant=len(events) - len(ours))


def by_tenant(events: Iterable[Event]) -> dict[str, tuple[Event, ...]]:
	"""A delivery's events per organisation, in the order the delivery names them: each organisation
	processes its own (own tokens, own budget), so one failing never holds back another."""
	grouped: dict[str, list[Event]] = {}
	for e in events:
		grouped.setdefault(e.tenant_id, []).append(e)
	return {tenant: tuple(evs) for tenant, evs in grouped.items()}


def _event(raw: dict) -> Event:
	category = str(raw["eventCategory"]).upper()
	resource_id = str(raw["resourceId"])
	if len(resource_id) > 64:
		raise ValueError("resource id too long")
	return Event(
		category=category,
		event_type=str(raw.get("eventType") or "").upper(),
		resource_id=resource_id,
		tenant_id=str(raw.get("tenantId") or ""),
		event_date=str(raw.get("eventDateUtc") or "")[:40],
	)


def plan(events) -> RefreshPlan:
	"""Distinct resources to fetch, whatever the order or number of repeats: the fetch reads Xero's
	current state, so replayed and out-of-order events converge."""
	result = RefreshPlan()
	buckets = {
		"INVOICE": result.invoice_ids,
		"CONTACT": result.contact_ids,
		"CREDITNOTE": result.credit_note_ids,
	}
	seen: set[tuple[str, str]] = set()
	for e in events:
		bucket = buckets.get(e.category)
		if bucket is not None and (e.category, e.resource_id) not in seen:
			seen.add((e.category, e.resource_id))
			bucket.append(e.resource_id)
	return result


def event_to_dict(e: Event) -> dict:
	return {
		"eventCategory": e.category,
		"eventType": e.event_type,
		"resourceId": e.resource_id,
		"tenantId": e.tenant_id,
		"eventDateUtc": e.event_date,
	}


def event_from_dict(d: dict) -> Event:
	return _event(d)


class Inbox:
	"""Where accepted deliveries wait (a log DocType in the app, a list in tests)."""

	def pending(self, limit: int) -> list[tuple[str, list[Event]]]:
		raise NotImplementedError

	def mark(self, ids: list[str], status: str, error: str | None = None) -> None:
		raise NotImplementedError


@dataclass
class DrainReport:
	deliveries: int = 0
	events: int = 0
	invoices: int = 0
	contacts: int = 0
	contact_ids: set[str] = field(default_factory=set)
	failed: list[str] = field(default_factory=list)


def drain(inbox: Inbox, syncer, max_rounds: int = 20, batch: int = 500) -> DrainReport:
	"""Process every waiting delivery: one refresh per round for all of them together, so a burst of
	events about the same invoices costs one batched fetch, not one call per event.

	A Xero failure (unavailable, rate limit, access lost) fails the round's deliveries and stops: they
	are retried later. Any other failure is about some delivery's data: the round is redone one
	delivery at a time, so one bad delivery never holds back the others."""
	from .errors import XeroError

	report = DrainReport()
	for _round in range(max_rounds):
		waiting = inbox.pending(batch)
		if not waiting:
			break
		try:
			_refresh(syncer, waiting, inbox, report)
		except XeroError as e:
			inbox.mark([i for i, _events in waiting], "Failed", str(e))
			raise
		except Exception:
			for delivery in waiting:
				try:
					_refresh(syncer, [delivery], inbox, report)
				except XeroError as e:
					inbox.mark([delivery[0]], "Failed", str(e))
					raise
				except Exception as e:
					inbox.mark([delivery[0]], "Failed", f"{type(e).__name__}: {e}")
					report.failed.append(delivery[0])
	return report


def _refresh(syncer, waiting: list[tuple[str, list[Event]]], inbox: Inbox, report: DrainReport) -> None:
	from .records import parse_timestamp

	ids = [delivery_id for delivery_id, _events in waiting]
	events = [e for _id, evs in waiting for e in evs]
	todo = plan(events)
	stamps = [t for t in (parse_timestamp(e.event_date) for e in events if e.category == "INVOICE") if t]
	result = syncer.refresh(
		invoice_ids=todo.invoice_ids,
		contact_ids=todo.contact_ids,
		credit_note_ids=todo.credit_note_ids,
		payments_since=min(stamps) if stamps else None,
	)
	inbox.mark(ids, "Processed")
	report.deliveries += len(ids)
	report.events += len(events)
	report.invoices += result.invoices
	report.contacts += result.contacts
	report.contact_ids |= result.contact_ids
