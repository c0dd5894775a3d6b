"""A small local HTTP peer in front of xero-local, for what the emulator lacks.

xero-local (PyPI `localstack-xero`) holds the data and serves the real requests. This peer forwards
every request to it over HTTP and adds only what it does not do:
- `/Organisation` (name, ShortCode, base currency) and `/connect/revocation`;
- an id_token carrying the consenting user's email on `/connect/token`, and a scripted
  `invalid_grant`; a count of token requests (the single-flight test reads it);
- on GET Invoices/Contacts/Payments: `IDs=`, `pageSize`, `page` and `If-Modified-Since`, which the
  emulator ignores (it pages by a fixed 100), applied to the emulator's own state;
- faults on cue: 429 with Retry-After, 5xx, slow answers, reset connections, truncated JSON.
- a silent endpoint on cue (no answer for as long as asked, and then no token either).
"""

import base64
import json
import math
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

API = "/api.xro/2.0"


@dataclass
class Fault:
	path: str  # a request whose path starts with this gets the fault
	status: int = 500
	headers: dict = field(default_factory=dict)
	body: str = ""
	delay: float = 0.0  # seconds to wait, then forward normally (a slow Xero)
	action: str = "status"  # status | slow | reset | truncate
	# silent: read the request and say nothing for `delay` seconds (it is never served)


@dataclass
class Seen:
	method: str
	path: str
	args: dict
	headers: dict


def make_id_token(email: str, given: str = "Ada", family: str = "Admin") -> str:
	def part(obj):
		return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

	claims = {"email": email, "given_name": given, "family_name": family, "xero_userid": "user-1"}
	return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


