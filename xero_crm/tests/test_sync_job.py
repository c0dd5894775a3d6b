"""Bench tier: activation starts the initial sync; the jobs fill the cache from xero-local, report
progress and status on Xero Settings, and tell open forms."""

import json
from unittest.mock import patch

import frappe

from xero_crm import oauth, sync
from xero_crm.constants import FULL_SYNC_JOB, INVOICES_CHANGED, SETTINGS, SYNC_PROGRESS
from xero_crm.tests.xero_world import XeroTestCase, connected_world, make_user


class TestSyncJobs(XeroTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.url, self.peer, self.tenant = connected_world()
		from xero_crm.emulator.seed import Emulator

		self.emulator = Emulator(self.url)
		self.contact = self.emulator.contact("Sync Test Customer", "sync@example.com")
		self.invoices = [
			self.emulator.invoice(self.contact["ContactID"], f"SYNC-{n:03d}", "10.00") for n in range(30)
		]
		self.emulator.pay(self.invoices[0]["InvoiceID"], "4.00", "2026-11-02")
		self.emulator.pay(self.invoices[0]["InvoiceID"], "6.00", "2026-11-03")

	def tearDown(self):
		ids = [i["InvoiceID"] for i in self.invoices]
		frappe.db.delete("Xero Invoice Payment", {"parent": ("in", ids)})
		frappe.db.delete("Xero Invoice", {"name": ("in", ids)})
		frappe.db.delete("Xero Contact", {"name": self.contact["ContactID"]})
		frappe.db.commit()

	def test_enabling_starts_the_initial_sync_and_says_so(self):
		settings = frappe.get_single(SETTINGS)
		settings.enabled = 1
		frappe.local.message_log = []
		with patch("frappe.enqueue") as enqueue:
			settings.save()
		self.assertEqual(enqueue.call_args.args[0], "xero_crm.sync.run_full_sync")
		self.assertEqual(enqueue.call_args.kwargs["job_id"], FULL_SYNC_JOB)
		said = [json.loads(m) if isinstance(m, str) else m for m in frappe.local.message_log]
		self.assertIn("The initial sync started", " ".join(str(m.get("message")) for m in said))

	def test_the_initial_sync_shows_real_progress_then_what_it_synced(self):
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		with patch("frappe.publish_realtime") as published:
			sync.run_full_sync()
		progress = [c.args[1] for c in published.call_args_list if c.args[0] == SYNC_PROGRESS]
		percents = [p["percent"] for p in progress]
		self.assertTrue(all(isinstance(p, int) for p in percents), percents)  # the peer sends page counts
		self.assertEqual(percents, sorted(percents))
		self.assertEqual(percents[-1], 100)
		self.assertTrue(progress[-1]["done"])
		status = frappe.db.get_single_value(SETTINGS, "sync_status", cache=False)
		self.assertRegex(status, r"^Initial sync finished: \d+ invoices, \d+ contacts synced")
		self.assertEqual(progress[-1]["message"], status)

	def test_a_full_resync_states_its_cost_in_calls_first(self):
		cost = sync.full_resync_cost()
		expected = sum(
			max(1, -(-frappe.db.count(d) // 1000))
			for d in ("Xero Contact", "Xero Invoice", "Xero Invoice Payment")
		) + sum(  # credit notes, overpayments, prepayments: a phase each
			max(1, -(-frappe.db.count("Xero Credit", {"credit_type": t}) // 1000))
			for t in ("Credit Note", "Overpayment", "Prepayment")
		)
		self.assertEqual(cost["calls"], expected)
		self.assertEqual(
			cost["budget"], int(frappe.db.get_single_value(SETTINGS, "daily_call_budget") or 1000)
		)
		self.assertLessEqual(cost["left"], cost["budget"])
		frappe.set_user(make_user("xero-cost@example.com", "Sales Manager"))
		with self.assertRaises(frappe.PermissionError):
			sync.full_resync_cost()

	def test_full_sync_then_catch_up_fill_the_cache_and_report(self):
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		with patch("frappe.publish_realtime") as published:
			sync.run_full_sync()
		ids = [i["InvoiceID"] for i in self.invoices]
		self.assertEqual(frappe.db.count("Xero Invoice", {"name": ("in", ids)}), 30)
		paid = frappe.get_all("Xero Invoice Payment", filters={"parent": ids[0]}, pluck="amount")
		self.assertEqual(sorted(paid), [4.0, 6.0])
		settings = frappe.db.get_singles_dict(SETTINGS, cast=True)
		self.assertTrue(settings.last_sync_at)
		self.assertTrue(settings.sync_status.startswith("Initial sync finished"), settings.sync_status)
		self.assertGreaterEqual(settings.invoice_count, 30)
		self.assertIsNone(settings.sync_cursor)
		changed = [c.args[1] for c in published.call_args_list if c.args[0] == INVOICES_CHANGED]
		self.assertIn(self.contact["ContactID"], changed[0]["contact_ids"])

		self.emulator.update_invoice(ids[5], Status="VOIDED")
		sync.run_catch_up()
		self.assertEqual(frappe.db.get_value("Xero Invoice", ids[5], "status"), "VOIDED")

	def test_a_lost_connection_stops_the_sync_with_a_status_an_admin_understands(self):
		frappe.db.set_single_value(SETTINGS, {"enabled": 1, "token_expires_at": 0})
		self.peer.token_error = "invalid_grant"
		sync.run_full_sync()
		settings = frappe.db.get_singles_dict(SETTINGS, cast=True)
		self.assertEqual(settings.status, "Disconnected")
		self.assertIn("Connect to Xero again", settings.sync_status)
		self.assertIn("Connect to Xero again", settings.disconnect_reason)

	def test_the_admin_picks_one_of_several_organisations(self):
		choices = [
			{"tenant_id": self.tenant, "name": "Test Organisation"},
			{"tenant_id": "t-2", "name": "Other"},
		]
		frappe.db.set_single_value(
			SETTINGS, {"tenant_choices": json.dumps(choices), "tenant_id": None, "organisation_name": None}
		)
		with self.assertRaises(frappe.ValidationError):
			oauth.select_tenant("not-one-of-them")
		with patch("xero_crm.oauth.forget_organisation"):
			oauth.select_tenant(self.tenant, confirm=True)
		self.assertEqual(
			frappe.db.get_single_value(SETTINGS, "organisation_name", cache=False), "Test Organisation"
		)

	def test_connecting_another_organisation_starts_the_cache_afresh(self):
		# The wipe itself is patched: this site may hold someone's synced invoices.
		choices = json.dumps([{"tenant_id": self.tenant, "name": "T"}])
		for held, wiped in ((self.tenant, False), ("another-organisation", True)):
			frappe.db.set_single_value(
				SETTINGS, {"cache_tenant_id": held, "tenant_choices": choices, "tenant_id": None}
			)
			with patch("xero_crm.oauth.forget_organisation") as forget:
				oauth.select_tenant(self.tenant, confirm=True)  # the admin confirmed any loss of pins
			self.assertEqual(forget.called, wiped, held)

	def test_a_token_endpoint_answering_garbage_logs_no_secret_and_keeps_the_connection(self):
		from frappe.utils.password import get_decrypted_password

		from xero_crm.emulator.peer import Fault

		secrets = [
			get_decrypted_password(SETTINGS, SETTINGS, field)
			for field in ("client_secret", "refresh_token", "access_token")
		]
		started = frappe.utils.now_datetime()
		frappe.db.set_single_value(SETTINGS, {"enabled": 1, "token_expires_at": 0})  # refresh first
		self.peer.faults += [Fault("/connect/token", 200, body="<html>Service Unavailable</html>")] * 10
		sync.run_full_sync()
		settings = frappe.db.get_singles_dict(SETTINGS, cast=True)
		self.assertEqual(settings.status, "Connected")  # a garbled answer is not a lost connection
		self.assertTrue(settings.sync_status.startswith("Interrupted"), settings.sync_status)
		logged = frappe.get_all("Error Log", filters={"creation": (">=", started)}, pluck="error")
		for secret in secrets:
			self.assertTrue(secret)
			for text in logged:
				self.assertNotIn(secret, text or "")
