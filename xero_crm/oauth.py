"""Connect and Remove, for System Managers only. The callback is the redirect URI Xero sends the
admin back to; a callback that fails any check stores nothing."""

import json

import frappe
from frappe import _
from frappe.utils import now_datetime

from xero_crm.cache import FrappeStore, forget_organisation
from xero_crm.connection import forget_tokens, make_oauth, save_tokens, token_manager
from xero_crm.constants import LINK, PIN, SETTINGS
from xero_crm.redis_stores import RedisStateStore
from xero_crm.settings import endpoints, require_system_manager
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
	except XeroError as e:
		frappe.db.rollback()
		_show_failure(str(e))
		return

	settings = frappe.get_single(SETTINGS)
	save_tokens(result.tokens)
	settings.reload()
	tenant_ids = [t.tenant_id for t in result.tenants]
	# Reconnecting to the organisation in use (after "Stopped", say) keeps it, enabled, with its cache.
	keep = settings.tenant_id if settings.tenant_id in tenant_ids else None
	settings.update(
		{
			"status": "Connected",
			"disconnect_reason": None,
			"connected_user_email": result.identity.email,
			"connected_at": now_datetime(),
			"tenant_choices": json.dumps([t.__dict__ for t in result.tenants]),
		}
	)
	if not keep:
		settings.update(
			{
				"enabled": 0,  # until an organisation is chosen
				"tenant_id": None,
				"organisation_name": None,
				"organisation_short_code": None,
				"base_currency": None,
			}
		)
	settings.save()
	if not keep and len(tenant_ids) == 1 and not _switch_loses_work(tenant_ids[0]):
		_select(tenant_ids[0])
	frappe.db.commit()
	frappe.local.response["type"] = "redirect"
	frappe.local.response["location"] = "/app/xero-settings"


@frappe.whitelist(methods=["POST"])
def select_tenant(tenant_id: str, confirm: bool = False) -> dict:
	"""The admin picks the organisation to use. Switching from the one the cache holds deletes the
	reps' pins and manual links: the admin is asked first (`confirm`)."""
	require_system_manager()
	_check_allowed(tenant_id)
	if not confirm and (loses := _switch_loses_work(tenant_id)):
		return {"needs_confirmation": True, **loses}
	_select(tenant_id)
	return {"organisation_name": frappe.db.get_single_value(SETTINGS, "organisation_name", cache=False)}


@frappe.whitelist(methods=["POST"])
def disconnect() -> dict:
	"""Remove: revoke at Xero (which ends this app's connections), then forget everything."""
	require_system_manager()
	warning = None
	try:
		tokens = token_manager().store.load()
		if tokens:
			make_oauth().revoke(tokens.refresh_token)
	except XeroUnavailable:
		warning = _(
			"Xero could not be reached to revoke access. The tokens were deleted here; you can also "
			"remove this app under Connected Apps in Xero."
		)
	except XeroError:
		pass  # already revoked or credentials gone: nothing left to revoke
	forget_tokens()
	settings = frappe.get_single(SETTINGS)
	settings.update(
		{
			"enabled": 0,
			"status": "Not Connected",
			"tenant_id": None,
			"tenant_choices": None,
			"organisation_name": None,
			"organisation_short_code": None,
			"base_currency": None,
			"connected_user_email": None,
			"connected_at": None,
			"disconnect_reason": None,
			"sync_status": _("Not connected: nothing syncs until you connect to Xero again."),
		}
	)
	settings.save()
	return {
		"warning": warning,
		"message": _(
			"Xero is disconnected and the tokens are deleted. Reps no longer see Xero invoices on their "
			"records until you connect again; the cached invoices stay until then."
		),
	}


def _check_allowed(tenant_id: str) -> None:
	choices = frappe.db.get_single_value(SETTINGS, "tenant_choices", cache=False)
	if tenant_id not in {t["tenant_id"] for t in json.loads(choices or "[]")}:
		frappe.throw(
			_("That organisation was not allowed in the last Connect to Xero."), frappe.ValidationError
		)


def _select(tenant_id: str) -> None:
	_check_allowed(tenant_id)
	settings = frappe.get_single(SETTINGS)
	try:
		org = describe_organisation(token_manager(), tenant_id, endpoints())
	except XeroError as e:
		frappe.throw(str(e), title=_("Xero"))
	# Under the cache writers' lock: a sync of the old organisation writes no page after this.
	with FrappeStore().lock():
		held = frappe.db.get_single_value(SETTINGS, "cache_tenant_id", cache=False)
		if held and held != tenant_id:
			forget_organisation()
			settings.reload()
		settings.update(
			{
				"tenant_id": tenant_id,
				"organisation_name": org.name,
				"organisation_short_code": org.short_code,
				"base_currency": org.base_currency,
			}
		)
		settings.save()
		frappe.db.commit()


def _switch_loses_work(tenant_id: str) -> dict | None:
	"""What choosing `tenant_id` would delete: the pins and manual links of another organisation."""
	held = frappe.db.get_single_value(SETTINGS, "cache_tenant_id", cache=False)
	if not held or held == tenant_id:
		return None
	pins, links = frappe.db.count(PIN), frappe.db.count(LINK)
	return {"pins": pins, "links": links} if pins or links else None


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
