"""Bench tier: the edges where the serious defects sat. Portal users, typed keys, linking roles,
probing by name, MariaDB column widths, poison records, concurrent writers, bounded keys."""

from unittest.mock import patch

import frappe

from xero_crm import api, sync
from xero_crm.cache import FrappeStore, frappe_cache
from xero_crm.constants import (
	ORGANISATION,
	QUARANTINE_TITLE,
	SETTINGS,
)
from xero_crm.tests.test_api import ACME, TEST_EMAIL, SeededCase, _contact, key
from xero_crm.tests.xero_world import (
	XeroTestCase,
	connected_world,
	make_user,
	organisation,
	restrict_to_contact,
	seeded_organisation,
)
from xero_crm.xero.keys import cache_key
from xero_crm.xero.records import XeroContact, parse_invoice
from xero_crm.xero.sync import Syncer


class TestWhoMayAsk(SeededCase):
	def tearDown(self):
		for name in getattr(self, "made", []):
			frappe.delete_doc("Contact", name, force=True, ignore_permissions=True)
		super().tearDown()

	def _contact_by(self, user: str, email: str, *more_emails: str) -> str:
		"""A Contact carrying `email`, created (and last saved) by `user`."""
		frappe.set_user(user)
		try:
			doc = frappe.get_doc({"doctype": "Contact", "first_name": "Typed", "last_name": "By Hand"})
			doc.append("email_ids", {"email_id": email, "is_primary": 1})
			for extra in more_emails:
				doc.append("email_ids", {"email_id": extra})
			name = doc.insert(ignore_permissions=True).name
		finally:
			frappe.set_user("Administrator")
		self.made = [*getattr(self, "made", []), name]
		return name

	def test_portal_users_get_nothing_from_any_panel_method(self):
		portal = make_user("xero-portal@example.com", user_type="Website User")
		own = self._contact_by(portal, TEST_EMAIL)  # a Contact the portal user owns, with a customer's email
		frappe.set_user(portal)
		for call in (
			lambda: api.get_summary("Contact", own),
			lambda: api.get_invoices("Contact", own),
			lambda: api.pin_invoice("Contact", own, key("i-002")),
			lambda: api.unpin_invoice("Contact", own, key("i-002")),
		):
			with self.assertRaises(frappe.PermissionError):
				call()

	def test_a_rep_cannot_pull_in_another_customers_invoices_by_typing_their_email(self):
		rep = make_user("xero-typist@example.com", "Sales User")
		typed = self._contact_by(rep, TEST_EMAIL)
		self.assertFalse(api.get_summary("Contact", typed)["matched"])
		self.assertEqual(api.get_invoices("Contact", typed)["invoices"], [])

	def test_emails_typed_by_a_manager_match_until_a_rep_edits_the_record(self):
		manager = make_user("xero-manager@example.com", "Sales Manager")
		trusted = self._contact_by(manager, TEST_EMAIL)
		self.assertTrue(api.get_summary("Contact", trusted)["is_customer"])
		editor = make_user("xero-editor@example.com", "Sales User")
		frappe.db.set_value("Contact", trusted, "modified_by", editor, update_modified=False)
		self.assertFalse(api.get_summary("Contact", trusted)["matched"])

	def test_linking_and_the_xero_directory_need_a_linking_role(self):
		rep = make_user("xero-linker-rep@example.com", "Sales User")
		manager = make_user("xero-linker-mgr@example.com", "Sales Manager")
		self.assertTrue(frappe.has_permission("Contact", "write", self.contact, user=rep))
		calls = {
			"search": lambda: api.search_xero_contacts("Contact", self.contact, "acme"),
			"link": lambda: api.link_xero_contact("Contact", self.contact, ACME),
			"unlink": lambda: api.unlink_xero_contact("Contact", self.contact),
		}
		frappe.set_user(rep)
		for name, call in calls.items():
			with self.assertRaises(frappe.PermissionError, msg=name):
				call()
		frappe.set_user(manager)
		self.assertEqual([c["contact_id"] for c in calls["search"]()], [ACME])
		self.assertEqual(calls["link"](), {"linked": ACME})
		self.assertEqual(calls["unlink"](), {"linked": None})

	def test_the_link_search_finds_a_contact_by_its_exact_email(self):
		found = api.search_xero_contacts("Contact", self.contact, TEST_EMAIL.upper())
		self.assertEqual([(c["contact_id"], c["emails"]) for c in found], [(ACME, [TEST_EMAIL])])

	def test_a_missing_record_and_an_unreadable_one_get_the_same_403(self):
		rep = make_user("xero-prober@example.com", "Sales User")
		other = _contact("someone-else@xero-crm-test.invalid")
		restrict_to_contact(rep, other)
		frappe.set_user(rep)
		answers = []
		for name in (self.contact, "No Such Contact (xero_crm test)"):
			with self.assertRaises(frappe.PermissionError) as refused:
				api.get_summary("Contact", name)
			answers.append(str(refused.exception))
		self.assertEqual(answers[0], answers[1])

	def test_a_contact_with_a_thousand_emails_matches_by_its_primary_one(self):
		emails = [f"n{n}@flood.xero-crm-test.invalid" for n in range(1000)]
		flooded = self._contact_by("Administrator", TEST_EMAIL, *emails)
		summary = api.get_summary("Contact", flooded)
		self.assertEqual([c["contact_id"] for c in summary["xero_contacts"]], [ACME])


