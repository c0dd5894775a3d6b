"""Bench tier: customer credit (credit notes, overpayments, prepayments) synced from xero-local and
the peer into Xero Credit, shown per currency by get_summary of a Customer, and kept out of Frappe's
views for those who may not see it (a supplier's credit, like a bill, only for accounts roles)."""

import json
from decimal import Decimal
from unittest.mock import patch

import frappe

from xero_crm import api, sync
from xero_crm.cache import frappe_cache
from xero_crm.constants import CREDIT, SETTINGS
from xero_crm.tests.test_api import HAS_ERPNEXT, TEST_NAME, seeded_customer
from xero_crm.tests.xero_world import (
	ServedSiteCase,
	XeroTestCase,
	connected_world,
	make_user,
	seeded_organisation,
)
from xero_crm.xero.keys import cache_key
from xero_crm.xero.records import parse_credit

PASSWORD = "Xero-crm-test-0!"


class TestCustomerCredit(XeroTestCase):
	def setUp(self):
		if not HAS_ERPNEXT:
			self.skipTest("the Customer DocType comes with ERPNext")
		frappe.set_user("Administrator")
		self.url, self.peer, self.tenant = connected_world()
		from xero_crm.emulator.seed import Emulator

		emulator = Emulator(self.url)
		xero_contact = emulator.contact(TEST_NAME)["ContactID"]
		invoices = [
			emulator.invoice(xero_contact, "CR-INV-1", "500.00")["InvoiceID"],
			emulator.invoice(xero_contact, "CR-INV-2", "80.00", CurrencyCode="USD")["InvoiceID"],
		]
		emulator.credit_note(xero_contact, "CR-CN-1", "120.00", RemainingCredit="100.00")
		emulator.credit_note(xero_contact, "CR-CN-SUP", "60.00", Type="ACCPAYCREDIT")
		self.peer.add_overpayment(xero_contact, "30.00")
		self.peer.add_prepayment(xero_contact, "25.00", currency="USD")
		# the cache names them under the connected organisation
		self.contact = cache_key(self.tenant, xero_contact)
		self.invoices = [cache_key(self.tenant, i) for i in invoices]
		self.customer = seeded_customer()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.delete("Xero Invoice Payment", {"parent": ("in", self.invoices)})
		frappe.db.delete("Xero Invoice", {"name": ("in", self.invoices)})
		frappe.db.delete(CREDIT, {"xero_contact": self.contact})
		frappe.db.delete("Xero Contact Email", {"parent": self.contact})
		frappe.db.delete("Xero Contact", {"name": self.contact})
		frappe.db.commit()

	def test_a_customers_summary_shows_credit_available_per_currency(self):
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		with patch("frappe.publish_realtime"):
			sync.run_full_sync(self.tenant)
		self.assertEqual(frappe.db.count(CREDIT, {"xero_contact": self.contact}), 4)
		self.assertEqual(
			frappe.db.count(CREDIT, {"xero_contact": self.contact, "organisation": self.tenant}), 4
		)

		summary = api.get_summary("Customer", self.customer)
		totals = {(t["organisation"], t["currency"]): t for t in summary["totals"]}
		nzd, usd = totals[(self.tenant, "NZD")], totals[(self.tenant, "USD")]
		self.assertEqual(nzd["unpaid"], Decimal("500.00"))
		self.assertEqual(nzd["credit"], Decimal("130.00"))  # CR-CN-1's 100 left + 30 over
		self.assertEqual(nzd["net"], Decimal("370.00"))
		self.assertEqual(usd["credit"], Decimal("25.00"))  # the prepayment, never mixed
		self.assertEqual(summary["counts"]["all"], 6)  # 2 invoices, 4 credits (the supplier's muted)

		listed = api.get_invoices("Customer", self.customer, view="all")
		credits = {r["credit_type"]: r for r in listed["invoices"] if r["is_credit"]}
		self.assertEqual(set(credits), {"Credit Note", "Overpayment", "Prepayment"})
		supplier = [r for r in listed["invoices"] if r["is_credit"] and r["is_bill"]]
		self.assertEqual([r["number"] for r in supplier], ["CR-CN-SUP"])


