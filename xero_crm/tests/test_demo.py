"""Bench tier: `bench --site SITE xero-crm demo` on this site: panels that total what was seeded, a
second run that changes nothing, live changes that reach the cache through the site's own webhook
endpoint, `--remove` leaving the site as it was, and a refusal on a site with a real connection."""

import json
import os
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import frappe
from frappe.utils import nowdate

from xero_crm import api, demo
from xero_crm.cache import forget_organisation
from xero_crm.constants import SETTINGS
from xero_crm.emulator import demo_company
from xero_crm.emulator.seed import Emulator
from xero_crm.tests.xero_world import SiteServer, XeroTestCase

# Every DocType the demo writes, or whose rows a write or a delete could leave behind.
TOUCHED = (
	"Customer",
	"Contact",
	"Contact Email",
	"Dynamic Link",
	"Opportunity",
	"Xero Invoice",
	"Xero Invoice Payment",
	"Xero Credit",
	"Xero Contact",
	"Xero Contact Email",
	"Xero Webhook Event",
	"Pinned Invoice",
	"Xero Contact Link",
	"Version",
	"Deleted Document",
	"Comment",
	"CRM Organization",  # where Frappe CRM is installed
	"CRM Deal",
	"CRM Contacts",
	"CRM Lead",
)


def site_state() -> dict:
	counts = {d: frappe.db.count(d) for d in TOUCHED if frappe.db.exists("DocType", d)}
	singles = sorted(frappe.db.sql("select field, value from tabSingles where doctype=%s", SETTINGS))
	secrets = frappe.db.count("__Auth", {"doctype": SETTINGS})
	config = {k: v for k, v in frappe.get_site_config().items() if k.startswith("xero_")}
	return {"counts": counts, "settings": singles, "secrets": secrets, "config": config}


def panel_totals(customer: str) -> dict:
	summary = api.get_summary("Customer", customer)
	return {
		t["currency"]: {"paid": Decimal(str(t["paid"])), "unpaid": Decimal(str(t["unpaid"]))}
		for t in summary["totals"]
	}