class XeroPeer:
	def __init__(self, upstream: str, port: int = 0):
		self.upstream = upstream.rstrip("/")
		self.faults: list[Fault] = []
		self.seen: list[Seen] = []
		self.token_requests: list[dict] = []
		self.revoked: list[str] = []
		self.token_error: str | None = None  # e.g. "invalid_grant"
		self.token_delay = 0.0
		self.user_email = "ada.admin@example.com"
		self.organisation = {"Name": None, "ShortCode": "!aB3xY", "BaseCurrency": "NZD"}
		# Benchmarks only: reuse the emulator's state for this long between list pages (0 = never).
		self.snapshot_ttl = 0.0
		# Xero embeds each payment's Date and Amount in an invoice; xero-local embeds only the id.
		self.embed_payment_details = False
		self._snapshot: tuple[float, dict] | None = None
		self._lock = threading.Lock()
		self._http = requests.Session()
		self._server = make_server("127.0.0.1", port, self._wsgi, threaded=True)
		self.url = f"http://127.0.0.1:{self._server.server_port}"
		self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
		self._thread.start()

	def stop(self):
		self._server.shutdown()

	def clear(self):
		with self._lock:
			self.faults.clear()
			self.seen.clear()
			self.token_requests.clear()
			self.revoked.clear()
			self.token_error = None
			self.token_delay = 0.0
			self.embed_payment_details = False

	def count(self, path_prefix: str, method: str = "GET") -> int:
		return sum(1 for s in self.seen if s.path.startswith(path_prefix) and s.method == method)

	# ---------------------------------------------------------------- WSGI

	def _wsgi(self, environ, start_response):
		request = Request(environ)
		with self._lock:
			self.seen.append(Seen(request.method, request.path, dict(request.args), dict(request.headers)))
			fault = next((f for f in self.faults if request.path.startswith(f.path)), None)
			if fault:
				self.faults.remove(fault)
		if fault:
			if fault.action == "reset":
				_reset(environ)
				return []
			if fault.action == "silent":
				time.sleep(fault.delay)
				return Response("", 504)(environ, start_response)  # too late: the client gave up
			if fault.action == "slow":
				time.sleep(fault.delay)
			elif fault.action == "truncate":
				good = self._route(request)
				body = good.get_data()[: max(1, len(good.get_data()) // 2)]
				return Response(body, 200, mimetype="application/json")(environ, start_response)
			else:
				return Response(fault.body, fault.status, headers=fault.headers)(environ, start_response)
		return self._route(request)(environ, start_response)

	def _route(self, request: Request) -> Response:
		path = request.path
		if path == "/connect/token":
			return self._token(request)
		if path == "/connect/revocation":
			self.revoked.append(request.form.get("token", ""))
			return Response("", 200)
		if path == f"{API}/Organisation":
			return self._json({"Organisations": [self._org()]})
		if path == "/Connections":  # the SDK asks with a capital C; Xero matches case-insensitively
			return self._forward(request, path="/connections")
		if request.method == "GET" and path in (f"{API}/Invoices", f"{API}/Contacts", f"{API}/Payments"):
			return self._list(request, path.rsplit("/", 1)[1])
		return self._forward(request)

	def _token(self, request: Request) -> Response:
		with self._lock:
			self.token_requests.append(dict(request.form))
		if self.token_delay:
			time.sleep(self.token_delay)
		if self.token_error:
			return self._json({"error": self.token_error}, 400)
		upstream = self._http.post(f"{self.upstream}/connect/token", data=request.form, timeout=10)
		data = upstream.json()
		data["id_token"] = make_id_token(self.user_email)
		return self._json(data, upstream.status_code)

	def _org(self) -> dict:
		tenant = self._http.get(f"{self.upstream}/_xero/state", timeout=30).json()["tenant"]
		return {
			"OrganisationID": tenant["tenantId"],
			"Name": self.organisation["Name"] or tenant["tenantName"],
			"ShortCode": self.organisation["ShortCode"],
			"BaseCurrency": self.organisation["BaseCurrency"],
		}

	def _list(self, request: Request, resource: str) -> Response:
		if not request.headers.get("Authorization", "").startswith("Bearer "):
			return self._json({"error": "unauthorized"}, 401)
		state = self._state()
		records = _filtered(state[LISTS[resource][0]], LISTS[resource][1], request)
		if resource == "Invoices":
			self._embed(records, state)
		size = min(1000, int(request.args.get("pageSize") or 100))
		page = max(1, int(request.args.get("page") or 1))
		chunk = records[(page - 1) * size : page * size]
		pagination = {
			"page": page,
			"pageSize": size,
			"pageCount": max(1, math.ceil(len(records) / size)),
			"itemCount": len(records),
		}
		return self._json({"Status": "OK", resource: chunk, "pagination": pagination})

	def _embed(self, invoices: list[dict], state: dict) -> None:
		"""The contact in full, and (when asked) each payment's Date and Amount, as Xero embeds them."""
		contacts = {c["ContactID"]: c for c in state["contacts"]}
		payments = {p["PaymentID"]: p for p in state["payments"]}
		for r in invoices:
			cid = (r.get("Contact") or {}).get("ContactID")
			if cid in contacts:
				r["Contact"] = contacts[cid]
			if self.embed_payment_details:
				r["Payments"] = [
					{k: payments[p["PaymentID"]][k] for k in ("PaymentID", "Date", "Amount", "CurrencyRate")}
					for p in r.get("Payments") or []
					if payments.get(p["PaymentID"], {}).get("Status") != "DELETED"
				]

	def _state(self) -> dict:
		if self.snapshot_ttl and self._snapshot and time.monotonic() - self._snapshot[0] < self.snapshot_ttl:
			return self._snapshot[1]
		state = self._http.get(f"{self.upstream}/_xero/state", timeout=120).json()
		self._snapshot = (time.monotonic(), state)
		return state

	def _forward(self, request: Request, path: str | None = None) -> Response:
		headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
		upstream = self._http.request(
			request.method,
			f"{self.upstream}{path or request.path}",
			params=request.args,
			data=request.get_data(),
			headers=headers,
			allow_redirects=False,
			timeout=60,
		)
		excluded = {"content-length", "transfer-encoding", "connection", "content-encoding"}
		out = Response(upstream.content, upstream.status_code)
		for k, v in upstream.headers.items():
			if k.lower() not in excluded:
				out.headers[k] = v
		return out

	@staticmethod
	def _json(body, status=200) -> Response:
		return Response(json.dumps(body), status, mimetype="application/json")


# resource -> (key in the emulator's state, id field)
LISTS = {
	"Invoices": ("invoices", "InvoiceID"),
	"Contacts": ("contacts", "ContactID"),
	"Payments": ("payments", "PaymentID"),
}


def _filtered(records: list[dict], id_field: str, request: Request) -> list[dict]:
	"""`IDs=` and `If-Modified-Since`, which the emulator ignores."""
	if ids := request.args.get("IDs"):
		wanted = {i.strip() for i in ids.split(",")}
		records = [r for r in records if r[id_field] in wanted]
	if since := request.headers.get("If-Modified-Since"):
		cutoff = _parse_http_or_iso(since)
		records = [r for r in records if _xero_ms(r.get("UpdatedDateUTC")) > cutoff]
	return records


def _reset(environ):
	sock = environ.get("werkzeug.socket")
	if sock is None:
		return
	# SO_LINGER 0: close with RST, as a dropped connection looks to the client.
	sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
	sock.close()


def _xero_ms(value) -> float:
	m = re.search(r"/Date\((-?\d+)", value or "")
	return int(m.group(1)) / 1000 if m else 0.0


def _parse_http_or_iso(value: str) -> float:
	try:
		return parsedate_to_datetime(value).timestamp()
	except (TypeError, ValueError):
		dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
		if dt.tzinfo is None:
			dt = dt.replace(tzinfo=timezone.utc)
		return dt.timestamp()


def main() -> None:
	"""Run the peer as its own process (the benchmarks do, so its memory is not counted as ours)."""
	import argparse

	parser = argparse.ArgumentParser()
	parser.add_argument("--upstream", required=True)
	parser.add_argument("--port", type=int, default=0, help="0: any free port")
	parser.add_argument("--snapshot-ttl", type=float, default=0.0)
	parser.add_argument("--embed-payment-details", action="store_true", help="embed payments as Xero does")
	args = parser.parse_args()
	peer = XeroPeer(args.upstream, args.port)
	peer.snapshot_ttl = args.snapshot_ttl
	peer.embed_payment_details = args.embed_payment_details
	print(peer.url, flush=True)
	threading.Event().wait()


if __name__ == "__main__":
	main()
