"""Bench tier: the webhook endpoint through Frappe's real request path (frappe.app.application on a
loopback port), and the job that processes what it stored."""

import json
import threading
from unittest.mock import patch

import frappe
import frappe.app
import requests
from frappe.utils.password import set_encrypted_password
from werkzeug.serving import make_server

from xero_crm import webhook
from xero_crm.constants import WEBHOOK_PATH
from xero_crm.emulator.deliveries import event
from xero_crm.tests.xero_world import (
	XeroTestCase,
	connected_world,
)
from xero_crm.xero.webhooks import sign

KEY = "bench-webhook-key"


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
		set_encrypted_password("Xero Settings", "Xero Settings", KEY, "webhook_key")
		frappe.db.set_single_value("Xero Settings", "tenant_id", "tenant-bench")
		self.started = frappe.utils.now_datetime()
		frappe.db.commit()

	def tearDown(self):
		# Only what this test made: the site may hold someone's deliveries and invoices.
		frappe.db.delete("Xero Webhook Event", {"creation": (">=", self.started)})
		for name in getattr(self, "created_invoices", []):
			frappe.db.delete("Xero Invoice Payment", {"parent": name})
			frappe.db.delete("Xero Invoice", {"name": name})
		frappe.db.commit()

	def _ours(self, **filters):
		return {"creation": (">=", self.started), **filters}

	def _post(self, body: bytes, signature: str | None):
		headers = {**self.host, "Content-Type": "application/json"}
		if signature is not None:
			headers["x-xero-signature"] = signature
		return requests.post(self.url, data=body, headers=headers, timeout=10)

	def test_good_signature_gets_an_empty_200_without_cookies_and_the_events_are_stored(self):
		body = json.dumps({"events": [event("inv-1", "tenant-bench")]}).encode()
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
		body = json.dumps({"events": [event("inv-titled", "tenant-bench")], "entropy": "T1"}).encode()
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
		body = json.dumps({"events": [event("inv-replayed", "tenant-bench")], "entropy": "R1"}).encode()
		with patch("xero_crm.webhook.enqueue_drain"):
			answers = [self._post(body, sign(body, KEY)) for _ in range(3)]
		self.assertEqual([(a.status_code, a.content) for a in answers], [(200, b"")] * 3)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Xero Webhook Event", self._ours()), 1)

	def test_bad_signature_gets_401_and_is_logged_once_a_minute(self):
		frappe.cache.delete(f"{frappe.local.site}:xero_crm:rejected_logged")
		body = json.dumps({"events": [event("inv-1", "tenant-bench")]}).encode()
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
		frappe.db.set_single_value("Xero Settings", "enabled", 1)
		from xero_crm.emulator.seed import Emulator

		emulator = Emulator(url)
		acme = emulator.contact("Webhook Test Customer (xero_crm test)")
		invoice = emulator.invoice(acme["ContactID"], "INV-HOOK", "42.00")
		self.created_invoices = [invoice["InvoiceID"]]
		frappe.get_doc(
			{
				"doctype": "Xero Webhook Event",
				"status": "Queued",
				"event_count": 1,
				"events": json.dumps([event(invoice["InvoiceID"], tenant)]),
			}
		).insert(ignore_permissions=True)
		with patch("frappe.publish_realtime") as published:
			webhook.process_pending()
		self.assertEqual(
			frappe.db.get_value("Xero Invoice", invoice["InvoiceID"], "invoice_number"), "INV-HOOK"
		)
		self.assertEqual(
			frappe.get_all("Xero Webhook Event", filters=self._ours(), pluck="status"), ["Processed"]
		)
		events = [c.args[0] for c in published.call_args_list]
		self.assertIn("xero_crm_invoices_changed", events)
		payload = next(
			c.args[1] for c in published.call_args_list if c.args[0] == "xero_crm_invoices_changed"
		)
		self.assertIn(acme["ContactID"], payload["contact_ids"])
