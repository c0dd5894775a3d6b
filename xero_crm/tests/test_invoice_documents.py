"""Bench tier: share and download (xero_crm.invoice_documents). A sales invoice's online link (kept a
day) and its PDF (streamed back, never kept), fetched from xero-local's peer on demand, after the
panel's checks on the record, against the day's call budget; refusals said before any call."""

from unittest.mock import patch

import frappe

from xero_crm import invoice_documents
from xero_crm.cache import frappe_cache
from xero_crm.constants import ORGANISATION, SETTINGS
from xero_crm.redis_stores import RedisDayCounter
from xero_crm.tests.test_api import _contact
from xero_crm.tests.xero_world import ServedSiteCase, connected_world, make_user, restrict_to_contact
from xero_crm.xero.config import XeroEndpoints
from xero_crm.xero.keys import cache_key
from xero_crm.xero.records import XeroContact, parse_invoice

PASSWORD = "Xero-crm-test-0!"
EMAIL = "accounts@docs.xero-crm-test.invalid"
API = "/api.xro/2.0/Invoices"
PDF_METHOD = "/api/method/xero_crm.invoice_documents.download_pdf"


def _spend_the_day(tenant_id: str) -> None:
	"""The organisation's budget for today set to what it has already used (one call at least: a budget
	of 0 means the default)."""
	counter = RedisDayCounter(tenant_id)
	counter.increment()
	frappe.db.set_value(ORGANISATION, tenant_id, "daily_call_budget", counter.used())