class TestPoisonRecords(XeroTestCase):
	"""Xero's longest values are cached on MariaDB; a record that still cannot be held is set aside
	and the sync goes on."""

	def setUp(self):
		frappe.set_user("Administrator")
		self.url, self.peer, self.tenant = connected_world()
		from xero_crm.emulator.seed import Emulator

		self.emulator = Emulator(self.url)

	def tearDown(self):
		made = [self.key(i) for i in getattr(self, "made", [])] or [""]
		for doctype, column in (
			("Xero Invoice Payment", "parent"),
			("Xero Invoice", "name"),
			("Xero Contact Email", "parent"),
			("Xero Contact", "name"),
		):
			frappe.db.delete(doctype, {column: ("in", made)})
		frappe.db.commit()

	def key(self, xero_id: str) -> str:
		"""The cache key of one of the connected organisation's records."""
		return cache_key(self.tenant, xero_id)

	def test_xero_limits_sync_and_a_record_beyond_them_is_quarantined_not_fatal(self):
		long_name = ("Ampersand & Sons <Holdings> " * 10)[:255]
		contact = self.emulator.contact(long_name, "long@xero-crm-test.invalid")
		number = ("INV/" + "9" * 300)[:255]
		good = self.emulator.invoice(contact["ContactID"], number, "10.00")
		poison = self.emulator.invoice(contact["ContactID"], '"' * 255, "20.00")
		after = self.emulator.invoice(contact["ContactID"], "INV-AFTER", "30.00")
		self.made = [contact["ContactID"], good["InvoiceID"], poison["InvoiceID"], after["InvoiceID"]]
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		frappe.db.set_value(ORGANISATION, self.tenant, "sync_cursor", None)
		with patch("frappe.publish_realtime"):
			sync.run_full_sync(self.tenant)
			sync.run_full_sync(self.tenant)  # the same poison again: still one Error Log for it
		self.assertEqual(
			frappe.db.get_value("Xero Contact", self.key(contact["ContactID"]), "contact_name"),
			_esc(long_name),
		)
		self.assertEqual(
			frappe.db.get_value("Xero Invoice", self.key(good["InvoiceID"]), "invoice_number"), number
		)
		self.assertTrue(frappe.db.exists("Xero Invoice", self.key(after["InvoiceID"])))
		self.assertFalse(frappe.db.exists("Xero Invoice", self.key(poison["InvoiceID"])))
		status = organisation(self.tenant).sync_status
		self.assertTrue(status.startswith("Initial sync finished"), status)
		self.assertIn(poison["InvoiceID"], status)
		self.assertEqual(
			frappe.db.count(
				"Error Log", {"method": QUARANTINE_TITLE, "reference_name": self.key(poison["InvoiceID"])}
			),
			1,
		)

	def test_an_older_page_never_overwrites_a_newer_refresh(self):
		contact = self.emulator.contact("Newer Wins (xero_crm test)")
		invoice = self.emulator.invoice(contact["ContactID"], "INV-NEWER", "10.00")
		self.made = [contact["ContactID"], invoice["InvoiceID"]]
		newer = {**invoice, "Reference": "newer", "UpdatedDateUTC": "/Date(1900000000000+0000)/"}
		older = {**invoice, "Reference": "older", "UpdatedDateUTC": "/Date(1800000000000+0000)/"}
		cache = frappe_cache(self.tenant)
		cache.write_contacts([XeroContact(contact["ContactID"], "Newer Wins (xero_crm test)")])
		cache.write_invoices([parse_invoice(newer)])
		self.assertEqual(cache.write_invoices([parse_invoice(older)]), [])
		self.assertEqual(
			frappe.db.get_value("Xero Invoice", self.key(invoice["InvoiceID"]), "reference"), "newer"
		)

	def test_a_deadlocked_page_is_written_again(self):
		contact = self.emulator.contact("Deadlock (xero_crm test)")
		invoice = self.emulator.invoice(contact["ContactID"], "INV-DEADLOCK", "10.00")
		self.made = [contact["ContactID"], invoice["InvoiceID"]]
		commit = FrappeStore.commit
		failures = iter([frappe.QueryDeadlockError("1213 deadlock")])

		def deadlock_once(store):
			if (error := next(failures, None)) is not None:
				raise error
			commit(store)

		from xero_crm.connection import make_client

		with patch.object(FrappeStore, "commit", deadlock_once):
			report = Syncer(make_client(organisation(self.tenant)), frappe_cache(self.tenant)).refresh(
				invoice_ids=[invoice["InvoiceID"]]
			)
		self.assertEqual(report.invoices, 1)
		self.assertEqual(frappe.db.count("Xero Invoice", {"name": self.key(invoice["InvoiceID"])}), 1)

	def test_a_sync_of_a_removed_organisation_stops_before_writing(self):
		contact = self.emulator.contact("Removed Meanwhile (xero_crm test)")
		invoice = self.emulator.invoice(contact["ContactID"], "INV-REMOVED", "10.00")
		self.made = [contact["ContactID"], invoice["InvoiceID"]]
		from xero_crm.connection import make_client

		client = make_client(organisation(self.tenant))
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		frappe.db.delete(ORGANISATION, self.tenant)  # removed by an admin while its sync runs
		from xero_crm.xero.errors import XeroTenantChanged

		with self.assertRaises(XeroTenantChanged):
			Syncer(client, frappe_cache(self.tenant)).full_sync()
		self.assertFalse(frappe.db.exists("Xero Contact", self.key(contact["ContactID"])))
		self.assertFalse(frappe.db.exists("Xero Invoice", self.key(invoice["InvoiceID"])))

	def test_a_client_of_one_organisation_never_writes_into_anothers_cache(self):
		contact = self.emulator.contact("Wrong Cache (xero_crm test)")
		invoice = self.emulator.invoice(contact["ContactID"], "INV-WRONG", "10.00")
		self.made = [contact["ContactID"], invoice["InvoiceID"]]
		other = seeded_organisation("tenant-other-hardening", "Other Org (xero_crm test)")
		from xero_crm.connection import make_client
		from xero_crm.xero.errors import XeroTenantChanged

		with self.assertRaises(XeroTenantChanged):
			Syncer(make_client(organisation(self.tenant)), frappe_cache(other)).full_sync()
		for name in (cache_key(other, invoice["InvoiceID"]), self.key(invoice["InvoiceID"])):
			self.assertFalse(frappe.db.exists("Xero Invoice", name), name)


def _esc(text: str) -> str:
	import html

	return html.escape(text)
