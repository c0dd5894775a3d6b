"""Share and download a sales invoice from the panel: its online invoice link (kept for a day) and
its PDF (streamed back as the response, never kept). Both come from Xero on demand, after the same
checks as the panel's other methods, and count against the day's Xero call budget."""

from collections.abc import Callable

import frappe
from frappe import _

from xero_crm.api import _check_invoice_belongs, _check_permission
from xero_crm.connection import make_client
from xero_crm.constants import INVOICE
from xero_crm.organisations import get_organisation, is_active
from xero_crm.xero.client import XeroClient
from xero_crm.xero.documents import pdf_filename, refusal
from xero_crm.xero.errors import (
	XeroAuthError,
	XeroBadRequest,
	XeroError,
	XeroNotFound,
	XeroRateLimited,
	XeroUnavailable,
)
from xero_crm.xero.keys import organisation_of, xero_id_of

LINK_TTL = 24 * 3600  # an online invoice's link does not change; a day bounds a stale one


@frappe.whitelist()
def online_invoice_link(doctype: str, name: str, invoice_id: str) -> dict:
	"""{"url": …}: the link a customer opens to view and pay the invoice online."""
	invoice = _shareable(doctype, name, invoice_id)
	key = f"xero_crm:online_invoice:{invoice_id}"  # the cache key names the organisation
	# expires=True: read Redis itself, not this request's local copy of it.
	url = frappe.cache.get_value(key, expires=True)
	if not url:
		url = _ask_xero(invoice.org, lambda client: client.online_invoice_url(xero_id_of(invoice_id)))
		frappe.cache.set_value(key, url, expires_in_sec=LINK_TTL)
	return {"url": url}


@frappe.whitelist(methods=["GET"])
def download_pdf(doctype: str, name: str, invoice_id: str) -> None:
	"""The invoice's PDF as Xero renders it, answered as a file download (GET: the browser opens it)."""
	invoice = _shareable(doctype, name, invoice_id)
	pdf = _ask_xero(invoice.org, lambda client: client.invoice_pdf(xero_id_of(invoice_id)))
	frappe.local.response.filename = pdf_filename(invoice["invoice_number"], xero_id_of(invoice_id))
	frappe.local.response.filecontent = pdf
	frappe.local.response.content_type = "application/pdf"
	frappe.local.response.type = "download"


def _shareable(doctype: str, name: str, invoice_id: str) -> frappe._dict:
	"""The cached invoice, once the caller may see it on this record and it may be shared; refused
	with a clear message before any call to Xero otherwise."""
	_check_permission(doctype, name)
	if not isinstance(invoice_id, str) or not invoice_id or len(invoice_id) > 140:
		frappe.throw(_("Give the Xero invoice."), frappe.ValidationError)
	_check_invoice_belongs(doctype, name, invoice_id)
	invoice = frappe.db.get_value(
		INVOICE, invoice_id, ["invoice_number", "invoice_type", "status"], as_dict=True
	)
	reason = refusal(invoice.invoice_type, invoice.status)
	if reason == "bill":
		frappe.throw(_("Bills have no online invoice or PDF to share: only sales invoices do."))
	if reason:
		frappe.throw(
			_(
				"This invoice is {0} in Xero: only approved (authorised or paid) sales invoices have an "
				"online invoice or PDF to share."
			).format(_((invoice.status or "unknown").lower()))
		)
	org = get_organisation(organisation_of(invoice_id))
	if not is_active(org):
		frappe.throw(
			_(
				"Xero is not connected, so this cannot be fetched. An administrator can connect it in Xero Settings."
			),
			frappe.ValidationError,
		)
	invoice.org = org
	return invoice


def _ask_xero(org, ask: Callable[[XeroClient], object]):
	"""One call to the invoice's organisation, its failure told as a message a rep can act on."""
	try:
		return ask(make_client(org))
	except XeroError as e:
		exc, message = _explain(e)
		frappe.throw(message, exc, title=_("Xero"))


def _explain(error: XeroError) -> tuple[type[Exception], str]:
	if isinstance(error, XeroRateLimited) and error.problem == "day":
		return frappe.RateLimitExceededError, _(
			"Today's Xero API budget for this organisation is spent, so Xero cannot be asked now. "
			"Try again tomorrow, or open the invoice in Xero."
		)
	if isinstance(error, XeroRateLimited):
		return frappe.RateLimitExceededError, _(
			"Xero is busy (its rate limit was reached). Try again in a minute."
		)
	if isinstance(error, XeroNotFound):
		return frappe.DoesNotExistError, _(
			"Xero no longer has this invoice (it may have been deleted there). Refresh the panel."
		)
	if isinstance(error, XeroBadRequest):
		details = " ".join(error.details) or _("It gave no reason.")
		return frappe.ValidationError, _("Xero would not share this invoice: {0}").format(details)
	if isinstance(error, XeroAuthError):
		return frappe.ValidationError, _(
			"Xero refused access: an administrator needs to connect to Xero again in Xero Settings."
		)
	if isinstance(error, XeroUnavailable):
		return frappe.ValidationError, _("Xero is unavailable right now. Try again in a few minutes.")
	return frappe.ValidationError, _("Xero could not answer: {0}").format(str(error))
