"""Bench-tier helpers: xero-local and its peer (xero_crm/emulator/), started once per test process,
and Xero Settings pointed at them through site config."""

import atexit
import sys
from pathlib import Path

import frappe
import requests

from xero_crm.constants import AUTHORISATION, ORGANISATION, SETTINGS

APP_ROOT = Path(__file__).resolve().parents[2]
if str(APP_ROOT) not in sys.path:  # the CI tier's helpers (tests/: emulator, peer, Chromium) serve here too
	sys.path.insert(0, str(APP_ROOT))

_world = {}
TEST_CALL_BUDGET = 10_000_000


def xero_world():
	"""(xero-local URL, peer) — the peer proxies to xero-local and adds what it lacks."""
	if "peer" in _world:
		return _world["url"], _world["peer"]
	from xero_crm.emulator.peer import XeroPeer
	from xero_crm.emulator.process import start_xero_local

	url, proc = start_xero_local()
	peer = XeroPeer(url)
	atexit.register(proc.terminate)
	_world.update(url=url, peer=peer, proc=proc)
	return url, peer


def point_site_at(peer) -> None:
	frappe.local.conf.update(
		{
			"xero_authorize_url": f"{peer.url}/identity/connect/authorize",
			"xero_token_url": f"{peer.url}/connect/token",
			"xero_revocation_url": f"{peer.url}/connect/revocation",
			"xero_connections_url": f"{peer.url}/connections",
			"xero_api_url": f"{peer.url}/api.xro/2.0",
		}
	)


def reset(url: str, peer) -> None:
	requests.post(f"{url}/_xero/reset", timeout=10).raise_for_status()
	peer.clear()


def connect_site(url: str, peer, fresh: bool = True) -> str:
	"""Connect through the real callback, as Administrator (`fresh`: from a disabled, newly configured
	app with no organisation; else as an admin clicking Connect in whatever state). Returns the
	emulator's default organisation's tenant id."""
	from urllib.parse import parse_qs, urlparse

	from xero_crm import oauth

	if fresh:
		forget_connections()
		settings = frappe.get_single("Xero Settings")
		settings.client_id = "client-id-123"
		settings.client_secret = "client-secret-456"
		settings.enabled = 0
		settings.save()
	authorize = oauth.get_authorize_url()
	redirect = requests.get(authorize, allow_redirects=False, timeout=10)
	query = parse_qs(urlparse(redirect.headers["Location"]).query)
	oauth.callback(code=query["code"][0], state=query["state"][0])
	tenant_id = default_tenant(url)
	# Today's call count is the organisation's, in Redis, and every test run adds to it: the emulator's
	# tests must not find the day's budget spent (organisations are put back after each class).
	frappe.db.set_value(ORGANISATION, tenant_id, "daily_call_budget", TEST_CALL_BUDGET)
	frappe.db.commit()
	return tenant_id


def default_tenant(url: str) -> str:
	return requests.get(f"{url}/_xero/state", timeout=10).json()["tenant"]["tenantId"]


def forget_connections() -> None:
	"""No organisation and no consent on the site (the cache's rows stay: each test's organisation is
	new, so they never match again). Put back after the class by ConnectionSnapshot."""
	frappe.db.delete(ORGANISATION)
	frappe.db.delete(AUTHORISATION)
	frappe.db.delete("__Auth", {"doctype": AUTHORISATION})
	frappe.db.commit()


def organisation(tenant_id: str) -> frappe._dict:
	"""An organisation's row, read fresh (the jobs write it behind the document cache)."""
	from xero_crm.organisations import get_organisation

	return get_organisation(tenant_id)


try:  # Frappe v16 names it IntegrationTestCase; v15 has FrappeTestCase
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase


class SettingsSnapshot:
	"""Xero Settings (singles row and encrypted fields), the organisations and the consents (rows and
	tokens) as they were, put back after a test class: the bench tier runs on a site someone may be
	using."""

	TABLES = (f"tab{ORGANISATION}", f"tab{AUTHORISATION}")

	def take(self) -> "SettingsSnapshot":
		self.singles = frappe.db.sql("select field, value from tabSingles where doctype=%s", SETTINGS)
		self.auth = frappe.db.sql(
			"select doctype, name, fieldname, password, encrypted from __Auth where doctype in (%s, %s)",
			(SETTINGS, AUTHORISATION),
		)
		self.rows = {table: frappe.db.sql(f"select * from `{table}`", as_dict=True) for table in self.TABLES}
		return self

	def restore(self) -> None:
		frappe.db.sql("delete from tabSingles where doctype=%s", SETTINGS)
		frappe.db.sql("delete from __Auth where doctype in (%s, %s)", (SETTINGS, AUTHORISATION))
		for field, value in self.singles:
			frappe.db.sql(
				"insert into tabSingles (doctype, field, value) values (%s, %s, %s)", (SETTINGS, field, value)
			)
		for row in self.auth:
			frappe.db.sql(
				"insert into __Auth (doctype, name, fieldname, password, encrypted) values (%s, %s, %s, %s, %s)",
				row,
			)
		for table, rows in self.rows.items():
			frappe.db.sql(f"delete from `{table}`")
			for row in rows:
				columns = ", ".join(f"`{c}`" for c in row)
				frappe.db.sql(
					f"insert into `{table}` ({columns}) values ({', '.join(['%s'] * len(row))})",
					tuple(row.values()),
				)
		frappe.db.commit()
		frappe.clear_document_cache(SETTINGS, SETTINGS)


