"""Bench tier: `bench --site SITE xero-crm demo` on this site: an organisation made by the real callback,
panels that total what was seeded, a second run that changes nothing, live changes that reach the cache
through the site's own webhook endpoint, `--remove` leaving the site as it was, two organisations on
request, and refusals on a site with a connection, a cache or credentials of its own."""

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
from xero_crm.constants import AUTHORISATION, CONTACT, CREDIT, INVOICE, LINK, ORGANISATION, PIN, SETTINGS
from xero_crm.emulator import demo_company
from xero_crm.emulator.seed import Emulator
from xero_crm.tests.xero_world import SiteServer, XeroTestCase, forget_connections, organisation
from xero_crm.xero.keys import cache_key

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
	"Xero Organisation",
	"Xero Authorisation",
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
	secrets = frappe.db.count("__Auth", {"doctype": ("in", (SETTINGS, AUTHORISATION))})
	config = {k: v for k, v in frappe.get_site_config().items() if k.startswith("xero_")}
	organisations = sorted(frappe.get_all(ORGANISATION, pluck="name"))
	return {
		"counts": counts,
		"settings": singles,
		"secrets": secrets,
		"config": config,
		"organisations": organisations,
	}


def panel_totals(customer: str) -> dict:
	"""{(organisation, currency): {"paid", "unpaid"}}, as the panel totals them."""
	summary = api.get_summary("Customer", customer)
	return {
		(t["organisation"], t["currency"]): {
			"paid": Decimal(str(t["paid"])),
			"unpaid": Decimal(str(t["unpaid"])),
		}
		for t in summary["totals"]
	}


def expected_totals(planned, customer: str, tenant: str, drop_empty: bool = True) -> dict:
	return {
		(tenant, c): t
		for c, t in demo_company.expected_totals(planned, customer).items()
		if t["paid"] or t["unpaid"] or not drop_empty
	}


def empty_the_cache() -> None:
	"""What other tests left in the cache, of organisations long gone: the demo refuses a cache not
	its own."""
	left = set()
	for doctype in (INVOICE, CONTACT, CREDIT, PIN, LINK):
		left |= set(frappe.get_all(doctype, pluck="organisation", distinct=True))
	for tenant in left:
		forget_organisation(tenant or "")


