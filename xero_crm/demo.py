"""`bench --site SITE xero-crm demo`: the app's main job without a Xero account.

xero-local (the optional extra `xero_crm[demo]`) plays Xero on 127.0.0.1, seeded with a small
company (and, with `--two-organisations`, its sister company as a second organisation); the site gets
matching records and is connected to it through the same callback a real connection goes through,
which makes a Xero Organisation of each and the Xero Authorisation of the consent. What the demo
made is written down in a manifest in the site's private folder, so `--remove` deletes exactly that,
and a second run reuses what is there.
"""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import frappe
import requests
from frappe import _
from frappe.utils import get_url, now_datetime, nowdate

from xero_crm import oauth
from xero_crm.cache import forget_organisation
from xero_crm.connection import forget_tokens
from xero_crm.constants import (
	AUTHORISATION,
	CONTACT,
	CREDIT,
	INVOICE,
	ORGANISATION,
	SETTINGS,
	WEBHOOK_EVENT,
	WEBHOOK_PATH,
)
from xero_crm.organisations import all_organisations, get_organisation
from xero_crm.settings import settings
from xero_crm.sync import run_full_sync

CLIENT_ID = "xero-crm-demo"
DEMO_CALL_BUDGET = 1_000_000
CONFIG_KEYS = {
	"xero_authorize_url": "/identity/connect/authorize",
	"xero_token_url": "/connect/token",
	"xero_revocation_url": "/connect/revocation",
	"xero_connections_url": "/connections",
	"xero_api_url": "/api.xro/2.0",
}


class DemoError(Exception):
	"""What the command reports instead of a traceback."""


class DemoRefused(DemoError):
	"""The demo would touch something that is not its own: nothing was changed."""


class DemoFailed(DemoError):
	"""The demo stopped part way: `demo --remove` undoes what it did."""


@dataclass
class Manifest:
	pid: int = 0
	peer: str = ""
	emulator: str = ""
	tenant_id: str = ""  # the demo company's organisation: where the live changes happen
	organisations: list[str] = field(default_factory=list)  # tenant ids of its Xero: Xero Organisations
	authorisations: list[str] = field(default_factory=list)  # the Xero Authorisations its consent made
	started_at: str = ""
	records: list[list[str]] = field(default_factory=list)  # [doctype, name], in creation order
	config_before: dict = field(default_factory=dict)  # key -> the value before the demo (None: unset)
	settings_before: list[list] = field(default_factory=list)  # Xero Settings' singles rows before

	def __post_init__(self):
		if self.tenant_id and not self.organisations:  # a manifest of the one-organisation demo
			self.organisations = [self.tenant_id]

	@staticmethod
	def path() -> Path:
		return Path(frappe.get_site_path("private", "xero_crm_demo.json"))

	@classmethod
	def load(cls) -> "Manifest | None":
		path = cls.path()
		return cls(**json.loads(path.read_text())) if path.exists() else None

	def save(self) -> None:
		self.path().parent.mkdir(parents=True, exist_ok=True)
		self.path().write_text(json.dumps(self.__dict__, indent=1))


@dataclass
class Ready:
	seconds: float
	customers: list[str]
	invoices: int  # in every organisation of the demo
	urls: list[str]
	notes: list[str]
	organisations: list[tuple[str, int]] = field(default_factory=list)  # (name, invoices synced)


