"""Bench tier: Xero's text is shown as text by Frappe's own views, not only by the panel. A payment
reference and an invoice number carrying markup that would run script are cached, and the desk's
form (with its Payments grid), list and Report View are opened in headless Chromium: nothing runs."""

import shutil
import subprocess
import tempfile

import frappe

from xero_crm.cache import frappe_cache
from xero_crm.tests.xero_world import ServedSiteCase, make_user
from xero_crm.xero.records import parse_invoice

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
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


class TestFrappeViewsShowText(ServedSiteCase):
	def setUp(self):
		frappe.set_user("Administrator")
		frappe_cache().write_invoices([parse_invoice(INVOICE)])
		frappe.db.commit()

	def tearDown(self):
		frappe.db.delete("Xero Invoice Payment", {"parent": INVOICE["InvoiceID"]})
		frappe.db.delete("Xero Invoice", {"name": INVOICE["InvoiceID"]})
		frappe.db.commit()

	def test_markup_in_xero_text_is_shown_as_text_by_the_form_grid_list_and_report_view(self):
		if not CHROMIUM:
			self.skipTest("headless Chromium is not installed on this machine")
		user = make_user("xero-views@example.com", "System Manager", password=PASSWORD)
		frappe.db.commit()
		sid = self.site.session(user, PASSWORD).cookies.get("sid")
		for path in (
			f"/app/xero-invoice/{INVOICE['InvoiceID']}",
			"/app/xero-invoice",  # the list, newest first
			"/app/xero-invoice/view/report",
		):
			with self.subTest(path):
				dom = _dump_dom(f"{self.site.url}{path}{'&' if '?' in path else '?'}sid={sid}")
				self.assertIn("INV-", dom, "the view did not render the invoice")
				self.assertNotIn('data-xss="ran"', dom)
				self.assertNotIn('<img src="x"', dom)


def _dump_dom(url: str) -> str:
	with tempfile.TemporaryDirectory() as profile:
		return subprocess.run(
			[
				CHROMIUM,
				"--headless",
				"--no-sandbox",
				"--disable-gpu",
				"--no-first-run",
				"--disable-background-networking",
				"--disable-component-update",
				"--disable-sync",
				f"--user-data-dir={profile}",
				"--virtual-time-budget=15000",
				"--dump-dom",
				url,
			],
			capture_output=True,
			text=True,
			timeout=180,
		).stdout
