"""Bench tier, on a site with Frappe CRM (the `crm` app) installed; skipped elsewhere. What install and
migrate add to Frappe CRM (the side-panel field, its place, the form scripts), that migrate changes
nothing twice and keeps an admin's own layout, uninstall's clean-up, and the API on CRM Deal,
Organization and Lead: the same totals as the matching Customer, 403 without read on the record."""

import json

import frappe

from xero_crm import api
from xero_crm.emulator.seed import Emulator
from xero_crm.frappe_crm import install
from xero_crm.tests.xero_world import XeroTestCase, connected_world, make_user

HAS_CRM = "crm" in frappe.get_installed_apps()
HAS_ERPNEXT = "erpnext" in frappe.get_installed_apps()
NAME = "Tui Orchard Supplies (xero_crm crm test)"
EMAIL = "accounts@tui.xero-crm-test.invalid"


def side_panel(dt: str) -> list:
	name = frappe.db.get_value("CRM Fields Layout", {"dt": dt, "type": "Side Panel"})
	return json.loads(frappe.db.get_value("CRM Fields Layout", name, "layout") or "[]")


def sections_holding_the_field(dt: str) -> list[str]:
	return [
		s.get("name")
		for s in side_panel(dt)
		for c in s.get("columns") or []
		if install.FIELD in (c.get("fields") or [])
	]


def set_side_panel(dt: str, layout: list) -> None:
	name = frappe.db.get_value("CRM Fields Layout", {"dt": dt, "type": "Side Panel"})
	frappe.db.set_value("CRM Fields Layout", name, "layout", json.dumps(layout))


class TestFrappeCrmInstall(XeroTestCase):
	def setUp(self):
		if not HAS_CRM:
			self.skipTest("Frappe CRM (the crm app) is not installed on this site")
		self.layouts = {dt: side_panel(dt) for dt in install.PAGES}
		self.placed = frappe.db.get_default(install.PLACED)

	def tearDown(self):
		for dt, layout in self.layouts.items():
			set_side_panel(dt, layout)
		frappe.db.set_default(install.PLACED, self.placed)
		install.sync()
		frappe.db.commit()

	def test_install_adds_the_field_its_place_and_a_form_script_per_page(self):
		install.sync()
		for dt, cls in install.PAGES.items():
			self.assertEqual(frappe.get_meta(dt).get_field(install.FIELD).fieldtype, "HTML", dt)
			self.assertEqual(sections_holding_the_field(dt), [install.SECTION], dt)
			script = frappe.get_doc("CRM Form Script", install.script_name(dt))
			self.assertEqual((script.dt, script.view, script.is_standard), (dt, "Form", 1))
			self.assertIn(f"class {cls} {{", script.script)
			self.assertIn(f'panel.attach(this, "{dt}"', script.script)
			self.assertIn("/assets/xero_crm/js/frappe_crm/panel.js?v=", script.script)
		# a Deal's contacts stay first in its side panel
		self.assertEqual(side_panel("CRM Deal")[0]["name"], "contacts_section")

	def test_migrate_twice_changes_nothing(self):
		install.sync()
		before = ({dt: side_panel(dt) for dt in install.PAGES}, self._scripts(), self._fields())
		install.sync()
		install.sync()
		self.assertEqual(
			({dt: side_panel(dt) for dt in install.PAGES}, self._scripts(), self._fields()), before
		)

	def test_an_admins_layout_and_choice_to_disable_survive_migrate(self):
		install.sync()
		# the admin moves the section to the end of the Organization's side panel, and removes it from
		# the Contact's, and disables the Lead's script
		org = side_panel("CRM Organization")
		moved = [s for s in org if s["name"] != install.SECTION] + [
			s for s in org if s["name"] == install.SECTION
		]
		set_side_panel("CRM Organization", moved)
		set_side_panel("Contact", [s for s in side_panel("Contact") if s["name"] != install.SECTION])
		frappe.db.set_value("CRM Form Script", install.script_name("CRM Lead"), "enabled", 0)

		install.sync()

		self.assertEqual(side_panel("CRM Organization"), moved)
		self.assertEqual(sections_holding_the_field("Contact"), [])
		self.assertEqual(
			frappe.db.get_value("CRM Form Script", install.script_name("CRM Lead"), "enabled"), 0
		)
		frappe.db.set_value("CRM Form Script", install.script_name("CRM Lead"), "enabled", 1)

	def test_an_outdated_script_of_ours_is_brought_up_to_date_and_no_other_script_is_touched(self):
		install.sync()
		others = {
			s.name: s.script
			for s in frappe.get_all("CRM Form Script", fields=["name", "script"])
			if not s.name.startswith("Xero invoices (")
		}
		frappe.db.set_value("CRM Form Script", install.script_name("CRM Deal"), "script", "class CRMDeal {}")
		install.sync()
		self.assertEqual(
			frappe.db.get_value("CRM Form Script", install.script_name("CRM Deal"), "script"),
			install.script_for("CRM Deal"),
		)
		self.assertEqual(
			{
				s.name: s.script
				for s in frappe.get_all("CRM Form Script", fields=["name", "script"])
				if not s.name.startswith("Xero invoices (")
			},
			others,
		)

	def test_uninstall_takes_back_what_it_added(self):
		install.sync()
		install.remove()
		self.assertEqual(self._scripts(), {})
		self.assertEqual(self._fields(), [])
		for dt in install.PAGES:
			self.assertEqual(sections_holding_the_field(dt), [], dt)
			self.assertNotIn(install.SECTION, [s.get("name") for s in side_panel(dt)])
		# installing again puts everything back
		frappe.db.set_default(install.PLACED, None)
		install.sync()
		self.assertEqual(len(self._scripts()), len(install.PAGES))

	def _scripts(self) -> dict:
		return {
			s.name: (s.script, s.enabled)
			for s in frappe.get_all(
				"CRM Form Script",
				filters={"name": ["like", "Xero invoices (%"]},
				fields=["name", "script", "enabled"],
			)
		}

	def _fields(self) -> list:
		return sorted(frappe.get_all("Custom Field", filters={"fieldname": install.FIELD}, pluck="name"))