class TestInvoiceDocuments(ServedSiteCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.url, self.peer, self.tenant = connected_world()
		# The site served in a thread reads its config from disk: point the connector at the peer there too.
		peer_endpoints = XeroEndpoints.from_config(
			{
				"xero_api_url": f"{self.peer.url}/api.xro/2.0",
				"xero_token_url": f"{self.peer.url}/connect/token",
			}
		)
		endpoints = patch("xero_crm.connection.endpoints", return_value=peer_endpoints)
		endpoints.start()
		self.addCleanup(endpoints.stop)
		frappe.db.set_single_value(SETTINGS, "enabled", 1)  # the controller would start a sync

		from xero_crm.emulator.seed import Emulator

		emulator = Emulator(self.url)
		self.xero_contact = emulator.contact("Docs Test Customer (xero_crm test)", EMAIL)
		cid = self.xero_contact["ContactID"]
		self.sent = emulator.invoice(cid, "DOCS-001", "250.00")
		self.draft = emulator.invoice(cid, "DOCS-002", "80.00", Status="DRAFT")
		self.bill = emulator.invoice(cid, "DOCS-BILL", "40.00", Type="ACCPAY")
		self.invoices = [self.sent, self.draft, self.bill]
		cache = frappe_cache(self.tenant)
		cache.write_contacts([XeroContact(cid, self.xero_contact["Name"], EMAIL, is_customer=True)])
		cache.write_invoices([parse_invoice(i) for i in self.invoices])
		self.contact = _contact(EMAIL)
		self.other = _contact("nobody-docs@xero-crm-test.invalid")  # matches no Xero contact
		self.rep = make_user("xero-docs-rep@example.com", "Sales User", password=PASSWORD)
		frappe.db.commit()  # the served site reads committed rows only
		self.peer.clear()

	def tearDown(self):
		frappe.set_user("Administrator")
		keys = [self.key(i) for i in self.invoices]
		frappe.db.delete("Xero Invoice Payment", {"parent": ("in", keys)})
		frappe.db.delete("Xero Invoice", {"name": ("in", keys)})
		contact = cache_key(self.tenant, self.xero_contact["ContactID"])
		frappe.db.delete("Xero Contact Email", {"parent": contact})
		frappe.db.delete("Xero Contact", {"name": contact})
		frappe.db.delete("User Permission", {"user": "xero-docs-noaccess@example.com"})
		for key in keys:
			frappe.cache.delete_value(
				f"xero_crm:online_invoice:{key}"
			)  # the cache key names the organisation
		frappe.db.commit()

	def key(self, invoice: dict) -> str:
		"""The cache key the panel names the invoice by (what the API methods take)."""
		return cache_key(self.tenant, invoice["InvoiceID"])

	def _xero_calls(self, invoice: dict) -> int:
		return self.peer.count(f"{API}/{invoice['InvoiceID']}")  # Xero is asked by its own id

	def _download(self, user: str, doctype: str, name: str, invoice: dict):
		http = self.site.session(user, PASSWORD)
		return http.get(
			f"{self.site.url}{PDF_METHOD}",
			params={"doctype": doctype, "name": name, "invoice_id": self.key(invoice)},
			headers={"Accept": "application/pdf, application/json"},
			timeout=60,
		)

	def test_the_pdf_is_served_as_a_download_and_fetched_anew_each_time(self):
		for _ in range(2):
			answer = self._download(self.rep, "Contact", self.contact, self.sent)
			self.assertEqual(answer.status_code, 200, answer.text[:500])
			self.assertEqual(answer.headers["Content-Type"].split(";")[0], "application/pdf")
			disposition = answer.headers["Content-Disposition"]
			self.assertTrue(disposition.startswith("attachment"), disposition)
			self.assertIn("DOCS-001.pdf", disposition)
			self.assertTrue(answer.content.startswith(b"%PDF-"))
			self.assertIn(b"DOCS-001", answer.content)
		self.assertEqual(self._xero_calls(self.sent), 2)  # never kept: each download asks Xero

	def test_a_user_who_cannot_read_the_record_gets_403_and_xero_is_not_asked(self):
		no_access = make_user("xero-docs-noaccess@example.com", "Sales User", password=PASSWORD)
		restrict_to_contact(no_access, self.other)
		frappe.db.commit()
		answer = self._download(no_access, "Contact", self.contact, self.sent)
		self.assertEqual(answer.status_code, 403, answer.text[:500])
		frappe.set_user(no_access)
		with self.assertRaises(frappe.PermissionError):
			invoice_documents.online_invoice_link("Contact", self.contact, self.key(self.sent))
		self.assertEqual(self._xero_calls(self.sent), 0)

	def test_guests_and_portal_users_get_nothing(self):
		answer = self._download("Guest", "Contact", self.contact, self.sent)
		self.assertEqual(answer.status_code, 403, answer.text[:500])
		frappe.set_user(make_user("xero-docs-web@example.com", user_type="Website User"))
		for method in (invoice_documents.online_invoice_link, invoice_documents.download_pdf):
			with self.assertRaises(frappe.PermissionError):
				method("Contact", self.contact, self.key(self.sent))
		self.assertEqual(self._xero_calls(self.sent), 0)

	def test_an_invoice_of_another_record_is_refused(self):
		frappe.set_user(self.rep)
		for method in (invoice_documents.online_invoice_link, invoice_documents.download_pdf):
			with self.assertRaisesRegex(frappe.ValidationError, "not one of this record's Xero invoices"):
				method("Contact", self.other, self.key(self.sent))
		self.assertEqual(self._xero_calls(self.sent), 0)

	def test_a_bill_is_refused_before_xero_is_asked(self):
		frappe.set_user(self.rep)
		for method in (invoice_documents.online_invoice_link, invoice_documents.download_pdf):
			with self.assertRaisesRegex(frappe.ValidationError, "Bills have no online invoice"):
				method("Contact", self.contact, self.key(self.bill))
		self.assertEqual(self._xero_calls(self.bill), 0)

	def test_a_draft_is_refused_before_xero_is_asked(self):
		frappe.set_user(self.rep)
		with self.assertRaisesRegex(frappe.ValidationError, "This invoice is draft in Xero"):
			invoice_documents.online_invoice_link("Contact", self.contact, self.key(self.draft))
		self.assertEqual(self._xero_calls(self.draft), 0)

	def test_the_online_link_is_returned_and_kept_for_the_next_ask(self):
		frappe.set_user(self.rep)
		first = invoice_documents.online_invoice_link("Contact", self.contact, self.key(self.sent))
		self.assertTrue(first["url"].startswith("https://in.xero.com/"), first)
		second = invoice_documents.online_invoice_link("Contact", self.contact, self.key(self.sent))
		self.assertEqual(second, first)
		self.assertEqual(self.peer.count(f"{API}/{self.sent['InvoiceID']}/OnlineInvoice"), 1)

	def test_a_spent_daily_budget_is_said_plainly_and_xero_is_not_asked(self):
		_spend_the_day(self.tenant)
		frappe.set_user(self.rep)
		for method in (invoice_documents.online_invoice_link, invoice_documents.download_pdf):
			with self.assertRaisesRegex(
				frappe.RateLimitExceededError, "API budget for this organisation is spent"
			):
				method("Contact", self.contact, self.key(self.sent))
		self.assertEqual(self._xero_calls(self.sent), 0)

	def test_an_invoice_xero_no_longer_has_is_said_plainly(self):
		from xero_crm.emulator.peer import Fault

		self.peer.faults.append(Fault(f"{API}/{self.sent['InvoiceID']}", 404, body="Not found"))
		frappe.set_user(self.rep)
		with self.assertRaisesRegex(frappe.DoesNotExistError, "Xero no longer has this invoice"):
			invoice_documents.online_invoice_link("Contact", self.contact, self.key(self.sent))

	def test_the_failure_over_http_is_the_servers_message(self):
		_spend_the_day(self.tenant)
		frappe.db.commit()
		answer = self._download(self.rep, "Contact", self.contact, self.sent)
		self.assertEqual(answer.status_code, 429, answer.text[:500])
		self.assertIn("budget for this organisation is spent", answer.json().get("_server_messages", ""))
