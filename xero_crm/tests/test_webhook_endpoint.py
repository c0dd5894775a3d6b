"""Bench tier: the webhook endpoint through Frappe's real request path (frappe.app.application on a
loopback port), and the job that processes what it stored: one stored delivery per organisation its
events are for, each organisation drained on its own; events of an organisation this site does not
sync are counted, never stored as work."""

import json
import threading
from unittest.mock import patch

import frappe
import frappe.app
import requests
from frappe.utils.password import set_encrypted_password
from werkzeug.serving import make_server

from xero_crm import webhook
from xero_crm.cache import forget_organisation
from xero_crm.constants import ORGANISATION, SETTINGS, WEBHOOK_PATH
from xero_crm.emulator.deliveries import event
from xero_crm.tests.xero_world import (
	TEST_CALL_BUDGET,
	XeroTestCase,
	connect_site,
	connected_world,
	point_site_at,
	reset,
	seeded_organisation,
	xero_world,
)
from xero_crm.xero.keys import cache_key
from xero_crm.xero.webhooks import sign

KEY = "bench-webhook-key"
TENANT = "tenant-bench"  # a connected organisation of no consent: deliveries for it are stored


class TestWebhookEndpoint(XeroTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.app._sites_path = frappe.local.sites_path
		cls.server = make_server("127.0.0.1", 0, frappe.app.application, threaded=True)
		threading.Thread(target=cls.server.serve_forever, daemon=True).start()
		cls.url = f"http://127.0.0.1:{cls.server.server_port}{WEBHOOK_PATH}"
		cls.host = {"Host": frappe.local.site}

	@classmethod
	def tearDownClass(cls):
		cls.server.shutdown()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		set_encrypted_password(SETTINGS, SETTINGS, KEY, "webhook_key")
		seeded_organisation(TENANT, "Bench Org", "!BNCH")  # the integration enabled too
		self.started = frappe.utils.now_datetime()
		frappe.db.commit()

	def tearDown(self):
		# Only what this test made: the site may hold someone's deliveries and invoices.
		frappe.db.delete("Xero Webhook Event", {"creation": (">=", self.started)})
		for tenant in getattr(self, "synced_organisations", []):
			forget_organisation(tenant)  # the emulator's organisations: new with each reset
		frappe.db.commit()

	def _ours(self, **filters):
		return {"creation": (">=", self.started), **filters}

	def _post(self, body: bytes, signature: str | None):
		headers = {**self.host, "Content-Type": "application/json"}
		if signature is not None:
			headers["x-xero-signature"] = signature
		return requests.post(self.url, data=body, headers=headers, timeout=10)

	def test_good_signature_gets_an_empty_200_without_cookies_and_the_events_are_stored(self):
		body = json.dumps({"events": [event("inv-1", TENANT)]}).encode()
		with patch("xero_crm.webhook.enqueue_drain"):
			response = self._post(body, sign(body, KEY))
		self.assertEqual((response.status_code, response.content), (200, b""))
		self.assertNotIn("Set-Cookie", response.headers)
		frappe.db.rollback()  # see the server thread's commit
		(log,) = frappe.get_all(
			"Xero Webhook Event", filters=self._ours(), fields=["status", "event_count", "events"]
		)
		self.assertEqual((log.status, log.event_count), ("Queued", 1))
		self.assertEqual(json.loads(log.events)[0]["resourceId"], "inv-1")

	def test_deliveries_are_listed_for_an_admin_with_a_readable_title(self):
		body = json.dumps({"events": [event("inv-titled", TENANT)], "entropy": "T1"}).encode()
		frappe.cache.delete(f"{frappe.local.site}:xero_crm:rejected_logged")
		with patch("xero_crm.webhook.enqueue_drain"):
			self._post(body, sign(body, KEY))
			self._post(body, "forged")
		frappe.db.rollback()
		from frappe.desk.reportview import get

		frappe.local.form_dict = frappe._dict(
			doctype="Xero Webhook Event",
			fields=json.dumps(["name", "title", "status", "http_status", "reason", "received_at"]),
			filters=json.dumps([["creation", ">=", str(self.started)]]),
			order_by="creation asc",
		)
		listed = get()
		rows = [dict(zip(listed["keys"], values, strict=True)) for values in listed["values"]]
		self.assertEqual(
			[(r["title"], r["status"], r["http_status"]) for r in rows],
			[
				("1 event: 1 invoice", "Queued", 200),
				("Refused (401): signature missing or wrong", "Rejected", 401),
			],
		)
		meta = frappe.get_meta("Xero Webhook Event")
		self.assertEqual(meta.title_field, "title")
		listed_fields = {f.fieldname for f in meta.fields if f.in_list_view}
		self.assertLessEqual({"title", "status", "http_status", "reason", "received_at"}, listed_fields)

	def test_a_replayed_signed_delivery_is_acknowledged_and_stored_once(self):
		body = json.dumps({"events": [event("inv-replayed", TENANT)], "entropy": "R1"}).encode()
		with patch("xero_crm.webhook.enqueue_drain"):
			answers = [self._post(body, sign(body, KEY)) for _ in range(3)]
		self.assertEqual([(a.status_code, a.content) for a in answers], [(200, b"")] * 3)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Xero Webhook Event", self._ours()), 1)

	def test_bad_signature_gets_401_and_is_logged_once_a_minute(self):
		frappe.cache.delete(f"{frappe.local.site}:xero_crm:rejected_logged")
		body = json.dumps({"events": [event("inv-1", TENANT)]}).encode()
		for signature in (None, sign(body, "wrong-key"), sign(body + b" ", KEY)):
			self.assertEqual(self._post(body, signature).status_code, 401)
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.count("Xero Webhook Event", self._ours(status="Rejected", http_status=401)), 1
		)

	def test_intent_to_receive(self):
		body = json.dumps(
			{"events": [], "firstEventSequence": 0, "lastEventSequence": 0, "entropy": "X"}
		).encode()
		self.assertEqual(self._post(body, sign(body, KEY)).status_code, 200)
		self.assertEqual(self._post(body, "bm9wZQ==").status_code, 401)

	def test_the_job_upserts_and_publishes(self):
		url, _peer, tenant = connected_world()
		self.synced_organisations = [tenant]
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		from xero_crm.emulator.seed import Emulator

		emulator = Emulator(url)
		acme = emulator.contact("Webhook Test Customer (xero_crm test)")
		invoice = emulator.invoice(acme["ContactID"], "INV-HOOK", "42.00")
		frappe.get_doc(
			{
				"doctype": "Xero Webhook Event",
				"status": "Queued",
				"event_count": 1,
				"organisation": tenant,
				"events": json.dumps([event(invoice["InvoiceID"], tenant)]),
			}
		).insert(ignore_permissions=True)
		with patch("frappe.publish_realtime") as published:
			webhook.process_pending(tenant)
		self.assertEqual(
			frappe.db.get_value("Xero Invoice", cache_key(tenant, invoice["InvoiceID"]), "invoice_number"),
			"INV-HOOK",
		)
		self.assertEqual(
			frappe.get_all("Xero Webhook Event", filters=self._ours(), pluck="status"), ["Processed"]
		)
		self.assertIsNotNone(frappe.db.get_value(ORGANISATION, tenant, "last_webhook_sync_at"))
		events = [c.args[0] for c in published.call_args_list]
		self.assertIn("xero_crm_invoices_changed", events)
		payload = next(
			c.args[1] for c in published.call_args_list if c.args[0] == "xero_crm_invoices_changed"
		)
		self.assertIn(cache_key(tenant, acme["ContactID"]), payload["contact_ids"])

	def test_a_delivery_for_two_organisations_is_stored_per_organisation_and_each_drains_on_its_own(self):
		url, peer = xero_world()
		reset(url, peer)
		point_site_at(peer)
		second = peer.add_tenant("Webhook Second Org (xero_crm test)", "!WH2", "AUD")
		first = connect_site(url, peer)  # one consent, both organisations
		frappe.db.set_value(ORGANISATION, second, "daily_call_budget", TEST_CALL_BUDGET)
		self.synced_organisations = [first, second]
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		set_encrypted_password(
			SETTINGS, SETTINGS, KEY, "webhook_key"
		)  # again: connect_site saved Xero Settings
		frappe.db.commit()
		from xero_crm.emulator.seed import Emulator

		invoices = {}
		for tenant, seed, number in (
			(first, Emulator(url), "INV-ORG-1"),
			(second, Emulator(url).in_tenant(second), "INV-ORG-2"),
		):
			contact = seed.contact(f"Webhook {number} (xero_crm test)")
			invoices[tenant] = seed.invoice(contact["ContactID"], number, "10.00")["InvoiceID"]
		events = [
			event(invoices[first], first),
			event(invoices[second], second),
			event("inv-elsewhere", "tenant-not-connected-here"),
			event("inv-elsewhere-2", "tenant-not-connected-here"),
		]
		body = json.dumps({"events": events, "entropy": "M1"}).encode()
		with patch("xero_crm.webhook.enqueue_drain") as enqueued:
			answer = self._post(body, sign(body, KEY))
		self.assertEqual((answer.status_code, answer.content), (200, b""))
		self.assertEqual(sorted(c.args[0] for c in enqueued.call_args_list), sorted([first, second]))
		frappe.db.rollback()  # see the server thread's commit
		rows = frappe.get_all(
			"Xero Webhook Event",
			filters=self._ours(),
			fields=["name", "organisation", "status", "event_count", "events", "other_tenant_events"],
		)
		by_org = {r.organisation: r for r in rows}
		self.assertEqual(len(rows), 2, rows)  # one row per organisation; none for the unknown tenant
		self.assertEqual(set(by_org), {first, second})
		for tenant, row in by_org.items():
			self.assertEqual((row.status, row.event_count), ("Queued", 1), tenant)
			self.assertEqual([e["tenantId"] for e in json.loads(row.events)], [tenant])
		self.assertEqual(sum(r.other_tenant_events or 0 for r in rows), 2)  # counted, once

		def cached(tenant):
			return frappe.db.exists("Xero Invoice", cache_key(tenant, invoices[tenant]))

		with patch("frappe.publish_realtime"):
			webhook.process_pending(first)
		self.assertEqual(
			{
				r.organisation: r.status
				for r in frappe.get_all(
					"Xero Webhook Event", filters=self._ours(), fields=["organisation", "status"]
				)
			},
			{
				first: "Processed",
				second: "Queued",
			},  # the second organisation's delivery waits for its own drain
		)
		self.assertTrue(cached(first))
		self.assertFalse(cached(second))
		with patch("frappe.publish_realtime"):
			webhook.process_pending(second)
		self.assertEqual(
			set(frappe.get_all("Xero Webhook Event", filters=self._ours(), pluck="status")), {"Processed"}
		)
		self.assertTrue(cached(second))
		# the same delivery again (Xero retries): stored once per organisation, nothing more
		with patch("xero_crm.webhook.enqueue_drain"):
			self.assertEqual(self._post(body, sign(body, KEY)).status_code, 200)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Xero Webhook Event", self._ours()), 2)

	def test_a_delivery_only_for_organisations_not_connected_here_is_logged_as_ignored(self):
		body = json.dumps({"events": [event("inv-x", "tenant-unknown")], "entropy": "U1"}).encode()
		with patch("xero_crm.webhook.enqueue_drain") as enqueued:
			answer = self._post(body, sign(body, KEY))
		self.assertEqual((answer.status_code, answer.content), (200, b""))
		enqueued.assert_not_called()
		frappe.db.rollback()
		(row,) = frappe.get_all(
			"Xero Webhook Event",
			filters=self._ours(),
			fields=["organisation", "status", "event_count", "other_tenant_events"],
		)
		self.assertEqual(
			(row.organisation, row.status, row.event_count, row.other_tenant_events), (None, "Ignored", 0, 1)
		)
