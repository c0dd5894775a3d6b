"""Bench tier: install, Xero Settings permissions, and the OAuth callback storing the connection."""

from unittest.mock import patch

import frappe
from frappe.utils.password import get_decrypted_password, set_encrypted_password

from xero_crm import oauth, sync, webhook
from xero_crm.constants import SETTINGS
from xero_crm.tests.xero_world import (
	XeroTestCase,
	connect_site,
	connected_world,
	make_user,
	point_site_at,
	reset,
	xero_world,
)


def _forget_connection():
	frappe.set_user("Administrator")
	frappe.db.delete("__Auth", {"doctype": SETTINGS})
	frappe.db.set_single_value(
		SETTINGS,
		{
			"enabled": 0,
			"status": "Not Connected",
			"tenant_id": None,
			"organisation_name": None,
			"tenant_choices": None,
		},
	)
	frappe.db.commit()


class TestXeroSettings(XeroTestCase):
	def setUp(self):
		_forget_connection()

	def tearDown(self):
		_forget_connection()

	def test_app_is_installed_with_its_doctypes(self):
		self.assertIn("xero_crm", frappe.get_installed_apps())
		for doctype in (
			"Xero Settings",
			"Xero Invoice",
			"Xero Contact",
			"Pinned Invoice",
			"Xero Webhook Event",
		):
			self.assertTrue(frappe.db.exists("DocType", doctype), doctype)

	def test_only_system_manager_may_read_or_write_settings(self):
		meta = frappe.get_meta(SETTINGS)
		self.assertEqual({p.role for p in meta.permissions}, {"System Manager"})
		self.assertTrue(meta.issingle)

	def test_a_non_system_manager_is_refused_every_method(self):
		user = _user("xero-sales@example.com", "Sales User")
		frappe.set_user(user)
		calls = {
			"get_authorize_url": oauth.get_authorize_url,
			"callback": lambda: oauth.callback(code="c", state="s"),
			"select_tenant": lambda: oauth.select_tenant("t"),
			"disconnect": oauth.disconnect,
			"start_full_resync": sync.start_full_resync,
			"retry": lambda: webhook.retry("x"),
		}
		for name, call in calls.items():
			with self.assertRaises(frappe.PermissionError, msg=name):
				call()
		self.assertFalse(frappe.has_permission(SETTINGS, "read", user=user))

	def test_callback_stores_the_connection_and_shows_org_and_email(self):
		_url, _peer, tenant_id = connected_world()
		settings = frappe.get_single(SETTINGS)
		self.assertEqual(settings.status, "Connected")
		self.assertEqual(settings.organisation_name, "Test Organisation")
		self.assertEqual(settings.connected_user_email, "ada.admin@example.com")
		self.assertEqual(settings.organisation_short_code, "!aB3xY")
		self.assertTrue(tenant_id)
		refresh = get_decrypted_password(SETTINGS, SETTINGS, "refresh_token")
		self.assertTrue(refresh.startswith("xero-local-refresh-"))
		stored = frappe.db.sql(
			"select value from tabSingles where doctype=%s and field='refresh_token'", SETTINGS
		)[0][0]
		self.assertNotIn("xero-local", stored or "")  # the singles row keeps a mask only

	def test_secrets_never_reach_the_browser(self):
		_url, _peer, _tenant = connected_world()
		set_encrypted_password(SETTINGS, SETTINGS, "the-webhook-key", "webhook_key")
		secrets = [
			get_decrypted_password(SETTINGS, SETTINGS, f)
			for f in ("client_secret", "access_token", "refresh_token", "webhook_key")
		]
		from frappe.desk.form.load import getdoc

		getdoc(SETTINGS, SETTINGS)  # what the form loads
		sent = frappe.as_json(frappe.response.docs)
		for secret in secrets:
			self.assertTrue(secret)
			self.assertNotIn(secret, sent)

	def test_bad_state_stores_nothing(self):
		url, peer = xero_world()
		reset(url, peer)
		point_site_at(peer)
		settings = frappe.get_single(SETTINGS)
		settings.client_id, settings.client_secret = "client-id-123", "client-secret-456"
		settings.save()
		oauth.callback(code="any", state="forged-state")
		self.assertEqual(frappe.local.response.get("http_status_code"), 400)
		self.assertEqual(frappe.db.get_single_value(SETTINGS, "status", cache=False), "Not Connected")
		self.assertIsNone(get_decrypted_password(SETTINGS, SETTINGS, "refresh_token", raise_exception=False))
		self.assertEqual(peer.token_requests, [])

	def test_access_denied_stores_nothing(self):
		oauth.callback(error="access_denied", state="whatever")
		self.assertEqual(frappe.local.response.get("http_status_code"), 400)
		self.assertEqual(frappe.db.get_single_value(SETTINGS, "status", cache=False), "Not Connected")

	def test_remove_revokes_at_xero_and_forgets_the_tokens(self):
		_url, peer, _tenant = connected_world()
		frappe.db.set_single_value(SETTINGS, "sync_status", "Up to date (3 invoices, 1 contacts changed)")
		refresh = get_decrypted_password(SETTINGS, SETTINGS, "refresh_token")
		answer = oauth.disconnect()
		self.assertIn("Reps no longer see Xero invoices", answer["message"])
		self.assertEqual(peer.revoked, [refresh])
		self.assertEqual(frappe.db.get_single_value(SETTINGS, "status", cache=False), "Not Connected")
		status = frappe.db.get_single_value(SETTINGS, "sync_status", cache=False)
		self.assertTrue(status.startswith("Not connected"), status)
		self.assertIsNone(get_decrypted_password(SETTINGS, SETTINGS, "refresh_token", raise_exception=False))

	def test_reconnecting_while_enabled_keeps_the_organisation_enabled(self):
		url, peer, tenant = connected_world()
		frappe.db.set_single_value(
			SETTINGS, {"enabled": 1, "status": "Disconnected", "cache_tenant_id": tenant}
		)  # access was lost: the README says to connect again
		self.assertEqual(connect_site(url, peer, fresh=False), tenant)
		settings = frappe.db.get_singles_dict(SETTINGS, cast=True)
		self.assertEqual((settings.status, settings.enabled, settings.tenant_id), ("Connected", 1, tenant))
		self.assertEqual(settings.organisation_name, "Test Organisation")

	def test_switching_organisation_asks_before_deleting_pins_and_links(self):
		_url, _peer, tenant = connected_world()
		frappe.db.set_single_value(
			SETTINGS, {"cache_tenant_id": "the-previous-organisation", "tenant_id": None}
		)
		frappe.db.delete("Pinned Invoice", {"xero_invoice": "i-switch"})
		self.addCleanup(frappe.db.delete, "Pinned Invoice", {"xero_invoice": "i-switch"})
		frappe.get_doc(
			{
				"doctype": "Pinned Invoice",
				"reference_doctype": "Contact",
				"reference_name": "Some Contact (xero_crm test)",
				"xero_invoice": "i-switch",
			}
		).db_insert()
		with patch("xero_crm.oauth.forget_organisation") as forget:
			answer = oauth.select_tenant(tenant)
			self.assertTrue(answer["needs_confirmation"])
			self.assertGreaterEqual(answer["pins"], 1)
			self.assertFalse(forget.called)
			self.assertFalse(frappe.db.get_single_value(SETTINGS, "tenant_id", cache=False))
			oauth.select_tenant(tenant, confirm=True)
			self.assertTrue(forget.called)
		self.assertEqual(frappe.db.get_single_value(SETTINGS, "tenant_id", cache=False), tenant)

	def test_the_urls_to_paste_into_xero_follow_the_sites_host_name(self):
		from frappe.desk.form.load import getdoc
		from frappe.desk.form.meta import get_meta

		with patch.dict(frappe.local.conf, {"host_name": "https://crm.example.com"}):
			getdoc(SETTINGS, SETTINGS)
			loaded = frappe.response.docs[-1].as_dict()  # as the form receives it
		# (a bench that serves on a port of its own adds it, as Frappe's get_url does)
		self.assertRegex(
			loaded.redirect_uri, r"^https://crm\.example\.com(:\d+)?/api/method/xero_crm\.oauth\.callback$"
		)
		self.assertRegex(
			loaded.webhook_url, r"^https://crm\.example\.com(:\d+)?/api/method/xero_crm\.webhook\.receive$"
		)
		form_script = get_meta(SETTINGS).get("__js") or ""
		self.assertIn("warn_about_host", form_script)  # the form warns when browsed under another host
		self.assertIn('frappe.set_route("List", "Xero Webhook Event")', form_script)

	def test_enabling_without_a_connection_is_refused(self):
		settings = frappe.get_single(SETTINGS)
		settings.enabled = 1
		with self.assertRaises(frappe.ValidationError):
			settings.save()


def _user(email: str, *roles: str) -> str:
	return make_user(email, *roles)
