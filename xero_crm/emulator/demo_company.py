"""The demo's small company, seeded into xero-local, and the live changes that keep it moving.

A dozen customers in two currencies with about 300 sales invoices over the past year: paid, paid in
instalments, part-paid, open, due today, overdue at every age, drafts, voided, and one supplier bill.
The same day and seed always give the same company, so what a panel must show can be worked out
from the plan alone (`Company.expected`).

Its sister company (`demo --two-organisations`) is a second Xero organisation in AUD where a few of
the same customers buy too: their panels show both organisations, each with its own totals.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from xero_crm.emulator.deliveries import event
from xero_crm.emulator.seed import Emulator

ORGANISATION = "Kōwhai Supplies Ltd (demo)"

# name, email domain, currency, contact person, how late the customer pays (0 on time … 3 very late)
CUSTOMERS = (
	("Harbour Lights Café", "harbourlights.co.nz", "NZD", ("Mere", "Tipene"), 0),
	("Kauri Ridge Builders", "kauriridge.co.nz", "NZD", ("Sam", "Walker"), 2),
	("Southern Cross Freight", "scfreight.com.au", "AUD", ("Olivia", "Nguyen"), 1),
	("Tasman Bay Orchards", "tasmanbay.co.nz", "NZD", ("Hamish", "Boyd"), 0),
	("Blue Penguin Design", "bluepenguin.co.nz", "NZD", ("Aroha", "Ngata"), 1),
	("Coral Coast Dive Co", "coralcoastdive.com.au", "AUD", ("Jack", "Murray"), 3),
	("Fernleaf Dental", "fernleafdental.co.nz", "NZD", ("Priya", "Shah"), 0),
	("Wattle & Gum Interiors", "wattleandgum.com.au", "AUD", ("Chloe", "Smith"), 2),
	("Pōhutukawa Press", "pohutukawapress.co.nz", "NZD", ("Rawiri", "Hohaia"), 1),
	("Outback Solar Pty", "outbacksolar.com.au", "AUD", ("Liam", "O'Brien"), 0),
	("Matariki Events", "matarikievents.co.nz", "NZD", ("Kiri", "Walker"), 3),
	("Kiwi Sparkle Cleaning", "kiwisparkle.co.nz", "NZD", ("Tom", "Fraser"), 1),
)
INVOICES_EACH = 25
# The second organisation: name, ShortCode, base currency (as the peer's add_tenant takes them), the
# customers of the first who buy there too (in its currency), and how many invoices each has there.
SISTER = ("Kōwhai Supplies Australia Pty (demo)", "!kAu26", "AUD")
SISTER_CUSTOMERS = (
	"Harbour Lights Café",
	"Southern Cross Freight",
	"Coral Coast Dive Co",
	"Outback Solar Pty",
)
SISTER_INVOICES_EACH = 6
# Customer credit, shown as Credit available beside Total unpaid: customer, credit note number (None:
# an overpayment), amount, days before today.
CREDITS = (
	("Harbour Lights Café", "CN-0001", "150.00", 12),
	("Harbour Lights Café", None, "45.00", 5),
)
LINES = ("Kōwhai timber supply", "Delivery and handling", "Site visit", "Fixings and hardware", "Consulting")


@dataclass
class Planned:
	customer: str
	number: str
	currency: str
	issued: date
	due: date
	total: Decimal
	status: str = "AUTHORISED"  # AUTHORISED, DRAFT or VOIDED as created; paid ones end PAID
	type: str = "ACCREC"
	payments: list[tuple[date, Decimal]] = field(default_factory=list)

	@property
	def paid(self) -> Decimal:
		return sum((amount for _, amount in self.payments), Decimal("0"))

	@property
	def due_amount(self) -> Decimal:
		return self.total - self.paid


def plan(today: date, seed: int = 7) -> list[Planned]:
	"""Every invoice of the company, oldest first, numbered INV-0001 on."""
	planned = _planned(CUSTOMERS, INVOICES_EACH, "INV", today, random.Random(seed))
	_set_pieces(planned, today)
	return planned


def sister_customers() -> tuple:
	"""The sister company's customers, as CUSTOMERS holds them, in its currency."""
	return tuple((c[0], c[1], SISTER[2], *c[3:]) for c in CUSTOMERS if c[0] in SISTER_CUSTOMERS)


def plan_sister(today: date, seed: int = 23) -> list[Planned]:
	"""Every invoice of the sister company, oldest first, numbered AU-0001 on."""
	return _planned(sister_customers(), SISTER_INVOICES_EACH, "AU", today, random.Random(seed))


def _planned(customers, each: int, prefix: str, today: date, rng: random.Random) -> list[Planned]:
	planned: list[Planned] = []
	for name, _domain, currency, _person, lateness in customers:
		for n in range(each):
			# more of them recent, as a growing business has: about a third in the last two months
			issued = today - timedelta(days=int(365 * ((n + rng.random()) / each) ** 1.6))
			total = Decimal(rng.randrange(30, 960) * 5).quantize(Decimal("0.01"))
			planned.append(
				_fate(
					Planned(name, "", currency, issued, issued + timedelta(days=30), total),
					today,
					lateness,
					rng,
				)
			)
	planned.sort(key=lambda p: (p.issued, p.customer))
	for n, p in enumerate(planned, 1):
		p.number = f"{prefix}-{n:04d}"
	return planned


