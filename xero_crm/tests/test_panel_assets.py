"""Bench tier: the Xero panel is a bundle that only its forms load. A desk page that is not Contact,
Customer or Opportunity includes none of it; `bench build` made the bundle (assets.json names its
hashed files, which exist and are served); the forms' scripts, as the desk receives them, load it with
frappe.require by the names the boot's assets_json resolves. Needs `bench build --app xero_crm`."""

import json
import re
from pathlib import Path

import frappe

from xero_crm.tests.test_api import SeededCase
from xero_crm.tests.xero_world import ServedSiteCase, SiteServer, TestCase, make_user

from tests.chromium import CHROMIUM, dump_dom  # isort: skip (xero_world puts tests/ on the path)

PASSWORD = "Xero-crm-assets-0!"
BUNDLES = ("xero_panel.bundle.js", "xero_panel.bundle.css")


def _assets_json() -> dict:
	return json.loads((Path(frappe.local.sites_path) / "assets" / "assets.json").read_text())


def _included(html: str) -> list[str]:
	"""What the page loads: every <script src> and <link href>."""
	return re.findall(r"<script[^>]*\ssrc=\"([^\"]+)\"", html) + re.findall(
		r"<link[^>]*\shref=\"([^\"]+)\"", html
	)


def _boot(html: str) -> dict:
	encoded = re.search(r"frappe\.boot = JSON\.parse\((.*?)\);\s*$", html, re.M).group(1)
	return json.loads(json.loads(encoded))


class TestPanelAssets(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		# the hooks of this checkout, not those Redis kept from before it changed
		frappe.cache.delete_value("app_hooks")
		cls.site = SiteServer()
		cls.user = make_user("xero-assets@example.com", "System Manager", password=PASSWORD)
		frappe.db.commit()
		cls.http = cls.site.session(cls.user, PASSWORD)

	@classmethod
	def tearDownClass(cls):
		cls.site.stop()
		super().tearDownClass()

	def test_a_desk_page_without_the_panel_loads_none_of_it(self):
		page = self.http.get(f"{self.site.url}/app/todo", timeout=60)
		self.assertEqual(page.status_code, 200)
		included = _included(page.text)
		# the desk's own bundles are there: this is the page that lists every app_include asset
		self.assertTrue([src for src in included if "desk.bundle" in src], included)
		self.assertEqual([src for src in included if "xero_panel" in src], [])
		# only the boot's map of bundle names mentions it, for frappe.require to resolve
		assets = _boot(page.text)["assets_json"]
		for name in BUNDLES:
			self.assertEqual(assets.get(name), _assets_json()[name], name)

	def test_bench_build_made_the_bundle_and_the_site_serves_it(self):
		assets = _assets_json()
		for name in BUNDLES:
			with self.subTest(name):
				self.assertIn(name, assets, "run `bench build --app xero_crm`")
				path = assets[name]
				self.assertRegex(path, r"^/assets/xero_crm/dist/(js|css)/xero_panel\.bundle\.\w+\.(js|css)$")
				built = Path(frappe.local.sites_path) / path.lstrip("/")
				self.assertTrue(built.is_file(), built)
				served = self.http.get(f"{self.site.url}{path}", timeout=60)
				self.assertEqual(served.status_code, 200)
				self.assertEqual(served.content, built.read_bytes())
		script = (Path(frappe.local.sites_path) / assets["xero_panel.bundle.js"].lstrip("/")).read_text()
		self.assertIn("xero_crm", script)  # it defines xero_crm.panel …
		self.assertIn("xero_crm_invoices_changed", script)  # … with its wiring
		self.assertIn(
			".xero-crm-panel",
			(Path(frappe.local.sites_path) / assets["xero_panel.bundle.css"].lstrip("/")).read_text(),
		)

	def test_the_panel_forms_load_the_bundle_by_its_names(self):
		doctypes = ["Contact"] + (
			["Customer", "Opportunity"] if "erpnext" in frappe.get_installed_apps() else []
		)
		for doctype in doctypes:
			with self.subTest(doctype):
				answer = self.http.get(
					f"{self.site.url}/api/method/frappe.desk.form.load.getdoctype",
					params={"doctype": doctype},
					timeout=60,
				)
				self.assertEqual(answer.status_code, 200)
				form_script = answer.json()["docs"][0]["__js"]
				self.assertIn('frappe.require(["xero_panel.bundle.js", "xero_panel.bundle.css"]', form_script)
				self.assertIn("xero_crm.panel.attach(frm)", form_script)


class TestPanelInTheBrowser(SeededCase, ServedSiteCase):
	"""The same, as headless Chromium loads the pages: the bundle arrives with the form that shows it."""

	def setUp(self):
		super().setUp()
		self.user = make_user("xero-assets@example.com", "System Manager", password=PASSWORD)
		frappe.db.commit()  # the server thread reads committed rows only

	def tearDown(self):
		super().tearDown()
		frappe.db.commit()

	def test_only_the_panel_forms_load_the_bundle_and_show_the_panel(self):
		if not CHROMIUM:
			self.skipTest("headless Chromium is not installed on this machine")
		sid = self.site.session(self.user, PASSWORD).cookies.get("sid")
		todo = dump_dom(f"{self.site.url}/app/todo?sid={sid}", 15000)
		self.assertTrue("page-container" in todo, "the desk did not render")
		self.assertEqual(_panel_code(todo), {"script": False, "styles": False})
		self.assertFalse("xero-crm-panel" in todo)
		form = dump_dom(f"{self.site.url}/app/contact/{frappe.utils.quote(self.contact)}?sid={sid}", 20000)
		self.assertEqual(_panel_code(form), {"script": True, "styles": True})
		self.assertTrue("xero-crm-panel" in form and "INV-A010" in form, "the panel did not render")


def _panel_code(dom: str) -> dict:
	"""Is the panel's code in the page? frappe.require puts a bundle in as an inline <script> and its
	CSS as a <style>; the boot's map of bundle names mentions only the names, never the code."""
	return {
		"script": any("xero_crm_invoices_changed" in code for code in _inline("script", dom)),
		"styles": any(".xero-crm-panel{" in code for code in _inline("style", dom)),
	}


def _inline(tag: str, dom: str) -> list[str]:
	return re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", dom, re.S)
