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
- faults on cue: 429 with Retry-After, 5xx, slow answers, reset connections, truncated JSON; a fault
  may target one tenant and last until removed (`fail_tenant`);
- a silent endpoint on cue (no answer for as long as asked, and then no token either);
- several organisations side by side (`add_tenant`): xero-local keeps each `xero-tenant-id` in its own
  bucket but lists and describes only its default tenant, so the peer lists the added ones on
  `/connections`, answers `/Organisation` and the list endpoints per tenant, and serves
  `DELETE /connections/{id}` (after which that tenant's calls get Xero's 403);
- access tokens shaped as Xero's, a JWT whose `authentication_event_id` names the consent that
  authorised the listed tenants (xero-local's token is opaque).
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

from xero_crm.emulator.seed import BEARER, STATE_KEYS, list_all

API = "/api.xro/2.0"
# Xero's answer to a call naming an organisation the app is no longer connected to.
FORBIDDEN = {"Type": None, "Title": "Forbidden", "Status": 403, "Detail": "AuthenticationUnsuccessful"}
UNAUTHORIZED = {"Type": None, "Title": "Unauthorized", "Status": 401, "Detail": "AuthenticationUnsuccessful"}


@dataclass
class Fault:
	path: str  # a request whose path starts with this gets the fault
	status: int = 500
	headers: dict = field(default_factory=dict)
	body: str = ""
	delay: float = 0.0  # seconds to wait, then forward normally (a slow Xero)
	action: str = "status"  # status | slow | reset | truncate
	# silent: read the request and say nothing for `delay` seconds (it is never served)
	tenant_id: str | None = None  # only requests naming this tenant (xero-tenant-id) get the fault
	lasting: bool = False  # served to every matching request until removed from `faults`, not once

	def matches(self, path: str, tenant_id: str | None) -> bool:
		return path.startswith(self.path) and self.tenant_id in (None, tenant_id)


@dataclass
class PeerTenant:
	"""An organisation the peer adds beside xero-local's default tenant."""

	tenant_id: str
	connection_id: str
	name: str
	short_code: str
	base_currency: str
	auth_event_id: str | None  # None: the consent of xero-local's default tenant
	created: str

	def connection(self, default_auth_event_id: str) -> dict:
		return {
			"id": self.connection_id,
			"authEventId": self.auth_event_id or default_auth_event_id,
			"tenantId": self.tenant_id,
			"tenantType": "ORGANISATION",
			"tenantName": self.name,
			"createdDateUtc": self.created,
			"updatedDateUtc": self.created,
		}

	def organisation(self) -> dict:
		return {
			"OrganisationID": self.tenant_id,
			"Name": self.name,
			"ShortCode": self.short_code,
			"BaseCurrency": self.base_currency,
		}


@dataclass
class Seen:
	method: str
	path: str
	args: dict
	headers: dict


def _jwt_part(obj: dict) -> str:
	return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def make_id_token(email: str, given: str = "Ada", family: str = "Admin") -> str:
	claims = {"email": email, "given_name": given, "family_name": family, "xero_userid": "user-1"}
	return f"{_jwt_part({'alg': 'RS256', 'typ': 'JWT'})}.{_jwt_part(claims)}.c2lnbmF0dXJl"


def make_access_token(opaque: str, auth_event_id: str, client_id: str = "", ttl: int = 1800) -> str:
	"""An access token shaped as Xero's: a JWT whose payload names the consent that issued it. Its last
	segment is xero-local's own opaque token (base64url characters only), so a check that a log shows
	no "xero-local-token-" still catches a leaked access token."""
	now = int(time.time())
	claims = {
		"nbf": now,
		"exp": now + ttl,
		"iss": "https://identity.xero.com",
		"aud": "https://identity.xero.com/resources",
		"client_id": client_id,
		"xero_userid": "user-1",
		"authentication_event_id": auth_event_id,
		"jti": uuid.uuid4().hex,
	}
	return f"{_jwt_part({'alg': 'RS256', 'typ': 'JWT'})}.{_jwt_part(claims)}.{opaque}"


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
		self._credit_tenants: dict[str, str] = {}  # credit id -> tenant it was added to
		# Organisations beside xero-local's default tenant (add_tenant), and disconnected tenant ids.
		self.tenants: dict[str, PeerTenant] = {}
		self.disconnected: set[str] = set()
		self._consent: str | None = None  # authEventId of the current consent; None: the default's
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
			self._credit_tenants.clear()
			self.tenants.clear()
			self.disconnected.clear()
			self._consent = None

	def count(self, path_prefix: str, method: str = "GET") -> int:
		return sum(1 for s in self.seen if s.path.startswith(path_prefix) and s.method == method)

	# ---------------------------------------------------------------- organisations

	def add_tenant(self, name: str, short_code: str, base_currency: str = "NZD") -> str:
		"""Another organisation, authorised in the current consent (the default tenant's until
		`new_consent`); its new tenant id. xero-local makes its data bucket on the first call naming it."""
		tenant = PeerTenant(
			tenant_id=str(uuid.uuid4()),
			connection_id=str(uuid.uuid4()),
			name=name,
			short_code=short_code,
			base_currency=base_currency,
			auth_event_id=self._consent,
			created=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f"),
		)
		with self._lock:
			self.tenants[tenant.tenant_id] = tenant
		return tenant.tenant_id

	def new_consent(self) -> str:
		"""Start another consent: tokens issued from now on carry its authEventId, and so do the tenants
		added after it; those listed before keep the consent that authorised them."""
		with self._lock:
			self._consent = str(uuid.uuid4())
			return self._consent

	def fail_tenant(self, tenant_id: str, status: int = 403) -> Fault:
		"""Every API call naming `tenant_id` answers `status` (401 or 403, worded as Xero does) until the
		returned fault is removed from `faults`; other tenants are served as usual."""
		body = UNAUTHORIZED if status == 401 else {**FORBIDDEN, "Status": status}
		fault = Fault(
			API,
			status,
			headers={"Content-Type": "application/json"},
			body=json.dumps(body),
			tenant_id=tenant_id,
			lasting=True,
		)
		with self._lock:
			self.faults.append(fault)
		return fault

	# ---------------------------------------------------------------- WSGI

	def _wsgi(self, environ, start_response):
		request = Request(environ)
		fault = self._take_fault(request)
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

	def _take_fault(self, request: Request) -> Fault | None:
		"""Record the request; the first fault cued for it, used up unless it lasts."""
		tenant = _tenant_of(request)
		with self._lock:
			self.seen.append(Seen(request.method, request.path, dict(request.args), dict(request.headers)))
			fault = next((f for f in self.faults if f.matches(request.path, tenant)), None)
			if fault and not fault.lasting:
				self.faults.remove(fault)
		return fault

	def _route(self, request: Request) -> Response:
		if request.path.startswith(API) and _tenant_of(request) in self.disconnected:
			return self._json(FORBIDDEN, 403)
		return self._identity(request) or self._accounting(request)

	def _identity(self, request: Request) -> Response | None:
		"""The token, revocation and connections endpoints; None for anything else."""
		path = request.path
		if path == "/connect/token":
			return self._token(request)
		if path == "/connect/revocation":
			self.revoked.append(request.form.get("token", ""))
			return Response("", 200)
		# The SDK asks for /Connections with a capital C; Xero matches case-insensitively.
		if path.lower() == "/connections" and request.method == "GET":
			return self._connections(request)
		if path.lower().startswith("/connections/") and request.method == "DELETE":
			return self._delete_connection(request, path.split("/", 2)[2])
		return None

	def _accounting(self, request: Request) -> Response:
		path = request.path
		if path == f"{API}/Organisation":
			return self._json({"Organisations": [self._org(_tenant_of(request))]})
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
		if (
			request.form.get("grant_type") == "refresh_token"
			and request.form.get("refresh_token") in self.revoked
		):
			return self._json({"error": "invalid_grant"}, 400)  # as Xero answers a revoked consent
		upstream = self._http.post(f"{self.upstream}/connect/token", data=request.form, timeout=10)
		data = upstream.json()
		data["id_token"] = make_id_token(self.user_email)
		# Xero names the consent only inside the access token (a JWT), never beside it.
		consent = data.pop("authentication_event_id", None)
		if upstream.ok and data.get("access_token"):
			consent = self._consent or self._default_connection().get("authEventId") or consent
			data["access_token"] = make_access_token(
				data["access_token"],
				consent,
				request.form.get("client_id", ""),
				int(data.get("expires_in") or 1800),
			)
		return self._json(data, upstream.status_code)

	def _default_connection(self) -> dict:
		"""xero-local's one connection, its default tenant."""
		rows = self._http.get(f"{self.upstream}/connections", headers=BEARER, timeout=30).json()
		return rows[0] if rows else {}

	def _connection_rows(self) -> list[dict]:
		"""Every connection still in place, as Xero lists them: the default tenant's, then those added."""
		default = self._default_connection()
		with self._lock:
			rows = [default] + [t.connection(default.get("authEventId", "")) for t in self.tenants.values()]
			return [r for r in rows if r.get("tenantId") and r["tenantId"] not in self.disconnected]

	def _connections(self, request: Request) -> Response:
		if not request.headers.get("Authorization", "").startswith("Bearer "):
			return self._json({"error": "unauthorized"}, 401)
		return self._json(self._connection_rows())

	def _delete_connection(self, request: Request, connection_id: str) -> Response:
		"""Disconnect one organisation: Xero answers 204, and 404 for a connection it does not have."""
		if not request.headers.get("Authorization", "").startswith("Bearer "):
			return self._json({"error": "unauthorized"}, 401)
		row = next((r for r in self._connection_rows() if r["id"] == connection_id), None)
		if row is None:
			return self._json({"Type": None, "Title": "Not Found", "Status": 404, "Detail": "Not Found"}, 404)
		with self._lock:
			self.disconnected.add(row["tenantId"])
		return Response("", 204)

	def _org(self, tenant_id: str | None = None) -> dict:
		if tenant_id in self.tenants:
			return self.tenants[tenant_id].organisation()
		tenant = self._default_connection()
		return {
			"OrganisationID": tenant["tenantId"],
			"Name": self.organisation["Name"] or tenant["tenantName"],
			"ShortCode": self.organisation["ShortCode"],
			"BaseCurrency": self.organisation["BaseCurrency"],
		}

	def _list(self, request: Request, resource: str) -> Response:
		if not request.headers.get("Authorization", "").startswith("Bearer "):
			return self._json({"error": "unauthorized"}, 401)
		key, id_field = LISTS[resource]
		embedded = ["contacts", "payments"] if self.embed_payment_details else ["contacts"]
		state = self._records(request, key, *(embedded if resource == "Invoices" else []))
		records = _filtered(state[key], id_field, request)
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
		`currency`, `date`, `remaining`, `reference` and `tenant_id` (default: the default tenant) as
		keywords."""
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
			if kwargs.get("tenant_id"):
				self._credit_tenants[record[resource[:-1] + "ID"]] = kwargs["tenant_id"]
		return dict(record)

	def _credit_list(self, request: Request, resource: str) -> Response:
		"""CreditNotes, Overpayments or Prepayments. xero-local has only credit notes: one of Type
		…-OVERPAYMENT or …-PREPAYMENT (seed.Emulator.overpayment stores them so, from any process) is
		served here as the overpayment or prepayment it stands for, never as a credit note."""
		if not request.headers.get("Authorization", "").startswith("Bearer "):
			return self._json({"error": "unauthorized"}, 401)
		id_field = resource[:-1] + "ID"
		carried = [
			_carried_as(resource, note) for note in self._records(request, "credit_notes")["credit_notes"]
		]
		owner = self._added(_tenant_of(request))
		with self._lock:
			added = [
				dict(r)
				for r in self.credits.get(resource, [])
				if self._added(self._credit_tenants.get(r[id_field])) == owner
			]
		records = _filtered([r for r in carried if r] + added, id_field, request)
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
		payments = {p["PaymentID"]: p for p in state.get("payments", [])}
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

	def _added(self, tenant_id: str | None) -> str | None:
		"""The tenant id if it is one added here; None for xero-local's default tenant (or no header)."""
		return tenant_id if tenant_id in self.tenants else None

	def _records(self, request: Request, *keys: str) -> dict[str, list[dict]]:
		"""The records of the request's tenant, by key of the emulator's state. /_xero/state shows only
		xero-local's default tenant: an added tenant's are read through its API, page by page."""
		tenant = self._added(_tenant_of(request))
		if tenant is None:
			state = self._state()
			return {key: state[key] for key in keys}
		api = f"{self.upstream}{API}"
		return {key: list_all(self._http, api, STATE_KEYS[key], tenant) for key in keys}

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


def _tenant_of(request: Request) -> str | None:
	return request.headers.get("Xero-Tenant-Id") or None


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
	"""`IDs=`, `Statuses=`, `where` (the forms the app sends) and `If-Modified-Since`, which the
	emulator ignores."""
	args = request.args
	if ids := args.get("IDs"):
		records = _one_of(records, id_field, ids, str.strip)
	if statuses := args.get("Statuses"):
		records = _one_of(records, "Status", statuses, lambda s: s.strip().upper())
	if where := args.get("where"):
		records = [r for r in records if _where_holds(where, r)]
	return _modified_since(records, request.headers.get("If-Modified-Since"))


def _one_of(records: list[dict], field: str, listed: str, norm) -> list[dict]:
	"""The records whose `field` is one of a comma-separated list (IDs=, Statuses=)."""
	wanted = {norm(v) for v in listed.split(",")}
	return [r for r in records if norm(str(r.get(field) or "")) in wanted]


def _modified_since(records: list[dict], since: str | None) -> list[dict]:
	if not since:
		return records
	cutoff = _parse_http_or_iso(since)
	return [r for r in records if _xero_ms(r.get("UpdatedDateUTC")) > cutoff]


_CLAUSE = re.compile(
	r'^\s*(\w+)\s*(>=|<=|==|!=|>|<)\s*(?:DateTime\((\d{4}),\s*(\d{1,2}),\s*(\d{1,2})\)|"([^"]*)")\s*$'
)


_OPS = {
	">=": lambda a, b: a >= b,
	"<=": lambda a, b: a <= b,
	"==": lambda a, b: a == b,
	"!=": lambda a, b: a != b,
	">": lambda a, b: a > b,
	"<": lambda a, b: a < b,
}


def _where_holds(where: str, record: dict) -> bool:
	"""Xero's `where` in the forms the app sends: clauses joined by AND, each `Field op DateTime(y, m,
	d)` (on the record's date) or `Field op "text"`. Anything else raises: a test must not pass on a
	filter nobody applied."""
	for clause in re.split(r"\s+AND\s+", where.strip()):
		m = _CLAUSE.match(clause)
		if not m:
			raise ValueError(f"where clause the peer does not know: {clause!r}")
		if not _clause_holds(*m.groups(), record):
			return False
	return True


def _clause_holds(field, op, year, month, day, text, record: dict) -> bool:
	if not year:
		return _OPS[op](str(record.get(field) or ""), text)
	value = str(record.get(f"{field}String") or record.get(field) or "")[:10]
	if value.startswith("/Date("):
		value = datetime.fromtimestamp(_xero_ms(value), timezone.utc).date().isoformat()
	return _OPS[op](value, f"{int(year):04d}-{int(month):02d}-{int(day):02d}")


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