def _fate(p: Planned, today: date, lateness: int, rng: random.Random) -> Planned:
	"""Paid, in instalments, part-paid or unpaid, by age and how late the customer pays."""
	age = (today - p.issued).days
	roll = rng.random()
	if roll < 0.03:
		p.status = "VOIDED"
	elif age > 45 + 35 * lateness or roll < 0.4:
		instalments = 1 if rng.random() < 0.75 else rng.randint(2, 4)
		p.payments = _split(p, instalments, today, rng)
	elif roll < 0.6:
		p.payments = _split(p, rng.randint(2, 3), today, rng)[:1]  # the first of a few instalments
	return p


def _split(p: Planned, parts: int, today: date, rng: random.Random) -> list[tuple[date, Decimal]]:
	share = (p.total / parts).quantize(Decimal("0.01"))
	amounts = [share] * (parts - 1) + [p.total - share * (parts - 1)]
	days = sorted(rng.randint(3, 45) for _ in range(parts))
	return [(min(today, p.issued + timedelta(days=d)), a) for d, a in zip(days, amounts, strict=True)]


def _set_pieces(planned: list[Planned], today: date) -> None:
	"""What a year of chance may miss: an invoice due today, two drafts, and a supplier bill."""
	unpaid = [p for p in planned if p.status == "AUTHORISED" and not p.payments]
	for p in unpaid[-2:]:
		p.status = "DRAFT"
	bill = next(p for p in reversed(unpaid[:-2]) if p.customer == "Pōhutukawa Press")
	bill.type, bill.number = "ACCPAY", "PP-2231"
	open_ = [p for p in unpaid[:-2] if p.type == "ACCREC" and p.due >= today]
	if open_:
		open_[0].due = today


@dataclass
class Company:
	tenant_id: str
	contacts: dict[str, dict]  # name -> the Xero contact
	invoices: dict[str, dict]  # number -> the Xero invoice as created
	planned: list[Planned]
	credits: list[dict] = field(default_factory=list)  # credit notes and overpayments, as created

	def expected(self, customer: str) -> dict[str, dict[str, Decimal]]:
		"""{currency: {"paid", "unpaid"}} for a customer's sales invoices, as the panel totals them."""
		return expected_totals(self.planned, customer)


def expected_totals(planned: list[Planned], customer: str) -> dict[str, dict[str, Decimal]]:
	totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: {"paid": Decimal(0), "unpaid": Decimal(0)})
	for p in planned:
		if p.customer == customer and p.type == "ACCREC" and p.status == "AUTHORISED":
			totals[p.currency]["paid"] += p.paid
			totals[p.currency]["unpaid"] += p.due_amount
	return dict(totals)


def customer_email(name: str) -> str:
	_name, domain, _currency, (first, _last), _lateness = next(c for c in CUSTOMERS if c[0] == name)
	return f"{first.lower()}@{domain}"


def seed(emulator: Emulator, today: date, seed: int = 7) -> Company:
	"""Write the company into xero-local over its HTTP API, as a Xero organisation would hold it."""
	return _seed(emulator, CUSTOMERS, plan(today, seed), CREDITS, today)


def seed_sister(emulator: Emulator, today: date, seed: int = 23) -> Company:
	"""Write the sister company into its own organisation: `emulator` seeds that tenant
	(`Emulator.in_tenant`)."""
	return _seed(emulator, sister_customers(), plan_sister(today, seed), (), today)


def _seed(emulator: Emulator, customers, planned: list[Planned], credits, today: date) -> Company:
	contacts = {}
	for name, domain, _currency, (first, last), _lateness in customers:
		person = {"FirstName": first, "LastName": last, "EmailAddress": f"{first.lower()}@{domain}"}
		contacts[name] = emulator.contact(name, f"accounts@{domain}", ContactPersons=[person])
	created = emulator.invoices([_body(p, contacts[p.customer]["ContactID"]) for p in planned])
	invoices = {c["InvoiceNumber"]: c for c in created}
	for p in planned:
		invoice_id = invoices[p.number]["InvoiceID"]
		for paid_on, amount in p.payments:
			emulator.pay(invoice_id, str(amount), paid_on.isoformat())
		if p.payments and p.due_amount == 0:
			emulator.update_invoice(invoice_id, Status="PAID")
	made = [_credit(emulator, contacts, today, *c) for c in credits]
	return Company(emulator.tenant_id(), contacts, invoices, planned, made)


def _credit(emulator: Emulator, contacts: dict, today: date, customer, number, amount, days_ago) -> dict:
	contact_id, currency = contacts[customer]["ContactID"], _currency_of(customer)
	when = (today - timedelta(days=days_ago)).isoformat()
	if number is None:
		return emulator.overpayment(contact_id, amount, CurrencyCode=currency, Date=when)
	return emulator.credit_note(contact_id, number, amount, CurrencyCode=currency, Date=when)


