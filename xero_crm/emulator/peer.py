"""A small local HTTP peer in front of xero-local, for what the emulator lacks.

xero-local (PyPI `localstack-xero`) holds the data and serves the real requests. This peer forwards
every request to it over HTTP and adds only what it does not do:
- `/Organisation` (name, ShortCode, base currency) and `/connect/revocation`;
- an id_token carrying the consenting user's email on `/connect/token`, and a scripted
  `invalid_grant`; a count of token requests (the single-flight test reads it);
- on GET Invoices/Contacts/Payments/CreditNotes: `IDs=`, `pageSize`, `page` and `If-Modified-Since`,
  which the emulator ignores (it pages by a fixed 100), applied to the emulator's own state;
- GET Overpayments and Prepayments, which the emulator lacks, from lists tests fill
  (`add_overpayment`, `add_prepayment`);
- an invoice's online invoice (`Invoices/{id}/OnlineInvoice`) and its PDF (`Accept: application/pdf`);
- faults on cue: 429 with Retry-After, 5xx, slow answers, reset connections, truncated JSON.
- a silent endpoint on cue (no answer for as long as asked, and then no token either).
"""

import base64
import hashlib
import json
import math
import re
import socket
import struct
import threading
import time
import uuid
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
		# Overpayments and Prepayments, which xero-local does not have: filled by add_overpayment /
		# add_prepayment, served on GET with paging, IDs= and If-Modified-Since.
		self.credits: dict[str, list[dict]] = {"Overpayments": [], "Prepayments": []}
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
			for records in self.credits.values():
				records.clear()

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
		if request.method == "GET" and path == f"{API}/CreditNotes":
			return self._credit_list(request, "CreditNotes")
		if request.method == "GET" and path in (f"{API}/Overpayments", f"{API}/Prepayments"):
			return self._credit_list(request, path.rsplit("/", 1)[1])
		return self._invoice_document(request) or self._forward(request)

	def _invoice_document(self, request: Request) -> Response | None:
		"""An invoice's online invoice, and its PDF when one is asked for (`Accept: application/pdf`):
		xero-local has neither. None: forward as usual."""
		match = INVOICE_DOCUMENT.match(request.path)
		if request.method != "GET" or not match:
			return None
		online = bool(match.group(2))
		if not online and "application/pdf" not in request.headers.get("Accept", ""):
			return None
		upstream = self._http.get(
			f"{self.upstream}{API}/Invoices/{match.group(1)}",
			headers={**_passed_on(request.headers), "Accept": "application/json"},
			timeout=30,
		)
		if upstream.status_code != 200:  # unknown id (404), no token (401): as xero-local says
			return Response(
				upstream.content, upstream.status_code, mimetype=upstream.headers.get("Content-Type")
			)
		invoice = upstream.json()["Invoices"][0]
		if not online:
			lines = [f"Tax Invoice {invoice.get('InvoiceNumber') or ''}", _pdf_summary(invoice)]
			return Response(minimal_pdf(lines), 200, mimetype="application/pdf")
		return self._online_invoice(invoice)

	def _online_invoice(self, invoice: dict) -> Response:
		if invoice.get("Type") != "ACCREC" or invoice.get("Status") not in ("AUTHORISED", "PAID"):
			kind = (
				"bill" if invoice.get("Type") == "ACCPAY" else f"{str(invoice.get('Status')).lower()} invoice"
			)
			return self._json(
				_validation_error(invoice, f"An online invoice cannot be created for a {kind}."), 400
			)
		digest = hashlib.sha256(f"online:{invoice['InvoiceID']}".encode()).digest()
		token = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()[:40]
		return self._json({"OnlineInvoices": [{"OnlineInvoiceUrl": f"https://in.xero.com/{token}"}]})

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

	def add_overpayment(self, contact_id: str, total: str, **kwargs) -> dict:
		"""A customer overpayment (RECEIVE-OVERPAYMENT) as Xero lists it; `xero_type`, `status`,
		`currency`, `date`, `remaining` and `reference` as keywords."""
		return self._add_credit("Overpayments", "RECEIVE-OVERPAYMENT", contact_id, total, **kwargs)

	def add_prepayment(self, contact_id: str, total: str, **kwargs) -> dict:
		"""A customer prepayment (RECEIVE-PREPAYMENT), as add_overpayment."""
		return self._add_credit("Prepayments", "RECEIVE-PREPAYMENT", contact_id, total, **kwargs)

	def _add_credit(self, resource: str, default_type: str, contact_id: str, total: str, **kwargs) -> dict:
		when = kwargs.get("date", "2026-11-10")
		day_ms = int(datetime.fromisoformat(when).replace(tzinfo=timezone.utc).timestamp() * 1000)
		record = {
			resource[:-1] + "ID": str(uuid.uuid4()),
			"Type": kwargs.get("xero_type", default_type),
			"Contact": {"ContactID": contact_id},
			"Date": f"/Date({day_ms}+0000)/",
			"DateString": f"{when}T00:00:00",
			"Status": kwargs.get("status", "AUTHORISED"),
			"CurrencyCode": kwargs.get("currency", "NZD"),
			"Total": float(total),
			"RemainingCredit": float(kwargs.get("remaining", total)),
			"Reference": kwargs.get("reference", ""),
			"UpdatedDateUTC": f"/Date({int(time.time() * 1000)}+0000)/",
			"Allocations": [],
		}
		with self._lock:
			self.credits[resource].append(record)
		return dict(record)

	def _credit_list(self, request: Request, resource: str) -> Response:
		"""CreditNotes, Overpayments or Prepayments. xero-local has only credit notes: one of Type
		…-OVERPAYMENT or …-PREPAYMENT (seed.Emulator.overpayment stores them so, from any process) is
		served here as the overpayment or prepayment it stands for, never as a credit note."""
		if not request.headers.get("Authorization", "").startswith("Bearer "):
			return self._json({"error": "unauthorized"}, 401)
		carried = [_carried_as(resource, note) for note in self._state()["credit_notes"]]
		with self._lock:
			records = [r for r in carried if r] + [dict(r) for r in self.credits.get(resource, [])]
		records = _filtered(records, resource[:-1] + "ID", request)
		size = min(1000, int(request.args.get("pageSize") or 100))
		page = max(1, int(request.args.get("page") or 1))
		pagination = {
			"page": page,
			"pageSize": size,
			"pageCount": max(1, math.ceil(len(records) / size)),
			"itemCount": len(records),
		}
		return self._json(
			{"Status": "OK", resource: records[(page - 1) * size : page * size], "pagination": pagination}
		)

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


