"""A record matching several Xero contacts (in several organisations, or several in one): each
contact's invoices are read in index order and cut before they are merged, and every page of every
view is exactly what one query over all of them, sorted, would give."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.sqlite_cache import SQLiteCache
from xero_crm.xero.cache_writer import CacheWriter
from xero_crm.xero.keys import cache_key
from xero_crm.xero.queries import InvoiceFilter, list_all, list_invoices
from xero_crm.xero.records import Credit, Invoice
from xero_crm.xero.semantics import VIEWS

TODAY = date(2026, 11, 20)
ORGS = ("org-a", "org-b")


@pytest.fixture(scope="module")
def cache():
	rng = random.Random(11)
	cache = SQLiteCache()
	for org in ORGS:
		writer = CacheWriter(cache.store, org)
		invoices, credits = [], []
		for n in range(60):
			day = date(2026, 1, 1) + timedelta(days=rng.randrange(330))
			status = rng.choice(("AUTHORISED", "AUTHORISED", "PAID", "VOIDED", "DRAFT"))
			total = Decimal(rng.randrange(10, 500))
			invoices.append(
				Invoice(
					invoice_id=f"i-{n}",
					invoice_number=f"{org}-{n:03d}",
					reference="",
					type="ACCREC" if n % 9 else "ACCPAY",
					contact_id=("acme", "acme-2")[n % 2],
					status=status,
					date=day,
					due_date=day + timedelta(days=30),
					currency="NZD",
					total=total,
					amount_due=total if status == "AUTHORISED" else Decimal("0"),
					amount_paid=total if status == "PAID" else Decimal("0"),
					amount_credited=Decimal("0"),
					updated_at=None,
				)
			)
			if n % 10 == 0:
				credits.append(
					Credit(
						f"c-{n}",
						"Credit Note",
						"ACCRECCREDIT",
						f"CN-{org}-{n}",
						"",
						"acme",
						"AUTHORISED",
						day,
						"NZD",
						Decimal(5),
						Decimal(5),
					)
				)
		writer.write_invoices(invoices)
		writer.write_credits(credits)
	return cache


CONTACTS = tuple(cache_key(org, c) for org in ORGS for c in ("acme", "acme-2"))


def names(cache, query) -> list[str]:
	return [r["name"] for r in cache.run(query)]


def everything(cache, listing, f) -> list[str]:
	"""The whole list in one page: what the pages must add up to, in order."""
	return names(cache, listing(cache.tables, f, 0, 10_000))


@pytest.mark.parametrize("view", VIEWS)
def test_every_page_of_a_record_of_several_contacts_is_the_sorted_list_cut(cache, view):
	listing = list_all if view == "all" else list_invoices
	f = InvoiceFilter(CONTACTS, view, TODAY)
	whole = everything(cache, listing, f)
	rows = {r["name"]: r for r in cache.run(listing(cache.tables, f, 0, 10_000))}
	expected = sorted(
		whole,
		key=lambda n: (str(rows[n]["invoice_date"]), rows[n]["invoice_number"], n),
		reverse=True,
	)
	assert whole == expected
	# each contact's own rows are all there: the per-contact cut never loses one
	for contact in CONTACTS:
		alone = everything(cache, listing, InvoiceFilter((contact,), view, TODAY))
		assert set(alone) <= set(whole)
	assert len(whole) == sum(
		len(everything(cache, listing, InvoiceFilter((c,), view, TODAY))) for c in CONTACTS
	)
	pages = [names(cache, listing(cache.tables, f, start, 7)) for start in range(0, len(whole) + 7, 7)]
	assert [n for page in pages for n in page] == whole


def test_each_contact_is_read_on_its_own_cut_to_the_page(cache):
	sql = str(list_invoices(cache.tables, InvoiceFilter(CONTACTS, "paid", TODAY), 20, 10))
	assert sql.count("LIMIT 30") == len(CONTACTS)  # start + page_length, per contact
	parts = sql.split("UNION ALL")
	assert len(parts) == len(CONTACTS)
	for part, contact in zip(parts, CONTACTS, strict=True):  # one contact each: its index, in order
		assert f"\"xero_contact\" IN ('{contact}')" in part and part.count("'org-") == 1
	one = str(list_invoices(cache.tables, InvoiceFilter(CONTACTS[:1], "paid", TODAY), 20, 10))
	assert "UNION" not in one
