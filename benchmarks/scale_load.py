"""The panel beside the form it sits on, under load, in the same run: gunicorn with 2 sync workers
serving the site, 50 reps at once (a thread each, its own logged-in session), each opening the same
Customer: Frappe's own form load (frappe.desk.form.load.getdoc) against the panel's two calls
(xero_crm.api.get_invoices + get_summary). Alone first (one rep), then 50 at once, each for a fixed
time; requests a second and latency, and the panel's cost as a fraction of the form's. Then the way the
desk now opens a form: the panel's first view inside the form's own load (xero_crm.panel_onload), what
it adds to the form's getdoc against the same getdoc without it (site config xero_crm_form_panel 0/1,
alternated round by round).

    cd ~/frappe-bench/sites && ../env/bin/python /path/to/xero_crm/benchmarks/scale_load.py SITE [--large]

The Xero contact (10,000 invoices) and its Customer are bulk-loaded as benchmarks/scale_mariadb.py
does, into the Xero Organisation it makes (`xscale-org`; `--large`: and the other 990,000 invoices of
50,000 contacts), with a throw-away user (`xscale-load@example.com`, Sales User) whose sessions the reps
use. gunicorn is started by this script on 127.0.0.1:8010 (XSCALE_PORT) and stopped by it; everything
inserted is deleted at the end, the organisation too, and Xero Settings' switch is put back as it was.
XSCALE_INVOICES and XSCALE_CONTACTS size `--large` as they size scale_mariadb.py."""

import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from unittest.mock import patch

import frappe
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scale_mariadb as scale
from bench_site import integration_enabled

PORT = int(os.environ.get("XSCALE_PORT", 8010))  # another free port where benches share a machine
USER = "xscale-load@example.com"
REPS = 50
SECONDS = 20


def start_gunicorn(site_dir: str) -> subprocess.Popen:
	gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
	proc = subprocess.Popen(
		[gunicorn, "-b", f"127.0.0.1:{PORT}", "-w", "2", "-t", "120", "frappe.app:application", "--preload"],
		cwd=site_dir,
		stdout=subprocess.DEVNULL,
		stderr=subprocess.DEVNULL,
		start_new_session=True,
	)
	for _ in range(120):
		try:
			requests.get(f"http://127.0.0.1:{PORT}/api/method/ping", timeout=2)
			return proc
		except requests.RequestException:
			time.sleep(0.5)
	stop(proc)
	raise RuntimeError("gunicorn did not answer")


def stop(proc: subprocess.Popen) -> None:
	if proc.poll() is None:
		os.killpg(proc.pid, signal.SIGTERM)
		try:
			proc.wait(15)
		except subprocess.TimeoutExpired:
			os.killpg(proc.pid, signal.SIGKILL)
			proc.wait()


def session(site: str, password: str) -> requests.Session:
	s = requests.Session()
	s.headers["Host"] = site
	r = s.post(f"http://127.0.0.1:{PORT}/api/method/login", data={"usr": USER, "pwd": password}, timeout=30)
	r.raise_for_status()
	return s


def form(s: requests.Session, customer: str) -> None:
	r = s.get(
		f"http://127.0.0.1:{PORT}/api/method/frappe.desk.form.load.getdoc",
		params={"doctype": "Customer", "name": customer},
		timeout=120,
	)
	if r.status_code != 200:
		raise RuntimeError(f"getdoc {r.status_code}: {r.text[:400]}")


def panel(s: requests.Session, customer: str) -> None:
	for method in ("get_invoices", "get_summary"):
		r = s.get(
			f"http://127.0.0.1:{PORT}/api/method/xero_crm.api.{method}",
			params={"doctype": "Customer", "name": customer},
			timeout=120,
		)
		r.raise_for_status()
		assert "exc" not in r.json(), r.text[:300]


def form_has_panel(s: requests.Session, customer: str) -> bool:
	r = s.get(
		f"http://127.0.0.1:{PORT}/api/method/frappe.desk.form.load.getdoc",
		params={"doctype": "Customer", "name": customer},
		timeout=120,
	)
	return "xero_panel" in (r.json()["docs"][0].get("__onload") or {})


def form_panel(on: bool | None) -> None:
	"""Site config xero_crm_form_panel: the panel's first view in the form's load, or not (read by
	every request: the gunicorn workers follow it at once); None: the key removed, as it was."""
	from frappe.installer import update_site_config

	update_site_config("xero_crm_form_panel", "None" if on is None else (1 if on else 0))


def ping(s: requests.Session, _customer: str) -> None:
	s.get(f"http://127.0.0.1:{PORT}/api/method/ping", timeout=120).raise_for_status()