def start(site_url: str | None = None, two_organisations: bool = False) -> Ready:
	began = time.monotonic()
	manifest, fresh = _prepare(Manifest.load(), two_organisations)
	if fresh:
		_start_emulator(manifest, two_organisations)
		manifest.save()  # from here on, --remove knows what to stop and undo
	_point_site_at(manifest)
	company = _seed_or_read(manifest, fresh)
	notes = _create_records(manifest, company)
	manifest.save()
	_connect(manifest)
	for tenant in manifest.organisations:
		# the emulator has no daily limit: pacing for a real organisation's would hold the live changes back
		frappe.db.set_value(ORGANISATION, tenant, "daily_call_budget", DEMO_CALL_BUDGET)
	frappe.db.set_single_value(SETTINGS, "enabled", 1)  # activation without queueing the sync jobs:
	frappe.db.commit()  # the command runs the initial syncs itself, so it can say when they are done
	for tenant in manifest.organisations:
		run_full_sync(tenant)
	frappe.db.commit()
	synced = [
		tuple(frappe.db.get_value(ORGANISATION, t, ["organisation_name", "invoice_count"]))
		for t in manifest.organisations
	]
	return Ready(
		round(time.monotonic() - began, 1),
		list(company),
		sum(n or 0 for _name, n in synced),
		_urls((site_url or get_url()).rstrip("/"), company),
		notes,
		[(name, n or 0) for name, n in synced],
	)


def _prepare(manifest: "Manifest | None", two_organisations: bool) -> tuple[Manifest, bool]:
	"""The manifest to go on with, and whether the demo's Xero must be started (again)."""
	refuse_unless_ours(manifest)
	fresh = manifest is None or not _alive(manifest)
	if not fresh and two_organisations and len(manifest.organisations) < 2:
		raise DemoRefused(
			_(
				"The demo on this site has one Xero organisation. For two: `bench --site SITE xero-crm demo "
				"--remove`, then `demo --two-organisations`."
			)
		)
	if manifest and fresh:  # its Xero is gone (a reboot, say): so are the organisations it held
		_drop_organisations(manifest)
		frappe.db.commit()
	return manifest or _new_manifest(), fresh


def _urls(base: str, company: dict[str, dict]) -> list[str]:
	"""The pages to open: customers, a contact, Xero Settings, and Frappe CRM's where it is installed."""
	urls = [f"{base}/app/customer/{quote(n)}" for n in list(company)[:3] if frappe.db.exists("Customer", n)]
	contact = frappe.db.get_value(
		"Contact Email", {"email_id": next(iter(company.values()))["email"]}, "parent"
	)
	urls += [f"{base}/app/contact/{quote(contact)}", f"{base}/app/xero-settings"]
	first = next(iter(company))
	if frappe.db.exists("CRM Organization", first):
		deal = frappe.db.get_value("CRM Deal", {"organization": first})
		urls += [f"{base}/crm/organizations/{quote(first)}", f"{base}/crm/deals/{quote(deal)}"]
		lead = frappe.db.get_value("CRM Lead", {"organization": list(company)[-2]})
		if lead:
			urls.append(f"{base}/crm/leads/{quote(lead)}")
	return urls


def refuse_unless_ours(manifest: "Manifest | None") -> None:
	"""The demo replaces Xero Settings' credentials and points the site's Xero URLs at its emulator:
	never on a site with a connection of its own (an organisation or a consent the demo did not make,
	connected or not), a cache of its own, or an admin's own credentials."""
	ours = set(manifest.organisations) if manifest else set()
	named = _connections_not_ours(ours, set(manifest.authorisations) if manifest else set())
	if named:
		raise DemoRefused(
			_(
				"This site is connected to Xero ({0}). The demo would replace that connection: run it on another site."
			).format(", ".join(named))
		)
	if _cache_not_ours(ours):
		raise DemoRefused(
			_(
				"The cache holds the invoices of a Xero organisation this site was connected to. The demo "
				"is made for a site without Xero data of its own: run it on another site."
			)
		)
	client_id = settings().client_id
	if manifest and client_id == CLIENT_ID:
		return
	if client_id or frappe.db.exists("__Auth", {"doctype": SETTINGS}):
		raise DemoRefused(
			_(
				"Xero Settings hold your own Xero app's credentials. The demo would replace them: clear them or run it on another site."
			)
		)


