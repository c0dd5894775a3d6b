"""Connect, Remove one organisation and Remove all, for System Managers only. The callback is the
redirect URI Xero sends the admin back to; a callback that fails any check stores nothing.

One consent may allow several organisations (Xero's `/connections` lists them, each with the
consent's authEventId): the consent becomes a Xero Authorisation (its tokens), and each organisation
a Xero Organisation that syncs on its own. Connecting again adds organisations; those already here
keep their cache, pins and links."""

import frappe
from frappe import _
from frappe.utils import now_datetime

from xero_crm.cache import forget_organisation
from xero_crm.connection import forget_tokens, make_oauth, save_tokens, token_manager
from xero_crm.constants import AUTHORISATION, ORGANISATION, SETTINGS
from xero_crm.organisations import all_organisations, get_organisation
from xero_crm.redis_stores import RedisStateStore
from xero_crm.settings import endpoints, require_system_manager, settings
from xero_crm.xero.connect import complete_connection, describe_organisation
from xero_crm.xero.errors import OAuthCallbackError, XeroError, XeroUnavailable
from xero_crm.xero.oauth import begin_state, check_callback_error, consume_state
from xero_crm.xero.secret import Secret


@frappe.whitelist(methods=["POST"])
def get_authorize_url() -> str:
	"""Where "Connect to Xero" sends the admin: Xero's consent page, with a one-time state."""
	require_system_manager()
	oauth = _oauth_or_throw()
	return oauth.authorization_url(begin_state(RedisStateStore(), frappe.session.user))


@frappe.whitelist(methods=["GET"])
def callback(code: str | None = None, state: str | None = None, error: str | None = None, **_kwargs):
	require_system_manager()
	code = Secret(code or "")  # single-use, but never shown in a traceback's locals either
	try:
		check_callback_error(error)
		consume_state(RedisStateStore(), state, frappe.session.user)
		result = complete_connection(_oauth_or_throw(), code)
		authorisation = _save_authorisation(result)
		tokens = token_manager(authorisation)
		described = [
			(tenant, describe_organisation(tokens, tenant.tenant_id, endpoints()))
			for tenant in result.tenants_to_serve(_served_by_a_working_consent())
		]
	except XeroError as e:
		frappe.db.rollback()
		_show_failure(str(e))
		return
	started = [_save_organisation(tenant, org, authorisation) for tenant, org in described]
	_forget_unused_authorisations()
	frappe.db.commit()
	if settings().enabled:
		from xero_crm.sync import enqueue_activation

		for org in filter(None, started):
			enqueue_activation(org)
	frappe.local.response["type"] = "redirect"
	frappe.local.response["location"] = "/app/xero-settings"


def _save_authorisation(result) -> str:
	auth = frappe.get_doc(
		{
			"doctype": AUTHORISATION,
			"status": "Connected",
			"auth_event_id": result.auth_event_id or None,
			"connected_user_email": result.identity.email,
			"connected_at": now_datetime(),
		}
	).insert(ignore_permissions=True)
	save_tokens(auth.name, result.tokens)
	return auth.name


def _served_by_a_working_consent() -> set[str]:
	"""Tenant ids of the organisations whose consent is still connected."""
	connected = set(frappe.get_all(AUTHORISATION, filters={"status": "Connected"}, pluck="name"))
	return {o.name for o in all_organisations() if o.authorisation in connected}


def _save_organisation(tenant, org, authorisation: str):
	"""Create or update one organisation; returns it when it should start syncing now (new, or
	connected again), else None."""
	details = {
		"organisation_name": org.name,
		"short_code": org.short_code,
		"base_currency": org.base_currency,
		"connection_id": tenant.connection_id or None,
		"authorisation": authorisation,
		"status": "Connected",
		"disconnect_reason": None,
	}
	existing = get_organisation(tenant.tenant_id)
	if existing:
		frappe.db.set_value(ORGANISATION, tenant.tenant_id, details)
		return get_organisation(tenant.tenant_id) if existing.status != "Connected" else None
	frappe.get_doc({"doctype": ORGANISATION, "tenant_id": tenant.tenant_id, "enabled": 1, **details}).insert(
		ignore_permissions=True
	)
	return get_organisation(tenant.tenant_id)


