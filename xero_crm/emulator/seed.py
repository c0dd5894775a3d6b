"""Seeding xero-local over its own HTTP API, with JSON shaped the way Xero takes it.

xero-local keeps each `xero-tenant-id` in its own bucket (a new id makes a new one), so an Emulator
made with `tenant_id` (or `in_tenant`) seeds another organisation. It makes every id itself: the same
ContactID cannot be given to two organisations.
"""

import time

import requests

BEARER = {"Authorization": "Bearer seed"}
# key in xero-local's /_xero/state -> resource of its API
STATE_KEYS = {
	"contacts": "Contacts",
	"invoices": "Invoices",
	"payments": "Payments",
	"credit_notes": "CreditNotes",
}


def list_all(http: requests.Session, api: str, resource: str, tenant_id: str | None = None) -> list[dict]:
	"""Every record of one resource of one tenant, through xero-local's paged API (its /_xero/state
	shows only the default tenant)."""
	headers = {**BEARER, **({"Xero-Tenant-Id": tenant_id} if tenant_id else {})}
	records, page = [], 1
	while True:
		response = http.get(f"{api}/{resource}", params={"page": page}, headers=headers, timeout=120)
		response.raise_for_status()
		body = response.json()
		records += body.get(resource) or []
		if page >= int((body.get("pagination") or {}).get("pageCount") or 1):
			return records
		page += 1


class Emulator:
	def __init__(self, url: str, tenant_id: str | None = None):
		"""`tenant_id`: the organisation to seed (None: xero-local's default tenant)."""
		self.url = url
		self.api = f"{url}/api.xro/2.0"
		self.tenant = tenant_id
		self.http = requests.Session()
		self.http.headers.update(BEARER)
		if tenant_id:
			self.http.headers["Xero-Tenant-Id"] = tenant_id

	def in_tenant(self, tenant_id: str) -> "Emulator":
		"""A seeder of the same emulator that writes into another organisation."""
		return Emulator(self.url, tenant_id)

	def tenant_id(self) -> str:
		if self.tenant:
			return self.tenant
		return self.http.get(f"{self.url}/_xero/state", timeout=30).json()["tenant"]["tenantId"]

	def contact(self, name: str, email: str = "", is_customer: bool = True, **extra) -> dict:
		body = {"Name": name, "EmailAddress": email, **extra}
		created = self._post("Contacts", {"Contacts": [body]})["Contacts"][0]
		if is_customer:  # Xero sets IsCustomer itself once a sales invoice exists; the emulator never does
			created = self._post(f"Contacts/{created['ContactID']}", {"Contacts": [{"IsCustomer": True}]})[
				"Contacts"
			][0]
		return created

	def invoices(self, invoices: list[dict]) -> list[dict]:
		created = []
		for start in range(0, len(invoices), 500):
			created += self._post("Invoices", {"Invoices": invoices[start : start + 500]})["Invoices"]
		return created

	def invoice(self, contact_id: str, number: str, total: str, **extra) -> dict:
		"""Amounts are given as strings and sent as JSON numbers, as Xero takes them."""
		total = float(total)
		extra = {k: float(v) if k in ("AmountDue", "AmountPaid") else v for k, v in extra.items()}
		body = {
			"Type": "ACCREC",
			"Contact": {"ContactID": contact_id},
			"InvoiceNumber": number,
			"Status": "AUTHORISED",
			"CurrencyCode": "NZD",
			"LineItems": [
				{"Description": "Widgets", "Quantity": 1, "UnitAmount": total, "LineAmount": total}
			],
			"Total": total,
			"AmountDue": total,
			**extra,
		}
		return self.invoices([body])[0]

	def update_invoice(self, invoice_id: str, **fields) -> dict:
		return self._post(f"Invoices/{invoice_id}", {"Invoices": [fields]})["Invoices"][0]

	def pay(self, invoice_id: str, amount: str, date: str, reference: str = "") -> dict:
		body = {
			"Invoice": {"InvoiceID": invoice_id},
			"Account": {"Code": "090"},
			"Amount": float(amount),
			"Date": date,
		}
		if reference:
			body["Reference"] = reference
		return self._post("Payments", {"Payments": [body]})["Payments"][0]

	def credit_note(self, contact_id: str, number: str, total: str, **extra) -> dict:
		"""An authorised customer credit note (ACCRECCREDIT) in NZD unless told otherwise. xero-local
		starts RemainingCredit at the Total: a RemainingCredit given here is set afterwards."""
		total = float(total)
		remaining = extra.pop("RemainingCredit", None)
		body = {
			"Type": "ACCRECCREDIT",
			"Contact": {"ContactID": contact_id},
			"CreditNoteNumber": number,
			"Status": "AUTHORISED",
			"CurrencyCode": "NZD",
			"Date": "2026-11-05",
			"LineItems": [{"Description": "Returned widgets", "Quantity": 1, "UnitAmount": total}],
			"Total": total,
			**extra,
		}
		created = self._post("CreditNotes", {"CreditNotes": [body]})["CreditNotes"][0]
		if remaining is not None:
			created = self.update_credit_note(created["CreditNoteID"], RemainingCredit=float(remaining))
		return created

	def overpayment(self, contact_id: str, total: str, **extra) -> dict:
		"""A customer overpayment (RECEIVE-OVERPAYMENT). xero-local has no Overpayments: it keeps this
		as a credit note of that Type, which the peer serves under /Overpayments (and hides from
		/CreditNotes), so a seeder in any process can make one."""
		return self.credit_note(contact_id, "", total, Type="RECEIVE-OVERPAYMENT", **extra)

	def prepayment(self, contact_id: str, total: str, **extra) -> dict:
		"""A customer prepayment (RECEIVE-PREPAYMENT), kept as overpayment() keeps one."""
		return self.credit_note(contact_id, "", total, Type="RECEIVE-PREPAYMENT", **extra)

	def update_credit_note(self, credit_note_id: str, **fields) -> dict:
		"""Change a credit note as Xero would, stamping UpdatedDateUTC (xero-local does not)."""
		fields.setdefault("UpdatedDateUTC", f"/Date({int(time.time() * 1000)}+0000)/")
		return self._post(f"CreditNotes/{credit_note_id}", {"CreditNotes": [fields]})["CreditNotes"][0]

	def state(self) -> dict:
		"""The seeded organisation's records by kind (and `tenant`)."""
		if not self.tenant:
			return self.http.get(f"{self.url}/_xero/state", timeout=60).json()
		records = {
			key: list_all(self.http, self.api, resource, self.tenant) for key, resource in STATE_KEYS.items()
		}
		return {"tenant": {"tenantId": self.tenant}, **records}

	def _post(self, path: str, body: dict) -> dict:
		response = self.http.post(f"{self.api}/{path}", json=body, timeout=120)
		response.raise_for_status()
		return response.json()
