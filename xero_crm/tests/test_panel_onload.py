"""Bench tier: the panel's first view comes with the form's own load (Frappe's getdoc, over real
HTTP): the same answer the panel's first calls would give, for those the panel serves, and nothing
for anyone else; a failure never stops the form from loading."""

from unittest.mock import patch

import frappe

from xero_crm import api
from xero_crm.tests.test_api import TENANT, SeededCase
from xero_crm.tests.xero_world import ServedSiteCase, make_user

PASSWORD = "Xero-crm-onload-0!"


class TestPanelOnload(SeededCase, ServedSiteCase):
	def setUp(self):
		super().setUp()
		self.rep = make_user("xero-onload-rep@example.com", "Sales User", password=PASSWORD)
		frappe.db.commit()  # the server thread reads committed rows only

	def _load(self, user: str, doctype: str, name: str):
		http = self.site.session(user, PASSWORD)
		answer = http.get(
			f"{self.site.url}/api/method/frappe.desk.form.load.getdoc",
			params={"doctype": doctype, "name": name},
			timeout=60,
		)
		return answer

	def test_a_contacts_form_brings_what_the_panels_first_calls_would_answer(self):
		answer = self._load(self.rep, "Contact", self.contact)
		self.assertEqual(answer.status_code, 200)
		first = answer.json()["docs"][0]["__onload"]["xero_panel"]
		frappe.set_user(self.rep)
		summary = api.get_summary("Contact", self.contact)  # the same day: SeededCase fixes it
		listed = api.get_invoices("Contact", self.contact)
		self.assertEqual((first["doctype"], first["name"]), ("Contact", self.contact))
		self.assertEqual(first["summary"]["counts"], frappe.parse_json(frappe.as_json(summary["counts"])))
		self.assertEqual(
			[t["organisation"] for t in first["summary"]["totals"]],
			[t["organisation"] for t in summary["totals"]],
		)
		self.assertEqual(
			[i["invoice_id"] for i in first["list"]["invoices"]],
			[i["invoice_id"] for i in listed["invoices"]],
		)
		self.assertEqual(first["list"]["view"], "open")
		self.assertEqual(first["summary"]["organisations"][0]["organisation"], TENANT)

	def test_nothing_comes_for_a_portal_user_and_a_failure_never_stops_the_form(self):
		web = make_user("xero-onload-web@example.com", user_type="Website User", password=PASSWORD)
		frappe.db.commit()
		frappe.set_user(web)
		with self.assertRaises(frappe.PermissionError):
			api.first_view("Contact", self.contact)  # what the form's load asks: refused, so left out
		frappe.set_user("Administrator")
		with patch("xero_crm.panel_onload.first_view", side_effect=RuntimeError("boom")):
			doc = frappe.get_doc("Contact", self.contact)
			had = getattr(frappe.local, "request", None)
			frappe.local.request = had or object()  # a form's load, as in a request
			try:
				doc.run_method("onload")
			finally:
				frappe.local.request = had
		self.assertNotIn("xero_panel", doc.get("__onload") or {})
		self.assertTrue(frappe.db.exists("Error Log", {"method": "Xero panel's first view failed"}))