def _forget_unused_authorisations() -> None:
	"""A consent no organisation uses any more: its tokens are deleted here."""
	used = {o.authorisation for o in all_organisations() if o.authorisation}
	for name in frappe.get_all(AUTHORISATION, pluck="name"):
		if name not in used:
			forget_tokens(name)
			frappe.delete_doc(AUTHORISATION, name, ignore_permissions=True, force=True)


@frappe.whitelist(methods=["POST"])
def remove_organisation(organisation: str) -> dict:
	"""Remove one organisation: disconnect it at Xero (DELETE /connections/{id}: the consent keeps
	the others), then delete its cache and the pins and links into it. The others are untouched."""
	require_system_manager()
	org = get_organisation(organisation) if isinstance(organisation, str) else None
	if not org:
		frappe.throw(_("Unknown Xero organisation."), frappe.DoesNotExistError)
	warning = None
	try:
		if org.authorisation and org.connection_id:
			access = token_manager(org.authorisation).access_token()
			make_oauth().remove_connection(access, org.connection_id)
	except XeroUnavailable:
		warning = _(
			"Xero could not be reached to disconnect {0}. It was removed here; you can also disconnect it "
			"under Connected Apps in Xero."
		).format(org.organisation_name)
	except XeroError:
		pass  # already disconnected, or the consent is gone: nothing left to disconnect at Xero
	forget_organisation(org.name)
	frappe.delete_doc(ORGANISATION, org.name, ignore_permissions=True, force=True)
	_forget_unused_authorisations()
	frappe.db.commit()
	return {
		"warning": warning,
		"message": _("{0} is removed: its cached invoices, pins and links are deleted.").format(
			org.organisation_name
		),
	}


@frappe.whitelist(methods=["POST"])
def disconnect() -> dict:
	"""Remove all: revoke every consent at Xero (which ends this app's connections), forget every
	token. The organisations stay, disconnected, with their cache: connecting them again resumes."""
	require_system_manager()
	warning = None
	for authorisation in frappe.get_all(AUTHORISATION, pluck="name"):
		try:
			tokens = token_manager(authorisation).store.load()
			if tokens:
				make_oauth().revoke(tokens.refresh_token)
		except XeroUnavailable:
			warning = _(
				"Xero could not be reached to revoke access. The tokens were deleted here; you can also "
				"remove this app under Connected Apps in Xero."
			)
		except XeroError:
			pass  # already revoked or credentials gone: nothing left to revoke
		forget_tokens(authorisation)
	frappe.db.set_value(
		ORGANISATION,
		{"name": ("is", "set")},
		{
			"status": "Disconnected",
			"authorisation": None,
			"connection_id": None,
			"disconnect_reason": _("Removed from Xero Settings."),
			"sync_status": _("Not connected: nothing syncs until you connect to Xero again."),
		},
	)
	for authorisation in frappe.get_all(AUTHORISATION, pluck="name"):
		frappe.delete_doc(AUTHORISATION, authorisation, ignore_permissions=True, force=True)
	frappe.db.set_single_value(SETTINGS, "enabled", 0)
	frappe.db.commit()
	return {
		"warning": warning,
		"message": _(
			"Xero is disconnected and the tokens are deleted. Reps no longer see Xero invoices on their "
			"records until you connect again; the cached invoices stay until then."
		),
	}


@frappe.whitelist()
def organisations_overview() -> list[dict]:
	"""What Xero Settings lists: each organisation, its Company, status and sync state."""
	require_system_manager()
	users = {
		a.name: a.connected_user_email
		for a in frappe.get_all(AUTHORISATION, fields=["name", "connected_user_email"])
	}
	rows = frappe.get_all(
		ORGANISATION,
		fields=[
			"name",
			"organisation_name",
			"short_code",
			"base_currency",
			"company",
			"enabled",
			"status",
			"disconnect_reason",
			"authorisation",
			"sync_status",
			"last_sync_at",
			"invoice_count",
		],
		order_by="organisation_name asc",
	)
	for row in rows:
		row["connected_user_email"] = users.get(row.pop("authorisation"))
	return rows


def _oauth_or_throw():
	try:
		return make_oauth()
	except XeroError as e:
		raise OAuthCallbackError(str(e)) from e


def _show_failure(message: str) -> None:
	frappe.respond_as_web_page(
		_("Xero was not connected"),
		f"{frappe.utils.escape_html(message)}<br><br><a href='/app/xero-settings'>{_('Back to Xero Settings')}</a>",
		http_status_code=400,
		indicator_color="red",
	)
