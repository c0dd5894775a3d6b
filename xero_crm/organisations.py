"""The Xero organisations this site syncs (Xero Organisation records), as the rest of the app reads
them: which are active, which a user may see (User Permissions on Company), how the panel names and
links them, and which one a record's Company points at."""

from contextlib import contextmanager
from functools import wraps

import frappe
from frappe import _

from xero_crm.constants import ORGANISATION
from xero_crm.settings import settings
from xero_crm.xero.keys import organisation_of
from xero_crm.xero.panel import OrgInfo

FIELDS = (
	"name",
	"tenant_id",
	"organisation_name",
	"short_code",
	"base_currency",
	"enabled",
	"status",
	"company",
	"authorisation",
	"connection_id",
	"daily_call_budget",
	"sync_cursor",
	"last_sync_at",
	"last_webhook_sync_at",
	"sync_status",
	"disconnect_reason",
	"invoice_count",
	"contact_count",
)


def all_organisations() -> list[frappe._dict]:
	"""Every connected organisation, read fresh (the jobs update them behind the document cache), or
	as read once for the request under way (`read_once`)."""
	kept = getattr(frappe.local, "xero_crm_organisations", None)
	if kept is not None:
		return kept
	return frappe.get_all(ORGANISATION, fields=list(FIELDS), order_by="organisation_name asc, name asc")


@contextmanager
def organisations_read_once():
	"""A panel request asks about the organisations many times (which the user may see, their names,
	how fresh their cache is, the permission hooks of every list it reads) and changes none of them:
	within it they are read once. Never around code that writes them (Connect, Remove, the jobs)."""
	if getattr(frappe.local, "xero_crm_organisations", None) is not None:
		yield
		return
	frappe.local.xero_crm_organisations = all_organisations()
	frappe.local.xero_crm_settings = settings()
	try:
		yield
	finally:
		frappe.local.xero_crm_organisations = None
		frappe.local.xero_crm_settings = None


def read_once(method):
	"""A whitelisted method that only reads the organisations: see organisations_read_once."""

	@wraps(method)
	def reading(*args, **kwargs):
		with organisations_read_once():
			return method(*args, **kwargs)

	return reading


def get_organisation(tenant_id: str) -> frappe._dict | None:
	if not tenant_id:
		return None
	rows = frappe.get_all(ORGANISATION, filters={"name": tenant_id}, fields=list(FIELDS))
	return rows[0] if rows else None


def is_active(org: frappe._dict | None, integration: frappe._dict | None = None) -> bool:
	"""The integration is enabled, and this organisation is enabled and connected: the only state in
	which it syncs."""
	integration = integration or settings()
	return bool(org and integration.enabled and org.enabled and org.status == "Connected")


def active_organisations() -> list[frappe._dict]:
	integration = getattr(frappe.local, "xero_crm_settings", None) or settings()
	if not integration.enabled:
		return []
	return [o for o in all_organisations() if is_active(o, integration)]


def allowed_companies(user: str | None = None) -> set[str] | None:
	"""The Companies a user's User Permissions allow, or None where they set no restriction."""
	user = user or frappe.session.user
	if user == "Administrator":
		return None
	permissions = frappe.permissions.get_user_permissions(user).get("Company")
	if not permissions:
		return None
	return {p.get("doc") for p in permissions}


def visible_organisations(user: str | None = None) -> set[str]:
	"""Tenant ids of the organisations a user may see anything of: those of no Company, and those
	whose Company the user's User Permissions on Company allow."""
	companies = allowed_companies(user)
	return {
		o.name for o in all_organisations() if companies is None or not o.company or o.company in companies
	}


def may_see(organisation: str, visible: set[str]) -> bool:
	"""`organisation` of a cache key: "" is a cache of no organisation, which no site has after the
	migrate patch (xero_crm.patches.v2_0.organisations); refused like any unknown one."""
	return organisation in visible


def require_visible(key: str, visible: set[str] | None = None) -> None:
	visible = visible_organisations() if visible is None else visible
	if not may_see(organisation_of(key), visible):
		frappe.throw(_("Not permitted"), frappe.PermissionError)


def org_infos() -> dict[str, OrgInfo]:
	return {
		o.name: OrgInfo(o.name, o.organisation_name or o.name, o.short_code or "")
		for o in all_organisations()
	}


def organisation_of_company(company: str | None) -> str | None:
	if not company:
		return None
	return frappe.db.get_value(ORGANISATION, {"company": company}, "name")


def record_company(doctype: str, name: str) -> str | None:
	"""The Company a record names: an Opportunity's own field; a Customer's, the one Company of its
	Accounts table (ERPNext's per-Company receivable accounts) when it names exactly one. Nothing to
	look up while no organisation is mapped to a Company."""
	if not any(o.company for o in all_organisations()):
		return None
	if doctype == "Customer" and frappe.db.exists("DocType", "Party Account"):
		companies = set(
			frappe.get_all(
				"Party Account",
				filters={"parenttype": "Customer", "parent": name, "company": ("is", "set")},
				pluck="company",
			)
		)
		return companies.pop() if len(companies) == 1 else None
	if not frappe.get_meta(doctype).has_field("company"):
		return None
	return frappe.db.get_value(doctype, name, "company")
