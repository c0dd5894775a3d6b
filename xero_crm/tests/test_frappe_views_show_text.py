"""Bench tier: Xero's text is shown as text by Frappe's own views, not only by the panel. A payment
reference and an invoice number carrying markup that would run script are cached, and the desk's
form (with its Payments grid), list and Report View are opened in headless Chromium: nothing runs.
An organisation's name from Xero carrying the same markup is text in Xero Settings' list of
organisations, its own form, and the Workspace's number cards."""

import frappe

from xero_crm.cache import frappe_cache
from xero_crm.constants import ORGANISATION
from xero_crm.tests.xero_world import ServedSiteCase, forget_connections, make_user, seeded_organisation
from xero_crm.xero.keys import cache_key

from tests.chromium import CHROMIUM, dump_dom  # isort: skip (xero_world puts tests/ on the path)
from xero_crm.xero.records import parse_invoice

PAYLOAD = "<img src=x onerror=\"document.body.setAttribute('data-xss','ran')\">"
INVOICE = {
	"InvoiceID": "i-xss-view",
	"Type": "ACCREC",
	"InvoiceNumber": "INV-" + PAYLOAD,
	"Reference": PAYLOAD,
	"Contact": {"ContactID": "c-xss-view"},
	"Status": "AUTHORISED",
	"DateString": "2026-11-01T00:00:00",
	"DueDateString": "2026-12-01T00:00:00",
	"CurrencyCode": "NZD",
	"Total": "100.00",
	"AmountDue": "60.00",
	"AmountPaid": "40.00",
	"Payments": [
		{
			"PaymentID": "p-xss-view",
			"Amount": "40.00",
			"DateString": "2026-11-02T00:00:00",
			"Reference": PAYLOAD,
		}
	],
}
PASSWORD = "Xero-crm-view-0!"
TENANT = "tenant-xss-view"
KEY = cache_key(TENANT, INVOICE["InvoiceID"])


class TestFrappeViewsShowText(ServedSiteCase):
	def setUp(self):
		frappe.set_user("Administrator")
		seeded_organisation(TENANT, "Views Org", "!VIEW")
		frappe_cache(TENANT).write_invoices([parse_invoice(INVOICE)])
		frappe.db.commit()

	def tearDown(self):
		frappe.db.delete("Xero Invoice Payment", {"parent": KEY})
		frappe.db.delete("Xero Invoice", {"name": KEY})
		frappe.db.commit()

	def test_markup_in_xero_text_is_shown_as_text_by_the_form_grid_list_and_report_view(self):
		if not CHROMIUM:
			self.skipTest("headless Chromium is not installed on this machine")
		user = make_user("xero-views@example.com", "System Manager", password=PASSWORD)
		frappe.db.commit()
		sid = self.site.session(user, PASSWORD).cookies.get("sid")
		for path in (
			f"/app/xero-invoice/{frappe.utils.quote(KEY)}",
			"/app/xero-invoice",  # the list, newest first
			"/app/xero-invoice/view/report",
		):
			with self.subTest(path):
				dom = dump_dom(f"{self.site.url}{path}{'&' if '?' in path else '?'}sid={sid}", 15000)
				self.assertIn("INV-", dom, "the view did not render the invoice")
				self.assertNotIn('data-xss="ran"', dom)
				self.assertNotIn('<img src="x"', dom)

	def test_an_organisation_name_with_markup_is_text_in_settings_its_form_and_the_cards(self):
		if not CHROMIUM:
			self.skipTest("headless Chromium is not installed on this machine")
		user = make_user("xero-views@example.com", "System Manager", password=PASSWORD)
		forget_connections()  # only this test's organisations (put back after the class)
		marked = seeded_organisation("t-xss-1", "Org", "!XSS1")
		seeded_organisation("t-xss-2", "Other", "!XSS2")  # two: each card names its organisations
		# as the callback stores Xero's name: as it came (a Document would have stripped it)
		frappe.db.set_value(ORGANISATION, marked, "organisation_name", "Org " + PAYLOAD)
		frappe.db.commit()
		sid = self.site.session(user, PASSWORD).cookies.get("sid")
		for path, drawn in (
			("/app/xero-settings", "xero-organisations"),  # the list of organisations
			(f"/app/xero-organisation/{marked}", "!XSS1"),  # its form
			("/app/xero", "Other: NZD"),  # the Workspace's number cards
		):
			with self.subTest(path):
				dom = dump_dom(f"{self.site.url}{path}?sid={sid}", 15000)
				self.assertTrue(drawn in dom, "the view did not render the organisations")
				self.assertTrue("Org &lt;img src=x onerror=" in dom, "the name is not shown as text")
				self.assertFalse('data-xss="ran"' in dom, "the markup ran")
				self.assertFalse('<img src="x"' in dom, "the markup is in the page")
