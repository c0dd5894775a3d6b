"""Xero Organisation rows for the benchmarks that run on a bench (panel_mariadb, scale_mariadb,
scale_load): each loads its cache rows into organisations of its own, made here as
xero_crm/tests/xero_world.py's seeded_organisation makes one (connected, enabled, no consent behind it,
never calls Xero), and removes exactly those organisations again, with the integration's switch put
back as it was."""

from contextlib import contextmanager

import frappe

from xero_crm.constants import ORGANISATION, SETTINGS


def add_organisation(tenant_id: str, name: str, short_code: str, base_currency: str = "NZD") -> str:
	"""A connected, enabled organisation named by `tenant_id` (kept if an earlier run left it)."""
	if not frappe.db.exists(ORGANISATION, tenant_id):
		frappe.get_doc(
			{
				"doctype": ORGANISATION,
				"tenant_id": tenant_id,
				"organisation_name": name,
				"short_code": short_code,
				"base_currency": base_currency,
				"status": "Connected",
				"enabled": 1,
			}
		).insert(ignore_permissions=True)
	frappe.db.commit()
	return tenant_id


def remove_organisations(tenant_ids, forget: bool = True) -> None:
	"""Delete these organisations; with `forget`, their cache, pins and links first
	(cache.forget_organisation: only rows of these organisations). A caller that has removed its rows
	its own way (scale_mariadb: a million of them, in batches) passes forget=False."""
	from xero_crm.cache import forget_organisation

	for tenant_id in tenant_ids:
		if not frappe.db.exists(ORGANISATION, tenant_id):
			continue
		if forget:
			forget_organisation(tenant_id)
		frappe.delete_doc(ORGANISATION, tenant_id, force=True, ignore_permissions=True)
		frappe.db.commit()


@contextmanager
def integration_enabled():
	"""Xero Settings' switch on while the block runs (the panel then says "connected", as a site
	that syncs does), put back as it was after."""
	before = frappe.db.get_single_value(SETTINGS, "enabled")
	frappe.db.set_single_value(SETTINGS, "enabled", 1)
	frappe.db.commit()
	try:
		yield
	finally:
		frappe.db.set_single_value(SETTINGS, "enabled", before or 0)
		frappe.db.commit()