def _currency_of(customer: str) -> str:
	return next(currency for name, _d, currency, _p, _l in CUSTOMERS if name == customer)


def _body(p: Planned, contact_id: str) -> dict:
	return {
		"Type": p.type,
		"Contact": {"ContactID": contact_id},
		"InvoiceNumber": p.number,
		"Reference": f"PO {p.number[-4:]}" if p.type == "ACCREC" else "",
		"Status": p.status,
		"CurrencyCode": p.currency,
		"Date": p.issued.isoformat(),
		"DueDate": p.due.isoformat(),
		"LineItems": [
			{
				"Description": LINES[sum(map(ord, p.number)) % len(LINES)],
				"Quantity": 1,
				"UnitAmount": float(p.total),
				"LineAmount": float(p.total),
			}
		],
		"Total": float(p.total),
		"AmountDue": float(p.total),
	}


@dataclass
class Change:
	what: str  # a line for the admin watching
	customer: str
	events: list[dict]


class LiveChanges:
	"""Something happening in Xero every few seconds: a payment, a new invoice, an invoice falling
	overdue. Each change is made in xero-local and returned with the webhook events Xero would send."""

	KINDS = ("payment", "new_invoice", "payment", "overdue")

	def __init__(
		self, emulator: Emulator, tenant_id: str, today: date, seed: int = 11, customer: str | None = None
	):
		"""`customer`: every change is that customer's (the one whose record an admin has open)."""
		self.emulator = emulator
		self.tenant_id = tenant_id
		self.today = today
		self.rng = random.Random(seed)
		self.turn = 0
		self.customer = customer

	def next(self) -> Change:
		kind = self.KINDS[self.turn % len(self.KINDS)]
		self.turn += 1
		change = getattr(self, f"_{kind}")(self._sales_invoices())
		return change or self._new_invoice(self._sales_invoices())

	def _sales_invoices(self) -> list[dict]:
		state = self.emulator.state()
		names = {c["ContactID"]: c["Name"] for c in state["contacts"]}
		invoices = [i for i in state["invoices"] if i["Type"] == "ACCREC"]
		for i in invoices:
			i["_customer"] = names.get(i["Contact"]["ContactID"], "")
		return [i for i in invoices if i["_customer"] == self.customer] if self.customer else invoices

	def _payment(self, invoices: list[dict]) -> Change | None:
		owing = [i for i in invoices if i["Status"] == "AUTHORISED" and Decimal(str(i["AmountDue"])) > 0]
		if not owing:
			return None
		invoice = self.rng.choice(owing)
		due = Decimal(str(invoice["AmountDue"]))
		amount = due if due < 100 or self.rng.random() < 0.5 else (due / 2).quantize(Decimal("0.01"))
		self.emulator.pay(invoice["InvoiceID"], str(amount), self.today.isoformat())
		# xero-local keeps the status and the update time as they were; Xero moves both.
		self.emulator.update_invoice(invoice["InvoiceID"], Status="PAID" if amount == due else "AUTHORISED")
		return self._change(
			f"{invoice['CurrencyCode']} {amount} paid on {invoice['InvoiceNumber']}",
			invoice,
			invoice["InvoiceID"],
		)

	def _new_invoice(self, invoices: list[dict]) -> Change:
		name, _domain, currency, _person, _lateness = self.rng.choice(
			[c for c in CUSTOMERS if c[0] == self.customer] or CUSTOMERS
		)
		contact_id = next(i["Contact"]["ContactID"] for i in invoices if i["_customer"] == name)
		number = f"INV-{len(invoices) + 1001:04d}"
		total = Decimal(self.rng.randrange(30, 960) * 5)
		planned = Planned(name, number, currency, self.today, self.today + timedelta(days=30), total)
		(created,) = self.emulator.invoices([_body(planned, contact_id)])
		created["_customer"] = name
		return self._change(f"new invoice {number}, {currency} {total:.2f}", created, created["InvoiceID"])

	def _overdue(self, invoices: list[dict]) -> Change | None:
		open_ = [
			i
			for i in invoices
			if i["Status"] == "AUTHORISED" and i.get("DueDateString", "")[:10] >= self.today.isoformat()
		]
		if not open_:
			return None
		invoice = self.rng.choice(open_)
		yesterday = self.today - timedelta(days=1)
		# xero-local stores an update as given: both of Xero's forms of the date.
		self.emulator.update_invoice(
			invoice["InvoiceID"], DueDate=_xero_date(yesterday), DueDateString=f"{yesterday}T00:00:00"
		)
		return self._change(f"{invoice['InvoiceNumber']} fell overdue", invoice, invoice["InvoiceID"])

	def _change(self, what: str, invoice: dict, invoice_id: str) -> Change:
		return Change(
			f"{invoice['_customer']}: {what}", invoice["_customer"], [event(invoice_id, self.tenant_id)]
		)


def _xero_date(day: date) -> str:
	"""Xero's /Date(ms+0000)/ for midnight UTC of `day`."""
	ms = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
	return f"/Date({ms}+0000)/"