def _connections_not_ours(ours: set[str], consents: set[str]) -> list[str]:
	"""The organisations that are not the demo's (by name), else the consents that are not (by the
	email of who gave them): a consent without organisations would be deleted by the callback."""
	organisations = all_organisations()
	theirs = [o.organisation_name or o.name for o in organisations if o.name not in ours]
	if theirs:
		return theirs
	consents |= {o.authorisation for o in organisations if o.name in ours and o.authorisation}
	return [
		a.connected_user_email or a.name
		for a in frappe.get_all(AUTHORISATION, fields=["name", "connected_user_email"])
		if a.name not in consents
	]


def _cache_not_ours(ours: set[str]) -> bool:
	"""Any cached row of an organisation that is not one of `ours` (a row of none included)."""
	for doctype in (INVOICE, CONTACT, CREDIT):
		if ours:
			condition, values = "ifnull(organisation, '') not in %(ours)s", {"ours": tuple(sorted(ours))}
		else:
			condition, values = "1=1", {}
		if frappe.db.sql(f"select 1 from `tab{doctype}` where {condition} limit 1", values):
			return True
	return False


def _new_manifest() -> Manifest:
	rows = frappe.db.sql("select field, value from tabSingles where doctype=%s", SETTINGS)
	return Manifest(
		started_at=str(now_datetime()),
		config_before={key: frappe.conf.get(key) for key in CONFIG_KEYS},
		settings_before=[list(r) for r in rows],
	)


def _alive(manifest: Manifest) -> bool:
	try:
		return requests.get(f"{manifest.emulator}/_xero/health", timeout=2).ok
	except requests.RequestException:
		return False


def _start_emulator(manifest: Manifest, two_organisations: bool) -> None:
	from xero_crm.emulator.demo_company import ORGANISATION as DEMO_ORGANISATION
	from xero_crm.emulator.demo_company import SISTER

	try:
		import xero_local  # noqa: F401  (the optional extra)
	except ImportError as e:
		raise DemoRefused(
			_("The demo needs the Xero API emulator: ./env/bin/pip install 'xero_crm[demo]' (in the bench).")
		) from e
	command = [sys.executable, "-m", "xero_crm.emulator.serve", "--organisation", DEMO_ORGANISATION]
	command += ["--email", "demo@example.com"]
	if two_organisations:
		command += ["--add-organisation", *SISTER]
	proc = subprocess.Popen(
		command,
		stdout=subprocess.PIPE,
		stderr=subprocess.DEVNULL,
		start_new_session=True,  # it outlives this command, until `demo --remove`
		text=True,
	)
	started = json.loads(proc.stdout.readline() or "{}")
	proc.stdout.close()
	if not started:
		raise DemoRefused(_("The Xero API emulator did not start."))
	manifest.pid, manifest.peer, manifest.emulator = proc.pid, started["peer"], started["emulator"]
	# Written down before the site is connected: --remove deletes these organisations even if the
	# connection stops half way.
	manifest.organisations = list(started["tenants"])
	manifest.tenant_id = manifest.organisations[0]


def _point_site_at(manifest: Manifest) -> None:
	from frappe.installer import update_site_config

	for key, path in CONFIG_KEYS.items():
		update_site_config(key, f"{manifest.peer}{path}")


def _seed_or_read(manifest: Manifest, fresh: bool) -> dict[str, dict]:
	"""{customer name: {"email", "domain", "person"}}: seeded into a new emulator, else as it is. The
	sister company (a second organisation) sells to some of the same customers."""
	from datetime import date

	from xero_crm.emulator import demo_company
	from xero_crm.emulator.seed import Emulator

	if fresh:
		today = date.fromisoformat(nowdate())
		emulator = Emulator(manifest.emulator)
		demo_company.seed(emulator, today)
		for tenant in manifest.organisations[1:]:
			demo_company.seed_sister(emulator.in_tenant(tenant), today)
	return {
		name: {"email": f"{first.lower()}@{domain}", "domain": domain, "person": (first, last)}
		for name, domain, _currency, (first, last), _lateness in demo_company.CUSTOMERS
	}


