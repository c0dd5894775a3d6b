"""Webhook acknowledgement and event-to-cache latency.

    .venv-ci/bin/python -m benchmarks.webhook [--runs 1000]

Ack = what the endpoint does before answering: verify the signature over the raw body, parse, store
the delivery durably (insert + commit), answer. Baseline in the same run: answering only after
processing the delivery (fetching its 50 invoices from the emulator), as an endpoint that did the
Xero calls inside the request would. Then a burst of 1,000 events over 300 invoices: time from the
first delivery to every change being in the cache, and the Xero calls it took."""

import argparse
import json
import tempfile
import time
import uuid
from datetime import UTC, datetime

from benchmarks.common import connected_client, describe, seed_invoices, xero_local
from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.sync import Syncer
from xero_crm.xero.webhooks import Inbox, check_delivery, drain, event_from_dict, event_to_dict, sign

KEY = "benchmark-webhook-key"


def body(ids, tenant):
	now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
	events = [
		{
			"resourceUrl": f"https://api.xero.com/api.xro/2.0/Invoices/{i}",
			"resourceId": i,
			"eventDateUtc": now,
			"eventType": "UPDATE",
			"eventCategory": "INVOICE",
			"tenantId": tenant,
			"tenantType": "ORGANISATION",
		}
		for i in ids
	]
	return json.dumps(
		{"events": events, "firstEventSequence": 1, "lastEventSequence": len(ids), "entropy": "X"}
	).encode()


class SQLiteInbox(Inbox):
	def __init__(self, cache: SQLiteCache):
		self.db = cache.db

	def store(self, delivery) -> None:
		self.db.execute(
			'INSERT INTO "tabXero Webhook Event" (name, status, event_count, events) VALUES (?, ?, ?, ?)',
			(
				uuid.uuid4().hex,
				"Queued",
				len(delivery.events),
				json.dumps([event_to_dict(e) for e in delivery.events]),
			),
		)
		self.db.commit()

	def pending(self, limit):
		rows = self.db.execute(
			'SELECT name, events FROM "tabXero Webhook Event" WHERE status = ? LIMIT ?', ("Queued", limit)
		).fetchall()
		return [(r[0], [event_from_dict(e) for e in json.loads(r[1])]) for r in rows]

	def mark(self, ids, status, error=None):
		self.db.executemany(
			'UPDATE "tabXero Webhook Event" SET status = ? WHERE name = ?', [(status, i) for i in ids]
		)
		self.db.commit()


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--runs", type=int, default=1000)
	args = parser.parse_args()
	with xero_local() as (_url, peer, emulator), tempfile.NamedTemporaryFile(suffix=".sqlite") as db:
		acme = emulator.contact("Acme Widgets Ltd")
		seed_invoices(emulator, acme["ContactID"], 300)
		client = connected_client(peer)
		cache = SQLiteCache(db.name)
		syncer = Syncer(client, cache)
		syncer.full_sync()
		ids = [i["InvoiceID"] for i in emulator.state()["invoices"]]
		tenant = client.tenant_id
		inbox = SQLiteInbox(cache)

		payload = body(ids[:50], tenant)
		signature = sign(payload, KEY)
		acks = []
		for _ in range(args.runs):
			started = time.perf_counter()
			delivery = check_delivery(payload, signature, KEY, tenant)
			inbox.store(delivery)
			acks.append(time.perf_counter() - started)
		assert delivery.accepted and len(delivery.events) == 50
		cache.db.execute('DELETE FROM "tabXero Webhook Event"')

		inline = []
		for _ in range(20):
			started = time.perf_counter()
			delivery = check_delivery(payload, signature, KEY, tenant)
			syncer.refresh(invoice_ids=[e.resource_id for e in delivery.events])
			inline.append(time.perf_counter() - started)

		for n, inv_id in enumerate(ids):  # Xero changes every invoice
			emulator.update_invoice(inv_id, Reference=f"changed {n}")
		stream = (ids * 4)[:1000]
		calls_before = client.calls
		started = time.perf_counter()
		for start in range(0, 1000, 50):
			chunk = body(stream[start : start + 50], tenant)
			inbox.store(check_delivery(chunk, sign(chunk, KEY), KEY, tenant))
		acked = time.perf_counter() - started
		report = drain(inbox, syncer)
		total = time.perf_counter() - started
		refs = {
			r["reference"]
			for r in cache.run(
				cache.tables.query.from_(cache.tables.table("Xero Invoice")).select("reference")
			)
		}
		assert report.invoices == 300 and all(r.startswith("changed") for r in refs)

		a, b = describe(acks), describe(inline)
		print(f"webhook acknowledgement, 50-event delivery ({args.runs} deliveries)")
		print(f"  verify + parse + store + commit: median {a['median_ms']:.2f} ms, p99 {a['p99_ms']:.2f} ms")
		print(
			f"  baseline, processing inside the request: median {b['median_ms']:.1f} ms, p99 {b['p99_ms']:.1f} ms"
		)
		print(
			f"  ratio baseline/ack (median): {b['median_ms'] / a['median_ms']:.0f}x; Xero's limit is 5,000 ms"
		)
		print("burst: 1,000 events over 300 invoices in 20 deliveries")
		print(
			f"  all acknowledged after {acked * 1000:.0f} ms; every change in the cache after {total * 1000:.0f} ms"
		)
		print(
			f"  Xero calls: {client.calls - calls_before} (invoices by IDs=, 50 a call, plus payments since)"
		)


if __name__ == "__main__":
	main()
