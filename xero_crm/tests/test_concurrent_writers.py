"""Bench tier: a full sync and webhook refreshes writing the same invoices at the same time, each in
its own database connection as two workers would. They take turns (the cache writers' lock), so
MariaDB never deadlocks them, and the cache ends equal to Xero's state."""

import threading

import frappe

from xero_crm.cache import forget_organisation, frappe_cache
from xero_crm.connection import make_client
from xero_crm.tests.xero_world import XeroTestCase, connected_world, organisation
from xero_crm.xero.keys import cache_key
from xero_crm.xero.sync import Syncer

N = 300


class TestConcurrentWriters(XeroTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.url, self.peer, self.tenant = connected_world()
		from xero_crm.emulator.seed import Emulator

		self.emulator = Emulator(self.url)
		self.contact = self.emulator.contact("Concurrent Writers (xero_crm test)")
		self.invoices = self.emulator.invoices(
			[
				{
					"Type": "ACCREC",
					"Contact": {"ContactID": self.contact["ContactID"]},
					"InvoiceNumber": f"CONC-{n:04d}",
					"Status": "AUTHORISED",
					"CurrencyCode": "NZD",
					"Date": "2026-11-01",
					"DueDate": "2026-12-01",
					"Total": 10.0,
					"AmountDue": 10.0,
				}
				for n in range(N)
			]
		)
		self.ids = [i["InvoiceID"] for i in self.invoices]  # Xero's: what a refresh asks Xero for
		self.keys = [cache_key(self.tenant, i) for i in self.ids]  # the cache's names for them
		frappe.db.commit()  # the workers' own connections see the connection and nothing else of ours

	def tearDown(self):
		forget_organisation(self.tenant)  # this test's organisation: new with each emulator reset
		frappe.db.commit()

	def test_a_full_sync_and_webhook_refreshes_at_once_never_deadlock_and_lose_nothing(self):
		site, sites_path = frappe.local.site, frappe.local.sites_path
		failures: list[str] = []
		start = threading.Barrier(2)

		def worker(work):
			frappe.init(site=site, sites_path=sites_path)
			frappe.connect()
			frappe.local.conf.update(
				{k: v for k, v in self.conf.items() if k.startswith("xero_")}
			)  # the emulator's URLs, as the test process has them
			try:
				start.wait(timeout=30)
				work(Syncer(make_client(organisation(self.tenant)), frappe_cache(self.tenant)))
			except Exception as e:
				failures.append(f"{type(e).__name__}: {e}")
			finally:
				frappe.destroy()

		def full_syncs(syncer):
			for _ in range(3):
				syncer.full_sync()

		def refreshes(syncer):
			for _ in range(6):
				syncer.refresh(invoice_ids=self.ids)

		self.conf = dict(frappe.local.conf)
		threads = [threading.Thread(target=worker, args=(w,)) for w in (full_syncs, refreshes)]
		for t in threads:
			t.start()
		for t in threads:
			t.join(timeout=300)
		self.assertEqual(failures, [])
		frappe.db.rollback()  # see what the workers committed
		self.assertEqual(frappe.db.count("Xero Invoice", {"name": ("in", self.keys)}), N)
		self.assertEqual(
			sorted(
				frappe.get_all("Xero Invoice", filters={"name": ("in", self.keys)}, pluck="invoice_number")
			),
			[f"CONC-{n:04d}" for n in range(N)],
		)
		self.assertEqual(
			set(frappe.get_all("Xero Invoice", filters={"name": ("in", self.keys)}, pluck="organisation")),
			{self.tenant},
		)
