"""Bench tier: what the panel's API adds for a rep on the real database. Counts per view under a search
or dates (a search says where it finds something), the list the Total paid box opens (its total is the
box), and, before a link by hand, which records already show a Xero contact's invoices: for those who
may link, only records they may read, the permission checked on the record at every call."""

from decimal import Decimal

import frappe

from xero_crm import api
from xero_crm.cache import frappe_cache
from xero_crm.tests.test_api import (
	ACME,
	HAS_ERPNEXT,
	TENANT,
	TEST_NAME,
	SeededCase,
	_contact,
	key,
	seeded_customer,
)
from xero_crm.tests.xero_world import make_user, restrict_to_contact
from xero_crm.xero.records import XeroContact

OTHER_XERO = key("c-other-more")  # a second Xero contact of the seeded organisation, made and removed here


def _nonzero(rows, field):
	"""Per (organisation, currency): what is added up together, never across either."""
	return {(r["organisation"], r["currency"]): r[field] for r in rows if r[field]}


class TestSearchAndTotals(SeededCase):
	def test_a_paid_invoice_searched_in_the_open_view_says_where_it_is(self):
		result = api.get_invoices("Contact", self.contact, view="open", search="a001")
		self.assertEqual(result["invoices"], [])
		self.assertTrue(result["filtered"])
		self.assertEqual(
			{v: result["counts"][v] for v in ("open", "unpaid", "overdue", "paid", "all")},
			{"open": 0, "unpaid": 0, "overdue": 0, "paid": 1, "all": 1},
		)
		found = api.get_invoices("Contact", self.contact, view="paid", search="a001")["invoices"]
		self.assertEqual([i["invoice_number"] for i in found], ["INV-A001"])

	def test_each_views_count_under_a_search_and_dates_is_what_it_lists(self):
		args = {"search": "inv", "from_date": "2026-10-01", "to_date": "2026-11-30", "page_length": 100}
		counts = api.get_invoices("Contact", self.contact, view="open", **args)["counts"]
		for view, n in counts.items():
			with self.subTest(view):
				result = api.get_invoices("Contact", self.contact, view=view, **args)
				self.assertEqual((result["total_count"], len(result["invoices"])), (n, n))

	def test_without_a_search_the_pill_counts_are_the_summarys(self):
		summary = api.get_summary("Contact", self.contact)
		result = api.get_invoices("Contact", self.contact)
		self.assertFalse(result["filtered"])
		self.assertEqual({v: result["counts"][v] for v in summary["counts"]}, summary["counts"])

	def test_the_total_paid_box_equals_the_list_it_opens(self):
		box = _nonzero(api.get_summary("Contact", self.contact)["totals"], "paid")
		# part-payments in
		self.assertEqual(box, {(TENANT, "NZD"): Decimal("1800.00"), (TENANT, "USD"): Decimal("80.00")})
		result = api.get_invoices("Contact", self.contact, view="paid_to_date", page_length=100)
		self.assertEqual(_nonzero(result["list_totals"], "amount_paid"), box)
		rows: dict[tuple[str, str], Decimal] = {}
		for inv in result["invoices"]:
			totals = (inv["organisation"], inv["currency"])
			rows[totals] = rows.get(totals, Decimal(0)) + Decimal(str(inv["amount_paid"]))
		self.assertEqual(rows, box)
		self.assertIn("INV-A005", [i["invoice_number"] for i in result["invoices"]])  # part-paid, open

	def test_the_unpaid_box_equals_the_unpaid_list(self):
		box = _nonzero(api.get_summary("Contact", self.contact)["totals"], "unpaid")
		result = api.get_invoices("Contact", self.contact, view="unpaid")
		self.assertEqual(_nonzero(result["list_totals"], "amount_due"), box)

	def test_a_range_the_wrong_way_round_is_still_refused_by_the_server(self):
		with self.assertRaises(frappe.ValidationError):
			api.get_invoices("Contact", self.contact, from_date="2026-11-30", to_date="2026-11-01")


