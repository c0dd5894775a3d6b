"""Bench tier: the sales manager's receivables (xero_crm.receivables) on the real database, from
invoices synced from xero-local: the report "Xero Receivables by Customer" agrees with the panel's
summary for the same Customer; the Workspace "Xero", its number cards and aging chart load for a
manager with the cache-browsing role (Xero Invoice Viewer); a plain Sales User, a portal user and
Guest get nothing, in process and over real HTTP."""

import json
from decimal import Decimal
from unittest.mock import patch

import frappe
from frappe.desk.desktop import get_desktop_page, get_workspace_sidebar_items
from frappe.desk.query_report import run as run_report
from frappe.utils import fmt_money

from xero_crm import api, receivables, sync
from xero_crm.constants import CREDIT, SETTINGS
from xero_crm.tests.test_api import HAS_ERPNEXT, _leaf
from xero_crm.tests.xero_world import ServedSiteCase, connected_world, make_user

REPORT = "Xero Receivables by Customer"
NAME = "Receivables Ltd (xero_crm test)"
PASSWORD = "Xero-crm-test-0!"
MANAGER = "xero-recv-manager@example.com"
REP = "xero-recv-rep@example.com"
PORTAL = "xero-recv-portal@example.com"
TODAY = "2026-11-20"
CARDS = ("receivables_card", "overdue_card", "credit_card")


