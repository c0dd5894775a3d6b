"""Bench tier: install, Xero Settings permissions, and the OAuth callback storing each consent (a Xero
Authorisation) and the organisations it allowed (Xero Organisation)."""

from unittest.mock import patch

import frappe
from frappe.utils.password import get_decrypted_password, set_encrypted_password

from xero_crm import oauth, sync, webhook
from xero_crm.constants import AUTHORISATION, ORGANISATION, SETTINGS
from xero_crm.tests.xero_world import (
	XeroTestCase,
	connect_site,
	connected_world,
	forget_connections,
	make_user,
	organisation,
	point_site_at,
	reset,
	xero_world,
)


def _forget_connection():
	frappe.set_user("Administrator")
	forget_connections()
	frappe.db.set_single_value(SETTINGS, "enabled", 0)
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
			"Xero Organisation",
			"Xero Authorisation",
		):
			self.assertTrue(frappe.db.exists("DocType", doctype), doctype)

	def test_only_system_manager_may_read_or_write_settings(self):
		meta = frappe.get_meta(SETTINGS)
		self.assertEqual({p.role for p in meta.permissions}, {"System Manager"})
		self.assertTrue(meta.issingle)
		for doctype in (ORGANISATION, AUTHORISATION):
			self.assertEqual(
				{p.role for p in frappe.get_meta(doctype).permissions}, {"System Manager"}, doctype
			)
		# nobody creates or deletes them by hand: Connect and Remove do (xero_crm.oauth)
		for p in [*frappe.get_meta(ORGANISATION).permissions, *frappe.get_meta(AUTHORISATION).permissions]:
			self.assertFalse(p.create or p.delete, p.parent)
		self.assertFalse(frappe.get_meta(AUTHORISATION).permissions[0].write)

	def test_a_non_system_manager_is_refused_every_method(self):
		user = _user("xero-sales@example.com", "Sales User")
		frappe.set_user(user)
		calls = {
			"get_authorize_url": oauth.get_authorize_url,
			"callback": lambda: oauth.callback(code="c", state="s"),
			"remove_organisation": lambda: oauth.remove_organisation("t"),
			"organisations_overview": oauth.organisations_overview,
			"disconnect": oauth.disconnect,
			"start_full_resync": lambda: sync.start_full_resync("t"),
			"full_resync_cost": lambda: sync.full_resync_cost("t"),
			"retry": lambda: webhook.retry("x"),
		}
		for name, call in calls.items():
			with self.assertRaises(frappe.PermissionError, msg=name):
				call()
		self.assertFalse(frappe.has_permission(SETTINGS, "read", user=user))
		self.assertFalse(frappe.has_permission(ORGANISATION, "read", user=user))
		self.assertFalse(frappe.has_permission(AUTHORISATION, "read", user=user))

	def test_callback_stores_the_connection_and_shows_org_and_email(self):
		_url, _peer, tenant_id = connected_world()
		org = organisation(tenant_id)
		self.assertEqual(org.status, "Connected")
		self.assertEqual(org.organisation_name, "Test Organisation")
		self.assertEqual(org.short_code, "!aB3xY")
		self.assertTrue(org.enabled)
		self.assertTrue(org.connection_id)
		auth = frappe.get_doc(AUTHORISATION, org.authorisation)
		self.assertEqual(auth.connected_user_email, "ada.admin@example.com")
		self.assertTrue(auth.auth_event_id)
		overview = oauth.organisations_overview()  # what Xero Settings lists
		self.assertEqual(
			[(o.organisation_name, o.connected_user_email) for o in overview],
			[("Test Organisation", "ada.admin@example.com")],
		)
		refresh = get_decrypted_password(AUTHORISATION, org.authorisation, "refresh_token")
		self.assertTrue(refresh.startswith("eyJ") or "xero-local-refresh-" in refresh)
		stored = frappe.db.get_value(AUTHORISATION, org.authorisation, "refresh_token")
		self.assertNotIn("xero-local", stored or "")  # the row keeps a mask only
		self.assertNotEqual(stored, refresh)

	def test_secrets_never_reach_the_browser(self):
		_url, _peer, tenant = connected_world()
		set_encrypted_password(SETTINGS, SETTINGS, "the-webhook-key", "webhook_key")
		authorisation = organisation(tenant).authorisation
		secrets = [
			get_decrypted_password(SETTINGS, SETTINGS, f) for f in ("client_secret", "webhook_key")
		] + [
			get_decrypted_password(AUTHORISATION, authorisation, f) for f in ("access_token", "refresh_token")
		]
		from frappe.desk.form.load import getdoc

		sent = []
		for doctype, name in ((SETTINGS, SETTINGS), (ORGANISATION, tenant), (AUTHORISATION, authorisation)):
			getdoc(doctype, name)  # what each form loads
			sent.append(frappe.as_json(frappe.response.docs))
		sent.append(frappe.as_json(oauth.organisations_overview()))
		for secret in secrets:
			self.assertTrue(secret)
			for answer in sent:
				self.assertNotIn(secret, answer)

	def test_bad_state_stores_nothing(self):
		url, peer = xero_world()
		reset(url, peer)
		point_site_at(peer)
		settings = frappe.get_single(SETTINGS)
		settings.client_id, settings.client_secret = "client-id-123", "client-secret-456"
		settings.save()
		oauth.callback(code="any", state="forged-state")
		self.assertEqual(frappe.local.response.get("http_status_code"), 400)
		self.assertEqual(frappe.db.count(ORGANISATION), 0)
		self.assertEqual(frappe.db.count(AUTHORISATION), 0)
		self.assertFalse(frappe.db.exists("__Auth", {"doctype": AUTHORISATION}))
		self.assertEqual(peer.token_requests, [])

	def test_access_denied_stores_nothing(self):
		oauth.callback(error="access_denied", state="whatever")
		self.assertEqual(frappe.local.response.get("http_status_code"), 400)
		self.assertEqual(frappe.db.count(ORGANISATION), 0)
		self.assertEqual(frappe.db.count(AUTHORISATION), 0)

	def test_remove_revokes_at_xero_and_forgets_the_tokens(self):
		_url, peer, tenant = connected_world()
		frappe.db.set_value(
			ORGANISATION, tenant, "sync_status", "Up to date (3 invoices, 1 contacts changed)"
		)
		authorisation = organisation(tenant).authorisation
		refresh = get_decrypted_password(AUTHORISATION, authorisation, "refresh_token")
		answer = oauth.disconnect()
		self.assertIn("Reps no longer see Xero invoices", answer["message"])
		self.assertEqual(peer.revoked, [refresh])
		org = organisation(tenant)  # kept, disconnected, with its cache: connecting again resumes it
		self.assertEqual((org.status, org.authorisation), ("Disconnected", None))
		self.assertTrue(org.sync_status.startswith("Not connected"), org.sync_status)
		self.assertFalse(frappe.db.exists(AUTHORISATION, authorisation))
		self.assertFalse(frappe.db.exists("__Auth", {"doctype": AUTHORISATION}))
		self.assertEqual(frappe.db.get_single_value(SETTINGS, "enabled"), 0)

	def test_reconnecting_while_enabled_keeps_the_organisation_enabled(self):
		url, peer, tenant = connected_world()
		frappe.db.set_single_value(SETTINGS, "enabled", 1)
		frappe.db.set_value(
			ORGANISATION, tenant, {"status": "Disconnected", "last_sync_at": "2026-11-01 10:00:00"}
		)
		frappe.db.commit()  # access was lost: the README says to connect again
		with patch("frappe.enqueue") as enqueue:
			self.assertEqual(connect_site(url, peer, fresh=False), tenant)
		org = organisation(tenant)
		self.assertEqual(
			(org.status, org.enabled, org.organisation_name), ("Connected", 1, "Test Organisation")
		)
		# its cache is kept: only what changed meanwhile is fetched
		self.assertEqual(enqueue.call_args.args[0], "xero_crm.sync.run_catch_up")
		self.assertEqual(enqueue.call_args.kwargs["organisation"], tenant)

	def test_connecting_again_adds_an_organisation_and_keeps_the_first_with_its_pins(self):
		url, peer, tenant = connected_world()
		pin = frappe.get_doc(
			{
				"doctype": "Pinned Invoice",
				"reference_doctype": "Contact",
				"reference_name": "Some Contact (xero_crm test)",
				"xero_invoice": f"{tenant}:i-kept",
				"organisation": tenant,
			}
		)
		pin.db_insert()
		self.addCleanup(frappe.db.delete, "Pinned Invoice", {"name": pin.name})
		peer.new_consent()
		second = peer.add_tenant("Second Org Ltd", "!SEC", "AUD")
		connect_site(url, peer, fresh=False)
		orgs = {o.name: o for o in oauth.organisations_overview()}
		self.assertEqual(set(orgs), {tenant, second})
		self.assertTrue(frappe.db.exists("Pinned Invoice", pin.name))
		first, added = organisation(tenant), organisation(second)
		# the first keeps its consent; the second is served by the new one
		self.assertNotEqual(first.authorisation, added.authorisation)
		self.assertEqual(frappe.db.count(AUTHORISATION), 2)

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
		self.assertEqual(frappe.db.count(ORGANISATION), 0)
		settings = frappe.get_single(SETTINGS)
		settings.enabled = 1
		with self.assertRaises(frappe.ValidationError):
			settings.save()


def _user(email: str, *roles: str) -> str:
	return make_user(email, *roles)
