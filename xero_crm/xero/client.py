"""Reading from Xero's accounting API: tenant header, paging with the largest page Xero allows,
If-Modified-Since, batched `IDs=`, our rate limits, bounded retries, and 401 → one refresh."""

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from xero_python.accounting import AccountingApi

from . import sdk
from .config import XeroEndpoints
from .errors import XeroAuthError, XeroNotFound, XeroUnavailable
from .ratelimit import RateLimiter
from .retry import RetryPolicy
from .tokens import TokenManager

MAX_PAGE_SIZE = 1000  # Xero's ceiling for pageSize on Invoices, Contacts, CreditNotes and Payments
IDS_PER_CALL = 50  # about as many GUIDs as fit in a URL Xero accepts
INVOICE_GONE = "Xero no longer has this invoice (it may have been deleted there)."

# resource → (SDK method, key of the list in Xero's envelope, id field of its records)
RESOURCES = {
	"Invoices": ("get_invoices", "Invoices", "InvoiceID"),
	"Contacts": ("get_contacts", "Contacts", "ContactID"),
	"CreditNotes": ("get_credit_notes", "CreditNotes", "CreditNoteID"),
	"Payments": ("get_payments", "Payments", "PaymentID"),
	"Overpayments": ("get_overpayments", "Overpayments", "OverpaymentID"),
	"Prepayments": ("get_prepayments", "Prepayments", "PrepaymentID"),
}


class Page(NamedTuple):
	number: int
	records: list[dict]
	count: int | None  # pages in all, where Xero says (it does when pageSize is given)


@dataclass(frozen=True)
class Organisation:
	name: str
	short_code: str
	base_currency: str
	organisation_id: str = ""


class XeroClient:
	def __init__(
		self,
		tenant_id: str,
		tokens: TokenManager,
		endpoints: XeroEndpoints | None = None,
		limiter: RateLimiter | None = None,
		retry: RetryPolicy | None = None,
		timeout: tuple[float, float] = sdk.DEFAULT_TIMEOUT,
	):
		if not tenant_id:
			raise XeroAuthError(
				"No Xero organisation is selected. Finish connecting in Xero Settings.", "no_tenant"
			)
		self.tenant_id = tenant_id
		self.tokens = tokens
		self.endpoints = endpoints or XeroEndpoints()
		self.limiter = limiter or RateLimiter()
		self.retry = retry or RetryPolicy()
		self.timeout = timeout
		self._current = threading.local()
		self._api = AccountingApi(
			sdk.make_api_client(lambda: self._current.token), base_url=self.endpoints.api_url
		)

	@property
	def calls(self) -> int:
		return self.limiter.calls

	def organisation(self) -> Organisation:
		data = self.call("get_organisations")
		orgs = data.get("Organisations") or []
		if not orgs:
			raise XeroUnavailable("Xero returned no organisation details.")
		org = orgs[0]
		return Organisation(
			name=str(org.get("Name") or ""),
			short_code=str(org.get("ShortCode") or ""),
			base_currency=str(org.get("BaseCurrency") or ""),
			organisation_id=str(org.get("OrganisationID") or ""),
		)

	def iter_pages(
		self,
		resource: str,
		*,
		modified_since: datetime | None = None,
		start_page: int = 1,
		page_size: int = MAX_PAGE_SIZE,
		**filters: Any,
	) -> Iterator["Page"]:
		"""Yield page by page, so callers stream and can resume at a page."""
		method, key, _id = RESOURCES[resource]
		page = start_page
		while True:
			params = {"page": page, "page_size": page_size, **filters}
			if modified_since is not None:
				params["if_modified_since"] = modified_since
			data = self.call(method, **params)
			records = data.get(key) or []
			pagination = data.get("pagination") or {}
			count = int(pagination["pageCount"]) if pagination.get("pageCount") is not None else None
			yield Page(page, records, count)
			if count is not None:
				if page >= count:
					return
			elif len(records) < page_size:
				return
			if not records:
				return
			page += 1

	def get_by_ids(self, resource: str, ids: Iterable[str]) -> Iterator[list[dict]]:
		"""Fetch records by id, IDS_PER_CALL per call (deduplicated, order kept)."""
		method, key, id_field = RESOURCES[resource]
		unique = list(dict.fromkeys(i for i in ids if i))
		for start in range(0, len(unique), IDS_PER_CALL):
			chunk = unique[start : start + IDS_PER_CALL]
			data = self.call(method, i_ds=chunk, page=1)
			wanted = set(chunk)
			yield [r for r in data.get(key) or [] if r.get(id_field) in wanted]

	def credit_note_invoice_ids(self, credit_note_id: str) -> list[str]:
		"""The invoices a credit note is allocated to (their AmountCredited/AmountDue change)."""
		try:
			data = self.call("get_credit_note", credit_note_id=credit_note_id)
		except XeroNotFound:
			return []
		ids = []
		for note in data.get("CreditNotes") or []:
			for allocation in note.get("Allocations") or []:
				invoice_id = (allocation.get("Invoice") or {}).get("InvoiceID")
				if invoice_id:
					ids.append(str(invoice_id))
		return ids

	def online_invoice_url(self, invoice_id: str) -> str:
		"""The link a customer opens to view (and pay) a sales invoice online: one call, never for a
		draft (Xero answers 400) or a bill."""
		try:
			data = self.call("get_online_invoice", invoice_id=invoice_id)
		except XeroNotFound:
			raise XeroNotFound(INVOICE_GONE) from None
		for online in data.get("OnlineInvoices") or []:
			url = str(online.get("OnlineInvoiceUrl") or "")
			if url.startswith("https://"):
				return url
		raise XeroUnavailable("Xero sent no online invoice link for this invoice.")

	def invoice_pdf(self, invoice_id: str) -> bytes:
		"""The invoice as Xero renders it to PDF: one call; the bytes are the caller's to stream, not
		to keep."""
		try:
			pdf = self.retry.run(
				lambda: self._attempt("get_invoice_as_pdf", {"invoice_id": invoice_id}, _raw)
			)
		except XeroNotFound:
			raise XeroNotFound(INVOICE_GONE) from None
		if not pdf.startswith(b"%PDF"):
			raise XeroUnavailable("Xero sent something other than a PDF for this invoice.")
		return pdf

	def call(self, method: str, **params: Any) -> dict:
		"""One logical Xero call: rate-limited, retried within bounds, JSON decoded with Decimal."""
		return self.retry.run(lambda: self._attempt(method, params, _json_object))

	def _attempt(self, method: str, params: dict, read: Callable[[bytes], Any]) -> Any:
		with self.limiter.slot():
			token = self.tokens.access_token()
			try:
				return self._send(method, params, token, read)
			except XeroAuthError as e:
				if e.reason != "unauthorized":
					raise
			# 401: the token was revoked or rotated elsewhere; refresh once (single-flight) and retry.
			token = self.tokens.refresh_after_rejection(token)
			return self._send(method, params, token, read)

	def _send(self, method: str, params: dict, token: str, read: Callable[[bytes], Any]) -> Any:
		self._current.token = token
		try:
			response = getattr(self._api, method)(
				self.tenant_id, _preload_content=False, _request_timeout=self.timeout, **params
			)
		except Exception as e:
			raise sdk.translate(e) from None
		self.limiter.observe(response.headers)
		return read(sdk.read_body(response))


def _json_object(raw: bytes) -> dict:
	data = sdk.decode_json(raw)
	if not isinstance(data, dict):
		raise XeroUnavailable("Xero sent an unexpected response shape.")
	return data


def _raw(raw: bytes) -> bytes:
	return raw
