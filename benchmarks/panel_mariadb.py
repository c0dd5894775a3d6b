"""Panel data on a real bench (MariaDB through frappe.qb): 10,000 cached invoices for one Xero
contact, get_invoices + get_summary as the form calls them, against a baseline in the same run that
loads the contact's rows and computes the same totals in Python. Then, in the same run, two
organisations against one: the same 10,000 invoices held by one organisation, and split over two
(half each, a customer of the same name in both, so the record matches a Xero contact in each),
each read by a Customer matched by name, measured interleaved.

    cd ~/frappe-bench/sites && ../env/bin/python /path/to/xero_crm/benchmarks/panel_mariadb.py SITE

Its rows belong to three Xero Organisation rows it makes (`bench-panel-one`, `bench-panel-split-a`,
`bench-panel-split-b`); at the end it removes those organisations with everything cached under them
(cache.forget_organisation), its Contact and Customers, and puts Xero Settings' switch back."""

import os
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from unittest.mock import patch

import frappe

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_site import add_organisation, integration_enabled, remove_organisations

N = 10_000
ONE = "bench-panel-one"  # the Contact measured first, and the Customer "one organisation"
SPLIT = ("bench-panel-split-a", "bench-panel-split-b")  # the Customer "two organisations"
ORGANISATIONS = (
	(ONE, "Bench Panel One", "!BP1"),
	(SPLIT[0], "Bench Panel A", "!BPA"),
	(SPLIT[1], "Bench Panel B", "!BPB"),
)
CONTACT = "bench-panel-contact"  # Xero's id of the contact, the same in every organisation
WHOLE_NAME = "Bench Panel Whole Ltd"  # its name in ONE
SPLIT_NAME = "Bench Panel Split Ltd"  # its name in both SPLIT organisations
VIEWS = ("open", "overdue", "paid", "all")


def seed(organisation: str, contact_name: str, serials: range) -> None:
	"""Through the app's own writer: the contact and its invoices `serials` in one organisation."""
	from xero_crm.cache import frappe_cache
	from xero_crm.xero.records import Invoice, Payment, XeroContact

	cache = frappe_cache(organisation)
	cache.write_contacts([XeroContact(CONTACT, contact_name, "bench-panel@example.com", is_customer=True)])
	start = date(2020, 1, 1)
	batch = []
	for i in serials:
		status = ("AUTHORISED", "AUTHORISED", "PAID", "DRAFT", "VOIDED")[i % 5]
		total = Decimal(100 + i % 900)
		due = Decimal(0) if status == "PAID" else total
		payments = (
			(Payment(f"bp-{i}-1", start, total / 2), Payment(f"bp-{i}-2", start, total / 2))
			if status == "PAID"
			else ()
		)
		batch.append(
			Invoice(
				f"bench-inv-{i}",
				f"BENCH-{i:06d}",
				f"PO {i}",
				"ACCREC",
				CONTACT,
				status,
				start + timedelta(days=i % 2400),
				start + timedelta(days=i % 2400 + 30),
				("NZD", "USD")[i % 2],
				total,
				due,
				total - due,
				Decimal(0),
				None,
				payments,
			)
		)
		if len(batch) == 1000:
			cache.write_invoices(batch)
			batch = []
	cache.write_invoices(batch)
	frappe.db.commit()


def customers() -> dict[str, str]:
	"""The two Customers of the comparison, matched by name (ERPNext's Customer)."""
	made = {}
	for label, customer_name in (("one", WHOLE_NAME), ("two", SPLIT_NAME)):
		doc = frappe.get_doc(
			{"doctype": "Customer", "customer_name": customer_name, "customer_type": "Company"}
		)
		doc.insert(ignore_permissions=True, ignore_mandatory=True)
		made[label] = doc.name
	frappe.db.commit()
	return made


def drop_customers() -> None:
	if not frappe.db.exists("DocType", "Customer"):
		return
	for name in frappe.get_all(
		"Customer", filters={"customer_name": ("in", (WHOLE_NAME, SPLIT_NAME))}, pluck="name"
	):
		frappe.delete_doc("Customer", name, force=True, ignore_permissions=True)
	frappe.db.commit()


def cleanup() -> None:
	"""Everything this benchmark made but its Contact (deleted by name in main): also run first, should
	an earlier run have been killed."""
	remove_organisations([o[0] for o in ORGANISATIONS])
	drop_customers()


def view(doctype: str, name: str, run: int) -> float:
	from xero_crm import api

	started = time.perf_counter()
	api.get_invoices(doctype, name, view=VIEWS[run % len(VIEWS)])
	api.get_summary(doctype, name)
	return time.perf_counter() - started


def p95(samples) -> float:
	ordered = sorted(samples)
	return ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


def med(samples) -> float:
	return statistics.median(samples) * 1000


