"""Xero Settings as the rest of the app reads it: fresh values, who may manage it, and the URLs Xero
is given. Which organisations sync lives in xero_crm.organisations."""

import frappe
from frappe import _
from frappe.utils import get_url

from xero_crm.constants import CALLBACK_PATH, SETTINGS, WEBHOOK_PATH
from xero_crm.xero.config import XeroEndpoints


def require_system_manager() -> None:
	"""`frappe.only_for` waves everyone through while tests run; this check holds there too."""
	if "System Manager" not in frappe.get_roles():
		raise frappe.PermissionError(_("Only a System Manager may manage the Xero connection."))


def settings() -> frappe._dict:
	"""Xero Settings read fresh: the jobs update it behind the document cache's back."""
	return frappe.db.get_singles_dict(SETTINGS, cast=True)


def endpoints() -> XeroEndpoints:
	"""Xero's own URLs unless site config says otherwise (`xero_api_url`, `xero_token_url`, …)."""
	return XeroEndpoints.from_config(frappe.conf)


def redirect_uri() -> str:
	return get_url(CALLBACK_PATH)


def webhook_url() -> str:
	return get_url(WEBHOOK_PATH)