class XeroTestCase(TestCase):
	"""Puts Xero Settings back as they were after the class's tests."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.settings_snapshot = SettingsSnapshot().take()

	@classmethod
	def tearDownClass(cls):
		cls.settings_snapshot.restore()
		super().tearDownClass()


class SiteServer:
	"""This site served by Frappe's real request path (frappe.app.application, assets included) on a
	loopback port, in a thread of the test process: REST, Report View and the desk as a browser sees
	them. Data a test wants it to see must be committed."""

	def __init__(self):
		import threading

		import frappe.app
		from werkzeug.middleware.shared_data import SharedDataMiddleware
		from werkzeug.serving import make_server

		frappe.app._sites_path = frappe.local.sites_path
		frappe.app._site = frappe.local.site  # a browser's Host is 127.0.0.1:port
		assets = Path(frappe.local.sites_path) / "assets"
		app = SharedDataMiddleware(frappe.app.application, {"/assets": str(assets)})
		self.server = make_server("127.0.0.1", 0, app, threaded=True)
		threading.Thread(target=self.server.serve_forever, daemon=True).start()
		self.url = f"http://127.0.0.1:{self.server.server_port}"
		self.host = {"Host": frappe.local.site}
		# Until ERPNext's setup wizard has run, the desk sends every page to it: a fresh site's desk
		# shows the pages under test only with setup marked complete (put back by stop()).
		self.setup_was_complete = frappe.db.get_single_value("System Settings", "setup_complete")
		if not self.setup_was_complete:
			frappe.db.set_single_value("System Settings", "setup_complete", 1)
			frappe.db.commit()

	def session(self, user: str, password: str) -> requests.Session:
		"""A logged-in HTTP session of `user` (Guest with no user)."""
		http = requests.Session()
		http.headers.update(self.host)
		if user != "Guest":
			answer = http.post(
				f"{self.url}/api/method/login", data={"usr": user, "pwd": password}, timeout=30
			)
			answer.raise_for_status()
		return http

	def stop(self) -> None:
		self.server.shutdown()
		if not self.setup_was_complete:
			frappe.db.set_single_value("System Settings", "setup_complete", 0)
			frappe.db.commit()
		frappe.app._site = None


def opportunity_masters() -> None:
	"""The Opportunity Type and Sales Stage an Opportunity defaults to, which ERPNext's setup wizard
	makes: a fresh site without the wizard has neither."""
	if not frappe.db.exists("Opportunity Type", "Sales"):
		frappe.get_doc({"doctype": "Opportunity Type", "__newname": "Sales"}).insert(ignore_permissions=True)
	if not frappe.db.exists("Sales Stage", "Prospecting"):
		frappe.get_doc({"doctype": "Sales Stage", "stage_name": "Prospecting"}).insert(
			ignore_permissions=True
		)


def restrict_to_contact(user: str, contact: str) -> None:
	"""A User Permission: `user` may read that one Contact and no other."""
	restriction = {"doctype": "User Permission", "user": user, "allow": "Contact", "for_value": contact}
	if not frappe.db.exists(restriction):
		frappe.get_doc({**restriction, "apply_to_all_doctypes": 1}).insert(ignore_permissions=True)


def connected_world() -> tuple[str, object, str]:
	"""xero-local and the peer, reset, with the site connected to them: (url, peer, tenant id)."""
	url, peer = xero_world()
	reset(url, peer)
	point_site_at(peer)
	return url, peer, connect_site(url, peer)


class ServedSiteCase(XeroTestCase):
	"""A test class with this site served over loopback HTTP (`cls.site`, a SiteServer)."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.site = SiteServer()

	@classmethod
	def tearDownClass(cls):
		cls.site.stop()
		super().tearDownClass()


def make_user(email: str, *roles: str, user_type: str = "System User", password: str | None = None) -> str:
	"""A user with exactly these roles: Frappe may make the first new user of a site a System
	Manager, which would turn a refusal test into one that cannot fail."""
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"send_welcome_email": 0,
				"user_type": user_type,
			}
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	unwanted = [r.role for r in user.roles if r.role not in roles]
	if unwanted:
		user.remove_roles(*unwanted)
	if roles:
		user.add_roles(*roles)
	if user_type != "System User":
		frappe.db.set_value("User", email, "user_type", user_type)
	if password:
		from frappe.utils.password import update_password

		update_password(email, password)
	frappe.clear_cache(user=email)
	return email


def seeded_organisation(
	tenant_id: str = "tenant-seeded",
	name: str = "Seeded Org",
	short_code: str = "!SEED",
	company: str | None = None,
) -> str:
	"""A connected, enabled organisation with no consent behind it: for tests that seed the cache
	directly (frappe_cache(tenant_id)) and never call Xero. The integration is enabled too. Put back
	after the class by SettingsSnapshot. Returns its tenant id."""
	if not frappe.db.exists(ORGANISATION, tenant_id):
		frappe.get_doc(
			{
				"doctype": ORGANISATION,
				"tenant_id": tenant_id,
				"organisation_name": name,
				"short_code": short_code,
				"base_currency": "NZD",
				"status": "Connected",
				"enabled": 1,
			}
		).insert(ignore_permissions=True)
	frappe.db.set_value(ORGANISATION, tenant_id, "company", company)
	frappe.db.set_single_value(SETTINGS, "enabled", 1)
	frappe.db.commit()
	return tenant_id


def bare_company(name: str, abbr: str) -> str:
	"""A Company row only: ERPNext's own on_update (warehouses, accounts) needs its setup wizard, and
	the test needs nothing of it but a Company to name."""
	if not frappe.db.exists("Company", name):
		doc = frappe.get_doc(
			{
				"doctype": "Company",
				"company_name": name,
				"abbr": abbr,
				"default_currency": "NZD",
				"country": "New Zealand",
			}
		)
		doc.name = name
		doc.db_insert()
	return name
