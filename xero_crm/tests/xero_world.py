"""Bench-tier helpers: xero-local and the CI tier's peer (tests/xero_peer.py in this checkout),
started once per test process, and Xero Settings pointed at them through site config."""

import atexit
import sys
from pathlib import Path
from unittest.mock import patch

import frappe
import requests

APP_ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "Xero Settings"
_world = {}


def xero_world():
	"""(xero-local URL, peer) — the peer proxies to xero-local and adds what it lacks."""
	if "peer" in _world:
		return _world["url"], _world["peer"]
	if str(APP_ROOT) not in sys.path:
		sys.path.insert(0, str(APP_ROOT))
	from tests.xero_local import start_xero_local
	from tests.xero_peer import XeroPeer

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


def connect_site(url: str, peer) -> str:
	"""Connect Xero Settings through the real callback, as Administrator. Returns the tenant id."""
	from urllib.parse import parse_qs, urlparse

	from xero_crm import oauth

	settings = frappe.get_single("Xero Settings")
	settings.client_id = "client-id-123"
	settings.client_secret = "client-secret-456"
	settings.enabled = 0
	settings.save()
	authorize = oauth.get_authorize_url()
	redirect = requests.get(authorize, allow_redirects=False, timeout=10)
	query = parse_qs(urlparse(redirect.headers["Location"]).query)
	# Each test's emulator is a new organisation; the app would empty the site's cache for it. Tests
	# that check that patch it themselves; here the site's own cache is left alone.
	with patch("xero_crm.oauth.forget_organisation"):
		oauth.callback(code=query["code"][0], state=query["state"][0])
	return frappe.db.get_single_value("Xero Settings", "tenant_id", cache=False)


try:  # Frappe v16 names it IntegrationTestCase; v15 has FrappeTestCase
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase


class SettingsSnapshot:
	"""Xero Settings (singles row and encrypted fields) as they were, put back after a test class:
	the bench tier runs on a site someone may be using."""

	def take(self) -> "SettingsSnapshot":
		self.singles = frappe.db.sql("select field, value from tabSingles where doctype=%s", SETTINGS)
		self.auth = frappe.db.sql(
			"select fieldname, password, encrypted from __Auth where doctype=%s and name=%s",
			(SETTINGS, SETTINGS),
		)
		return self

	def restore(self) -> None:
		frappe.db.sql("delete from tabSingles where doctype=%s", SETTINGS)
		frappe.db.sql("delete from __Auth where doctype=%s and name=%s", (SETTINGS, SETTINGS))
		for field, value in self.singles:
			frappe.db.sql(
				"insert into tabSingles (doctype, field, value) values (%s, %s, %s)", (SETTINGS, field, value)
			)
		for fieldname, password, encrypted in self.auth:
			frappe.db.sql(
				"insert into __Auth (doctype, name, fieldname, password, encrypted) values (%s, %s, %s, %s, %s)",
				(SETTINGS, SETTINGS, fieldname, password, encrypted),
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
