"""Bench tier: who may call what. Guest, a user without access to the record, a user who may only
read it, and a System Manager, over every whitelisted method of the app."""

from unittest.mock import patch

import frappe
from frappe.desk.query_report import run as run_report
from frappe.permissions import add_permission, update_permission_property

from xero_crm import api, invoice_documents, oauth, receivables, sync, webhook
from xero_crm.tests.test_api import SeededCase, _contact
from xero_crm.tests.test_xero_settings import _user

READER_ROLE = "Xero Test Reader"
# One explicit outcome per call: refused (PermissionError), allowed (answered), or invalid (a clear
# ValidationError after the permission check). Anything else is recorded as a crash, which no
# expected outcome equals: a crash is a failure, never "allowed".
REFUSED, ALLOWED, INVALID = "refused", "allowed", "invalid"


def _reader(email: str) -> str:
	if not frappe.db.exists("Role", READER_ROLE):
		frappe.get_doc({"doctype": "Role", "role_name": READER_ROLE, "desk_access": 1}).insert(
			ignore_permissions=True
		)
		add_permission("Contact", READER_ROLE, 0)
		update_permission_property("Contact", READER_ROLE, 0, "read", 1)
		update_permission_property("Contact", READER_ROLE, 0, "write", 0)
	frappe.clear_cache()
	return _user(email, READER_ROLE)


class _FakeXero:
	"""Xero's answers for an allowed share or download: the matrix is about who may ask."""

	def online_invoice_url(self, invoice_id: str) -> str:
		return f"https://in.xero.com/{invoice_id}"

	def invoice_pdf(self, invoice_id: str) -> bytes:
		return b"%PDF-1.4 " + invoice_id.encode()


def _download_pdf(doctype: str, name: str, invoice_id: str) -> None:
	"""The download as the desk asks for it; the response it sets up is not left for the next call."""
	try:
		invoice_documents.download_pdf(doctype, name, invoice_id)
		if frappe.local.response.get("type") != "download":
			raise AssertionError("no download was answered")
	finally:
		for key in ("type", "filename", "filecontent", "content_type"):
			frappe.local.response.pop(key, None)


class TestPermissionMatrix(SeededCase):
	def setUp(self):
		super().setUp()
		self.other = _contact("someone@xero-crm-test.invalid")

	def _methods(self):
		c = self.contact
		return {
			"api.get_invoices": lambda: api.get_invoices("Contact", c),
			"api.get_summary": lambda: api.get_summary("Contact", c),
			"api.pin_invoice": lambda: api.pin_invoice("Contact", c, "i-002"),
			"api.unpin_invoice": lambda: api.unpin_invoice("Contact", c, "i-002"),
			"api.search_xero_contacts": lambda: api.search_xero_contacts("Contact", c, "acme"),
			"api.link_xero_contact": lambda: api.link_xero_contact("Contact", c, "c-acme"),
			"api.unlink_xero_contact": lambda: api.unlink_xero_contact("Contact", c),
			# the sales manager's receivables: for the cache-browsing roles only (none of the users
			# here but Administrator has one)
			"report Xero Receivables by Customer": lambda: run_report(
				"Xero Receivables by Customer", filters={}, ignore_prepared_report=True
			),
			"receivables.receivables_card": receivables.receivables_card,
			"receivables.overdue_card": receivables.overdue_card,
			"receivables.credit_card": receivables.credit_card,
			"receivables.aging_chart": receivables.aging_chart,
			# before oauth.disconnect: for Administrator they still ask a connected Xero
			"invoice_documents.online_invoice_link": lambda: invoice_documents.online_invoice_link(
				"Contact", c, "i-002"
			),
			"invoice_documents.download_pdf": lambda: _download_pdf("Contact", c, "i-002"),
			"oauth.get_authorize_url": oauth.get_authorize_url,
			"oauth.select_tenant": lambda: oauth.select_tenant("not-allowed"),
			"oauth.disconnect": oauth.disconnect,
			"sync.start_full_resync": sync.start_full_resync,
			"webhook.retry": lambda: webhook.retry("no-such-log"),
		}

	def _outcomes(self, user: str) -> dict[str, str]:
		frappe.set_user(user)
		outcomes = {}
		for name, call in self._methods().items():
			try:
				with (
					patch("xero_crm.oauth.make_oauth"),
					patch("xero_crm.sync.enqueue_full_sync"),
					patch("xero_crm.webhook.enqueue_drain"),
					patch("xero_crm.invoice_documents.make_client", return_value=_FakeXero()),
				):
					call()
				outcomes[name] = ALLOWED
			except frappe.PermissionError:
				outcomes[name] = REFUSED
			except frappe.ValidationError:
				outcomes[name] = INVALID
			except Exception as e:
				outcomes[name] = f"crashed: {type(e).__name__}: {e}"
			finally:
				frappe.set_user(user)
		frappe.set_user("Administrator")
		frappe.cache.delete_value("xero_crm:online_invoice:t-1:i-002")  # a link kept by an allowed call
		return outcomes

	def test_the_matrix(self):
		read_methods = {
			"api.get_invoices",
			"api.get_summary",
			"api.pin_invoice",
			"api.unpin_invoice",
			"invoice_documents.online_invoice_link",
			"invoice_documents.download_pdf",
		}
		write_methods = {"api.search_xero_contacts", "api.link_xero_contact", "api.unlink_xero_contact"}
		everything = set(self._methods())

		no_access = _user("xero-noaccess@example.com", "Sales User")
		if not frappe.db.exists("User Permission", {"user": no_access, "allow": "Contact"}):
			frappe.get_doc(
				{"doctype": "User Permission", "user": no_access, "allow": "Contact", "for_value": self.other}
			).insert(ignore_permissions=True)
		reader = _reader("xero-reader@example.com")

		expected = {
			"Guest": dict.fromkeys(everything, REFUSED),
			no_access: dict.fromkeys(everything, REFUSED),
			reader: {m: ALLOWED if m in read_methods else REFUSED for m in everything},
			# select_tenant names an organisation the last consent did not allow: a clear error
			# and start_full_resync runs after disconnect, so the integration is no longer active
			"Administrator": {
				**dict.fromkeys(everything, ALLOWED),
				"oauth.select_tenant": INVALID,
				"sync.start_full_resync": INVALID,
			},
		}
		self.assertFalse(read_methods & write_methods)
		for user, want in expected.items():
			self.assertEqual(self._outcomes(user), want, user)