class TestDemo(XeroTestCase):
	@classmethod
	def setUpClass(cls):
		frappe.set_user("Administrator")
		if demo.Manifest.load():  # a demo someone ran on this site: its settings must not be put back
			demo.remove()
		super().setUpClass()  # Xero Settings are put back afterwards
		cls.conf_before = dict(frappe.local.conf)
		# a site never connected: no organisation, no consent, no credentials, no cache (the other
		# settings as they are); the organisations and consents are put back after the class
		forget_connections()
		frappe.db.set_single_value(SETTINGS, {"client_id": None, "enabled": 0})
		frappe.db.sql("delete from __Auth where doctype=%s", SETTINGS)
		empty_the_cache()
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
		manifest = demo.Manifest.load()
		(tenant,) = manifest.organisations
		# the real callback made the emulator's organisation, with the demo's budget, and its consent
		self.assertEqual(frappe.get_all(ORGANISATION, pluck="name"), [tenant])
		org = organisation(tenant)
		self.assertEqual((org.organisation_name, org.status), (demo_company.ORGANISATION, "Connected"))
		self.assertEqual(org.daily_call_budget, demo.DEMO_CALL_BUDGET)
		self.assertEqual(manifest.authorisations, [org.authorisation])
		planned = demo_company.plan(date.fromisoformat(nowdate()))
		self.assertEqual(len(ready.customers), 12)
		self.assertEqual(ready.invoices, len(planned))
		self.assertEqual(ready.organisations, [(demo_company.ORGANISATION, len(planned))])
		for name in ready.customers:
			self.assertEqual(panel_totals(name), expected_totals(planned, name, tenant), name)
		self.assertIn("http://127.0.0.1:8000/app/customer/Harbour%20Lights%20Caf%C3%A9", ready.urls)
		contact = frappe.db.get_value("Contact Email", {"email_id": "olivia@scfreight.com.au"}, "parent")
		self.assertTrue(api.get_summary("Contact", contact)["matched"])

		before = site_state()
		again = demo.start("http://127.0.0.1:8000")
		self.assertEqual(again.customers, ready.customers)
		self.assertEqual(site_state()["counts"], before["counts"])
		self.assertEqual(site_state()["organisations"], [tenant])
		self.assertEqual(
			panel_totals("Coral Coast Dive Co"),
			expected_totals(planned, "Coral Coast Dive Co", tenant, drop_empty=False),
		)
		with self.assertRaises(demo.DemoRefused) as refused:  # two organisations need a new demo
			demo.start(two_organisations=True)
		self.assertIn("--remove", str(refused.exception))
		self.assertEqual(site_state()["organisations"], [tenant])

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
			self.assertEqual(site_state()["organisations"], manifest.organisations)
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
			self.assertFalse(frappe.db.exists(INVOICE, {"organisation": manifest.tenant_id}))
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
		webhook.process_pending(manifest.tenant_id)  # what the worker does with the stored deliveries
		state = Emulator(manifest.emulator).state()
		for invoice in state["invoices"]:
			cached = frappe.db.get_value(
				INVOICE,
				cache_key(manifest.tenant_id, invoice["InvoiceID"]),
				["status", "amount_due", "due_date"],
				as_dict=True,
			)
			self.assertIsNotNone(cached, invoice["InvoiceNumber"])
			self.assertEqual(cached.status, invoice["Status"], invoice["InvoiceNumber"])
			self.assertEqual(
				Decimal(str(cached.amount_due)), Decimal(str(invoice["AmountDue"])).quantize(Decimal("0.01"))
			)
			self.assertEqual(str(cached.due_date), invoice["DueDateString"][:10], invoice["InvoiceNumber"])
		self.assertTrue(all("webhook 200" in line for line in lines), lines)

	def assert_refused_and_unchanged(self, words: str, through_the_command: bool = False) -> None:
		before = site_state()
		with self.assertRaises(demo.DemoRefused) as refused:
			demo.start()
		self.assertIn(words, str(refused.exception))
		if through_the_command:
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
			self.assertIn(words, run.stdout + run.stderr)
		self.assertEqual(site_state(), before)
		self.assertIsNone(demo.Manifest.load())

	def test_it_refuses_on_a_site_with_a_real_connection_and_changes_nothing(self):
		frappe.get_doc(
			{
				"doctype": ORGANISATION,
				"tenant_id": "real-tenant",
				"organisation_name": "Real Ltd",
				"status": "Connected",
				"enabled": 1,
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		try:
			self.assert_refused_and_unchanged("connected to Xero (Real Ltd)", through_the_command=True)
			self.assertTrue(frappe.db.exists(ORGANISATION, "real-tenant"))
		finally:
			frappe.db.delete(ORGANISATION, {"name": "real-tenant"})
			frappe.db.delete("Version", {"ref_doctype": ORGANISATION, "docname": "real-tenant"})
			frappe.db.commit()

	def test_it_refuses_a_xero_consent_it_did_not_make_and_deletes_nothing(self):
		# a consent whose organisations are gone: the callback would delete it as unused
		consent = frappe.get_doc(
			{"doctype": AUTHORISATION, "status": "Connected", "connected_user_email": "owner@real.example"}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		try:
			self.assert_refused_and_unchanged("connected to Xero (owner@real.example)")
			self.assertTrue(frappe.db.exists(AUTHORISATION, consent.name))
		finally:
			frappe.db.delete(AUTHORISATION, {"name": consent.name})
			frappe.db.delete("Version", {"ref_doctype": AUTHORISATION, "docname": consent.name})
			frappe.db.commit()

	def test_it_refuses_a_cache_left_by_a_real_organisation_and_deletes_nothing(self):
		left = cache_key("t-left-behind", "c-left-behind")
		frappe.get_doc(
			{
				"doctype": CONTACT,
				"name": left,
				"organisation": "t-left-behind",
				"contact_name": "Left Behind Ltd",
			}
		).db_insert()
		frappe.db.commit()
		try:
			self.assert_refused_and_unchanged("without Xero data of its own")
			self.assertTrue(frappe.db.exists(CONTACT, left))
		finally:
			frappe.db.delete(CONTACT, {"name": left})
			frappe.db.commit()

	def test_it_refuses_xero_settings_holding_an_admins_own_credentials(self):
		frappe.db.set_single_value(SETTINGS, "client_id", "my-own-xero-app")
		frappe.db.commit()
		try:
			self.assert_refused_and_unchanged("your own Xero app's credentials")
		finally:
			frappe.db.set_single_value(SETTINGS, "client_id", None)
			frappe.db.commit()

	def test_the_manifest_says_what_the_demo_made(self):
		demo.start()
		manifest = json.loads(demo.Manifest.path().read_text())
		doctypes = {d for d, _n in manifest["records"]}
		self.assertLessEqual(
			doctypes, {"Customer", "Contact", "Opportunity", "CRM Organization", "CRM Deal", "CRM Lead"}
		)
		self.assertEqual(sum(d == "Contact" for d, _n in manifest["records"]), 12)
		self.assertEqual(manifest["organisations"], frappe.get_all(ORGANISATION, pluck="name"))
		self.assertEqual(manifest["tenant_id"], manifest["organisations"][0])
		self.assertEqual(manifest["authorisations"], frappe.get_all(AUTHORISATION, pluck="name"))

	def test_two_organisations_show_side_by_side_on_a_shared_customers_panel_and_both_are_removed(self):
		before = site_state()
		ready = demo.start(two_organisations=True)
		manifest = demo.Manifest.load()
		main, sister = manifest.organisations
		names = dict(frappe.get_all(ORGANISATION, fields=["name", "organisation_name"], as_list=True))
		self.assertEqual(names, {main: demo_company.ORGANISATION, sister: demo_company.SISTER[0]})
		self.assertEqual(
			[organisation(t).daily_call_budget for t in (main, sister)], [demo.DEMO_CALL_BUDGET] * 2
		)
		today = date.fromisoformat(nowdate())
		planned, planned_sister = demo_company.plan(today), demo_company.plan_sister(today)
		self.assertEqual(
			ready.organisations,
			[(demo_company.ORGANISATION, len(planned)), (demo_company.SISTER[0], len(planned_sister))],
		)
		for name in demo_company.SISTER_CUSTOMERS:
			summary = api.get_summary("Customer", name)
			self.assertEqual({o["organisation"] for o in summary["organisations"]}, {main, sister}, name)
			self.assertEqual(
				panel_totals(name),
				{
					**expected_totals(planned, name, main),
					**expected_totals(planned_sister, name, sister),
				},
				name,
			)
		self.assertEqual(
			{o["organisation"] for o in api.get_summary("Customer", "Kauri Ridge Builders")["organisations"]},
			{main},
		)

		demo.remove()
		self.assertEqual(site_state(), before)
		self.assertFalse(frappe.db.exists(INVOICE, {"organisation": ("in", (main, sister))}))
