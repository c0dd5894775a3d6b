"""Two Xero organisations side by side, against one, in the same run.

One customer, "Acme Widgets Ltd", in each of two organisations, N/2 invoices in each: the initial
sync of both (calls and time per organisation), then the panel data (get_invoices + get_summary) of a
record matching both, against the same N invoices held by one organisation (the baseline: one
grouped pass instead of one per organisation).

    .venv-ci/bin/python -m benchmarks.two_organisations [--invoices 10000] [--runs 50]
"""

import argparse
import logging
import tempfile
import time
from datetime import date

from benchmarks.common import consent, describe, seed_invoices
from tests.sqlite_cache import SQLiteCache
from xero_crm.emulator.peer import XeroPeer
from xero_crm.emulator.process import start_xero_local, stop
from xero_crm.emulator.seed import Emulator
from xero_crm.xero.cache_writer import CacheWriter
from xero_crm.xero.client import XeroClient
from xero_crm.xero.keys import cache_key
from xero_crm.xero.panel import OrgInfo, Panel, parse_list_args
from xero_crm.xero.ratelimit import RateLimiter
from xero_crm.xero.records import parse_contact, parse_invoice
from xero_crm.xero.sync import Syncer, full_sync_calls

TODAY = date(2026, 11, 29)
VIEWS = ("open", "overdue", "paid", "all")


def clients_of(peer: XeroPeer) -> dict[str, XeroClient]:
	"""One consent for both organisations; a client each (their own rate limiter, as in the app)."""
	result, manager, endpoints = consent(peer)
	return {
		t.tenant_id: XeroClient(
			t.tenant_id, manager, endpoints, limiter=RateLimiter(per_minute=10_000, per_day=1_000_000)
		)
		for t in result.authorised_tenants
	}


def panel_views(panel: Panel, contacts: tuple[str, ...], runs: int) -> list[float]:
	samples = []
	for run in range(runs):
		started = time.perf_counter()
		panel.invoices(contacts, parse_list_args(view=VIEWS[run % len(VIEWS)]), ())
		panel.summary(contacts, ())
		samples.append(time.perf_counter() - started)
	return samples


def main() -> None:
	logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the peer runs in this process
	parser = argparse.ArgumentParser()
	parser.add_argument("--invoices", type=int, default=10_000)
	parser.add_argument("--runs", type=int, default=50)
	args = parser.parse_args()
	half = args.invoices // 2

	url, proc = start_xero_local()
	peer = XeroPeer(url)
	try:
		emulator = Emulator(url)
		second = peer.add_tenant("Beta Widgets Pty Ltd", "!Bw7Q2", "NZD")
		acme = {}
		for tenant, seed in ((emulator.tenant_id(), emulator), (second, emulator.in_tenant(second))):
			acme[tenant] = seed.contact("Acme Widgets Ltd", "accounts@acme.example")
			seed_invoices(seed, acme[tenant]["ContactID"], half)
		clients = clients_of(peer)

		with tempfile.TemporaryDirectory() as tmp:
			both = SQLiteCache(f"{tmp}/both.sqlite")
			print(f"two organisations, {half:,} invoices each, synced side by side into one cache")
			for n, (tenant, client) in enumerate(clients.items(), start=1):
				started = time.perf_counter()
				report = Syncer(client, CacheWriter(both.store, tenant)).full_sync()
				print(
					f"  initial sync of organisation {n}: {report.invoices:,} invoices, {client.calls} calls "
					f"of its own day's budget, {time.perf_counter() - started:.1f} s"
				)
			print(
				f"  both: {sum(c.calls for c in clients.values())} calls; one organisation of "
				f"{args.invoices:,} would make {full_sync_calls(1, args.invoices, 0)}"
			)

			# the baseline: the same invoices held by one organisation
			one = SQLiteCache(f"{tmp}/one.sqlite")
			writer = CacheWriter(one.store, "solo")
			rows = both.db.execute('SELECT name FROM "tabXero Invoice"').fetchall()
			assert len(rows) == 2 * half
			for client in clients.values():
				contacts = [r for p in client.iter_pages("Contacts") for r in p.records]
				writer.write_contacts([parse_contact({**c, "ContactID": "acme"}) for c in contacts[:1]])
				invoices = [r for p in client.iter_pages("Invoices") for r in p.records]
				writer.write_invoices(
					[parse_invoice({**i, "Contact": {"ContactID": "acme"}}) for i in invoices]
				)
			assert one.count("Xero Invoice") == 2 * half

			names = {t: OrgInfo(t, f"Org {n}", f"!O{n}") for n, t in enumerate(clients)}
			two_orgs = Panel(both.run, both.tables, TODAY, organisations=names)
			solo = Panel(one.run, one.tables, TODAY, organisations={"solo": OrgInfo("solo", "Solo", "!S")})
			record_two = tuple(cache_key(t, acme[t]["ContactID"]) for t in clients)
			record_one = (cache_key("solo", "acme"),)
			assert (
				len(two_orgs.summary(record_two, ())["totals"])
				>= 2 * len(solo.summary(record_one, ())["totals"]) - 1
			)
			# interleaved, so both see the same machine
			a, b = [], []
			for _ in range(2):
				a += panel_views(solo, record_one, args.runs // 2)
				b += panel_views(two_orgs, record_two, args.runs // 2)
			one_d, two_d = describe(a), describe(b)
			print(
				f"panel data (get_invoices + get_summary) of a record with {args.invoices:,} invoices ({args.runs} views)"
			)
			print(
				f"  in one organisation:       median {one_d['median_ms']:.1f} ms, p95 {one_d['p95_ms']:.1f} ms"
			)
			print(
				f"  split over two organisations: median {two_d['median_ms']:.1f} ms, p95 {two_d['p95_ms']:.1f} ms"
			)
			print(f"  ratio two/one (median): {two_d['median_ms'] / one_d['median_ms']:.2f}x")
	finally:
		peer.stop()
		stop(proc)


if __name__ == "__main__":
	main()
