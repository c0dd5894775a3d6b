"""Bench tier: several Xero organisations on one site.

- The migrate patch turns a single-organisation site into its first Xero Organisation, keeping its
  consent's tokens, its cache, its reps' pins and links (re-keyed under the tenant id).
- A user whose User Permissions on Company exclude a Company sees nothing of that Company's
  organisation: not in the panel, the Customer list, the link search, nor Frappe's own views.
- Two organisations' totals for the same record and currency stay apart."""

from decimal import Decimal

import frappe
from frappe.utils.password import get_decrypted_password, set_encrypted_password

from xero_crm import api, invoice_documents
from xero_crm.cache import frappe_cache
from xero_crm.constants import AUTHORISATION, LINK, ORGANISATION, PIN, SETTINGS
from xero_crm.patches.v2_0 import organisations as patch_v2
from xero_crm.tests.xero_world import (
	XeroTestCase,
	bare_company,
	forget_connections,
	make_user,
	organisation,
	seeded_organisation,
)
from xero_crm.xero.keys import cache_key
from xero_crm.xero.records import parse_contact, parse_invoice

LEGACY = "legacy-tenant-0001"
NAME = "Twin Traders (xero_crm test)"


def contact(contact_id: str, name: str = NAME, email: str = "", merged_to: str = "") -> dict:
	return {
		"ContactID": contact_id,
		"Name": name,
		"EmailAddress": email,
		"IsCustomer": True,
		"ContactStatus": "ARCHIVED" if merged_to else "ACTIVE",
		"MergedToContactID": merged_to,
		"UpdatedDateUTC": "/Date(1763000000000+0000)/",
	}


def invoice(
	invoice_id: str, contact_id: str, number: str, due: str, amount: str = "100.00", paid: str = "0"
) -> dict:
	payments = (
		[{"PaymentID": f"{invoice_id}-p", "Date": "/Date(1762000000000+0000)/", "Amount": float(paid)}]
		if paid != "0"
		else []
	)
	return {
		"InvoiceID": invoice_id,
		"InvoiceNumber": number,
		"Type": "ACCREC",
		"Contact": {"ContactID": contact_id},
		"Status": "AUTHORISED",
		"DateString": "2026-10-01T00:00:00",
		"DueDateString": f"{due}T00:00:00",
		"CurrencyCode": "NZD",
		"Total": float(amount),
		"AmountDue": float(Decimal(amount) - Decimal(paid)),
		"AmountPaid": float(paid),
		"AmountCredited": 0,
		"Payments": payments,
		"UpdatedDateUTC": "/Date(1763000000000+0000)/",
	}


def customer(name: str = NAME) -> str:
	if not frappe.db.exists("Customer", name):
		from xero_crm.tests.test_api import _leaf

		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": name,
				"customer_group": _leaf("Customer Group"),
				"territory": _leaf("Territory"),
			}
		).insert(ignore_permissions=True)
	return name


