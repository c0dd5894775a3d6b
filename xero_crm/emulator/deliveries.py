"""Webhook deliveries shaped and signed as Xero sends them, for the demo's live changes and the tests."""

import json
from datetime import UTC, datetime

import requests

from xero_crm.xero.webhooks import sign

RESOURCES = {"INVOICE": "Invoices", "CONTACT": "Contacts", "CREDITNOTE": "CreditNotes"}


def event(resource_id: str, tenant: str, category: str = "INVOICE", when: str | None = None) -> dict:
	return {
		"resourceUrl": f"https://api.xero.com/api.xro/2.0/{RESOURCES.get(category, 'Invoices')}/{resource_id}",
		"resourceId": resource_id,
		"eventDateUtc": when or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
		"eventType": "UPDATE",
		"eventCategory": category,
		"tenantId": tenant,
		"tenantType": "ORGANISATION",
	}


def body_of(events: list[dict]) -> bytes:
	return json.dumps(
		{"events": events, "firstEventSequence": 1, "lastEventSequence": len(events), "entropy": "XYZ"}
	).encode()


def deliver(url: str, key: str, events: list[dict], timeout: float = 10) -> int:
	"""POST one signed delivery to a webhook endpoint, as Xero does; returns the HTTP status."""
	body = body_of(events)
	answer = requests.post(
		url,
		data=body,
		headers={"Content-Type": "application/json", "x-xero-signature": sign(body, key)},
		timeout=timeout,
	)
	return answer.status_code