def single_organisation(contact: str) -> None:
	"""The measurement as before several organisations: a Contact linked by hand to ONE's contact."""
	from xero_crm.redis_stores import bump_generation

	samples, cold, naive = [], [], []
	for run in range(60):
		samples.append(view("Contact", contact, run))
	for run in range(40):  # the first view after every sync: nothing kept
		bump_generation()
		cold.append(view("Contact", contact, run))
	for _ in range(10):
		started = time.perf_counter()
		rows = frappe.get_all(
			"Xero Invoice",
			filters={"xero_contact": f"{ONE}:{CONTACT}"},
			fields=["status", "currency", "amount_paid", "amount_due", "due_date", "invoice_date"],
		)
		totals = {}
		for r in rows:
			if r.status in ("AUTHORISED", "PAID"):
				t = totals.setdefault(r.currency, [Decimal(0), Decimal(0)])
				t[0] += Decimal(r.amount_paid)
				t[1] += Decimal(r.amount_due) if r.status == "AUTHORISED" else 0
		sorted(rows, key=lambda r: r.invoice_date, reverse=True)[:20]
		naive.append(time.perf_counter() - started)
	samples = samples[10:]  # warm-up
	median, base = med(samples), med(naive)
	print(f"panel data on MariaDB, one Xero contact with {N:,} cached invoices ({len(samples)} views)")
	print(
		f"  get_invoices + get_summary: median {median:.1f} ms, p95 {p95(samples):.1f} ms (summary kept between syncs)"
	)
	print(f"  first view after a sync: median {med(cold):.1f} ms, p95 {p95(cold):.1f} ms")
	print(
		f"  baseline, load the contact's rows and total them in Python: median {base:.1f} ms ({base / median:.1f}x)"
	)


def check_comparison(made: dict[str, str]) -> None:
	"""The two records show the same invoices: one organisation's totals equal the two's added up."""
	from xero_crm import api

	one, two = api.get_summary("Customer", made["one"]), api.get_summary("Customer", made["two"])
	assert [o["organisation"] for o in one["organisations"]] == [ONE], one["organisations"]
	assert sorted(o["organisation"] for o in two["organisations"]) == sorted(SPLIT), two["organisations"]
	assert len(two["totals"]) == 2 * len(one["totals"]), (one["totals"], two["totals"])
	assert one["counts"] == two["counts"], (one["counts"], two["counts"])


def two_organisations(made: dict[str, str], rounds: int = 5, warm: int = 12, cold: int = 8) -> None:
	"""The same invoices in one organisation and split over two, the two Customers measured in turn
	(round after round, so drift on a shared machine hits both alike)."""
	from xero_crm.redis_stores import bump_generation

	check_comparison(made)
	samples = {"one": {"warm": [], "cold": []}, "two": {"warm": [], "cold": []}}
	for label in samples:  # warm-up: caches, buffer pool
		for run in range(8):
			view("Customer", made[label], run)
	for n in range(rounds):
		order = ("one", "two") if n % 2 == 0 else ("two", "one")  # neither always goes first
		for label in order:
			for run in range(warm):
				elapsed = view("Customer", made[label], run)
				samples[label]["warm"].append(elapsed)
				samples[label].setdefault(VIEWS[run % len(VIEWS)], []).append(elapsed)
		for label in order:
			for run in range(cold):
				bump_generation()
				samples[label]["cold"].append(view("Customer", made[label], run))
	one, two = samples["one"], samples["two"]
	print(
		f"\ntwo organisations against one: a Customer with the same {N:,} invoices, matched by name"
		f" ({rounds * warm} views kept, {rounds * cold} first views after a sync, each; interleaved)"
	)
	for kind, title in (("warm", "summary kept between syncs"), ("cold", "first view after a sync")):
		print(f"  {title}:")
		print(
			f"    in one organisation:          median {med(one[kind]):.1f} ms, p95 {p95(one[kind]):.1f} ms"
		)
		print(
			f"    split over two organisations: median {med(two[kind]):.1f} ms, p95 {p95(two[kind]):.1f} ms"
		)
		print(
			f"    ratio two/one: median {med(two[kind]) / med(one[kind]):.2f}x, p95 {p95(two[kind]) / p95(one[kind]):.2f}x"
		)
	print(
		"  by view, summary kept (median, one -> two organisations): "
		+ ", ".join(f"{v} {med(one[v]):.1f} -> {med(two[v]):.1f} ms" for v in VIEWS)
	)


def main(site: str) -> None:
	frappe.init(site=site)
	frappe.connect()
	frappe.set_user("Administrator")
	from xero_crm import api

	cleanup()
	contact = frappe.get_doc({"doctype": "Contact", "first_name": "Bench", "last_name": "Panel"}).insert()
	frappe.db.commit()
	try:
		with integration_enabled():
			for tenant_id, name, short_code in ORGANISATIONS:
				add_organisation(tenant_id, name, short_code)
			seed(ONE, WHOLE_NAME, range(N))
			seed(SPLIT[0], SPLIT_NAME, range(N // 2))
			seed(SPLIT[1], SPLIT_NAME, range(N // 2, N))
			api.link_xero_contact("Contact", contact.name, f"{ONE}:{CONTACT}")
			frappe.db.commit()
			with patch("frappe.utils.nowdate", return_value="2026-11-29"):
				single_organisation(contact.name)
				if frappe.db.exists("DocType", "Customer"):
					two_organisations(customers())
				else:
					print(
						"\ntwo organisations against one: SKIPPED (no Customer DocType: ERPNext not installed)"
					)
	finally:
		cleanup()
		frappe.delete_doc("Contact", contact.name, force=True)
		frappe.db.commit()
		left = frappe.db.count("Xero Invoice", {"organisation": ("in", [o[0] for o in ORGANISATIONS])})
		print(f"cleaned up: organisations removed, {left} of their invoices left")
		frappe.destroy()


if __name__ == "__main__":
	main(sys.argv[1] if len(sys.argv) > 1 else "xero-test.localhost")