class TestWhichRecordsAlreadyMatch(SeededCase):
	def setUp(self):
		super().setUp()
		self.other = _contact("nobody-more@xero-crm-test.invalid")  # matches no Xero contact
		frappe_cache(TENANT).write_contacts(
			[XeroContact("c-other-more", "Other Ltd (xero_crm test)", is_customer=True)]
		)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.delete("Xero Contact Link", {"xero_contact": OTHER_XERO})
		frappe.db.delete("Xero Contact Link", {"reference_name": ("in", [self.contact, self.other])})
		frappe.db.delete("Xero Contact", {"name": OTHER_XERO})
		frappe.db.delete("Xero Contact Email", {"parent": OTHER_XERO})
		frappe.db.delete("User Permission", {"user": ("like", "xero-more-%")})
		super().tearDown()

	def _matches(self, record, contact_id=ACME):
		return api.xero_contact_matches("Contact", record, contact_id)

	def test_the_records_that_already_show_a_contact_are_listed_with_how(self):
		answer = self._matches(self.other)
		self.assertEqual(answer["contact"], {"contact_id": ACME, "name": TEST_NAME, "is_customer": True})
		self.assertFalse(answer["this_record"])
		shown = {(r["doctype"], r["name"]): r["how"] for r in answer["records"]}
		self.assertEqual(shown.get(("Contact", self.contact)), "keys")  # by its email
		mine = next(r for r in answer["records"] if r["name"] == self.contact)
		self.assertEqual(mine["title"], frappe.db.get_value("Contact", self.contact, "full_name"))

	def test_the_record_asking_is_not_listed_but_said(self):
		answer = self._matches(self.contact)
		self.assertTrue(answer["this_record"])
		self.assertNotIn(self.contact, [r["name"] for r in answer["records"]])

	def test_a_link_by_hand_is_listed_and_a_link_elsewhere_wins(self):
		api.link_xero_contact("Contact", self.other, ACME)
		third = _contact("third-more@xero-crm-test.invalid")
		shown = {(r["doctype"], r["name"]): r["how"] for r in self._matches(third)["records"]}
		self.assertEqual(shown[("Contact", self.other)], "link")
		# linked by hand to another Xero contact of the same organisation, the matching Contact no longer
		# shows c-acme's invoices
		api.link_xero_contact("Contact", self.contact, OTHER_XERO)
		names = [r["name"] for r in self._matches(third)["records"]]
		self.assertNotIn(self.contact, names)
		frappe.db.delete("Xero Contact Link", {"reference_name": third})

	def test_a_customer_matching_by_name_is_listed_where_erpnext_is_installed(self):
		if not HAS_ERPNEXT:
			self.skipTest("ERPNext is not installed on this site")
		customer = seeded_customer()
		records = self._matches(self.other)["records"]
		self.assertIn(("Customer", customer, "keys"), [(r["doctype"], r["name"], r["how"]) for r in records])

	def test_it_needs_the_linking_role_and_write_on_the_record(self):
		rep = make_user("xero-more-rep@example.com", "Sales User")
		manager = make_user("xero-more-manager@example.com", "Sales Manager")
		self.assertTrue(frappe.has_permission("Contact", "write", self.other, user=rep))
		for user in ("Guest", rep):
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError, msg=user):
				self._matches(self.other)
		frappe.set_user(manager)
		self.assertIn(self.contact, [r["name"] for r in self._matches(self.other)["records"]])

	def test_only_records_the_caller_may_read_are_shown(self):
		manager = make_user("xero-more-restricted@example.com", "Sales Manager")
		restrict_to_contact(manager, self.other)  # may read self.other, and no other Contact
		frappe.set_user(manager)
		self.assertFalse(frappe.has_permission("Contact", "read", doc=self.contact))
		answer = self._matches(self.other)
		self.assertNotIn(self.contact, [r["name"] for r in answer["records"]])
		for record in answer["records"]:
			self.assertTrue(frappe.has_permission(record["doctype"], "read", doc=record["name"]), record)

	def test_the_record_is_checked_at_every_call(self):
		manager = make_user("xero-more-later@example.com", "Sales Manager")
		frappe.set_user(manager)
		self._matches(self.contact)
		frappe.set_user("Administrator")
		restrict_to_contact(manager, self.other)  # access to self.contact taken away
		frappe.set_user(manager)
		with self.assertRaises(frappe.PermissionError):
			self._matches(self.contact)

	def test_an_unknown_xero_contact_or_none_is_a_clear_error(self):
		for contact_id in (key("no-such-contact"), "", "x" * 200):
			with self.assertRaises(frappe.ValidationError, msg=contact_id):
				self._matches(self.other, contact_id)
