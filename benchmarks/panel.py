"""Panel data (get_invoices + get_summary) for a Xero contact with 10,000 cached invoices, against
fetching the same invoices live from the emulator, in one run.

    .venv-ci/bin/python -m benchmarks.panel [--invoices 10000] [--runs 50]
"""

import argparse
import tempfile
import time
from datetime import date

import requests

from benchmarks.common import connected_client, describe, seed_invoices, xero_local
from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.panel import Panel, parse_list_args
from xero_crm.xero.sync import Syncer


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--invoices", type=int, default=10_000)
	parser.add_argument("--runs", type=int, default=50)
	args = parser.parse_args()

	with xero_local() as (url, peer, emulator), tempfile.NamedTemporaryFile(suffix=".sqlite") as db:
		acme = emulator.contact("Acme Widgets Ltd")
		seed_invoices(emulator, acme["ContactID"], args.invoices)
		cache = SQLiteCache(db.name)
		client = connected_client(peer)
		Syncer(client, cache).full_sync()
		calls_before = client.calls
		panel = Panel(cache.run, cache.tables, date(2026, 11, 29), "!aB3xY")
		contact = (acme["ContactID"],)

		cached = []
		for run in range(args.runs):
			view = ("open", "overdue", "paid", "all")[run % 4]
			started = time.perf_counter()
			panel.invoices(contact, parse_list_args(view=view), ())
			panel.summary(contact, ())
			cached.append(time.perf_counter() - started)

		# Baseline: what a panel that asked Xero on every view would pay (the emulator's own paging).
		live = []
		http = requests.Session()
		headers = {"Authorization": "Bearer x", "Xero-Tenant-Id": client.tenant_id}
		for _ in range(max(3, args.runs // 10)):
			started = time.perf_counter()
			page, fetched = 1, 0
			while True:
				body = http.get(
					f"{url}/api.xro/2.0/Invoices",
					params={"ContactIDs": acme["ContactID"], "page": page},
					headers=headers,
					timeout=120,
				).json()
				fetched += len(body["Invoices"])
				if page >= body["pagination"]["pageCount"]:
					break
				page += 1
			live.append(time.perf_counter() - started)
		assert fetched == args.invoices

		c, lv = describe(cached), describe(live)
		print(f"panel data for one Xero contact with {args.invoices:,} cached invoices ({args.runs} views)")
		print(
			f"  cache (get_invoices + get_summary): median {c['median_ms']:.1f} ms, p95 {c['p95_ms']:.1f} ms"
		)
		print(
			f"  live fetch from xero-local ({page} pages): median {lv['median_ms']:.0f} ms, p95 {lv['p95_ms']:.0f} ms"
		)
		print(f"  ratio live/cache (median): {lv['median_ms'] / c['median_ms']:.0f}x")
		print(f"  Xero calls per panel view: {client.calls - calls_before}")


if __name__ == "__main__":
	main()
