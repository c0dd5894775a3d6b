"""Bench tier: the cache is no side door. Every DocType of the app through Frappe's own doors (REST,
Report View, frappe.client) over real HTTP, for each kind of user, with one explicit outcome each:
a 5xx or any other answer than the one expected is a failure, never "allowed". The connected Xero
organisations and the consents behind them (Xero Organisation, Xero Authorisation: tokens, who
connected) are the System Manager's only."""

import json

import frappe

from xero_crm.constants import AUTHORISATION, ORGANISATION
from xero_crm.tests.test_api import ACME, INVOICE_KEYS, TENANT, SeededCase, key
from xero_crm.tests.xero_world import ServedSiteCase, make_user

PASSWORD = "Xero-crm-test-0!"
# Every DocType of the app, as the site has it: one added later is tried through every door too.
DOCTYPES = tuple(frappe.get_all("DocType", filters={"module": "Xero CRM"}, pluck="name", order_by="name"))
PARENTS = {"Xero Invoice Payment": "Xero Invoice", "Xero Contact Email": "Xero Contact"}
REFUSED = "refused"
BILL = key("i-011")  # the fixture's supplier bill (ACCPAY)
ADMIN_ONLY = (ORGANISATION, AUTHORISATION)


def _users() -> dict[str, str]:
	# The System Manager first: a site whose only one is Administrator would promote a later user.
	return {
		"system manager": make_user("xero-doors-sm@example.com", "System Manager", password=PASSWORD),
		"sales user": make_user("xero-doors-rep@example.com", "Sales User", password=PASSWORD),
		"sales manager": make_user("xero-doors-mgr@example.com", "Sales Manager", password=PASSWORD),
		"website user": make_user("xero-doors-web@example.com", user_type="Website User", password=PASSWORD),
		"invoice viewer": make_user(
			"xero-doors-viewer@example.com", "Xero Invoice Viewer", password=PASSWORD
		),
		"viewer with accounts": make_user(
			"xero-doors-acc@example.com", "Xero Invoice Viewer", "Accounts User", password=PASSWORD
		),
	}


