"""Initial sync: Xero calls, wall time and peak Python memory for N invoices, at two sizes, to
show calls ≈ N / page size and memory flat in N (pages are streamed to the cache).

    .venv-ci/bin/python -m benchmarks.initial_sync [--sizes 10000 50000]
"""

import argparse
import tempfile
import time
import tracemalloc

from benchmarks.common import connected_client, seed_invoices, xero_local
from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.sync import Syncer


def run(n: int) -> dict:
	# The peer re-reads the emulator once per sync, not once per page.
	with (
		xero_local(snapshot_ttl=600) as (_url, peer, emulator),
		tempfile.NamedTemporaryFile(suffix=".sqlite") as db,
	):
		contacts = [emulator.contact(f"Customer {i}")["ContactID"] for i in range(5)]
		per = n // len(contacts)
		for k, contact in enumerate(contacts):
			seed_invoices(emulator, contact, per, start=k * per)
		client = connected_client(peer)
		cache = SQLiteCache(db.name)  # on disk: SQLite's pages are not Python memory
		tracemalloc.start()
		started = time.perf_counter()
		report = Syncer(client, cache).full_sync()
		wall = time.perf_counter() - started
		_current, peak = tracemalloc.get_traced_memory()
		tracemalloc.stop()
		assert report.invoices == per * len(contacts) == cache.count("Xero Invoice")
		return {"n": report.invoices, "calls": client.calls, "wall_s": wall, "peak_mb": peak / 2**20}


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
	args = parser.parse_args()
	rows = [run(n) for n in args.sizes]
	print("initial sync (contacts + invoices + payments), pageSize=1000")
	print(f"  {'invoices':>9} {'Xero calls':>10} {'wall s':>8} {'peak MiB':>9} {'invoices/s':>10}")
	for r in rows:
		print(
			f"  {r['n']:>9,} {r['calls']:>10} {r['wall_s']:>8.1f} {r['peak_mb']:>9.1f} {r['n'] / r['wall_s']:>10,.0f}"
		)
	if len(rows) > 1:
		a, b = rows[0], rows[-1]
		print(
			f"  N x{b['n'] / a['n']:.0f}: calls x{b['calls'] / a['calls']:.1f}, peak memory x{b['peak_mb'] / a['peak_mb']:.2f}"
		)
		print(f"  at Xero's default 100 a page, {b['n']:,} invoices would take {b['n'] // 100 + 2} calls")


if __name__ == "__main__":
	main()
