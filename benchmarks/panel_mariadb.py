"""Panel data on a real bench (MariaDB through frappe.qb): 10,000 cached invoices for one Xero
contact, get_invoices + get_summary as the form calls them, against a baseline in the same run that
loads the contact's rows and computes the same totals in Python.

    cd ~/frappe-bench/sites && ../env/bin/python /path/to/xero_crm/benchmarks/panel_mariadb.py SITE

It inserts its own rows (contact id `bench-panel-contact`) and deletes them afterwards."""

import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from unittest.mock import patch

import frappe

CONTACT = "bench-panel-contact"
N = 10_000


def seed():
	from xero_crm.cache import frappe_cache
	from xero_crm.xero.records import Invoice, Payment, XeroContact

	cache = frappe_cache()
	cache.write_contacts(
		[XeroContact(CONTACT, "Bench Panel Ltd", "bench-panel@example.com", is_customer=True)]
	)
	start = date(2020, 1, 1)
	batch = []
	for i in range(N):
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
	frappe.db.commit()


def cleanup():
	ids = [f"bench-inv-{i}" for i in range(N)]
	for start in range(0, N, 1000):
		frappe.db.delete("Xero Invoice Payment", {"parent": ("in", ids[start : start + 1000])})
		frappe.db.delete("Xero Invoice", {"name": ("in", ids[start : start + 1000])})
	frappe.db.delete("Xero Contact", {"name": CONTACT})
	frappe.db.delete("Xero Contact Link", {"xero_contact": CONTACT})
	frappe.db.commit()


def main(site: str) -> None:
	frappe.init(site=site)
	frappe.connect()
	frappe.set_user("Administrator")
	from xero_crm import api

	contact = frappe.get_doc({"doctype": "Contact", "first_name": "Bench", "last_name": "Panel"}).insert()
	try:
		seed()
		api.link_xero_contact("Contact", contact.name, CONTACT)
		from xero_crm.redis_stores import bump_generation

		samples, cold, naive = [], [], []
		with patch("frappe.utils.nowdate", return_value="2026-11-29"):
			for run in range(60):
				view = ("open", "overdue", "paid", "all")[run % 4]
				started = time.perf_counter()
				api.get_invoices("Contact", contact.name, view=view)
				api.get_summary("Contact", contact.name)
				samples.append(time.perf_counter() - started)
			for run in range(40):  # the first view after every sync: nothing kept
				bump_generation()
				view = ("open", "overdue", "paid", "all")[run % 4]
				started = time.perf_counter()
				api.get_invoices("Contact", contact.name, view=view)
				api.get_summary("Contact", contact.name)
				cold.append(time.perf_counter() - started)
			for _ in range(10):
				started = time.perf_counter()
				rows = frappe.get_all(
					"Xero Invoice",
					filters={"xero_contact": CONTACT},
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
		ordered = sorted(samples)
		median = statistics.median(ordered) * 1000
		p95 = ordered[int(len(ordered) * 0.95) - 1] * 1000
		base = statistics.median(naive) * 1000
		print(f"panel data on MariaDB, one Xero contact with {N:,} cached invoices ({len(samples)} views)")
		cold_sorted = sorted(cold)
		print(
			f"  get_invoices + get_summary: median {median:.1f} ms, p95 {p95:.1f} ms (summary kept between syncs)"
		)
		print(
			f"  first view after a sync: median {statistics.median(cold_sorted) * 1000:.1f} ms, "
			f"p95 {cold_sorted[int(len(cold_sorted) * 0.95) - 1] * 1000:.1f} ms"
		)
		print(
			f"  baseline, load the contact's rows and total them in Python: median {base:.1f} ms ({base / median:.1f}x)"
		)
	finally:
		cleanup()
		frappe.delete_doc("Contact", contact.name, force=True)
		frappe.db.commit()
		frappe.destroy()


if __name__ == "__main__":
	main(sys.argv[1] if len(sys.argv) > 1 else "xero-test.localhost")
