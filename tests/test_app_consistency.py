"""The Frappe app's declarative parts, checked without Frappe: hooks point at code that exists,
DocType JSON is well-formed and says what the design promises, and the connector stays frappe-free."""

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "xero_crm"
DOCTYPES = APP / "xero_crm" / "doctype"


def _hooks() -> dict:
	tree = ast.parse((APP / "hooks.py").read_text())
	values = {}
	for node in tree.body:
		if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
			values[node.targets[0].id] = ast.literal_eval(node.value)
	return values


def _dotted_paths(value):
	if isinstance(value, str) and value.startswith("xero_crm.") and not value.endswith((".js", ".css")):
		yield value
	elif isinstance(value, dict):
		for v in value.values():
			yield from _dotted_paths(v)
	elif isinstance(value, list | tuple):
		for v in value:
			yield from _dotted_paths(v)


def _function_exists(dotted: str) -> bool:
	module, _, name = dotted.rpartition(".")
	path = ROOT / (module.replace(".", "/") + ".py")
	if not path.exists():
		return False
	tree = ast.parse(path.read_text())
	return any(isinstance(n, ast.FunctionDef) and n.name == name for n in tree.body)


def test_required_apps_name_frappe_only():
	assert _hooks()["required_apps"] == ["frappe"]


def test_every_dotted_path_in_hooks_exists():
	hooks = _hooks()
	missing = [p for p in _dotted_paths(hooks) if not _function_exists(p)]
	assert missing == []


def test_asset_files_named_in_hooks_exist():
	hooks = _hooks()
	for key in ("app_include_js", "app_include_css"):
		for asset in hooks.get(key, []):
			assert (APP / "public" / asset.removeprefix("/assets/xero_crm/")).exists(), asset
	for path in hooks.get("doctype_js", {}).values():
		assert (APP / path).exists(), path


PUBLIC = APP / "public"
PANEL_ENTRY = PUBLIC / "js" / "xero_panel.bundle.js"


def _bundle_sources(name: str) -> list[Path]:
	"""The files Frappe's esbuild builds as bundle `name` (it globs public/**/*.bundle.*)."""
	return [p for p in PUBLIC.rglob(name) if "node_modules" not in p.parts and "dist" not in p.parts]


def test_the_panel_is_loaded_on_no_desk_page_but_its_forms():
	hooks = _hooks()
	for key in ("app_include_js", "app_include_css", "web_include_js", "web_include_css"):
		assert not [a for a in hooks.get(key, []) if "xero_panel" in a], key


def test_the_panel_bundle_entry_exists_and_its_imports_resolve():
	assert _bundle_sources("xero_panel.bundle.js") == [PANEL_ENTRY]
	imports = re.findall(r'from "(\./[^"]+)";', PANEL_ENTRY.read_text())
	assert sorted(imports) == ["./xero_panel/render.js", "./xero_panel/wiring.js"]
	for module in imports:
		path = PANEL_ENTRY.parent / module
		assert path.is_file(), module
		for inner in re.findall(r'from "(\./[^"]+)";', path.read_text()):
			assert (path.parent / inner).is_file(), (module, inner)


@pytest.mark.parametrize("doctype", ["Contact", "Customer", "Opportunity"])
def test_each_panel_form_script_requires_bundles_that_exist(doctype):
	"""Each form's doctype_js loads the panel with frappe.require: every name it asks for is a bundle
	that `bench build` makes from exactly one file under public/."""
	script = (APP / _hooks()["doctype_js"][doctype]).read_text()
	calls = re.findall(r"frappe\.require\(\s*(\[[^\]]*\]|\"[^\"]*\")", script)
	assert calls, f"{doctype}'s form script does not frappe.require the panel"
	names = [n for call in calls for n in re.findall(r'"([^"]+)"', call)]
	assert "xero_panel.bundle.js" in names and "xero_panel.bundle.css" in names, names
	for name in names:
		assert re.fullmatch(r"[\w-]+\.bundle\.(js|css|scss)", name), name
		assert len(_bundle_sources(name)) == 1, f"{name}: no single source under public/"
	assert "xero_crm.panel.attach(frm)" in script


def _doctype_files():
	return sorted(DOCTYPES.glob("*/*.json"))


@pytest.mark.parametrize("path", _doctype_files(), ids=lambda p: p.stem)
def test_doctype_json_is_consistent(path):
	doc = json.loads(path.read_text())
	assert doc["doctype"] == "DocType"
	assert doc["module"] == "Xero CRM"
	assert path.stem == doc["name"].lower().replace(" ", "_")
	names = [f["fieldname"] for f in doc["fields"]]
	assert len(names) == len(set(names)), "duplicate fieldnames"
	assert doc["field_order"] == names
	assert (path.parent / f"{path.stem}.py").exists(), "controller missing"


def test_xero_settings_is_a_system_manager_only_single_with_secrets_in_password_fields():
	doc = json.loads((DOCTYPES / "xero_settings" / "xero_settings.json").read_text())
	assert doc["issingle"] == 1
	assert {p["role"] for p in doc["permissions"]} == {"System Manager"}
	types = {f["fieldname"]: f["fieldtype"] for f in doc["fields"]}
	for secret in ("client_secret", "webhook_key"):
		assert types[secret] == "Password", secret


def test_each_consents_tokens_live_in_password_fields_that_system_managers_only_read():
	doc = json.loads((DOCTYPES / "xero_authorisation" / "xero_authorisation.json").read_text())
	assert doc["permissions"] == [{"read": 1, "role": "System Manager"}]
	types = {f["fieldname"]: f["fieldtype"] for f in doc["fields"]}
	for secret in ("access_token", "refresh_token"):
		assert types[secret] == "Password", secret


def test_organisations_are_read_and_mapped_by_system_managers_only_and_created_by_connect_alone():
	doc = json.loads((DOCTYPES / "xero_organisation" / "xero_organisation.json").read_text())
	assert doc["permissions"] == [{"read": 1, "role": "System Manager", "write": 1}]
	assert doc["autoname"] == "field:tenant_id"


@pytest.mark.parametrize("module", ["oauth.py", "sync.py", "webhook.py"])
def test_admin_methods_all_check_system_manager_first(module):
	tree = ast.parse((APP / module).read_text())
	for node in tree.body:
		if isinstance(node, ast.FunctionDef) and any(
			"whitelist" in ast.unparse(d) for d in node.decorator_list
		):
			first = (
				ast.unparse(node.body[0])
				if not isinstance(node.body[0], ast.Expr) or not isinstance(node.body[0].value, ast.Constant)
				else ast.unparse(node.body[1])
			)
			if any("allow_guest" in ast.unparse(d) for d in node.decorator_list):
				continue  # the webhook endpoint: its signature is the check
			assert first == "require_system_manager()", node.name


def test_connector_and_emulator_never_import_frappe():
	for path in [*(APP / "xero").rglob("*.py"), *(APP / "emulator").rglob("*.py")]:
		tree = ast.parse(path.read_text())
		for node in ast.walk(tree):
			if isinstance(node, ast.Import):
				assert all(not a.name.startswith("frappe") for a in node.names), path
			if isinstance(node, ast.ImportFrom):
				assert not (node.module or "").startswith("frappe"), path
