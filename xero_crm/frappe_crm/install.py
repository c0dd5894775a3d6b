"""What xero_crm adds to Frappe CRM where the `crm` app is installed, kept up to date on install, on
migrate and when `crm` is installed after xero_crm, and removed on uninstall:
- an HTML field `xero_invoices` on CRM Deal, CRM Organization, Contact and CRM Lead;
- that field in each one's side panel (its "Side Panel" CRM Fields Layout), placed once: an admin who
  moves it or removes it keeps the layout as they left it;
- a standard CRM Form Script per doctype, from form_script.js (the page's class name filled in).
"""

import hashlib
import json
from pathlib import Path

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

FIELD = "xero_invoices"
SECTION = "xero_invoices_section"
# doctype -> the class Frappe CRM's form scripts name after it
PAGES = {
	"CRM Deal": "CRMDeal",
	"CRM Organization": "CRMOrganization",
	"Contact": "Contact",
	"CRM Lead": "CRMLead",
}
TEMPLATE = Path(__file__).with_name("form_script.js")
PLACED = "xero_crm_side_panel_placed"  # a default: the doctypes whose side panel got the field once


def crm_installed() -> bool:
	return "crm" in frappe.get_installed_apps() and bool(frappe.db.exists("DocType", "CRM Form Script"))


def sync() -> None:
	"""after_install and after_migrate: add or update what Frappe CRM shows of Xero."""
	if not crm_installed():
		return
	create_custom_fields(
		{dt: [{"fieldname": FIELD, "fieldtype": "HTML", "label": "Xero invoices"}] for dt in PAGES},
		ignore_validate=True,
	)
	for dt in PAGES:
		_place_in_side_panel(dt)
		_install_script(dt)


def after_app_install(app_name: str) -> None:
	if app_name == "crm":
		sync()


def before_app_uninstall(app_name: str) -> None:
	if app_name == "crm":
		remove()


def remove() -> None:
	"""before_uninstall (of xero_crm): take back exactly what sync() added."""
	if not frappe.db.exists("DocType", "CRM Form Script"):
		return
	for dt in PAGES:
		frappe.db.delete("CRM Form Script", {"name": script_name(dt)})
		_remove_from_side_panel(dt)
		if frappe.db.exists("Custom Field", {"dt": dt, "fieldname": FIELD}):
			frappe.delete_doc("Custom Field", f"{dt}-{FIELD}", ignore_permissions=True, force=True)
	frappe.db.set_default(PLACED, None)


def script_name(dt: str) -> str:
	return f"Xero invoices ({dt})"


def script_for(dt: str) -> str:
	panel = Path(frappe.get_app_path("xero_crm", "public", "js", "frappe_crm", "panel.js"))
	render = Path(frappe.get_app_path("xero_crm", "public", "js", "xero_panel", "render.js"))
	version = hashlib.sha1(panel.read_bytes() + render.read_bytes()).hexdigest()[:10]
	return (
		TEMPLATE.read_text()
		.replace("__CLASS__", PAGES[dt])
		.replace("__DOCTYPE__", dt)
		.replace("__VERSION__", version)
	)


def _install_script(dt: str) -> None:
	script = script_for(dt)
	name = script_name(dt)
	if frappe.db.exists("CRM Form Script", name):
		# ours, kept in step with the app; whether it is enabled stays the admin's choice
		if frappe.db.get_value("CRM Form Script", name, "script") != script:
			frappe.db.set_value("CRM Form Script", name, "script", script)
		return
	doc = frappe.get_doc(
		{
			"doctype": "CRM Form Script",
			"name": name,
			"dt": dt,
			"view": "Form",
			"enabled": 1,
			"is_standard": 1,
			"script": script,
		}
	)
	doc.insert(ignore_permissions=True, set_name=name)


def _placed() -> list[str]:
	return json.loads(frappe.db.get_default(PLACED) or "[]")


def _place_in_side_panel(dt: str) -> None:
	"""Once per doctype: the field as the side panel's first section (after a Deal's contacts)."""
	if dt in _placed():
		return
	name = frappe.db.get_value("CRM Fields Layout", {"dt": dt, "type": "Side Panel"})
	layout = json.loads(frappe.db.get_value("CRM Fields Layout", name, "layout") or "[]") if name else []
	if not _holds_field(layout):
		section = {
			"label": "Xero invoices",
			"name": SECTION,
			"opened": True,
			"columns": [{"name": f"{SECTION}_column", "fields": [FIELD]}],
		}
		at = 1 if layout and layout[0].get("contacts") is not None else 0
		layout.insert(at, section)
		if name:
			frappe.db.set_value("CRM Fields Layout", name, "layout", json.dumps(layout))
		else:
			frappe.get_doc(
				{"doctype": "CRM Fields Layout", "dt": dt, "type": "Side Panel", "layout": json.dumps(layout)}
			).insert(ignore_permissions=True)
	frappe.db.set_default(PLACED, json.dumps([*_placed(), dt]))


def _holds_field(layout: list) -> bool:
	return any(
		FIELD in (column.get("fields") or []) for section in layout for column in section.get("columns") or []
	)


def _remove_from_side_panel(dt: str) -> None:
	name = frappe.db.get_value("CRM Fields Layout", {"dt": dt, "type": "Side Panel"})
	if not name:
		return
	layout = json.loads(frappe.db.get_value("CRM Fields Layout", name, "layout") or "[]")
	kept = []
	for section in layout:
		for column in section.get("columns") or []:
			column["fields"] = [f for f in column.get("fields") or [] if f != FIELD]
		if section.get("name") != SECTION:
			kept.append(section)
	frappe.db.set_value("CRM Fields Layout", name, "layout", json.dumps(kept))
