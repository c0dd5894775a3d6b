"""Bench tier: the panel's API methods end to end on the real database, and who may call them."""

import json
from decimal import Decimal
from unittest.mock import patch

import frappe

from xero_crm import api
from xero_crm.cache import frappe_cache
from xero_crm.tests.test_xero_settings import _user
from xero_crm.tests.xero_world import (
	APP_ROOT,
	XeroTestCase,
	opportunity_masters,
	restrict_to_contact,
	seeded_organisation,
)
from xero_crm.xero.keys import cache_key
from xero_crm.xero.records import XeroContact, parse_invoice

HAS_ERPNEXT = "erpnext" in frappe.get_installed_apps()
# Names no real record on the site would have: the bench tier may run on a site in use.
TEST_NAME = "Acme Widgets Ltd (xero_crm test)"
TEST_EMAIL = "accounts@acme.xero-crm-test.invalid"
# The seeded organisation: a connected Xero organisation with no consent behind it (no Xero calls).
TENANT = "tenant-xero-crm-test"
TENANT_NAME = "Acme's Xero (xero_crm test)"
SHORT_CODE = "!aB3xY"


def key(xero_id: str) -> str:
	"""The cache key the panel's API names a seeded record by."""
	return cache_key(TENANT, xero_id)


ACME = key("c-acme")


FIXTURE = json.loads(
	(APP_ROOT / "tests" / "fixtures" / "invoices_acme.json").read_text(), parse_float=Decimal
)
INVOICE_IDS = [i["InvoiceID"] for i in FIXTURE["Invoices"]]  # Xero's own ids
INVOICE_KEYS = [key(i) for i in INVOICE_IDS]  # the cache's names for them


def _seed():
	data = FIXTURE
	seeded_organisation(TENANT, TENANT_NAME, SHORT_CODE)
	cache = frappe_cache(TENANT)
	cache.write_contacts([XeroContact("c-acme", TEST_NAME, TEST_EMAIL, is_customer=True)])
	cache.write_invoices([parse_invoice(i) for i in data["Invoices"]])


def _remove_seed():
	"""Only what _seed made: the site may hold someone's synced invoices."""
	frappe.db.delete("Xero Invoice Payment", {"parent": ("in", INVOICE_KEYS)})
	frappe.db.delete("Xero Invoice", {"name": ("in", INVOICE_KEYS)})
	frappe.db.delete("Xero Contact Email", {"parent": ACME})
	frappe.db.delete("Xero Contact", {"name": ACME})
	frappe.db.delete("Pinned Invoice", {"xero_invoice": ("in", INVOICE_KEYS)})
	frappe.db.delete("Xero Contact Link", {"xero_contact": ACME})


def _contact(email: str) -> str:
	"""A Contact with this email, made by Administrator (whose typed emails are trusted)."""
	for existing in frappe.get_all(
		"Contact Email", filters={"email_id": email, "parenttype": "Contact"}, pluck="parent"
	):
		if frappe.db.get_value("Contact", existing, ["owner", "modified_by"]) == ("Administrator",) * 2:
			return existing
	doc = frappe.get_doc({"doctype": "Contact", "first_name": "Wile", "last_name": "Coyote"})
	doc.append("email_ids", {"email_id": email, "is_primary": 1})
	return doc.insert(ignore_permissions=True).name


class SeededCase(XeroTestCase):
	"""The fixture's invoices cached for one Xero contact, and a Contact that matches it by email."""

	def setUp(self):
		frappe.set_user("Administrator")
		# The fixture's dates are set around 2026-11-20: views are judged on that day.
		today = patch("frappe.utils.nowdate", return_value="2026-11-20")
		today.start()
		self.addCleanup(today.stop)
		_seed()
		self.contact = _contact(TEST_EMAIL)

	def tearDown(self):
		frappe.set_user("Administrator")
		_remove_seed()