def _create_records(manifest: Manifest, company: dict[str, dict]) -> list[str]:
	"""A Customer, its Contact and an Opportunity per Xero customer (Contacts only without ERPNext).
	A record of the same name that the demo did not make is used as it is and never deleted."""
	notes = []
	erpnext = "erpnext" in frappe.get_installed_apps()
	company_name = _opportunity_company() if erpnext else None
	if erpnext and not company_name:
		notes.append(_("No Company exists yet (finish ERPNext's setup wizard): no Opportunities were made."))
	if not erpnext:
		notes.append(_("ERPNext is not installed: only Contacts were made."))
	crm = "crm" in frappe.get_installed_apps()
	for name, who in company.items():
		customer = _ensure(manifest, "Customer", name, lambda n=name: _customer(n)) if erpnext else None
		contact = _ensure_contact(manifest, who, customer, name)
		if company_name:
			_ensure_opportunity(manifest, name, contact, company_name)
		if crm:
			_ensure_crm(manifest, name, contact)
	if crm:  # a new enquiry from someone who already buys (and owes): the Lead's badge says so
		name, who = list(company.items())[-2]
		if not frappe.db.exists("CRM Lead", {"email": who["email"]}):
			first, last = who["person"]
			lead = frappe.get_doc(
				{
					"doctype": "CRM Lead",
					"first_name": first,
					"last_name": last,
					"email": who["email"],
					"organization": name,
				}
			).insert(ignore_permissions=True)
			manifest.records.append(["CRM Lead", lead.name])
	frappe.db.commit()
	return notes


def _opportunity_company() -> str | None:
	"""The Company the demo's Opportunities go to: none until ERPNext's setup wizard has made one,
	with the Opportunity Type and Sales Stage an Opportunity defaults to."""
	company = frappe.db.get_value("Company", {}, "name")
	masters = frappe.db.exists("Opportunity Type", "Sales") and frappe.db.exists("Sales Stage", "Prospecting")
	return company if company and masters else None


def _ensure(manifest: Manifest, doctype: str, name: str, make) -> str:
	if not frappe.db.exists(doctype, name):
		name = make().insert(ignore_permissions=True).name
		manifest.records.append([doctype, name])
	return name


def _customer(name: str):
	return frappe.get_doc({"doctype": "Customer", "customer_name": name, "customer_type": "Company"})


def _ensure_contact(manifest: Manifest, who: dict, customer: str | None, company: str) -> str:
	existing = frappe.db.get_value(
		"Contact Email", {"email_id": who["email"], "parenttype": "Contact"}, "parent"
	)
	if existing:
		return existing
	first, last = who["person"]
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": first,
			"last_name": last,
			"company_name": company,
			"email_ids": [{"email_id": who["email"], "is_primary": 1}],
			"links": [{"link_doctype": "Customer", "link_name": customer}] if customer else [],
		}
	).insert(ignore_permissions=True)
	manifest.records.append(["Contact", contact.name])
	return contact.name


def _ensure_opportunity(manifest: Manifest, customer: str, contact: str, company_name: str) -> None:
	if frappe.db.exists("Opportunity", {"party_name": customer, "opportunity_from": "Customer"}):
		return
	opportunity = frappe.get_doc(
		{
			"doctype": "Opportunity",
			"opportunity_from": "Customer",
			"party_name": customer,
			"contact_person": contact,
			"company": company_name,
			"title": _("Repeat order: {0}").format(customer),
		}
	).insert(ignore_permissions=True)
	manifest.records.append(["Opportunity", opportunity.name])


def _ensure_crm(manifest: Manifest, name: str, contact: str) -> None:
	"""Frappe CRM's Organization and a Deal with the Contact, where the `crm` app is installed."""
	_ensure(
		manifest,
		"CRM Organization",
		name,
		lambda: frappe.get_doc({"doctype": "CRM Organization", "organization_name": name}),
	)
	if frappe.db.exists("CRM Deal", {"organization": name}):
		return
	deal = frappe.get_doc(
		{"doctype": "CRM Deal", "organization": name, "contacts": [{"contact": contact, "is_primary": 1}]}
	).insert(ignore_permissions=True)
	manifest.records.append(["CRM Deal", deal.name])