INVOICE_DOCUMENT = re.compile(rf"^{re.escape(API)}/Invoices/([0-9A-Za-z-]+)(/OnlineInvoice)?$")


def _passed_on(headers) -> dict:
	return {k: v for k, v in headers.items() if k.lower() in ("authorization", "xero-tenant-id")}


def _validation_error(invoice: dict, message: str) -> dict:
	"""A 400 shaped as Xero's ValidationException."""
	return {
		"ErrorNumber": 10,
		"Type": "ValidationException",
		"Message": "A validation exception occurred",
		"Elements": [
			{
				"InvoiceID": invoice.get("InvoiceID"),
				"InvoiceNumber": invoice.get("InvoiceNumber"),
				"ValidationErrors": [{"Message": message}],
			}
		],
	}


def _pdf_summary(invoice: dict) -> str:
	contact = (invoice.get("Contact") or {}).get("Name") or ""
	return f"{contact} {invoice.get('CurrencyCode') or ''} {invoice.get('Total') or ''}".strip()


def minimal_pdf(lines: list[str]) -> bytes:
	"""A small valid one-page PDF showing `lines` as text (Helvetica, uncompressed, Latin-1)."""
	text = "".join(f"({_pdf_text(line)}) Tj 0 -16 Td " for line in lines)
	stream = f"BT /F1 12 Tf 56 780 Td {text}ET".encode("latin-1", "replace")
	objects = [
		b"<< /Type /Catalog /Pages 2 0 R >>",
		b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
		b"/Contents 5 0 R >>",
		b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
	]
	out, offsets = bytearray(b"%PDF-1.4\n"), []
	for number, body in enumerate(objects, start=1):
		offsets.append(len(out))
		out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
	xref = len(out)
	out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
	out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
	out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
	return bytes(out)


def _pdf_text(value: str) -> str:
	return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


# resource -> (key in the emulator's state, id field)
LISTS = {
	"Invoices": ("invoices", "InvoiceID"),
	"Contacts": ("contacts", "ContactID"),
	"Payments": ("payments", "PaymentID"),
	"CreditNotes": ("credit_notes", "CreditNoteID"),
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


def _carried_as(resource: str, note: dict) -> dict | None:
	"""A credit note record of xero-local as `resource` shows it, or None if it is not one of those."""
	kind = str(note.get("Type") or "ACCRECCREDIT").rsplit("-", 1)[-1]  # CREDIT, OVERPAYMENT, PREPAYMENT
	if resource == "CreditNotes":
		return note if not kind.endswith(("OVERPAYMENT", "PREPAYMENT")) else None
	if kind != resource[:-1].upper():
		return None
	record = {k: v for k, v in note.items() if k not in ("CreditNoteID", "CreditNoteNumber")}
	return {resource[:-1] + "ID": note["CreditNoteID"], **record}


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