class TestSideDoors(SeededCase, ServedSiteCase):
	def setUp(self):
		super().setUp()
		self.users = _users()
		frappe.get_doc(
			{
				"doctype": "Pinned Invoice",
				"reference_doctype": "Contact",
				"reference_name": self.contact,
				"xero_invoice": key("i-002"),
			}
		).insert(ignore_permissions=True)
		# a consent behind the seeded organisation, as the callback keeps one
		self.authorisation = (
			frappe.get_doc(
				{
					"doctype": AUTHORISATION,
					"status": "Connected",
					"connected_user_email": "xero-doors-admin@example.com",
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		frappe.db.set_value(ORGANISATION, TENANT, "authorisation", self.authorisation)
		frappe.db.commit()  # the server thread reads committed rows only

	def tearDown(self):
		super().tearDown()
		frappe.db.set_value(ORGANISATION, TENANT, "authorisation", None)
		frappe.db.delete(AUTHORISATION, {"name": self.authorisation})
		frappe.db.commit()

	def _open(self, who: str) -> dict:
		"""What each door answers `who`, per DocType: REFUSED, or the names it lists."""
		http = (
			self.site.session(self.users[who], PASSWORD) if who != "guest" else self.site.session("Guest", "")
		)
		seen = {}
		for doctype in DOCTYPES:
			if doctype == "Xero Settings":  # a single: one document, read or refused
				answer = http.get(f"{self._resource(doctype)}/{doctype}")
				read = REFUSED if answer.status_code in (401, 403) else self._status(answer)
				seen[doctype] = {"rest": read, "report": read}
				continue
			seen[doctype] = {
				"rest": self._names(http.get(self._resource(doctype), params=self._list_params(doctype))),
				"report": self._names(
					http.post(
						f"{self.site.url}/api/method/frappe.desk.reportview.get",
						data={
							"doctype": doctype,
							"fields": json.dumps(["name"]),
							"page_length": 500,
							**({"parent_doctype": PARENTS[doctype]} if doctype in PARENTS else {}),
						},
					),
					report=True,
				),
			}
		seen["get bill"] = self._names(
			http.get(
				f"{self.site.url}/api/method/frappe.client.get",
				params={"doctype": "Xero Invoice", "name": BILL},
			),
			single=True,
		)
		for doctype, name in ((ORGANISATION, TENANT), (AUTHORISATION, self.authorisation)):
			seen[f"get {doctype}"] = self._names(
				http.get(
					f"{self.site.url}/api/method/frappe.client.get",
					params={"doctype": doctype, "name": name},
				),
				single=True,
			)
		seen["create pin"] = self._status(
			http.post(
				self._resource("Pinned Invoice"),
				json={
					"reference_doctype": "Contact",
					"reference_name": self.contact,
					"xero_invoice": key("i-003"),
				},
			)
		)
		seen["create link"] = self._status(
			http.post(
				self._resource("Xero Contact Link"),
				json={
					"reference_doctype": "Contact",
					"reference_name": self.contact,
					"xero_contact": ACME,
				},
			)
		)
		# the sales manager's receivables report: for the cache-browsing roles only
		seen["receivables report"] = self._status(
			http.post(
				f"{self.site.url}/api/method/frappe.desk.query_report.run",
				data={"report_name": "Xero Receivables by Customer", "filters": "{}"},
			)
		)
		return seen

	def _resource(self, doctype: str) -> str:
		return f"{self.site.url}/api/resource/{doctype}"

	def _list_params(self, doctype: str) -> dict:
		params = {"limit_page_length": 500, "fields": json.dumps(["name"])}
		if doctype in PARENTS:
			params["parent"] = PARENTS[doctype]
		return params

	def _names(self, answer, report: bool = False, single: bool = False):
		if answer.status_code in (401, 403):
			return REFUSED
		self.assertEqual(answer.status_code, 200, answer.text[:500])  # a crash is a failure
		body = answer.json()
		if single:
			return body["message"]["name"]
		if report:
			message = body.get("message") or {}
			rows = message.get("values") or []
			return sorted(str(r[0]) for r in rows if str(r[0]) in self._ours())
		return sorted(r["name"] for r in body["data"] if r["name"] in self._ours())

	def _status(self, answer) -> str:
		self.assertLess(answer.status_code, 500, answer.text[:500])
		return REFUSED if answer.status_code in (401, 403) else str(answer.status_code)

	def _ours(self) -> set[str]:
		"""Rows this test seeded (the site may hold other rows, which are not compared)."""
		if not hasattr(self, "_our_rows"):
			payments = frappe.get_all(
				"Xero Invoice Payment", filters={"parent": ("in", INVOICE_KEYS)}, pluck="name"
			)
			pins = frappe.get_all("Pinned Invoice", filters={"reference_name": self.contact}, pluck="name")
			emails = frappe.get_all("Xero Contact Email", filters={"parent": ACME}, pluck="name")
			self._our_rows = {*INVOICE_KEYS, *payments, ACME, *pins, *emails, TENANT, self.authorisation}
		return self._our_rows

	def _everything_refused(self, seen: dict) -> None:
		for doctype in DOCTYPES:
			self.assertEqual(seen[doctype], {"rest": REFUSED, "report": REFUSED}, doctype)
		self.assertEqual(
			(seen["get bill"], seen["create pin"], seen["create link"]), (REFUSED, REFUSED, REFUSED)
		)
		self.assertEqual(seen["receivables report"], REFUSED)
		self._admin_only_refused(seen)

	def _admin_only_refused(self, seen: dict) -> None:
		"""The organisations and consents: through no door at all."""
		for doctype in ADMIN_ONLY:
			self.assertIn(doctype, DOCTYPES)  # the site has it: it was tried through every door
			self.assertEqual(seen[doctype], {"rest": REFUSED, "report": REFUSED}, doctype)
			self.assertEqual(seen[f"get {doctype}"], REFUSED, doctype)

	def test_reps_and_portal_users_cannot_browse_the_cache_or_write_pins_and_links(self):
		for who in ("sales user", "sales manager", "website user", "guest"):
			with self.subTest(who):
				self._everything_refused(self._open(who))

	def test_the_invoice_viewer_role_browses_sales_invoices_but_never_bills(self):
		seen = self._open("invoice viewer")
		sales = sorted(set(INVOICE_KEYS) - {BILL})
		self.assertEqual(seen["Xero Invoice"], {"rest": sales, "report": sales})
		bill_payments = set(frappe.get_all("Xero Invoice Payment", filters={"parent": BILL}, pluck="name"))
		for door in ("rest", "report"):
			self.assertFalse(set(seen["Xero Invoice Payment"][door]) & bill_payments, door)
		self.assertEqual(seen["Xero Contact"]["rest"], [ACME])
		self.assertEqual(seen["get bill"], REFUSED)
		for doctype in ("Pinned Invoice", "Xero Contact Link", "Xero Webhook Event", "Xero Settings"):
			self.assertEqual(seen[doctype], {"rest": REFUSED, "report": REFUSED}, doctype)
		self.assertEqual((seen["create pin"], seen["create link"]), (REFUSED, REFUSED))
		self.assertEqual(seen["receivables report"], "200")
		self._admin_only_refused(seen)

	def test_accounts_roles_on_top_of_the_viewer_role_see_bills(self):
		seen = self._open("viewer with accounts")
		self.assertEqual(seen["Xero Invoice"]["rest"], sorted(INVOICE_KEYS))
		self.assertEqual(seen["get bill"], BILL)
		self._admin_only_refused(seen)

	def test_system_manager_reads_everything_but_writes_no_pin_or_link_by_rest(self):
		seen = self._open("system manager")
		self.assertEqual(seen["Xero Invoice"]["rest"], sorted(INVOICE_KEYS))
		for doctype, name in ((ORGANISATION, TENANT), (AUTHORISATION, self.authorisation)):
			self.assertEqual(seen[doctype], {"rest": [name], "report": [name]}, doctype)
			self.assertEqual(seen[f"get {doctype}"], name, doctype)
		self.assertEqual(len(seen["Pinned Invoice"]["rest"]), 1)
		self.assertEqual(seen["receivables report"], "200")
		self.assertEqual((seen["create pin"], seen["create link"]), (REFUSED, REFUSED))
