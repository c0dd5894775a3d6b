"""Shared set-up for the benchmarks: xero-local on 127.0.0.1, the peer, a connected client."""

import statistics
import subprocess
import sys
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

import requests

from xero_crm.emulator.process import start_xero_local, stop
from xero_crm.emulator.seed import Emulator
from xero_crm.xero.client import XeroClient
from xero_crm.xero.config import XeroEndpoints
from xero_crm.xero.connect import complete_connection
from xero_crm.xero.oauth import XeroOAuth
from xero_crm.xero.ratelimit import RateLimiter
from xero_crm.xero.tokens import MemoryTokenStore, TokenManager


class PeerProcess:
	"""The peer in its own process: only its URL is needed here."""

	def __init__(self, url: str):
		self.url = url


@contextmanager
def xero_local(snapshot_ttl: float = 0.0):
	url, proc = start_xero_local()
	peer_proc = subprocess.Popen(
		[
			sys.executable,
			"-m",
			"xero_crm.emulator.peer",
			"--upstream",
			url,
			"--snapshot-ttl",
			str(snapshot_ttl),
		],
		stdout=subprocess.PIPE,
		stderr=subprocess.DEVNULL,
		text=True,
	)
	peer = PeerProcess(peer_proc.stdout.readline().strip())
	try:
		yield url, peer, Emulator(url)
	finally:
		stop(peer_proc)
		stop(proc)


def consent(peer) -> tuple:
	"""One consent through the peer's real flow: (its ConnectionResult, a token manager, the endpoints)."""
	endpoints = XeroEndpoints.from_config(
		{
			"xero_authorize_url": f"{peer.url}/identity/connect/authorize",
			"xero_token_url": f"{peer.url}/connect/token",
			"xero_connections_url": f"{peer.url}/connections",
			"xero_api_url": f"{peer.url}/api.xro/2.0",
		}
	)
	oauth = XeroOAuth("bench-client", "bench-secret", "http://127.0.0.1/cb", endpoints)
	redirect = requests.get(oauth.authorization_url("s"), allow_redirects=False, timeout=10)
	code = parse_qs(urlparse(redirect.headers["Location"]).query)["code"][0]
	result = complete_connection(oauth, code)
	return result, TokenManager(MemoryTokenStore(result.tokens), oauth.refresh), endpoints


def connected_client(peer: PeerProcess) -> XeroClient:
	result, manager, endpoints = consent(peer)
	# The benchmark measures our code, not Xero's per-minute limit.
	limiter = RateLimiter(per_minute=10_000, per_day=1_000_000)
	return XeroClient(result.tenants[0].tenant_id, manager, endpoints, limiter=limiter)


def seed_invoices(emulator: Emulator, contact_id: str, n: int, start: int = 0) -> None:
	batch = []
	for i in range(start, start + n):
		batch.append(
			{
				"Type": "ACCREC" if i % 10 else "ACCPAY",
				"Contact": {"ContactID": contact_id},
				"InvoiceNumber": f"INV-{i:06d}",
				"Reference": f"PO {i}",
				"Status": ("AUTHORISED", "AUTHORISED", "PAID", "DRAFT", "VOIDED")[i % 5],
				"CurrencyCode": ("NZD", "NZD", "USD", "AUD")[i % 4],
				"Date": f"20{20 + i % 7}-{1 + i % 12:02d}-{1 + i % 28:02d}",
				"DueDate": f"20{20 + i % 7 + (i % 2)}-{1 + i % 12:02d}-28",
				"Total": float(100 + i % 900),
				"AmountDue": 0.0 if i % 5 == 2 else float(100 + i % 900),
				"AmountPaid": float(100 + i % 900) if i % 5 == 2 else 0.0,
			}
		)
		if len(batch) == 1000:
			emulator.invoices(batch)
			batch = []
	if batch:
		emulator.invoices(batch)


def describe(samples: list[float]) -> dict:
	ordered = sorted(samples)
	return {
		"median_ms": statistics.median(ordered) * 1000,
		"p95_ms": ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000,
		"p99_ms": ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000,
		"n": len(ordered),
	}