def load(sessions, action, customer: str, seconds: float) -> dict:
	samples, errors = [], []
	stop_at = time.perf_counter() + seconds
	lock = threading.Lock()

	def rep(s):
		while time.perf_counter() < stop_at:
			started = time.perf_counter()
			try:
				action(s, customer)
			except Exception as e:  # counted, not fatal
				with lock:
					errors.append(repr(e)[:120])
				continue
			with lock:
				samples.append(time.perf_counter() - started)

	threads = [threading.Thread(target=rep, args=(s,)) for s in sessions]
	started = time.perf_counter()
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	wall = time.perf_counter() - started
	ordered = sorted(samples)
	return {
		"per_s": len(samples) / wall,
		"median_ms": statistics.median(ordered) * 1000 if ordered else float("nan"),
		"p95_ms": ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000 if ordered else float("nan"),
		"n": len(samples),
		"errors": len(errors),
		"first_error": errors[0] if errors else None,
	}


def alone(s, action, customer: str, runs: int = 40) -> dict:
	action(s, customer)  # warm-up
	samples = scale.timed(lambda: action(s, customer), runs)
	return {"median_ms": scale.med(samples), "p95_ms": scale.p95(samples), "n": runs}


def make_user(password: str) -> None:
	if frappe.db.exists("User", USER):
		frappe.delete_doc("User", USER, force=True, ignore_permissions=True)
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": USER,
			"first_name": "Xscale Load",
			"send_welcome_email": 0,
			"simultaneous_sessions": REPS + 5,
			"new_password": password,
			"roles": [{"role": "Sales User"}],
		}
	)
	user.insert(ignore_permissions=True)
	frappe.db.commit()


def drop_user() -> None:
	"""The user is no System Manager, but Frappe refuses to delete any user on a site whose only
	System Manager is Administrator (a fresh one): its check is skipped for this user only."""
	from frappe.core.doctype.user.user import User

	frappe.db.delete("Sessions", {"user": USER})
	if frappe.db.exists("User", USER):
		assert "System Manager" not in frappe.get_roles(USER)
		with patch.object(User, "a_system_manager_should_exist", lambda self: None):
			frappe.delete_doc("User", USER, force=True, ignore_permissions=True)
	frappe.db.commit()


FISCAL_YEAR = "Xscale 2026"