def _connect(manifest: Manifest) -> None:
	"""Connect through the same authorize → callback path as a real connection (as Administrator):
	the callback makes a Xero Organisation of each of the emulator's organisations, and the Xero
	Authorisation of the consent."""
	if all(
		(org := get_organisation(tenant)) and org.status == "Connected" for tenant in manifest.organisations
	):
		return
	doc = frappe.get_single(SETTINGS)
	doc.update({"client_id": CLIENT_ID, "client_secret": frappe.generate_hash(length=32), "enabled": 0})
	from frappe.utils.password import get_decrypted_password

	# the stored secret itself (the singles row only holds a mask, which may outlive the secret)
	if not get_decrypted_password(SETTINGS, SETTINGS, "webhook_key", raise_exception=False):
		doc.webhook_key = frappe.generate_hash(length=32)
	doc.save(ignore_permissions=True)
	frappe.db.commit()
	consents_before = set(frappe.get_all(AUTHORISATION, pluck="name"))
	redirect = requests.get(oauth.get_authorize_url(), allow_redirects=False, timeout=10)
	query = parse_qs(urlparse(redirect.headers["Location"]).query)
	oauth.callback(code=query["code"][0], state=query["state"][0])
	frappe.db.commit()
	manifest.authorisations += [
		a for a in frappe.get_all(AUTHORISATION, pluck="name") if a not in consents_before
	]
	manifest.save()
	if not all(get_organisation(tenant) for tenant in manifest.organisations):
		raise DemoFailed(
			_(
				"The demo's Xero did not connect (see the Error Log). `bench --site SITE xero-crm demo "
				"--remove` undoes what the demo did."
			)
		)


def quote(value: str) -> str:
	from urllib.parse import quote as q

	return q(value, safe="")


# ----------------------------------------------------------------------------------------- live


def live(
	site_url: str | None, interval: float, echo, rounds: int | None = None, customer: str | None = None
) -> int:
	"""Change something in the emulator every `interval` seconds (only `customer`'s invoices, when
	given: the record an admin watches) and deliver it to the site's webhook endpoint, signed with the
	demo's key; until Ctrl-C (or `rounds`). Returns deliveries accepted."""
	import random
	from datetime import date

	from frappe.utils.password import get_decrypted_password

	from xero_crm.emulator.deliveries import deliver
	from xero_crm.emulator.demo_company import CUSTOMERS, LiveChanges
	from xero_crm.emulator.seed import Emulator

	manifest = Manifest.load()
	if not manifest or not _alive(manifest):
		raise DemoRefused(_("No demo is running on this site: run `bench --site SITE xero-crm demo` first."))
	names = [c[0] for c in CUSTOMERS]
	if customer and customer not in names:
		raise DemoRefused(
			_("The demo has no customer {0}. Its customers: {1}.").format(customer, ", ".join(names))
		)
	key = get_decrypted_password(SETTINGS, SETTINGS, "webhook_key")
	endpoint = f"{(site_url or get_url()).rstrip('/')}{WEBHOOK_PATH}"
	frappe.db.commit()  # hold no transaction while the loop runs
	changes = LiveChanges(
		Emulator(manifest.emulator),
		manifest.tenant_id,
		date.fromisoformat(nowdate()),
		random.randrange(10**6),
		customer=customer,
	)
	accepted, turn = 0, 0
	while rounds is None or turn < rounds:
		turn += 1
		change = changes.next()
		try:
			status = deliver(endpoint, key, change.events)
			echo(f"{change.what}  → webhook {status}")
			accepted += status == 200
		except requests.RequestException:
			echo(
				f"{change.what}  → {endpoint} could not be reached: is the site running (bench start)? See --site-url."
			)
		if rounds is None or turn < rounds:
			time.sleep(interval)
	return accepted