def _customer() -> str:
	return frappe.db.get_value("Customer", {"customer_name": NAME}) or (
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": NAME,
				"customer_group": _leaf("Customer Group"),
				"territory": _leaf("Territory"),
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def _sql_sum(currency: str, past_due: bool = False) -> Decimal:
	"""What the organisation is owed in a currency, summed independently of the app's queries."""
	condition = "and due_date < %(today)s" if past_due else ""
	total = frappe.db.sql(
		f"""select coalesce(sum(amount_due), 0) from `tabXero Invoice`
		where invoice_type = 'ACCREC' and status = 'AUTHORISED' and amount_due > 0
		and currency = %(currency)s {condition}""",
		{"currency": currency, "today": TODAY},
	)[0][0]
	return Decimal(str(total)).quantize(Decimal("0.01"))  # MariaDB may answer a float


class TestReceivablesReport(ServedSiteCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		if not HAS_ERPNEXT:
			return
		frappe.set_user("Administrator")
		cls.url, cls.peer, cls.tenant = connected_world()
		from xero_crm.emulator.seed import Emulator

		emulator = Emulator(cls.url)
		cls.contact = emulator.contact(NAME)["ContactID"]
		inv = lambda number, total, due, **extra: emulator.invoice(  # noqa: E731
			cls.contact, number, total, Date="2026-06-01", DueDate=due, **extra
		)["InvoiceID"]
		cls.invoices = [
			inv("RC-1", "300.00", "2026-10-06"),  # 45 days overdue: 31–60
			inv("RC-2", "200.00", "2026-11-17"),  # 3 days: 1–30
			inv("RC-3", "999.00", TODAY),  # due today: current
			inv("RC-4", "40.00", "2026-11-08", CurrencyCode="USD"),  # 12 days: 1–30, in USD
			inv("RC-5", "70.00", "2026-05-01", Type="ACCPAY"),  # a bill: never owed
			inv("RC-6", "60.00", "2026-05-01", Status="DRAFT"),  # a draft: never owed
		]
		emulator.pay(cls.invoices[0], "100.00", "2026-11-02")
		emulator.pay(cls.invoices[0], "50.00", "2026-11-09")
		emulator.credit_note(cls.contact, "RC-CN-1", "120.00", RemainingCredit="100.00")
		emulator.credit_note(cls.contact, "RC-CN-SUP", "60.00", Type="ACCPAYCREDIT")
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		with patch("frappe.publish_realtime"):
			sync.run_full_sync()
		cls.customer = _customer()
		make_user(MANAGER, "Sales Manager", "Xero Invoice Viewer", password=PASSWORD)
		make_user(REP, "Sales User", password=PASSWORD)
		make_user(PORTAL, user_type="Website User", password=PASSWORD)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		if HAS_ERPNEXT:
			frappe.set_user("Administrator")
			frappe.db.delete("Xero Invoice Payment", {"parent": ("in", cls.invoices)})
			frappe.db.delete("Xero Invoice", {"name": ("in", cls.invoices)})
			frappe.db.delete(CREDIT, {"xero_contact": cls.contact})
			frappe.db.delete("Xero Contact", {"name": cls.contact})
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

	def _rows(self, **filters) -> dict[str, dict]:
		result = run_report(REPORT, filters=filters, ignore_prepared_report=True)
		return {r["currency"]: r for r in result["result"] if r["customer"] == self.customer}

	def test_the_report_row_equals_the_panels_summary_for_the_customer(self):
		frappe.set_user(MANAGER)
		rows = self._rows()
		summary = api.get_summary("Customer", self.customer)
		self.assertEqual(sorted(rows), ["NZD", "USD"])
		for totals in summary["totals"]:
			row = rows[totals["currency"]]
			self.assertEqual(
				(row["total"], row["overdue"], row["credit"]),
				(totals["unpaid"], totals["overdue"], totals["credit"]),
			)
		for aging in summary["aging"]:
			row = rows[aging["currency"]]
			self.assertEqual(
				[row[b["key"]] for b in aging["buckets"]], [b["amount"] for b in aging["buckets"]]
			)
		nzd = rows["NZD"]
		# RC-1 is 150 paid of 300; the bill and the draft count nowhere
		self.assertEqual(
			(nzd["current"], nzd["1_30"], nzd["31_60"], nzd["total"], nzd["overdue"]),
			(Decimal("999.00"), Decimal("200.00"), Decimal("150.00"), Decimal("1349.00"), Decimal("350.00")),
		)
		self.assertEqual(nzd["credit"], Decimal("100.00"))  # the supplier's credit note never counts
		self.assertEqual(str(nzd["last_payment_date"]), "2026-11-09")
		self.assertEqual(nzd["invoices"], 3)
		self.assertEqual((rows["USD"]["1_30"], rows["USD"]["credit"]), (Decimal("40.00"), Decimal("0.00")))

	def test_filters_currency_and_overdue_only(self):
		frappe.set_user(MANAGER)
		self.assertEqual(sorted(self._rows(currency="usd")), ["USD"])
		overdue = run_report(REPORT, filters={"overdue_only": 1}, ignore_prepared_report=True)["result"]
		self.assertTrue(overdue and all(r["overdue"] > 0 for r in overdue))
		with self.assertRaises(frappe.ValidationError):
			run_report(REPORT, filters={"currency": "' or 1=1"}, ignore_prepared_report=True)

	def test_only_customers_the_viewer_may_read(self):
		other = frappe.db.get_value("Customer", {"name": ("!=", self.customer)})
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

	def test_the_cards_show_the_base_currency_only(self):
		frappe.db.set_single_value(SETTINGS, "base_currency", "NZD")
		frappe.set_user(MANAGER)
		self.assertEqual(receivables.receivables_card(), f"NZD {fmt_money(_sql_sum('NZD'), precision=2)}")
		self.assertEqual(
			receivables.overdue_card(), f"NZD {fmt_money(_sql_sum('NZD', past_due=True), precision=2)}"
		)
		self.assertTrue(receivables.credit_card().startswith("NZD "))

	def test_the_aging_chart_has_a_bar_per_currency_of_its_buckets(self):
		frappe.set_user(MANAGER)
		chart = receivables.aging_chart()
		self.assertIn("NZD", chart["labels"])
		self.assertEqual([d["name"] for d in chart["datasets"]], ["Current", "1–30", "31–60", "61–90", "90+"])
		for currency in ("NZD", "USD"):
			i = chart["labels"].index(currency)
			total = sum(Decimal(str(d["values"][i])) for d in chart["datasets"])
			self.assertEqual(total, _sql_sum(currency))

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
			for method in (*CARDS, "aging_chart"):
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
		}
		manager = self.site.session(MANAGER, PASSWORD)
		for label, (method, args) in calls.items():
			answer = manager.post(f"{self.site.url}/api/method/{method}", data=args, timeout=60)
			self.assertEqual(answer.status_code, 200, (label, answer.text[:300]))
		rows = manager.post(
			f"{self.site.url}/api/method/frappe.desk.query_report.run", data=calls["report"][1], timeout=60
		).json()["message"]["result"]
		self.assertIn(self.customer, {r["customer"] for r in rows if isinstance(r, dict)})

		for user in (REP, PORTAL, "Guest"):
			http = self.site.session(user, PASSWORD)
			for label, (method, args) in calls.items():
				answer = http.post(f"{self.site.url}/api/method/{method}", data=args, timeout=60)
				self.assertEqual(answer.status_code, 403, (user, label, answer.text[:300]))
