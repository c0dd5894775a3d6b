"""Bench tier: the sales manager's receivables (xero_crm.receivables) on the real database, from
invoices synced from xero-local for two Xero organisations (xero-local's default one, in NZD, and a
second one, in AUD, that also bills the same customer in NZD): the report "Xero Receivables by
Customer" has one row per Customer, organisation and currency, each equal to the panel's summary for
that organisation; the number cards show each organisation's figure in its own base currency and the
aging chart one bar per organisation and currency, never adding two organisations up; an
organisation of a Company the viewer's User Permissions exclude counts nowhere. The Workspace "Xero"
loads for a manager with the cache-browsing role (Xero Invoice Viewer); a plain Sales User, a portal
user and Guest get nothing, in process and over real HTTP."""

import json
from decimal import Decimal
from unittest.mock import patch

import frappe
from frappe.desk.desktop import get_desktop_page, get_workspace_sidebar_items
from frappe.desk.query_report import run as run_report
from frappe.utils import fmt_money

from xero_crm import api, receivables, sync
from xero_crm.cache import forget_organisation
from xero_crm.constants import ORGANISATION, SETTINGS
from xero_crm.tests.test_api import HAS_ERPNEXT, _leaf
from xero_crm.tests.xero_world import (
	TEST_CALL_BUDGET,
	ServedSiteCase,
	bare_company,
	connect_site,
	make_user,
	point_site_at,
	reset,
	xero_world,
)

REPORT = "Xero Receivables by Customer"
NAME = "Receivables Ltd (xero_crm test)"
AU_NAME = "Receivables AU (xero_crm test)"
PASSWORD = "Xero-crm-test-0!"
MANAGER = "xero-recv-manager@example.com"
REP = "xero-recv-rep@example.com"
PORTAL = "xero-recv-portal@example.com"
TODAY = "2026-11-20"
CARDS = ("receivables_card", "overdue_card", "credit_card")
METHODS = (*CARDS, "aging_chart", "organisation_choices")
MARKUP = "<img src=x onerror=\"document.body.setAttribute('data-xss','ran')\">"


