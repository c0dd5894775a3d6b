"""Bench tier: the Customer list's overdue status (api.overdue_for) on the real database: the
seeded Customer's overdue invoices, only Customers the caller may read, desk users only, a page at
most. And get_summary's `overdue`, what the form headline says."""

from datetime import date

import frappe

from xero_crm import api
from xero_crm.tests.test_api import ACME, HAS_ERPNEXT, TENANT, TENANT_NAME, SeededCase, seeded_customer
from xero_crm.tests.xero_world import make_user

TODAY = date(2026, 11, 20)
# the fixture's overdue sales invoices on TODAY: INV-A002 (NZD 500, due 19 Nov), INV-A012 (NZD 200,
# due 31 Oct), INV-A013 (JPY 150,000, due 1 Jul: the oldest)
OLDEST_DAYS = (TODAY - date(2026, 7, 1)).days
OTHER = "Linked by hand (xero_crm test)"
READER = "xero-overdue-reader@example.com"


class TestOverdueFor(SeededCase):
	def setUp(self):
		super().setUp()
		if not HAS_ERPNEXT:
			self.skipTest("ERPNext is not installed on this site")
		self.customer = seeded_customer()
		self.other = self._customer(OTHER)
		# the other Customer shows the same Xero contact's invoices through a link by hand
		frappe.get_doc(
			{
				"doctype": "Xero Contact Link",
				"reference_doctype": "Customer",
				"reference_name": self.other,
				"xero_contact": ACME,
				"organisation": TENANT,
			}
		).insert(ignore_permissions=True)

	def tearDown(self):
		frappe.db.delete("User Permission", {"user": READER})
		super().tearDown()

	def _customer(self, name: str) -> str:
		existing = frappe.db.get_value("Customer", {"customer_name": name})
		if existing:
			return existing
		customer = frappe.copy_doc(frappe.get_doc("Customer", seeded_customer()))
		customer.customer_name = name
		return customer.insert(ignore_permissions=True).name

	def test_the_seeded_customer_has_its_overdue_count_and_oldest(self):
		found = api.overdue_for("Customer", [self.customer, "No such customer (xero_crm test)"])
		self.assertEqual(list(found), [self.customer])
		overdue = found[self.customer]
		self.assertEqual(overdue["count"], 3)
		self.assertEqual(overdue["oldest_days"], OLDEST_DAYS)
		self.assertEqual(
			[
				(r["organisation"], r["currency"], r["count"], str(r["amount"]))
				for r in overdue["by_currency"]
			],
			[(TENANT, "JPY", 1, "150000"), (TENANT, "NZD", 2, "700.00")],
		)

	def test_it_agrees_with_the_summary_the_form_headline_reads(self):
		summary = api.get_summary("Customer", self.customer)
		self.assertEqual(summary["overdue"], api.overdue_for("Customer", [self.customer])[self.customer])
		self.assertEqual(summary["overdue"]["count"], summary["counts"]["overdue"])
		# each row names its organisation, so the list's pill can tell several apart
		self.assertEqual(
			{(r["organisation"], r["organisation_name"]) for r in summary["overdue"]["by_currency"]},
			{(TENANT, TENANT_NAME)},
		)

	def test_names_may_come_as_json_and_a_link_by_hand_counts(self):
		found = api.overdue_for("Customer", frappe.as_json([self.customer, self.other]))
		self.assertEqual(sorted(found), sorted([self.customer, self.other]))

	def test_a_customer_the_user_may_not_read_is_left_out(self):
		make_user(READER, "Sales User")
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": READER,
				"allow": "Customer",
				"for_value": self.customer,
				"apply_to_all_doctypes": 1,
			}
		).insert(ignore_permissions=True)
		frappe.set_user(READER)
		found = api.overdue_for("Customer", [self.customer, self.other])
		self.assertEqual(list(found), [self.customer])

	def test_guest_and_website_users_are_refused(self):
		website = make_user("xero-overdue-portal@example.com", user_type="Website User")
		for user in ("Guest", website):
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError, msg=user):
				api.overdue_for("Customer", [self.customer])

	def test_a_page_is_at_most_500_names_and_customers_only(self):
		with self.assertRaises(frappe.ValidationError):
			api.overdue_for("Customer", [f"C-{i}" for i in range(501)])
		self.assertEqual(api.overdue_for("Customer", [f"C-{i}" for i in range(500)]), {})
		with self.assertRaises(frappe.ValidationError):
			api.overdue_for("Contact", [self.contact])
		with self.assertRaises(frappe.ValidationError):
			api.overdue_for("Customer", "not a list")
