"""Bench tier: activation starts the initial sync; the jobs fill each organisation's cache from
xero-local, report progress and status on its Xero Organisation, and tell open forms."""

import json
from unittest.mock import patch

import frappe

from xero_crm import sync
from xero_crm.constants import (
	AUTHORISATION,
	FULL_SYNC_JOB,
	INVOICES_CHANGED,
	ORGANISATION,
	SETTINGS,
	SYNC_PROGRESS,
)
from xero_crm.tests.xero_world import XeroTestCase, connected_world, make_user, organisation
from xero_crm.xero.keys import cache_key


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
		from xero_crm.cache import forget_organisation

		for org in frappe.get_all(ORGANISATION, pluck="name"):
			forget_organisation(org)
		frappe.db.commit()

	def key(self, xero_id: str) -> str:
		return cache_key(self.tenant, xero_id)

	def test_enabling_starts_the_initial_sync_and_says_so(self):
		settings = frappe.get_single(SETTINGS)
		settings.enabled = 1
		frappe.local.message_log = []
		with patch("frappe.enqueue") as enqueue:
			settings.save()
		self.assertEqual(enqueue.call_args.args[0], "xero_crm.sync.run_full_sync")
		self.assertEqual(enqueue.call_args.kwargs["job_id"], FULL_SYNC_JOB.format(self.tenant))
		self.assertEqual(enqueue.call_args.kwargs["organisation"], self.tenant)
		said = [json.loads(m) if isinstance(m, str) else m for m in frappe.local.message_log]
		self.assertIn("The initial sync started", " ".join(str(m.get("message")) for m in said))

	def test_the_initial_sync_shows_real_progress_then_what_it_synced(self):
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		with patch("frappe.publish_realtime") as published:
			sync.run_full_sync(self.tenant)
		progress = [c.args[1] for c in published.call_args_list if c.args[0] == SYNC_PROGRESS]
		self.assertEqual({p["organisation"] for p in progress}, {self.tenant})
		percents = [p["percent"] for p in progress]
		self.assertTrue(all(isinstance(p, int) for p in percents), percents)  # the peer sends page counts
		self.assertEqual(percents, sorted(percents))
		self.assertEqual(percents[-1], 100)
		self.assertTrue(progress[-1]["done"])
		status = organisation(self.tenant).sync_status
		self.assertRegex(status, r"^Initial sync finished: \d+ invoices, \d+ contacts synced")
		self.assertEqual(progress[-1]["message"], status)

	def test_an_organisation_too_large_for_its_day_syncs_what_is_owed_first_and_says_so(self):
		from xero_crm.xero.sync import DAY_RESERVE

		owed = [
			{
				"Type": "ACCREC",
				"Contact": {"ContactID": self.contact["ContactID"]},
				"InvoiceNumber": f"BIG-{n:05d}",
				"Status": "AUTHORISED" if n % 4 == 0 else "PAID",
				"CurrencyCode": "NZD",
				"Date": "2023-05-01",
				"DueDate": "2023-05-31",
				"Total": 10.0,
				"AmountDue": 10.0 if n % 4 == 0 else 0.0,
			}
			for n in range(2100)
		]
		self.emulator.invoices(owed)  # with the 30 above: three pages of invoices
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		# today's budget, after the calls kept for webhooks and catch-ups, is less than those pages
		frappe.db.set_value(ORGANISATION, self.tenant, "daily_call_budget", DAY_RESERVE + 6)
		from xero_crm.redis_stores import RedisDayCounter

		counter = RedisDayCounter(self.tenant)
		frappe.cache.delete(counter._key())
		self.addCleanup(frappe.cache.delete, counter._key())
		with patch("frappe.publish_realtime") as published:
			sync.run_full_sync(self.tenant)
		said = [c.args[1]["message"] for c in published.call_args_list if c.args[0] == SYNC_PROGRESS]
		first_owed = next(i for i, m in enumerate(said) if "invoices owed" in m)
		first_history = next(i for i, m in enumerate(said) if "older invoices" in m)
		self.assertLess(first_owed, first_history)
		self.assertRegex(organisation(self.tenant).sync_status, "^Initial sync finished")
		self.assertEqual(frappe.db.count("Xero Invoice", {"organisation": self.tenant}), 2130)

	def test_a_full_resync_states_its_cost_in_calls_first(self):
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		sync.run_full_sync(self.tenant)
		cost = sync.full_resync_cost(self.tenant)
		# 1 contact, 30 invoices, 2 payments: a page each; credit notes, overpayments, prepayments: a call
		# each. Only this organisation's rows count, whatever else the cache holds.
		self.assertEqual(cost["calls"], 6)
		self.assertEqual(cost["budget"], organisation(self.tenant).daily_call_budget)
		self.assertLessEqual(cost["left"], cost["budget"])
		with self.assertRaises(frappe.DoesNotExistError):
			sync.full_resync_cost("no-such-organisation")
		frappe.set_user(make_user("xero-cost@example.com", "Sales Manager"))
		with self.assertRaises(frappe.PermissionError):
			sync.full_resync_cost(self.tenant)

	def test_full_sync_then_catch_up_fill_the_cache_and_report(self):
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		with patch("frappe.publish_realtime") as published:
			sync.run_full_sync(self.tenant)
		ids = [self.key(i["InvoiceID"]) for i in self.invoices]
		self.assertEqual(
			frappe.db.count("Xero Invoice", {"name": ("in", ids), "organisation": self.tenant}), 30
		)
		paid = frappe.get_all("Xero Invoice Payment", filters={"parent": ids[0]}, pluck="amount")
		self.assertEqual(sorted(paid), [4.0, 6.0])
		org = organisation(self.tenant)
		self.assertTrue(org.last_sync_at)
		self.assertTrue(org.sync_status.startswith("Initial sync finished"), org.sync_status)
		self.assertEqual(frappe.db.get_value(ORGANISATION, self.tenant, "invoice_count"), 30)
		self.assertIsNone(org.sync_cursor)
		changed = [c.args[1] for c in published.call_args_list if c.args[0] == INVOICES_CHANGED]
		self.assertIn(self.key(self.contact["ContactID"]), changed[0]["contact_ids"])

		self.emulator.update_invoice(self.invoices[5]["InvoiceID"], Status="VOIDED")
		sync.run_catch_up(self.tenant)
		self.assertEqual(frappe.db.get_value("Xero Invoice", ids[5], "status"), "VOIDED")

	def test_a_lost_connection_stops_the_sync_with_a_status_an_admin_understands(self):
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		org = organisation(self.tenant)
		frappe.db.set_value(AUTHORISATION, org.authorisation, "token_expires_at", 0)
		self.peer.token_error = "invalid_grant"
		sync.run_full_sync(self.tenant)
		org = organisation(self.tenant)
		self.assertEqual(org.status, "Disconnected")
		self.assertIn("Connect to Xero again", org.sync_status)
		self.assertIn(
			"Connect to Xero again", frappe.db.get_value(ORGANISATION, self.tenant, "disconnect_reason")
		)
		self.assertEqual(frappe.db.get_value(AUTHORISATION, org.authorisation, "status"), "Disconnected")

	def test_one_consent_connects_two_organisations_that_sync_side_by_side(self):
		second = self.peer.add_tenant("Second Org Ltd", "!SEC", "AUD")
		contact = self.emulator.in_tenant(second).contact("Second Customer", "second@example.com")
		self.emulator.in_tenant(second).invoice(contact["ContactID"], "SEC-001", "70.00")
		connected_world_again(self)
		orgs = {
			o.name: o
			for o in frappe.get_all(
				ORGANISATION, fields=["name", "organisation_name", "authorisation", "base_currency"]
			)
		}
		self.assertEqual(set(orgs), {self.tenant, second})
		self.assertEqual(orgs[second].organisation_name, "Second Org Ltd")
		self.assertEqual(orgs[second].base_currency, "AUD")
		self.assertEqual(orgs[self.tenant].authorisation, orgs[second].authorisation)  # one consent
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		for tenant in (self.tenant, second):
			sync.run_full_sync(tenant)
		self.assertEqual(frappe.db.count("Xero Invoice", {"organisation": self.tenant}), 30)
		self.assertEqual(
			frappe.get_all("Xero Invoice", filters={"organisation": second}, pluck="invoice_number"),
			["SEC-001"],
		)
		self.assertEqual(frappe.db.get_value(ORGANISATION, second, "invoice_count"), 1)

	def test_one_organisation_refused_by_xero_leaves_the_other_syncing(self):
		second = self.peer.add_tenant("Second Org Ltd", "!SEC", "AUD")
		contact = self.emulator.in_tenant(second).contact("Second Customer", "second@example.com")
		self.emulator.in_tenant(second).invoice(contact["ContactID"], "SEC-001", "70.00")
		connected_world_again(self)
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		frappe.db.commit()  # a failed sync rolls back what it had not committed
		failing = self.peer.fail_tenant(self.tenant, 403)
		try:
			sync.run_full_sync(self.tenant)
			sync.run_full_sync(second)
		finally:
			self.peer.faults.remove(failing)
		self.assertEqual(frappe.db.count("Xero Invoice", {"organisation": self.tenant}), 0)
		self.assertNotRegex(organisation(self.tenant).sync_status or "", "^Initial sync finished")
		self.assertEqual(frappe.db.count("Xero Invoice", {"organisation": second}), 1, organisation(second))
		self.assertRegex(organisation(second).sync_status, "^Initial sync finished: 1 invoices")

	def test_removing_one_organisation_disconnects_it_at_xero_and_keeps_the_other(self):
		from xero_crm import oauth

		second = self.peer.add_tenant("Second Org Ltd", "!SEC", "AUD")
		contact = self.emulator.in_tenant(second).contact("Second Customer", "second@example.com")
		self.emulator.in_tenant(second).invoice(contact["ContactID"], "SEC-001", "70.00")
		connected_world_again(self)
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		for tenant in (self.tenant, second):
			sync.run_full_sync(tenant)
		pinned = frappe.get_doc(
			{
				"doctype": "Pinned Invoice",
				"reference_doctype": "Contact",
				"reference_name": "someone",
				"xero_invoice": frappe.get_all("Xero Invoice", {"organisation": second}, pluck="name")[0],
				"organisation": second,
			}
		)
		pinned.flags.ignore_links = True
		pinned.insert(ignore_permissions=True)
		connection = organisation(second).connection_id
		answer = oauth.remove_organisation(second)
		self.assertIn("Second Org Ltd is removed", answer["message"])
		self.assertIsNone(answer["warning"])
		self.assertFalse(frappe.db.exists(ORGANISATION, second))
		self.assertEqual(frappe.db.count("Xero Invoice", {"organisation": second}), 0)
		self.assertFalse(frappe.db.exists("Pinned Invoice", pinned.name))
		deleted = [s.path.lower() for s in self.peer.seen if s.method == "DELETE"]
		self.assertEqual(deleted, [f"/connections/{connection}"])  # that connection only, at Xero
		# the other organisation: untouched, and still syncing with the same consent
		self.assertEqual(frappe.db.count("Xero Invoice", {"organisation": self.tenant}), 30)
		self.emulator.update_invoice(self.invoices[5]["InvoiceID"], Status="VOIDED")
		sync.run_catch_up(self.tenant)
		self.assertEqual(
			frappe.db.get_value("Xero Invoice", self.key(self.invoices[5]["InvoiceID"]), "status"), "VOIDED"
		)
		self.assertTrue(frappe.db.exists(AUTHORISATION, organisation(self.tenant).authorisation))

	def test_a_token_endpoint_answering_garbage_logs_no_secret_and_keeps_the_connection(self):
		from frappe.utils.password import get_decrypted_password

		from xero_crm.emulator.peer import Fault

		authorisation = organisation(self.tenant).authorisation
		secrets = [get_decrypted_password(SETTINGS, SETTINGS, "client_secret")] + [
			get_decrypted_password(AUTHORISATION, authorisation, field)
			for field in ("refresh_token", "access_token")
		]
		started = frappe.utils.now_datetime()
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		frappe.db.set_value(AUTHORISATION, authorisation, "token_expires_at", 0)  # refresh first
		self.peer.faults += [Fault("/connect/token", 200, body="<html>Service Unavailable</html>")] * 10
		sync.run_full_sync(self.tenant)
		org = organisation(self.tenant)
		self.assertEqual(org.status, "Connected")  # a garbled answer is not a lost connection
		self.assertTrue(org.sync_status.startswith("Interrupted"), org.sync_status)
		logged = frappe.get_all("Error Log", filters={"creation": (">=", started)}, pluck="error")
		for secret in secrets:
			self.assertTrue(secret)
			for text in logged:
				self.assertNotIn(secret, text or "")


def connected_world_again(case) -> None:
	"""The admin clicks Connect again and allows every organisation the emulator now has."""
	from xero_crm.tests.xero_world import connect_site

	connect_site(case.url, case.peer, fresh=False)
	for org in frappe.get_all(ORGANISATION, pluck="name"):
		frappe.db.set_value(ORGANISATION, org, "daily_call_budget", 10_000_000)
	frappe.db.commit()