class TestMigratePatch(XeroTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		forget_connections()
		self.addCleanup(self._clean)

	def _clean(self):
		for doctype in (
			"Xero Invoice Payment",
			"Xero Invoice",
			"Xero Contact Email",
			"Xero Contact",
			PIN,
			LINK,
		):
			frappe.db.sql(
				f"delete from `tab{doctype}` where name like %s or name like 'legacy-%%'", f"{LEGACY}:%"
			)
		frappe.db.delete(PIN, {"reference_name": "legacy-record"})
		frappe.db.delete(LINK, {"reference_name": "legacy-record"})
		frappe.db.commit()

	def _single_organisation_site(self):
		"""What a site connected before several organisations looked like: the organisation and the
		consent's tokens on Xero Settings, the cache named by Xero's ids, pins and links to them."""
		legacy = {
			"tenant_id": LEGACY,
			"cache_tenant_id": LEGACY,
			"status": "Connected",
			"organisation_name": "Legacy Org",
			"organisation_short_code": "!LEG",
			"base_currency": "NZD",
			"connected_user_email": "ada.admin@example.com",
			"daily_call_budget": "2000",
			"last_sync_at": "2026-11-20 10:00:00",
			"invoice_count": "2",
			"token_expires_at": "1900000000",
		}
		frappe.db.sql("delete from tabSingles where doctype=%s and field in %s", (SETTINGS, tuple(legacy)))
		for field, value in legacy.items():
			frappe.db.sql(
				"insert into tabSingles (doctype, field, value) values (%s, %s, %s)", (SETTINGS, field, value)
			)
		set_encrypted_password(SETTINGS, SETTINGS, "legacy-refresh", "refresh_token")
		set_encrypted_password(SETTINGS, SETTINGS, "legacy-access", "access_token")
		cache = frappe_cache("")  # the old writer: rows named by Xero's ids, no organisation
		cache.write_contacts(
			[
				parse_contact(contact("legacy-c1", email="twin@example.com")),
				parse_contact(contact("legacy-c0", name="Twin Old", merged_to="legacy-c1")),
			]
		)
		cache.write_invoices(
			[
				parse_invoice(invoice("legacy-i1", "legacy-c1", "LEG-1", "2026-10-15", paid="40.00")),
				parse_invoice(invoice("legacy-i2", "legacy-c1", "LEG-2", "2027-01-15")),
			]
		)
		for doctype, field, value in (
			(PIN, "xero_invoice", "legacy-i2"),
			(LINK, "xero_contact", "legacy-c1"),
		):
			frappe.get_doc(
				{
					"doctype": doctype,
					"reference_doctype": "Contact",
					"reference_name": "legacy-record",
					field: value,
				}
			).db_insert()
		frappe.db.commit()

	def test_the_patch_makes_the_first_organisation_and_keeps_the_cache_pins_and_links(self):
		self._single_organisation_site()
		patch_v2.execute()
		frappe.db.commit()

		org = organisation(LEGACY)
		self.assertEqual(
			(org.organisation_name, org.short_code, org.status), ("Legacy Org", "!LEG", "Connected")
		)
		self.assertEqual((org.daily_call_budget, org.enabled), (2000, 1))
		self.assertEqual(str(org.last_sync_at), "2026-11-20 10:00:00")  # a catch-up, not a new initial sync
		auth = frappe.get_doc(AUTHORISATION, org.authorisation)
		self.assertEqual(auth.connected_user_email, "ada.admin@example.com")
		self.assertEqual(get_decrypted_password(AUTHORISATION, auth.name, "refresh_token"), "legacy-refresh")
		self.assertEqual(get_decrypted_password(AUTHORISATION, auth.name, "access_token"), "legacy-access")
		# Xero Settings keep the app's credentials only
		moved = frappe.db.sql(
			"select field from tabSingles where doctype=%s and field in ('tenant_id', 'status', 'organisation_name')",
			SETTINGS,
		)
		self.assertEqual(moved, ())
		self.assertFalse(frappe.db.exists("__Auth", {"doctype": SETTINGS, "fieldname": "refresh_token"}))

		key = lambda xero_id: cache_key(LEGACY, xero_id)  # noqa: E731
		self.assertEqual(
			frappe.get_all(
				"Xero Invoice", {"organisation": LEGACY}, ["name", "xero_contact"], order_by="name"
			),
			[
				{"name": key("legacy-i1"), "xero_contact": key("legacy-c1")},
				{"name": key("legacy-i2"), "xero_contact": key("legacy-c1")},
			],
		)
		self.assertEqual(
			frappe.get_all("Xero Invoice Payment", {"parent": key("legacy-i1")}, ["name", "amount"]),
			[{"name": key("legacy-i1-p"), "amount": 40.0}],
		)
		self.assertEqual(frappe.db.get_value("Xero Contact", key("legacy-c0"), "merged_to"), key("legacy-c1"))
		self.assertEqual(frappe.db.get_value("Xero Contact", key("legacy-c1"), "merged_to"), "")
		self.assertEqual(
			frappe.get_all("Xero Contact Email", {"parent": key("legacy-c1")}, pluck="email"),
			["twin@example.com"],
		)
		self.assertEqual(
			frappe.db.get_value(PIN, {"reference_name": "legacy-record"}, ["xero_invoice", "organisation"]),
			(key("legacy-i2"), LEGACY),
		)
		self.assertEqual(
			frappe.db.get_value(LINK, {"reference_name": "legacy-record"}, ["xero_contact", "organisation"]),
			(key("legacy-c1"), LEGACY),
		)
		self.assertFalse(frappe.db.exists("Xero Invoice", "legacy-i1"))

		# migrate again: nothing moves twice
		patch_v2.execute()
		self.assertEqual(frappe.db.count(ORGANISATION), 1)
		self.assertTrue(frappe.db.exists("Xero Invoice", key("legacy-i1")))

	def test_a_site_that_never_connected_gets_no_organisation(self):
		frappe.db.sql(
			"delete from tabSingles where doctype=%s and field in ('tenant_id', 'cache_tenant_id')", SETTINGS
		)
		patch_v2.execute()
		self.assertEqual(frappe.db.count(ORGANISATION), 0)
		self.assertEqual(frappe.db.count(AUTHORISATION), 0)


class TestCompanyRestriction(XeroTestCase):
	"""Two organisations, one per Company, each with a Xero customer of the same name as one ERPNext
	Customer; a rep whose User Permissions allow only the first Company."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.companies = [
			bare_company("XC North (xero_crm test)", "XCN"),
			bare_company("XC South (xero_crm test)", "XCS"),
		]
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		# bare Company rows would make the site look set up (the demo would make Opportunities)
		frappe.set_user("Administrator")
		frappe.db.delete("User Permission", {"allow": "Company", "for_value": ("in", cls.companies)})
		frappe.db.delete("Company", {"name": ("in", cls.companies)})
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		forget_connections()
		north, south = self.companies
		self.north = seeded_organisation("tenant-north", "North Ltd", "!NTH", company=north)
		self.south = seeded_organisation("tenant-south", "South Ltd", "!STH", company=south)
		for tenant, due in ((self.north, "2026-10-10"), (self.south, "2026-10-20")):
			cache = frappe_cache(tenant)
			cache.write_contacts([parse_contact(contact("twin", email="twin@example.com"))])
			cache.write_invoices([parse_invoice(invoice("inv-1", "twin", f"{tenant[-5:]}-1", due))])
		self.customer = customer()
		self.rep = make_user(
			"xero-north-rep@example.com", "Sales Manager", "Sales Master Manager", "Xero Invoice Viewer"
		)
		permission = {"doctype": "User Permission", "user": self.rep, "allow": "Company", "for_value": north}
		if not frappe.db.exists(permission):
			frappe.get_doc({**permission, "apply_to_all_doctypes": 1}).insert(ignore_permissions=True)
		frappe.db.commit()
		self.addCleanup(self._clean)

	def _clean(self):
		frappe.set_user("Administrator")
		from xero_crm.cache import forget_organisation

		for tenant in (self.north, self.south):
			forget_organisation(tenant)
		frappe.db.delete(PIN, {"reference_name": self.customer})
		frappe.db.commit()

	def test_an_unrestricted_user_sees_both_organisations_totals_apart(self):
		summary = api.get_summary("Customer", self.customer)
		self.assertEqual([o["name"] for o in summary["organisations"]], ["North Ltd", "South Ltd"])
		self.assertEqual(
			[(t["organisation_name"], t["currency"], t["unpaid"]) for t in summary["totals"]],
			[("North Ltd", "NZD", Decimal("100.00")), ("South Ltd", "NZD", Decimal("100.00"))],
		)
		listed = api.get_invoices("Customer", self.customer, view="all")["invoices"]
		self.assertEqual(
			sorted((r["organisation_name"], r["invoice_id"]) for r in listed),
			[("North Ltd", "tenant-north:inv-1"), ("South Ltd", "tenant-south:inv-1")],
		)
		self.assertIn("shortcode=%21STH", next(r["url"] for r in listed if r["organisation"] == self.south))
		only_south = api.get_summary("Customer", self.customer, organisation=self.south)
		self.assertEqual([t["organisation"] for t in only_south["totals"]], [self.south])

	def test_a_record_naming_a_company_starts_filtered_to_its_organisation(self):
		self.assertIsNone(api.get_summary("Customer", self.customer)["default_organisation"])
		# the row a Customer's Accounts table keeps per Company (saved bare: these test Companies have no
		# chart of accounts for ERPNext's own checks)
		frappe.get_doc(
			{
				"doctype": "Party Account",
				"parent": self.customer,
				"parenttype": "Customer",
				"parentfield": "accounts",
				"company": self.companies[1],
			}
		).db_insert()
		self.addCleanup(frappe.db.delete, "Party Account", {"parent": self.customer})
		self.assertEqual(api.get_summary("Customer", self.customer)["default_organisation"], self.south)
		# the filter is the panel's to apply: the summary still covers both until asked for one
		self.assertEqual(len(api.get_summary("Customer", self.customer)["totals"]), 2)

	def test_the_panel_shows_nothing_of_an_excluded_companys_organisation(self):
		frappe.set_user(self.rep)
		summary = api.get_summary("Customer", self.customer)
		self.assertEqual([o["organisation"] for o in summary["organisations"]], [self.north])
		self.assertEqual([t["organisation"] for t in summary["totals"]], [self.north])
		self.assertEqual([c["contact_id"] for c in summary["xero_contacts"]], ["tenant-north:twin"])
		listed = api.get_invoices("Customer", self.customer, view="all")["invoices"]
		self.assertEqual([r["invoice_id"] for r in listed], ["tenant-north:inv-1"])
		with self.assertRaises(frappe.ValidationError):
			api.get_invoices("Customer", self.customer, organisation=self.south)
		with self.assertRaises(frappe.ValidationError):
			api.get_summary("Customer", self.customer, organisation=self.south)

	def test_every_other_path_refuses_the_excluded_organisation(self):
		frappe.set_user(self.rep)
		south_invoice, south_contact = "tenant-south:inv-1", "tenant-south:twin"
		with self.assertRaises(frappe.ValidationError):
			api.pin_invoice("Customer", self.customer, south_invoice)
		with self.assertRaises(frappe.ValidationError):
			invoice_documents.online_invoice_link("Customer", self.customer, south_invoice)
		with self.assertRaises(frappe.PermissionError):
			api.link_xero_contact("Customer", self.customer, south_contact)
		with self.assertRaises(frappe.PermissionError):
			api.xero_contact_matches("Customer", self.customer, south_contact)
		found = api.search_xero_contacts("Customer", self.customer, "Twin")
		self.assertEqual([c["contact_id"] for c in found], ["tenant-north:twin"])
		overdue = api.overdue_for("Customer", [self.customer])[self.customer]
		self.assertEqual([r["organisation"] for r in overdue["by_currency"]], [self.north])
		# Frappe's own views: list, Report View, a document
		for doctype in ("Xero Invoice", "Xero Contact"):
			self.assertEqual(set(frappe.get_list(doctype, pluck="organisation")), {self.north}, doctype)
		self.assertFalse(frappe.has_permission("Xero Invoice", "read", doc=south_invoice))
		self.assertTrue(frappe.has_permission("Xero Invoice", "read", doc="tenant-north:inv-1"))
		# the same calls for the Company the rep may see go through: the refusals above were the organisation's
		self.assertEqual(api.pin_invoice("Customer", self.customer, "tenant-north:inv-1"), {"pinned": True})
		self.assertEqual(
			api.xero_contact_matches("Customer", self.customer, "tenant-north:twin")["this_record"], True
		)
		self.assertEqual(
			api.link_xero_contact("Customer", self.customer, "tenant-north:twin"),
			{"linked": "tenant-north:twin"},
		)
		frappe.set_user("Administrator")
		frappe.db.delete(LINK, {"reference_name": self.customer})
		self.assertEqual(
			frappe.db.get_value(PIN, {"reference_name": self.customer}, "organisation"), self.north
		)


class TestBudgetsPerOrganisation(XeroTestCase):
	"""Xero counts calls per organisation: so does each organisation's client, against its own budget."""

	def setUp(self):
		frappe.set_user("Administrator")
		forget_connections()
		self.a = seeded_organisation("tenant-budget-a", "Budget A")
		self.b = seeded_organisation("tenant-budget-b", "Budget B")
		frappe.db.set_value(ORGANISATION, self.b, "daily_call_budget", 5000)

	def test_each_organisation_counts_its_own_calls_against_its_own_budget(self):
		from xero_crm.connection import make_client
		from xero_crm.redis_stores import RedisDayCounter

		frappe.db.set_single_value(SETTINGS, "client_id", "client-id-123")  # put back after the class
		set_encrypted_password(SETTINGS, SETTINGS, "client-secret-456", "client_secret")
		frappe.db.set_value(ORGANISATION, self.a, "authorisation", "any-consent")
		frappe.db.set_value(ORGANISATION, self.b, "authorisation", "any-consent")
		a, b = make_client(organisation(self.a)), make_client(organisation(self.b))
		self.assertEqual((a.tenant_id, b.tenant_id), (self.a, self.b))
		self.assertEqual((a.limiter.per_day, b.limiter.per_day), (1000, 5000))
		before_b = RedisDayCounter(self.b).used()
		RedisDayCounter(self.a).increment()
		self.assertEqual(RedisDayCounter(self.b).used(), before_b)