class TestCreditSideDoors(ServedSiteCase):
	"""Xero Credit through REST and frappe.client, for a rep, the viewer role and accounts roles."""

	TENANT = "tenant-credit-doors"
	CUSTOMER_SIDE = (cache_key(TENANT, "cr-door-cn"), cache_key(TENANT, "cr-door-op"))
	SUPPLIER_SIDE = (cache_key(TENANT, "cr-door-sup"),)

	def setUp(self):
		frappe.set_user("Administrator")
		seeded_organisation(self.TENANT, "Credit Doors (xero_crm test)")
		records = [
			(
				"CreditNotes",
				{"CreditNoteID": "cr-door-cn", "Type": "ACCRECCREDIT", "CreditNoteNumber": "CN-D"},
			),
			("Overpayments", {"OverpaymentID": "cr-door-op", "Type": "RECEIVE-OVERPAYMENT"}),
			("CreditNotes", {"CreditNoteID": "cr-door-sup", "Type": "ACCPAYCREDIT", "CreditNoteNumber": "S"}),
		]
		frappe_cache(self.TENANT).write_credits(
			[parse_credit(r, {**d, "Status": "AUTHORISED", "CurrencyCode": "NZD"}) for r, d in records]
		)
		# a System Manager first: on a site whose only one is Administrator, Frappe would promote the rep
		make_user("xero-doors-sm@example.com", "System Manager", password=PASSWORD)
		self.users = {
			"sales user": make_user("xero-credit-rep@example.com", "Sales User", password=PASSWORD),
			"invoice viewer": make_user(
				"xero-credit-viewer@example.com", "Xero Invoice Viewer", password=PASSWORD
			),
			"viewer with accounts": make_user(
				"xero-credit-acc@example.com", "Xero Invoice Viewer", "Accounts User", password=PASSWORD
			),
		}
		frappe.db.commit()  # the server thread reads committed rows only

	def tearDown(self):
		frappe.db.delete(CREDIT, {"name": ("in", self.CUSTOMER_SIDE + self.SUPPLIER_SIDE)})
		frappe.db.commit()

	def _rest(self, who: str):
		http = self.site.session(self.users[who], PASSWORD)
		answer = http.get(
			f"{self.site.url}/api/resource/{CREDIT}",
			params={"limit_page_length": 500, "fields": json.dumps(["name"])},
		)
		if answer.status_code in (401, 403):
			return "refused"
		self.assertEqual(answer.status_code, 200, answer.text[:500])  # a crash is a failure
		ours = set(self.CUSTOMER_SIDE + self.SUPPLIER_SIDE)
		return sorted(r["name"] for r in answer.json()["data"] if r["name"] in ours)

	def _get_supplier_credit(self, who: str) -> str:
		http = self.site.session(self.users[who], PASSWORD)
		answer = http.get(
			f"{self.site.url}/api/method/frappe.client.get",
			params={"doctype": CREDIT, "name": self.SUPPLIER_SIDE[0]},
		)
		self.assertLess(answer.status_code, 500, answer.text[:500])
		return "refused" if answer.status_code in (401, 403) else answer.json()["message"]["name"]

	def test_a_sales_user_cannot_read_xero_credit(self):
		self.assertEqual(self._rest("sales user"), "refused")
		self.assertEqual(self._get_supplier_credit("sales user"), "refused")

	def test_the_viewer_role_reads_customer_credit_but_never_a_suppliers(self):
		self.assertEqual(self._rest("invoice viewer"), sorted(self.CUSTOMER_SIDE))
		self.assertEqual(self._get_supplier_credit("invoice viewer"), "refused")

	def test_accounts_roles_on_top_of_the_viewer_role_see_supplier_credit(self):
		self.assertEqual(self._rest("viewer with accounts"), sorted(self.CUSTOMER_SIDE + self.SUPPLIER_SIDE))
		self.assertEqual(self._get_supplier_credit("viewer with accounts"), self.SUPPLIER_SIDE[0])