def _customer(name: str = NAME) -> str:
	return frappe.db.get_value("Customer", {"customer_name": name}) or (
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": name,
				"customer_group": _leaf("Customer Group"),
				"territory": _leaf("Territory"),
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def _sql_sum(organisation: str, currency: str, past_due: bool = False) -> Decimal:
	"""What one organisation is owed in a currency, summed independently of the app's queries."""
	condition = "and due_date < %(today)s" if past_due else ""
	total = frappe.db.sql(
		f"""select coalesce(sum(amount_due), 0) from `tabXero Invoice`
		where organisation = %(organisation)s and invoice_type = 'ACCREC' and status = 'AUTHORISED'
		and amount_due > 0 and currency = %(currency)s {condition}""",
		{"organisation": organisation, "currency": currency, "today": TODAY},
	)[0][0]
	return Decimal(str(total)).quantize(Decimal("0.01"))  # MariaDB may answer a float


class TestReceivablesReport(ServedSiteCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		if not HAS_ERPNEXT:
			return
		frappe.set_user("Administrator")
		cls.url, cls.peer = xero_world()
		reset(cls.url, cls.peer)
		point_site_at(cls.peer)
		# a second organisation in the same consent: the callback connects both
		cls.au = cls.peer.add_tenant(AU_NAME, "!RcAU", "AUD")
		cls.tenant = connect_site(cls.url, cls.peer)
		frappe.db.set_value(ORGANISATION, cls.au, "daily_call_budget", TEST_CALL_BUDGET)
		cls.names = {
			t: frappe.db.get_value(ORGANISATION, t, "organisation_name") for t in (cls.tenant, cls.au)
		}
		from xero_crm.emulator.seed import Emulator

		emulator = Emulator(cls.url)
		contact = emulator.contact(NAME)["ContactID"]
		inv = lambda number, total, due, **extra: emulator.invoice(  # noqa: E731
			contact, number, total, Date="2026-06-01", DueDate=due, **extra
		)["InvoiceID"]
		first = inv("RC-1", "300.00", "2026-10-06")  # 45 days overdue: 31–60
		inv("RC-2", "200.00", "2026-11-17")  # 3 days: 1–30
		inv("RC-3", "999.00", TODAY)  # due today: current
		inv("RC-4", "40.00", "2026-11-08", CurrencyCode="USD")  # 12 days: 1–30, in USD
		inv("RC-5", "70.00", "2026-05-01", Type="ACCPAY")  # a bill: never owed
		inv("RC-6", "60.00", "2026-05-01", Status="DRAFT")  # a draft: never owed
		emulator.pay(first, "100.00", "2026-11-02")
		emulator.pay(first, "50.00", "2026-11-09")
		emulator.credit_note(contact, "RC-CN-1", "120.00", RemainingCredit="100.00")
		emulator.credit_note(contact, "RC-CN-SUP", "60.00", Type="ACCPAYCREDIT")
		# the same customer in the second organisation: AUD, and NZD too (never added to the first's)
		au = emulator.in_tenant(cls.au)
		au_contact = au.contact(NAME)["ContactID"]
		au.invoice(au_contact, "RA-1", "500.00", Date="2026-06-01", DueDate="2026-12-20", CurrencyCode="AUD")
		au.invoice(au_contact, "RA-2", "40.00", Date="2026-06-01", DueDate="2026-09-01")  # 80 days: 61–90
		au.credit_note(au_contact, "RA-CN-1", "30.00", CurrencyCode="AUD")
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		with patch("frappe.publish_realtime"):
			for tenant in (cls.tenant, cls.au):
				sync.run_full_sync(tenant)
		cls.customer = _customer()
		make_user(MANAGER, "Sales Manager", "Xero Invoice Viewer", password=PASSWORD)
		make_user(REP, "Sales User", password=PASSWORD)
		make_user(PORTAL, user_type="Website User", password=PASSWORD)
		cls.companies = (
			bare_company("XR North (xero_crm test)", "XRN"),
			bare_company("XR South (xero_crm test)", "XRS"),
		)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		if HAS_ERPNEXT:
			frappe.set_user("Administrator")
			for tenant in (cls.tenant, cls.au):
				forget_organisation(tenant)  # its cached invoices, payments, credits and contacts
			frappe.db.delete("User Permission", {"user": MANAGER})
			frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		if not HAS_ERPNEXT:
			self.skipTest("the Customer DocType comes with ERPNext")
		frappe.set_user("Administrator")
		today = patch("frappe.utils.nowdate", return_value=TODAY)
		today.start()
		self.addCleanup(today.stop)
		self.addCleanup(frappe.set_user, "Administrator")

	def _rows(self, **filters) -> dict[tuple[str, str], dict]:
		"""The customer's rows, by (organisation's name, currency)."""
		result = run_report(REPORT, filters=filters, ignore_prepared_report=True)
		rows = [r for r in result["result"] if r["customer"] == self.customer]
		found = {(r["organisation"], r["currency"]): r for r in rows}
		self.assertEqual(len(found), len(rows), "two rows of one organisation and currency")
		return found

	def _hide_the_second_organisation(self) -> None:
		"""The second organisation belongs to a Company the manager's User Permissions exclude."""
		north, south = self.companies
		frappe.db.set_value(ORGANISATION, self.tenant, "company", north)
		frappe.db.set_value(ORGANISATION, self.au, "company", south)
		frappe.get_doc(
			{"doctype": "User Permission", "user": MANAGER, "allow": "Company", "for_value": north}
		).insert(ignore_permissions=True)
		self.addCleanup(frappe.db.set_value, ORGANISATION, self.au, "company", None)
		self.addCleanup(frappe.db.set_value, ORGANISATION, self.tenant, "company", None)
		self.addCleanup(frappe.db.delete, "User Permission", {"user": MANAGER})

	def test_a_row_per_organisation_and_currency_each_equal_to_the_panels_summary(self):
		frappe.set_user(MANAGER)
		rows = self._rows()
		nz, au = self.names[self.tenant], self.names[self.au]
		self.assertEqual(sorted(rows), sorted([(nz, "NZD"), (nz, "USD"), (au, "AUD"), (au, "NZD")]))
		summary = api.get_summary("Customer", self.customer)
		self.assertEqual(
			{(t["organisation_name"], t["currency"]) for t in summary["totals"]}, set(rows)
		)  # the same organisations, named as the panel names them
		for totals in summary["totals"]:
			row = rows[(totals["organisation_name"], totals["currency"])]
			self.assertEqual(
				(row["total"], row["overdue"], row["credit"]),
				(totals["unpaid"], totals["overdue"], totals["credit"]),
			)
		for aging in summary["aging"]:
			row = rows[(aging["organisation_name"], aging["currency"])]
			self.assertEqual(
				[row[b["key"]] for b in aging["buckets"]], [b["amount"] for b in aging["buckets"]]
			)
		nzd = rows[(nz, "NZD")]
		# RC-1 is 150 paid of 300; the bill and the draft count nowhere; the second organisation's
		# NZD 40 is its own row, never added in
		self.assertEqual(
			(nzd["current"], nzd["1_30"], nzd["31_60"], nzd["total"], nzd["overdue"]),
			(Decimal("999.00"), Decimal("200.00"), Decimal("150.00"), Decimal("1349.00"), Decimal("350.00")),
		)
		self.assertEqual(nzd["credit"], Decimal("100.00"))  # the supplier's credit note never counts
		self.assertEqual(str(nzd["last_payment_date"]), "2026-11-09")
		self.assertEqual(nzd["invoices"], 3)
		self.assertEqual(
			(rows[(nz, "USD")]["1_30"], rows[(nz, "USD")]["credit"]), (Decimal("40.00"), Decimal("0.00"))
		)
		self.assertEqual(
			(rows[(au, "NZD")]["61_90"], rows[(au, "NZD")]["total"], rows[(au, "NZD")]["invoices"]),
			(Decimal("40.00"), Decimal("40.00"), 1),
		)
		self.assertEqual(
			(rows[(au, "AUD")]["current"], rows[(au, "AUD")]["credit"]), (Decimal("500.00"), Decimal("30.00"))
		)
		columns = [
			c["fieldname"] for c in run_report(REPORT, filters={}, ignore_prepared_report=True)["columns"]
		]
		self.assertEqual(columns[:3], ["customer", "organisation", "currency"])

	def test_filters_organisation_currency_and_overdue_only(self):
		frappe.set_user(MANAGER)
		au = self.names[self.au]
		self.assertEqual(sorted(self._rows(organisation=self.au)), [(au, "AUD"), (au, "NZD")])
		self.assertEqual(sorted(self._rows(currency="usd")), [(self.names[self.tenant], "USD")])
		self.assertEqual(sorted(self._rows(organisation=self.au, currency="NZD")), [(au, "NZD")])
		overdue = run_report(REPORT, filters={"overdue_only": 1}, ignore_prepared_report=True)["result"]
		self.assertTrue(overdue and all(r["overdue"] > 0 for r in overdue))
		self.assertNotIn((au, "AUD"), self._rows(overdue_only=1))  # AUD 500 is not yet due
		for bad in ({"currency": "' or 1=1"}, {"organisation": "no-such-organisation"}):
			with self.assertRaises(frappe.ValidationError, msg=bad):
				run_report(REPORT, filters=bad, ignore_prepared_report=True)
		self.assertEqual(
			receivables.organisation_choices(),
			sorted(
				({"value": t, "label": n} for t, n in self.names.items()),
				key=lambda o: o["label"].casefold(),
			),
		)

	def test_only_customers_the_viewer_may_read(self):
		other = _customer("Someone Else (xero_crm test)")  # a Customer matching no Xero contact
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": MANAGER,
				"allow": "Customer",
				"for_value": other,
				"apply_to_all_doctypes": 1,
			}
		).insert(ignore_permissions=True)
		self.addCleanup(frappe.db.delete, "User Permission", {"user": MANAGER})
		frappe.set_user(MANAGER)
		self.assertEqual(self._rows(), {})

	def test_the_cards_show_each_organisations_figure_in_its_own_base_currency(self):
		self.assertEqual(
			[frappe.db.get_value(ORGANISATION, t, "base_currency") for t in (self.tenant, self.au)],
			["NZD", "AUD"],
		)
		frappe.set_user(MANAGER)

		def money(organisation, currency, past_due=False):
			return f"{currency} {fmt_money(_sql_sum(organisation, currency, past_due), precision=2)}"

		# by the organisations' names, each in its own base currency: the second one's NZD is not in
		# the first's, and its AUD is never converted nor added to anything
		ordered = sorted(((self.names[t], t, c) for t, c in ((self.tenant, "NZD"), (self.au, "AUD"))))
		self.assertEqual(
			receivables.receivables_card(), " · ".join(f"{n}: {money(t, c)}" for n, t, c in ordered)
		)
		self.assertEqual(
			receivables.overdue_card(), " · ".join(f"{n}: {money(t, c, True)}" for n, t, c in ordered)
		)
		self.assertIn(f"{self.names[self.au]}: AUD ", receivables.credit_card())
		self.assertIn(f"{self.names[self.tenant]}: NZD ", receivables.credit_card())
		self.assertEqual(_sql_sum(self.au, "NZD"), Decimal("40.00"))  # there, and left out above

	def test_an_organisation_the_viewer_may_not_see_counts_nowhere(self):
		self._hide_the_second_organisation()
		frappe.set_user(MANAGER)
		nz = self.names[self.tenant]
		self.assertEqual(sorted(self._rows()), [(nz, "NZD"), (nz, "USD")])
		with self.assertRaises(frappe.ValidationError):
			run_report(REPORT, filters={"organisation": self.au}, ignore_prepared_report=True)
		self.assertEqual(receivables.organisation_choices(), [{"value": self.tenant, "label": nz}])
		# one organisation: its figure alone, in its base currency
		self.assertEqual(
			receivables.receivables_card(), f"NZD {fmt_money(_sql_sum(self.tenant, 'NZD'), precision=2)}"
		)
		chart = receivables.aging_chart()
		self.assertEqual(chart["labels"], ["NZD", "USD"])
		frappe.set_user("Administrator")  # who sees both: the second organisation was there all along
		self.assertEqual(len(receivables.aging_chart()["labels"]), 4)

	def test_the_aging_chart_has_a_bar_per_organisation_and_currency_of_its_buckets(self):
		frappe.set_user(MANAGER)
		chart = receivables.aging_chart()
		self.assertEqual([d["name"] for d in chart["datasets"]], ["Current", "1–30", "31–60", "61–90", "90+"])
		for tenant, currency in (
			(self.tenant, "NZD"),
			(self.tenant, "USD"),
			(self.au, "AUD"),
			(self.au, "NZD"),
		):
			label = f"{self.names[tenant]} · {currency}"
			self.assertIn(label, chart["labels"])
			i = chart["labels"].index(label)
			total = sum(Decimal(str(d["values"][i])) for d in chart["datasets"])
			self.assertEqual(total.quantize(Decimal("0.01")), _sql_sum(tenant, currency), label)

	def test_an_organisation_name_with_markup_is_escaped_where_the_desk_puts_it_as_html(self):
		frappe.db.set_value(ORGANISATION, self.au, "organisation_name", "AU " + MARKUP)
		self.addCleanup(frappe.db.set_value, ORGANISATION, self.au, "organisation_name", self.names[self.au])
		frappe.set_user(MANAGER)
		escaped = "AU &lt;img src=x onerror="
		for shown in (
			receivables.receivables_card(),
			" ".join(receivables.aging_chart()["labels"]),
			" ".join(organisation for organisation, _currency in self._rows()),
		):
			self.assertIn(escaped, shown)
			self.assertNotIn("<img", shown)
		# the filter's choices are data: the report's script escapes them as it fills the Select
		self.assertIn("AU " + MARKUP, [o["label"] for o in receivables.organisation_choices()])

	def test_the_workspace_loads_for_the_manager_and_is_not_listed_for_a_sales_user(self):
		frappe.set_user(MANAGER)
		self.assertIn("Xero", [p["name"] for p in get_workspace_sidebar_items()["pages"]])
		page = get_desktop_page(frappe.as_json({"name": "Xero", "title": "Xero", "public": 1}))
		self.assertEqual(
			[c.get("number_card_name") for c in page["number_cards"]["items"]],
			["Xero Receivables", "Xero Overdue", "Xero Credit Available"],
		)
		self.assertEqual([c.get("chart_name") for c in page["charts"]["items"]], ["Xero Aging"])
		shortcuts = [s.get("link_to") for s in page["shortcuts"]["items"]]
		self.assertEqual(shortcuts, [REPORT, "Xero Invoice"])  # Xero Settings: System Manager only
		# the desk draws a content block only where its name is an item's label (workspace blocks'
		# make(): items.find(obj => obj.label == block_name)), so a card named otherwise never shows
		content = json.loads(frappe.db.get_value("Workspace", "Xero", "content"))
		for block, key in (("number_card", "number_card_name"), ("chart", "chart_name")):
			labels = {item.get("label") for item in page[f"{block}s"]["items"]}
			for b in (b for b in content if b["type"] == block):
				self.assertIn(b["data"][key], labels, f"{block} block {b['data'][key]!r} would not be drawn")

		frappe.set_user(REP)
		self.assertNotIn("Xero", [p["name"] for p in get_workspace_sidebar_items()["pages"]])

	def test_a_sales_user_portal_user_and_guest_are_refused_in_process(self):
		for user in (REP, PORTAL, "Guest"):
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError, msg=user):
				run_report(REPORT, filters={}, ignore_prepared_report=True)
			for method in METHODS:
				with self.assertRaises(frappe.PermissionError, msg=(user, method)):
					getattr(receivables, method)()
			with self.assertRaises(frappe.PermissionError, msg=user):
				receivables.report({})  # the report's rows themselves: not only its Report door

	def test_over_http_the_manager_gets_rows_and_the_others_a_403(self):
		calls = {
			"report": ("frappe.desk.query_report.run", {"report_name": REPORT, "filters": "{}"}),
			"report script": ("frappe.desk.query_report.get_script", {"report_name": REPORT}),
			**{card: (f"xero_crm.receivables.{card}", {"filters": "{}"}) for card in CARDS},
			"chart": ("xero_crm.receivables.aging_chart", {"chart_name": "Xero Aging", "filters": "{}"}),
			"organisations": ("xero_crm.receivables.organisation_choices", {}),
		}
		manager = self.site.session(MANAGER, PASSWORD)
		for label, (method, args) in calls.items():
			answer = manager.post(f"{self.site.url}/api/method/{method}", data=args, timeout=60)
			self.assertEqual(answer.status_code, 200, (label, answer.text[:300]))
		rows = manager.post(
			f"{self.site.url}/api/method/frappe.desk.query_report.run", data=calls["report"][1], timeout=60
		).json()["message"]["result"]
		self.assertEqual(
			{r["organisation"] for r in rows if isinstance(r, dict) and r["customer"] == self.customer},
			set(self.names.values()),
		)

		for user in (REP, PORTAL, "Guest"):
			http = self.site.session(user, PASSWORD)
			for label, (method, args) in calls.items():
				answer = http.post(f"{self.site.url}/api/method/{method}", data=args, timeout=60)
				self.assertEqual(answer.status_code, 403, (user, label, answer.text[:300]))
