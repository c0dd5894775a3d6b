"""Bench tier: who may call what. Guest, a user without access to the record, a user who may only
read it, and a System Manager, over every whitelisted method of the app (the admin's, for several
Xero organisations, each naming the organisation it acts on)."""

from unittest.mock import patch

import frappe
from frappe.desk.query_report import run as run_report
from frappe.permissions import add_permission, update_permission_property

from xero_crm import api, invoice_documents, oauth, receivables, sync, webhook
from xero_crm.constants import AUTHORISATION, ORGANISATION
from xero_crm.tests.test_api import ACME, TENANT, SeededCase, _contact, key
from xero_crm.tests.test_xero_settings import _user
from xero_crm.tests.xero_world import make_user, seeded_organisation

READER_ROLE = "Xero Test Reader"
SPARE = "tenant-matrix-spare"  # an organisation the System Manager may remove (the seeded one stays)
INVOICE = key("i-002")
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
		seeded_organisation(SPARE, "Spare Org (xero_crm test)", "!SPR")
		# a failed delivery of the seeded organisation, for the admin to retry
		self.failed = (
			frappe.get_doc(
				{
					"doctype": "Xero Webhook Event",
					"status": "Failed",
					"organisation": TENANT,
					"event_count": 0,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		self.addCleanup(frappe.db.delete, "Xero Webhook Event", {"name": self.failed})

	def _methods(self):
		c = self.contact
		return {
			"api.get_invoices": lambda: api.get_invoices("Contact", c),
			"api.get_summary": lambda: api.get_summary("Contact", c),
			"api.pin_invoice": lambda: api.pin_invoice("Contact", c, INVOICE),
			"api.unpin_invoice": lambda: api.unpin_invoice("Contact", c, INVOICE),
			"api.search_xero_contacts": lambda: api.search_xero_contacts("Contact", c, "acme"),
			"api.link_xero_contact": lambda: api.link_xero_contact("Contact", c, ACME),
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
			"receivables.organisation_choices": receivables.organisation_choices,
			# before oauth.disconnect: for Administrator they still ask a connected Xero
			"invoice_documents.online_invoice_link": lambda: invoice_documents.online_invoice_link(
				"Contact", c, INVOICE
			),
			"invoice_documents.download_pdf": lambda: _download_pdf("Contact", c, INVOICE),
			# the admin's: the connection and each organisation
			"oauth.get_authorize_url": oauth.get_authorize_url,
			"oauth.organisations_overview": oauth.organisations_overview,
			"sync.full_resync_cost": lambda: sync.full_resync_cost(TENANT),
			"oauth.remove_organisation": lambda: oauth.remove_organisation(SPARE),
			"oauth.disconnect": oauth.disconnect,
			"sync.start_full_resync": lambda: sync.start_full_resync(TENANT),
			"webhook.retry": lambda: webhook.retry(self.failed),
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
		frappe.cache.delete_value(f"xero_crm:online_invoice:{INVOICE}")  # a link kept by an allowed call
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
			# start_full_resync runs after disconnect, so the organisation is no longer active: a clear
			# error, after the permission check
			"Administrator": {
				**dict.fromkeys(everything, ALLOWED),
				"sync.start_full_resync": INVALID,
			},
		}
		self.assertFalse(read_methods & write_methods)
		for user, want in expected.items():
			self.assertEqual(self._outcomes(user), want, user)
		# the System Manager's calls did what they name: the spare organisation is gone, the others
		# stay (disconnected)
		self.assertFalse(frappe.db.exists("Xero Organisation", SPARE))
		self.assertEqual(frappe.db.get_value("Xero Organisation", TENANT, "status"), "Disconnected")
		self.assertEqual(frappe.db.get_value("Xero Webhook Event", self.failed, "status"), "Queued")

	def test_the_admins_organisation_methods_name_an_organisation_that_exists(self):
		for call in (
			lambda: sync.full_resync_cost("no-such-organisation"),
			lambda: sync.start_full_resync("no-such-organisation"),
			lambda: oauth.remove_organisation("no-such-organisation"),
		):
			with patch("xero_crm.oauth.make_oauth"), patch("xero_crm.sync.enqueue_full_sync") as enqueued:
				with self.assertRaises(frappe.DoesNotExistError):
					call()
			enqueued.assert_not_called()
		self.assertTrue(frappe.db.exists("Xero Organisation", SPARE))
		with patch("xero_crm.webhook.enqueue_drain") as enqueued, self.assertRaises(frappe.ValidationError):
			webhook.retry("no-such-log")  # nothing to retry: said so, nothing queued
		enqueued.assert_not_called()

	def test_organisations_and_consents_are_for_the_system_manager_only(self):
		consent = (
			frappe.get_doc(
				{"doctype": AUTHORISATION, "status": "Connected", "connected_user_email": "admin@example.com"}
			)
			.insert(ignore_permissions=True)
			.name
		)
		self.addCleanup(frappe.db.delete, AUTHORISATION, {"name": consent})
		rows = {ORGANISATION: TENANT, AUTHORISATION: consent}
		refused = (
			"Guest",
			_user("xero-noaccess@example.com", "Sales User"),
			_reader("xero-reader@example.com"),
			make_user("xero-matrix-manager@example.com", "Sales Manager", "Sales Master Manager"),
			make_user("xero-matrix-viewer@example.com", "Xero Invoice Viewer", "Accounts Manager"),
			make_user("xero-matrix-portal@example.com", user_type="Website User"),
		)
		system_manager = make_user("xero-matrix-sm@example.com", "System Manager")
		for user in refused:
			frappe.set_user(user)
			for doctype, name in rows.items():
				self.assertFalse(frappe.has_permission(doctype, "read", doc=name), (user, doctype))
				with self.assertRaises(frappe.PermissionError, msg=(user, doctype)):
					frappe.get_list(doctype, pluck="name")
				with self.assertRaises(frappe.PermissionError, msg=(user, doctype)):
					frappe.client.get(doctype, name)
		frappe.set_user(system_manager)
		for doctype, name in rows.items():
			self.assertEqual(frappe.get_list(doctype, filters={"name": name}, pluck="name"), [name], doctype)
			self.assertEqual(frappe.client.get(doctype, name)["name"], name, doctype)