class TestFrappeCrmApi(XeroTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		if not HAS_CRM:
			return
		url, _peer, cls.tenant = connected_world()
		frappe.db.set_single_value("Xero Settings", "enabled", 1)
		emulator = Emulator(url)
		contact = emulator.contact(NAME, EMAIL)
		emulator.invoice(contact["ContactID"], "INV-CRM-1", "250.00", Date="2026-11-01", DueDate="2026-11-10")
		emulator.invoice(
			contact["ContactID"],
			"INV-CRM-2",
			"80.00",
			CurrencyCode="AUD",
			Date="2026-11-02",
			DueDate="2027-01-10",
		)
		from xero_crm.sync import run_full_sync

		run_full_sync(cls.tenant)
		frappe.set_user("Administrator")
		cls.org = (
			frappe.get_doc({"doctype": "CRM Organization", "organization_name": NAME})
			.insert(ignore_permissions=True)
			.name
		)
		cls.deal = (
			frappe.get_doc({"doctype": "CRM Deal", "organization": cls.org})
			.insert(ignore_permissions=True)
			.name
		)
		cls.lead = (
			frappe.get_doc(
				{"doctype": "CRM Lead", "first_name": "Tui", "email": EMAIL, "organization": "Someone Else"}
			)
			.insert(ignore_permissions=True)
			.name
		)
		cls.customer = None
		if HAS_ERPNEXT:
			cls.customer = (
				frappe.get_doc({"doctype": "Customer", "customer_name": NAME})
				.insert(ignore_permissions=True)
				.name
			)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		if HAS_CRM:
			frappe.set_user("Administrator")
			for doctype, name in (
				("CRM Deal", cls.deal),
				("CRM Lead", cls.lead),
				("CRM Organization", cls.org),
				("Customer", cls.customer),
			):
				if name and frappe.db.exists(doctype, name):
					frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
			from xero_crm.cache import forget_organisation

			forget_organisation(cls.tenant)  # the emulator's organisation: new with each reset
			frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		if not HAS_CRM:
			self.skipTest("Frappe CRM (the crm app) is not installed on this site")
		frappe.set_user("Administrator")

	def test_deal_organization_and_lead_total_what_the_matching_customer_totals(self):
		totals = {
			dt: api.get_summary(dt, name)["totals"]
			for dt, name in (("CRM Deal", self.deal), ("CRM Organization", self.org), ("CRM Lead", self.lead))
		}
		expected = [
			{"currency": "AUD", "paid": "0.00", "unpaid": "80.00", "overdue": "0.00"},
			{"currency": "NZD", "paid": "0.00", "unpaid": "250.00", "overdue": "250.00"},
		]
		for dt, rows in totals.items():
			self.assertEqual(self._plain(rows), expected, dt)
			self.assertEqual({r["organisation"] for r in rows}, {self.tenant}, dt)  # each row names it
		if self.customer:
			self.assertEqual(self._plain(api.get_summary("Customer", self.customer)["totals"]), expected)
		listed = api.get_invoices("CRM Deal", self.deal, view="all")
		self.assertEqual({i["invoice_number"] for i in listed["invoices"]}, {"INV-CRM-1", "INV-CRM-2"})
		self.assertEqual(api.get_summary("CRM Lead", self.lead)["overdue"]["count"], 1)

	def test_a_user_without_read_on_the_deal_gets_403_as_for_one_that_does_not_exist(self):
		user = make_user("xero-crm-no-deals@example.com", "Accounts User")
		frappe.set_user(user)
		for dt, name in (
			("CRM Deal", self.deal),
			("CRM Organization", self.org),
			("CRM Lead", self.lead),
			("CRM Deal", "CRM-DEAL-NOPE"),
		):
			with self.assertRaises(frappe.PermissionError, msg=f"{dt} {name}"):
				api.get_summary(dt, name)
			with self.assertRaises(frappe.PermissionError, msg=f"{dt} {name}"):
				api.get_invoices(dt, name)

	def test_a_sales_manager_links_a_deal_by_hand_and_unlinks_it(self):
		other = frappe.get_doc({"doctype": "CRM Deal", "organization": self.org}).insert(
			ignore_permissions=True
		)
		try:
			contact_id = api.get_summary("CRM Deal", self.deal)["xero_contacts"][0]["contact_id"]
			self.assertTrue(contact_id.startswith(f"{self.tenant}:"), contact_id)  # a cache key
			frappe.db.set_value("CRM Deal", other.name, "organization", None)
			self.assertFalse(api.get_summary("CRM Deal", other.name)["matched"])
			api.link_xero_contact("CRM Deal", other.name, contact_id)
			self.assertEqual(api.get_summary("CRM Deal", other.name)["xero_contacts"][0]["how"], "link")
			api.unlink_xero_contact("CRM Deal", other.name)
			self.assertFalse(api.get_summary("CRM Deal", other.name)["matched"])
		finally:
			frappe.delete_doc("CRM Deal", other.name, force=True, ignore_permissions=True)

	@staticmethod
	def _plain(rows):
		return sorted(
			({k: str(r[k]) for k in ("currency", "paid", "unpaid", "overdue")} for r in rows),
			key=lambda r: r["currency"],
		)