class TestDemo(XeroTestCase):
	@classmethod
	def setUpClass(cls):
		frappe.set_user("Administrator")
		if demo.Manifest.load():  # a demo someone ran on this site: its settings must not be put back
			demo.remove()
		super().setUpClass()  # Xero Settings are put back afterwards
		cls.conf_before = dict(frappe.local.conf)
		# a site never connected: no credentials, no organisation (the other settings as they are)
		frappe.db.set_single_value(
			SETTINGS,
			{
				"client_id": None,
				"tenant_id": None,
				"organisation_name": None,
				"status": "Not Connected",
				"enabled": 0,
			},
		)
		frappe.db.sql("delete from __Auth where doctype=%s", SETTINGS)
		forget_organisation()  # what other tests left in the cache: the demo refuses a cache not its own
		frappe.db.commit()
		frappe.clear_document_cache(SETTINGS, SETTINGS)

	@classmethod
	def tearDownClass(cls):
		if demo.Manifest.load():
			demo.remove()
		frappe.local.conf.clear()
		frappe.local.conf.update(cls.conf_before)
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		if demo.Manifest.load():
			demo.remove()
		frappe.db.commit()

	def test_a_customers_panel_totals_what_was_seeded_and_a_second_run_changes_nothing(self):
		ready = demo.start("http://127.0.0.1:8000")
		planned = demo_company.plan(date.fromisoformat(nowdate()))
		self.assertEqual(len(ready.customers), 12)
		self.assertEqual(ready.invoices, len(planned))
		for name in ready.customers:
			expected = {
				c: t
				for c, t in demo_company.expected_totals(planned, name).items()
				if t["paid"] or t["unpaid"]
			}
			self.assertEqual(panel_totals(name), expected, name)
		self.assertIn("http://127.0.0.1:8000/app/customer/Harbour%20Lights%20Caf%C3%A9", ready.urls)
		contact = frappe.db.get_value("Contact Email", {"email_id": "olivia@scfreight.com.au"}, "parent")
		self.assertTrue(api.get_summary("Contact", contact)["matched"])

		before = site_state()
		again = demo.start("http://127.0.0.1:8000")
		self.assertEqual(again.customers, ready.customers)
		self.assertEqual(site_state()["counts"], before["counts"])
		self.assertEqual(
			panel_totals("Coral Coast Dive Co"),
			{c: t for c, t in demo_company.expected_totals(planned, "Coral Coast Dive Co").items()},
		)

	def test_remove_leaves_the_site_as_it_was_and_keeps_a_record_the_demo_did_not_make(self):
		frappe.get_doc({"doctype": "Customer", "customer_name": "Fernleaf Dental"}).insert(
			ignore_permissions=True
		)
		frappe.db.commit()
		before = site_state()
		try:
			demo.start()
			manifest = demo.Manifest.load()
			self.assertNotIn(["Customer", "Fernleaf Dental"], manifest.records)
			contact = frappe.db.get_value("Xero Contact", {"contact_name": "Fernleaf Dental"}, "name")
			invoice = frappe.get_all(
				"Xero Invoice", filters={"xero_contact": contact, "invoice_type": "ACCREC"}, pluck="name"
			)[0]
			api.pin_invoice("Customer", "Fernleaf Dental", invoice)
			site = SiteServer()
			try:
				self.assertEqual(demo.live(site.url, 0, lambda line: None, rounds=2), 2)
			finally:
				site.stop()
			frappe.db.commit()
			self.assertGreater(
				site_state()["counts"]["Xero Webhook Event"], before["counts"]["Xero Webhook Event"]
			)

			lines = demo.remove()
			self.assertIn("removed", lines[0])
			self.assertEqual(site_state(), before)
			self.assertTrue(frappe.db.exists("Customer", "Fernleaf Dental"))
			self.assertIsNone(demo.Manifest.load())
			with self.assertRaises(ProcessLookupError):
				os.killpg(manifest.pid, 0)
		finally:
			frappe.delete_doc(
				"Customer", "Fernleaf Dental", force=True, delete_permanently=True, ignore_permissions=True
			)
			frappe.db.commit()

	def test_live_changes_reach_the_cache_through_the_sites_webhook_endpoint(self):
		from xero_crm import webhook

		demo.start()
		manifest = demo.Manifest.load()
		lines = []
		site = SiteServer()
		try:
			self.assertEqual(demo.live(site.url, 0, lines.append, rounds=4), 4)
		finally:
			site.stop()
		webhook.process_pending()  # what the worker does with the stored deliveries
		state = Emulator(manifest.emulator).state()
		for invoice in state["invoices"]:
			cached = frappe.db.get_value(
				"Xero Invoice", invoice["InvoiceID"], ["status", "amount_due", "due_date"], as_dict=True
			)
			self.assertIsNotNone(cached, invoice["InvoiceNumber"])
			self.assertEqual(cached.status, invoice["Status"], invoice["InvoiceNumber"])
			self.assertEqual(
				Decimal(str(cached.amount_due)), Decimal(str(invoice["AmountDue"])).quantize(Decimal("0.01"))
			)
			self.assertEqual(str(cached.due_date), invoice["DueDateString"][:10], invoice["InvoiceNumber"])
		self.assertTrue(all("webhook 200" in line for line in lines), lines)

	def test_it_refuses_on_a_site_with_a_real_connection_and_changes_nothing(self):
		frappe.db.set_single_value(
			SETTINGS, {"status": "Connected", "tenant_id": "real-tenant", "organisation_name": "Real Ltd"}
		)
		frappe.db.commit()
		before = site_state()
		try:
			with self.assertRaises(demo.DemoRefused) as refused:
				demo.start()
			self.assertIn("Real Ltd", str(refused.exception))
			bench = Path(frappe.utils.get_bench_path())
			command = ["frappe", "--site", frappe.local.site, "xero-crm", "demo"]  # what `bench` runs
			run = subprocess.run(
				[str(bench / "env" / "bin" / "python"), "-m", "frappe.utils.bench_helper", *command],
				cwd=bench / "sites",
				capture_output=True,
				text=True,
				timeout=120,
			)
			self.assertNotEqual(run.returncode, 0)
			self.assertIn("connected to Xero (Real Ltd)", run.stdout + run.stderr)
			self.assertEqual(site_state(), before)
			self.assertIsNone(demo.Manifest.load())
		finally:
			frappe.db.set_single_value(
				SETTINGS, {"status": "Not Connected", "tenant_id": None, "organisation_name": None}
			)
			frappe.db.commit()

	def test_it_refuses_a_cache_left_by_a_real_organisation_and_deletes_nothing(self):
		frappe.get_doc(
			{"doctype": "Xero Contact", "name": "c-left-behind", "contact_name": "Left Behind Ltd"}
		).db_insert()
		frappe.db.commit()
		try:
			with self.assertRaises(demo.DemoRefused) as refused:
				demo.start()
			self.assertIn("would delete them", str(refused.exception))
			self.assertTrue(frappe.db.exists("Xero Contact", "c-left-behind"))
			self.assertIsNone(demo.Manifest.load())
		finally:
			frappe.db.delete("Xero Contact", {"name": "c-left-behind"})
			frappe.db.commit()

	def test_the_manifest_says_what_the_demo_made(self):
		demo.start()
		manifest = json.loads(demo.Manifest.path().read_text())
		doctypes = {d for d, _n in manifest["records"]}
		self.assertLessEqual(
			doctypes, {"Customer", "Contact", "Opportunity", "CRM Organization", "CRM Deal", "CRM Lead"}
		)
		self.assertEqual(sum(d == "Contact" for d, _n in manifest["records"]), 12)