def make_fiscal_year() -> None:
	"""ERPNext's Customer form (its dashboard) needs a fiscal year holding today; a site without one
	gets a 417 from getdoc. One for the run, removed at the end."""
	if frappe.db.exists("DocType", "Fiscal Year") and not frappe.db.exists("Fiscal Year", FISCAL_YEAR):
		today = frappe.utils.getdate()
		frappe.get_doc(
			{
				"doctype": "Fiscal Year",
				"year": FISCAL_YEAR,
				"year_start_date": f"{today.year}-01-01",
				"year_end_date": f"{today.year}-12-31",
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()


def drop_fiscal_year() -> None:
	if frappe.db.exists("DocType", "Fiscal Year") and frappe.db.exists("Fiscal Year", FISCAL_YEAR):
		frappe.delete_doc("Fiscal Year", FISCAL_YEAR, force=True, ignore_permissions=True)
		frappe.db.commit()


def seed(large: bool) -> str:
	scale.make_organisation()
	others = [(scale.gid(), f"Xscale Contact {n:05d} Ltd", n) for n in range(1, scale.TOTAL_CONTACTS)]
	scale.contact_rows([(scale.BIG, scale.BIG_NAME, 0)])
	scale.invoice_rows([(scale.BIG, i) for i in range(scale.BIG_N)])
	scale.credit_rows([scale.BIG], 100)
	if large:
		scale.contact_rows(others)
		rest = scale.TOTAL_INVOICES - scale.BIG_N
		for chunk in range(0, rest, 100_000):
			scale.invoice_rows(
				[
					(others[i % len(others)][0], scale.BIG_N + i)
					for i in range(chunk, min(rest, chunk + 100_000))
				]
			)
		scale.credit_rows([c[0] for c in others], 1)
	return scale.customers([scale.BIG_NAME])[0]


def report(label: str, a: dict, b: dict, unit: str = "") -> None:
	print(
		f"  {label:<34} form {a['median_ms']:7.1f} ms (p95 {a['p95_ms']:.0f}){unit}"
		f" | panel {b['median_ms']:7.1f} ms (p95 {b['p95_ms']:.0f})"
		f" | panel/form latency {b['median_ms'] / a['median_ms']:.2f}x"
	)


def measure(site: str, password: str, customer: str, large: bool) -> None:
	sessions = [session(site, password) for _ in range(REPS)]
	summary = (
		sessions[0]
		.get(
			f"http://127.0.0.1:{PORT}/api/method/xero_crm.api.get_summary",
			params={"doctype": "Customer", "name": customer},
			timeout=120,
		)
		.json()["message"]
	)
	# the panel a rep sees: connected, the Customer matched in the organisation, its invoices counted
	assert summary["connected"] and summary["is_customer"], summary
	assert [o["organisation"] for o in summary["organisations"]] == [scale.TENANT], summary
	print(
		f"panel beside its form, gunicorn -w 2 (sync), Customer {customer!r} with {scale.BIG_N:,} invoices"
		f" in an organisation of {scale.TOTAL_INVOICES if large else scale.BIG_N:,}"
	)
	form_panel(False)  # the form as it loads without the panel's first view: the panel asks, two calls
	one = {"form": alone(sessions[0], form, customer), "panel": alone(sessions[0], panel, customer)}
	report("one rep at a time", one["form"], one["panel"])
	one["ping"] = alone(sessions[0], ping, customer)
	print(
		f"  {'':<34} (a logged-in GET /api/method/ping: {one['ping']['median_ms']:.1f} ms, what any call costs"
		" before its own work; the panel makes two calls)"
	)
	rounds = []
	for n in range(3):  # alternated, so drift on a shared machine hits both alike
		f = load(sessions, form, customer, SECONDS)
		p = load(sessions, panel, customer, SECONDS)
		rounds.append((f, p))
		report(f"{REPS} reps at once, round {n + 1}", f, p)
		print(
			f"  {'':<34} form {f['per_s']:.1f}/s, panel views {p['per_s']:.1f}/s (2 calls each);"
			f" errors {f['errors']}/{p['errors']} {f['first_error'] or p['first_error'] or ''}"
		)
	ratio = statistics.median(p["median_ms"] / f["median_ms"] for f, p in rounds)
	thr = statistics.median(f["per_s"] / p["per_s"] for f, p in rounds)
	print(
		f"  median of rounds under load: panel/form latency {ratio:.2f}x; throughput form/s over panel views/s"
		f" {thr:.2f} (a panel view costs {thr:.2f}x a form load's server time); alone"
		f" {one['panel']['median_ms'] / one['form']['median_ms']:.2f}x (goal <= 0.2x)"
	)
	onload(sessions, customer)


def onload(sessions, customer: str) -> None:
	"""The panel's first view in the form's own load (xero_crm.panel_onload): what it adds to the
	form's load, against the same form without it, alternated; the panel then makes no call."""
	form_panel(False)
	assert not form_has_panel(sessions[0], customer)
	form_panel(True)
	assert form_has_panel(sessions[0], customer)
	print("the first view in the form's load: getdoc with it against getdoc without it")
	alone_on, alone_off = [], []
	for _ in range(3):
		form_panel(False)
		alone_off.append(alone(sessions[0], form, customer, runs=20)["median_ms"])
		form_panel(True)
		alone_on.append(alone(sessions[0], form, customer, runs=20)["median_ms"])
	off, on = statistics.median(alone_off), statistics.median(alone_on)
	print(
		f"  one rep at a time: form {off:.1f} ms without, {on:.1f} ms with: the panel adds {(on - off) / off:.2f}x"
	)
	added = []
	for n in range(3):
		form_panel(False)
		f = load(sessions, form, customer, SECONDS)
		form_panel(True)
		w = load(sessions, form, customer, SECONDS)
		added.append(w["median_ms"] / f["median_ms"] - 1)
		print(
			f"  {REPS} reps at once, round {n + 1}: form {f['median_ms']:.1f} ms ({f['per_s']:.1f}/s) without,"
			f" {w['median_ms']:.1f} ms ({w['per_s']:.1f}/s) with; errors {f['errors']}/{w['errors']}"
		)
	print(
		f"  median of rounds: the panel adds {statistics.median(added):.2f}x to the form's load under load,"
		f" {(on - off) / off:.2f}x alone (goal <= 0.2x)"
	)


def main(site: str, large: bool) -> None:
	frappe.init(site=site)
	frappe.connect()
	frappe.set_user("Administrator")
	password = secrets.token_urlsafe(18)
	proc = None
	try:
		scale.cleanup()
		drop_user()
		customer = seed(large)
		make_user(password)
		make_fiscal_year()
		frappe.db.commit()
		with integration_enabled():  # the panel's data as a connected site serves it
			proc = start_gunicorn(os.getcwd())
			measure(site, password, customer, large)
	finally:
		form_panel(None)
		if proc is not None:
			stop(proc)
		scale.cleanup()
		drop_user()
		drop_fiscal_year()
		left = frappe.db.sql("SELECT COUNT(*) FROM `tabXero Invoice` WHERE name LIKE 'xscale-%%'")[0][0]
		print(
			f"cleaned up: gunicorn stopped, {left} xscale invoices left, user removed,"
			f" organisation left: {bool(frappe.db.exists('Xero Organisation', scale.TENANT))}"
		)
		frappe.destroy()


if __name__ == "__main__":
	with patch("frappe.utils.nowdate", return_value=scale.TODAY):
		main(sys.argv[1] if len(sys.argv) > 1 else "xero-docs.localhost", "--large" in sys.argv)
