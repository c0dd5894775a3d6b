"""Property-based tests (hypothesis) on every argument the whitelisted methods take and on webhook
bodies: whatever arrives, the answer is a result or a clear validation error, never a crash and
never SQL."""

import json
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.matching import MatchKeys
from xero_crm.xero.panel import InvalidArgument, Panel, parse_list_args
from xero_crm.xero.queries import contact_candidates, search_contacts
from xero_crm.xero.records import XeroContact, normalise_name, parse_contact, parse_invoice
from xero_crm.xero.webhooks import check_delivery, sign

KEY = "k3y"
anything = st.one_of(
	st.none(),
	st.booleans(),
	st.integers(),
	st.floats(allow_nan=True),
	st.text(max_size=300),
	st.lists(st.integers(), max_size=3),
	st.dates().map(str),
)

CACHE = SQLiteCache()
CACHE.write_invoices(
	[
		parse_invoice(
			{
				"InvoiceID": "i-1",
				"InvoiceNumber": "INV-1",
				"Contact": {"ContactID": "c-1"},
				"Status": "AUTHORISED",
				"Total": 1,
				"AmountDue": 1,
				"DateString": "2026-11-01T00:00:00",
			}
		)
	]
)
CACHE.write_contacts(
	[
		XeroContact(
			"c-1",
			"O'Brien & <Sons> Ltd",
			"ap@obrien.example",
			account_number="ACC-1",
			tax_number="TAX-1",
			is_customer=True,
		)
	]
)
PANEL = Panel(CACHE.run, CACHE.tables, date(2026, 11, 20), "X")


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
	view=anything, search=anything, from_date=anything, to_date=anything, start=anything, page_length=anything
)
def test_list_arguments_are_validated_or_refused_clearly(
	view, search, from_date, to_date, start, page_length
):
	try:
		args = parse_list_args(view, search, from_date, to_date, start, page_length)
	except InvalidArgument as e:
		assert str(e) and "Traceback" not in str(e)
		return
	result = PANEL.invoices(("c-1",), args, ())
	assert result["total_count"] >= len(result["invoices"]) >= 0
	assert CACHE.count("Xero Invoice") == 1  # nothing was altered


@settings(max_examples=300)
@given(search=st.text(min_size=1, max_size=100))
def test_any_search_text_is_data(search):
	try:
		args = parse_list_args("all", search)
	except InvalidArgument as e:
		assert "control characters" in str(e)
		return
	found = [i["invoice_number"] for i in PANEL.invoices(("c-1",), args, ())["invoices"]]
	assert found == (["INV-1"] if not args.search or args.search.lower() in "inv-1" else [])


@settings(max_examples=200)
@given(text=st.text(max_size=100), emails=st.lists(st.text(max_size=60), max_size=3))
def test_contact_lookups_take_any_text_and_find_exactly_what_it_names(text, emails):
	text = "".join(ch for ch in text if ch != "\x00")  # the API refuses NUL before it gets here
	emails = [e.replace("\x00", "") for e in emails]
	name = "O'Brien & <Sons> Ltd"
	found = [r["name"] for r in CACHE.run(search_contacts(CACHE.tables, text))]
	named = text.lower() in name.lower() or text.strip().lower() == "ap@obrien.example"
	assert found == (["c-1"] if named else [])
	keys = MatchKeys.of(names=[text], emails=emails, account_numbers=[text], tax_numbers=[text])
	candidates = CACHE.run(
		contact_candidates(CACHE.tables, keys.names, keys.account_numbers, keys.tax_numbers, keys.emails)
	)
	points_at_it = (
		keys.names == (normalise_name(name),)
		or text.strip() in ("ACC-1", "TAX-1")
		or "ap@obrien.example" in keys.emails
	)
	assert [r["name"] for r in candidates] == (["c-1"] if points_at_it else [])


@settings(max_examples=500)
@given(body=st.binary(max_size=2000), signature=st.one_of(st.none(), st.text(max_size=100)))
def test_any_unsigned_body_is_refused_without_crashing(body, signature):
	assert check_delivery(body, signature, KEY, "t").status in (401, 413)


json_values = st.recursive(
	st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=40)),
	lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=15), inner, max_size=4),
	max_leaves=20,
)


@settings(max_examples=500)
@given(payload=json_values)
def test_any_signed_json_body_gets_a_verdict_not_a_crash(payload):
	body = json.dumps(payload).encode()
	delivery = check_delivery(body, sign(body, KEY), KEY, "t")
	assert delivery.status in (200, 400)


@settings(max_examples=300)
@given(
	events=st.lists(
		st.fixed_dictionaries(
			{
				"eventCategory": st.sampled_from(["INVOICE", "CONTACT", "CREDITNOTE", "SUBSCRIPTION", ""]),
				"resourceId": st.text(max_size=80),
				"tenantId": st.sampled_from(["t", "other"]),
				"eventType": st.text(max_size=10),
				"eventDateUtc": st.text(max_size=30),
			}
		),
		max_size=20,
	)
)
def test_signed_event_lists_keep_only_this_tenants_events(events):
	body = json.dumps({"events": events}).encode()
	delivery = check_delivery(body, sign(body, KEY), KEY, "t")
	if delivery.status == 200:
		assert all(e.tenant_id == "t" for e in delivery.events)
		assert len(delivery.events) + delivery.other_tenant == len(events)
	else:
		assert delivery.status == 400  # an over-long resource id


@settings(max_examples=300)
@given(
	payload=st.dictionaries(
		st.sampled_from(["InvoiceID", "Total", "AmountDue", "Status", "DateString", "Payments", "Contact"]),
		json_values,
	)
)
def test_invoice_parsing_never_turns_money_into_float(payload):
	payload.setdefault("InvoiceID", "x")
	try:
		inv = parse_invoice(payload)
	except (TypeError, AttributeError, KeyError):
		return  # a shape Xero never sends is refused, not half-read
	assert type(inv.total).__name__ == "Decimal"


@settings(max_examples=200)
@given(
	payload=st.dictionaries(
		st.sampled_from(["ContactID", "Name", "EmailAddress", "ContactPersons"]), json_values
	)
)
def test_contact_parsing_reads_odd_shapes_as_text_or_refuses_them(payload):
	payload.setdefault("ContactID", "c")
	try:
		contact = parse_contact(payload)
	except (TypeError, AttributeError):
		return  # a shape Xero never sends (a list of strings for ContactPersons) is refused whole
	assert contact.contact_id == str(payload["ContactID"])
	assert isinstance(contact.name, str) and all(isinstance(e, str) for e in contact.emails)
	assert contact.emails == tuple(dict.fromkeys(e for e in contact.emails if e))  # unique, none empty
