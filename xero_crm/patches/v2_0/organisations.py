"""From one organisation on Xero Settings to Xero Organisation records (several per site).

Before: Xero Settings held the consent's tokens, the one organisation, its sync state, and the cache
named each row by Xero's id. After: the consent is a Xero Authorisation (its tokens moved, still
encrypted by Frappe), the organisation a Xero Organisation, and every cached row, pin and link is
re-keyed under the organisation's tenant id (cache_rows.cache_key) and carries its organisation.
Nothing is fetched from Xero again and no pin or link is lost. Runs once; a site that never
connected has nothing to move."""

import frappe
from frappe.utils.password import get_decrypted_password

from xero_crm.connection import save_tokens
from xero_crm.constants import (
	AUTHORISATION,
	CONTACT,
	CONTACT_EMAIL,
	CREDIT,
	INVOICE,
	LINK,
	ORGANISATION,
	PAYMENT,
	PIN,
	SETTINGS,
)
from xero_crm.xero.tokens import TokenSet

# Xero Settings' fields that moved: to the organisation, to the consent, or nowhere.
TO_ORGANISATION = {
	"organisation_name": "organisation_name",
	"organisation_short_code": "short_code",
	"base_currency": "base_currency",
	"daily_call_budget": "daily_call_budget",
	"sync_status": "sync_status",
	"last_sync_at": "last_sync_at",
	"last_webhook_sync_at": "last_webhook_sync_at",
	"invoice_count": "invoice_count",
	"contact_count": "contact_count",
	"sync_cursor": "sync_cursor",
}
MOVED = (
	*TO_ORGANISATION,
	"status",
	"tenant_id",
	"tenant_choices",
	"cache_tenant_id",
	"connected_user_email",
	"connected_at",
	"disconnect_reason",
	"access_token",
	"refresh_token",
	"token_expires_at",
)


def execute():
	old = dict(frappe.db.sql("select field, value from tabSingles where doctype=%s", SETTINGS))
	tenant = old.get("cache_tenant_id") or old.get("tenant_id")
	if tenant and not frappe.db.exists(ORGANISATION, tenant):
		authorisation = _move_consent(old) if old.get("tenant_id") == tenant else None
		_move_organisation(old, tenant, authorisation)
		rekey(tenant)
	frappe.db.sql(
		f"delete from tabSingles where doctype=%s and field in ({', '.join(['%s'] * len(MOVED))})",
		(SETTINGS, *MOVED),
	)
	frappe.db.delete("__Auth", {"doctype": SETTINGS, "fieldname": ("in", ("access_token", "refresh_token"))})
	frappe.clear_document_cache(SETTINGS, SETTINGS)


def _move_consent(old: dict) -> str | None:
	refresh = get_decrypted_password(SETTINGS, SETTINGS, "refresh_token", raise_exception=False)
	if not refresh:
		return None
	access = get_decrypted_password(SETTINGS, SETTINGS, "access_token", raise_exception=False) or ""
	auth = frappe.get_doc(
		{
			"doctype": AUTHORISATION,
			"status": "Connected" if old.get("status") == "Connected" else "Disconnected",
			"connected_user_email": old.get("connected_user_email"),
			"connected_at": old.get("connected_at") or None,
			"disconnect_reason": old.get("disconnect_reason"),
		}
	).insert(ignore_permissions=True)
	save_tokens(auth.name, TokenSet(access, refresh, float(old.get("token_expires_at") or 0)))
	return auth.name


def _move_organisation(old: dict, tenant: str, authorisation: str | None) -> None:
	connected = authorisation and old.get("status") == "Connected"
	frappe.get_doc(
		{
			"doctype": ORGANISATION,
			"tenant_id": tenant,
			"enabled": 1,
			"authorisation": authorisation,
			"status": "Connected" if connected else "Disconnected",
			"disconnect_reason": None if connected else (old.get("disconnect_reason") or "Not connected"),
			**{new: old.get(field) or None for field, new in TO_ORGANISATION.items()},
			"organisation_name": old.get("organisation_name") or tenant,
		}
	).insert(ignore_permissions=True)


def rekey(tenant: str) -> None:
	"""Every cached row of no organisation becomes `tenant`'s, under `tenant:<Xero id>`; the rows
	that point at them (payments, emails, merges, pins, links) follow."""

	def key(column: str) -> str:
		return f"concat(%(tenant)s, ':', `{column}`)"

	def update(doctype: str, assignments: str, where: str) -> None:
		frappe.db.sql(f"update `tab{doctype}` set {assignments} where {where}", {"tenant": tenant})

	unkeyed = "`name` not like '%%:%%'"
	update(PAYMENT, f"`name` = {key('name')}, `parent` = {key('parent')}", unkeyed)
	update(CONTACT_EMAIL, f"`parent` = {key('parent')}, `name` = {key('name')}", "`parent` not like '%%:%%'")
	update(
		INVOICE,
		f"`name` = {key('name')}, `xero_contact` = {key('xero_contact')}, `organisation` = %(tenant)s",
		"`organisation` is null",
	)
	update(
		CREDIT,
		f"`name` = {key('name')}, `xero_contact` = {key('xero_contact')}, `organisation` = %(tenant)s",
		"`organisation` is null",
	)
	update(
		CONTACT,
		f"`name` = {key('name')}, `organisation` = %(tenant)s, "
		f"`merged_to` = if(ifnull(`merged_to`, '') = '', `merged_to`, {key('merged_to')})",
		"`organisation` is null",
	)
	update(
		PIN, f"`xero_invoice` = {key('xero_invoice')}, `organisation` = %(tenant)s", "`organisation` is null"
	)
	update(
		LINK, f"`xero_contact` = {key('xero_contact')}, `organisation` = %(tenant)s", "`organisation` is null"
	)