class TestPanelApi(SeededCase):
	def test_contact_sees_its_open_invoices_most_recent_first(self):
		result = api.get_invoices("Contact", self.contact)
		self.assertEqual(result["view"], "open")
		numbers = [i["invoice_number"] for i in result["invoices"]]
		self.assertEqual(numbers[0], "INV-A010")
		self.assertIn("INV-A005", numbers)
		part_paid = next(i for i in result["invoices"] if i["invoice_number"] == "INV-A005")
		self.assertEqual([p["number"] for p in part_paid["payments"]], [1, 2, 3])
		self.assertIn("shortcode=%21aB3xY", part_paid["url"])  # the invoice's organisation opens
		self.assertEqual(part_paid["invoice_id"], key("i-005"))
		self.assertIn("i-005", part_paid["url"])
		self.assertNotIn(TENANT, part_paid["url"])  # Xero knows the invoice by its own id
		self.assertEqual(part_paid["organisation"], TENANT)

	def test_summary_totals_are_per_currency(self):
		summary = api.get_summary("Contact", self.contact)
		self.assertTrue(summary["connected"] and summary["matched"] and summary["is_customer"])
		totals = {(t["organisation"], t["currency"]): t for t in summary["totals"]}
		self.assertEqual(totals[(TENANT, "NZD")]["unpaid"], Decimal("1100.00"))
		self.assertEqual(totals[(TENANT, "USD")]["paid"], Decimal("80.00"))
		self.assertEqual(summary["counts"]["overdue"], 3)  # sales invoices only: not the bill

	def test_search_is_data_not_sql(self):
		for hostile in ("\\' OR 1=1 -- ", "' OR '1'='1", "%", "_"):
			self.assertEqual(
				api.get_invoices("Contact", self.contact, view="all", search=hostile)["invoices"], []
			)
		self.assertEqual(
			[
				i["invoice_number"]
				for i in api.get_invoices("Contact", self.contact, "all", "po 7731")["invoices"]
			],
			["INV-A005"],
		)

	def test_bad_arguments_get_a_clear_validation_error(self):
		for kwargs in ({"view": "nope"}, {"from_date": "29/11/2026"}, {"start": -1}, {"page_length": 5000}):
			with self.assertRaises(frappe.ValidationError, msg=kwargs):
				api.get_invoices("Contact", self.contact, **kwargs)
		with self.assertRaises(frappe.ValidationError):
			api.get_summary("User", "Administrator")

	def test_pin_twice_is_a_no_op_and_the_pinned_view_lists_it(self):
		api.pin_invoice("Contact", self.contact, key("i-002"))
		api.pin_invoice("Contact", self.contact, key("i-002"))
		self.assertEqual(frappe.db.count("Pinned Invoice", {"reference_name": self.contact}), 1)
		pinned = api.get_invoices("Contact", self.contact, view="pinned")["invoices"]
		self.assertEqual([(i["invoice_number"], i["pinned"]) for i in pinned], [("INV-A002", True)])
		api.unpin_invoice("Contact", self.contact, key("i-002"))
		self.assertEqual(api.get_invoices("Contact", self.contact, view="pinned")["invoices"], [])

	def test_a_foreign_invoice_cannot_be_pinned(self):
		with self.assertRaises(frappe.ValidationError):
			api.pin_invoice("Contact", self.contact, key("not-this-records-invoice"))

	def test_an_explicit_link_wins(self):
		other = _contact("nobody@xero-crm-test.invalid")
		self.assertFalse(api.get_summary("Contact", other)["matched"])
		api.link_xero_contact("Contact", other, ACME)
		summary = api.get_summary("Contact", other)
		self.assertEqual([(c["contact_id"], c["how"]) for c in summary["xero_contacts"]], [(ACME, "link")])
		api.unlink_xero_contact("Contact", other)
		self.assertFalse(api.get_summary("Contact", other)["matched"])

	def test_user_without_permission_on_the_record_gets_403_from_every_method(self):
		user = _user("xero-restricted@example.com", "Sales User")
		other = _contact("someone@xero-crm-test.invalid")
		restrict_to_contact(user, other)
		frappe.set_user(user)
		self._assert_refused_everywhere("Contact", self.contact)

	def test_guest_is_refused(self):
		frappe.set_user("Guest")
		self._assert_refused_everywhere("Contact", self.contact)

	def test_customer_and_opportunity_where_erpnext_is_installed(self):
		if not HAS_ERPNEXT:
			self.skipTest("ERPNext is not installed on this site")
		customer = seeded_customer()
		self.assertEqual(api.get_summary("Customer", customer)["xero_contacts"][0]["contact_id"], ACME)
		opportunity_masters()
		opportunity = frappe.get_doc(
			{"doctype": "Opportunity", "opportunity_from": "Customer", "party_name": customer}
		).insert(ignore_permissions=True, ignore_mandatory=True)
		self.assertEqual(
			api.get_invoices("Opportunity", opportunity.name)["invoices"][0]["invoice_number"], "INV-A010"
		)

	def _assert_refused_everywhere(self, doctype, name):
		calls = {
			"get_invoices": lambda: api.get_invoices(doctype, name),
			"get_summary": lambda: api.get_summary(doctype, name),
			"pin_invoice": lambda: api.pin_invoice(doctype, name, key("i-002")),
			"unpin_invoice": lambda: api.unpin_invoice(doctype, name, key("i-002")),
			"search_xero_contacts": lambda: api.search_xero_contacts(doctype, name, "acme"),
			"link_xero_contact": lambda: api.link_xero_contact(doctype, name, ACME),
			"unlink_xero_contact": lambda: api.unlink_xero_contact(doctype, name),
		}
		for method, call in calls.items():
			with self.assertRaises(frappe.PermissionError, msg=method):
				call()


def seeded_customer() -> str:
	"""The ERPNext Customer named like the seeded Xero contact (made once, kept for reuse)."""
	return frappe.db.get_value("Customer", {"customer_name": TEST_NAME}) or (
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": TEST_NAME,
				"customer_group": _leaf("Customer Group"),
				"territory": _leaf("Territory"),
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def _leaf(doctype: str) -> str:
	return frappe.db.get_value(doctype, {"is_group": 0}) or frappe.db.get_value(doctype, {})