# --------------------------------------------------------------------------------------- remove


def remove() -> list[str]:
	"""Delete what the demo made, and nothing else; put Xero Settings and site config back."""
	manifest = Manifest.load()
	if not manifest:
		return [_("There is no demo on this site: nothing was removed.")]
	_stop(manifest.pid)
	for doctype, name in reversed(manifest.records):
		_delete(doctype, name)
	organisations = _drop_organisations(manifest)
	# what reached the webhook endpoint for no organisation while the demo ran (its own are gone)
	frappe.db.delete(
		WEBHOOK_EVENT, {"organisation": ("is", "not set"), "creation": (">=", manifest.started_at)}
	)
	_restore_settings(manifest)
	frappe.db.delete(
		"Version",
		{
			"ref_doctype": ("in", (SETTINGS, ORGANISATION, AUTHORISATION)),
			"creation": (">=", manifest.started_at),
		},
	)
	frappe.db.commit()
	from frappe.installer import update_site_config

	for key, value in manifest.config_before.items():
		update_site_config(key, "None" if value is None else value)
		if value is None:
			frappe.local.conf.pop(key, None)  # update_site_config leaves the string "None" there
	Manifest.path().unlink()
	return [
		_(
			"The demo was removed: {0} records, its {1} Xero organisation(s) with their cached invoices, "
			"and its Xero Settings."
		).format(len(manifest.records), organisations)
	]


def _delete(doctype: str, name: str) -> None:
	if frappe.db.exists(doctype, name):
		frappe.delete_doc(doctype, name, ignore_permissions=True, force=True, delete_permanently=True)
		# delete_doc leaves a "Deleted" line in the activity feed: not the site's, the demo's
		subject = f"{_(doctype)} {name}"
		frappe.db.delete(
			"Comment", {"comment_type": "Deleted", "reference_doctype": doctype, "subject": subject}
		)


def _drop_organisations(manifest: Manifest) -> int:
	"""Delete the demo's organisations (their cache, pins, links and webhook deliveries) and the
	consents that reached them. Returns how many organisations there were."""
	consents = set(manifest.authorisations)
	for tenant in manifest.organisations:
		org = get_organisation(tenant)
		if org and org.authorisation:
			consents.add(org.authorisation)
		forget_organisation(tenant)
		frappe.db.delete(WEBHOOK_EVENT, {"organisation": tenant})
		_delete(ORGANISATION, tenant)
	for consent in sorted(consents):
		forget_tokens(consent)
		_delete(AUTHORISATION, consent)
	dropped = len(manifest.organisations)
	manifest.organisations, manifest.authorisations, manifest.tenant_id = [], [], ""
	return dropped


def _stop(pid: int) -> None:
	"""Stop the demo's Xero (its process group: the peer and xero-local) and wait until it is gone."""
	if not pid:
		return
	try:
		os.killpg(pid, signal.SIGTERM)
	except ProcessLookupError:
		return
	for _i in range(100):
		try:
			if os.waitpid(pid, os.WNOHANG)[0] == pid:
				return  # started by this very process (a test): reaped
		except ChildProcessError:
			pass  # started by an earlier command: init reaps it
		try:
			os.killpg(pid, 0)
		except ProcessLookupError:
			return
		time.sleep(0.1)


def _restore_settings(manifest: Manifest) -> None:
	frappe.db.sql("delete from __Auth where doctype=%s", SETTINGS)
	frappe.db.sql("delete from tabSingles where doctype=%s", SETTINGS)
	rows = dict(manifest.settings_before)
	for df in frappe.get_meta(SETTINGS).fields:  # a field the site had no row for gets its default
		if df.default is not None and df.fieldname not in rows:
			rows[df.fieldname] = df.default
	for fieldname, value in rows.items():
		frappe.db.sql(
			"insert into tabSingles (doctype, field, value) values (%s, %s, %s)", (SETTINGS, fieldname, value)
		)
	frappe.clear_document_cache(SETTINGS, SETTINGS)
