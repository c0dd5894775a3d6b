"""Frappe CRM's records (the `crm` app: CRM Organization, CRM Deal, CRM Lead) as match keys.

The rules, from plain values the Frappe glue reads (xero_crm/frappe_crm/party.py):
- Organization: a Xero contact of its (normalised) name, the ERPNext Customer of that name where
  ERPNext is installed, and the emails of the Contacts whose company is the organization: all at once.
- Deal: the ERPNext Customer that Frappe CRM's ERPNext integration made for it; else its
  organization's keys; else its contacts' emails, the primary contact's first.
- Lead: its email and its organization's name (for a badge: is it already a Xero customer?).

What a rep types (an organization's name, a lead's email) counts only when the record was written by
someone who may link Xero contacts by hand; the glue decides that and passes `trusted`. A Customer set
by the ERPNext integration always counts, as a Customer's own keys do on the desk.
"""

from collections.abc import Iterable

from .matching import MatchKeys

# The doctypes, as Frappe CRM names them.
ORGANIZATION = "CRM Organization"
DEAL = "CRM Deal"
LEAD = "CRM Lead"
CRM_DOCTYPES = (DEAL, ORGANIZATION, LEAD)


def chain(*keys: MatchKeys | None) -> MatchKeys:
	"""The first keys, each later one tried only when everything before it found nothing."""
	present = [k for k in keys if k is not None and not k.is_empty()]
	if not present:
		return MatchKeys()
	result = _without_fallback(present[-1])
	for k in reversed(present[:-1]):
		result = MatchKeys(k.names, k.account_numbers, k.tax_numbers, k.emails, fallback=result)
	return result


def organization_keys(
	name: str | None,
	trusted: bool,
	customer: MatchKeys | None = None,
	contact_emails: Iterable[str | None] = (),
) -> MatchKeys:
	"""`customer`: the keys of the ERPNext Customer named like the organization (None without one);
	`contact_emails`: its Contacts' emails, already filtered by the Contacts' own trust rule."""
	keys = MatchKeys.of(emails=contact_emails)
	if trusted:
		keys = MatchKeys.of(names=[name]).combine(keys)
		if customer is not None:
			keys = _without_fallback(customer).combine(keys)
	return keys


def deal_keys(
	customer: MatchKeys | None,
	organization: MatchKeys | None,
	contact_emails: Iterable[str | None] = (),
) -> MatchKeys:
	"""`customer`: the integration's Customer's keys; `organization`: organization_keys of its
	organization; `contact_emails`: its contacts', primary first (each Contact's trust rule applied)."""
	return chain(customer, organization, MatchKeys.of(emails=contact_emails))


def lead_keys(email: str | None, organization: str | None, trusted: bool) -> MatchKeys:
	if not trusted:
		return MatchKeys()
	return MatchKeys.of(names=[organization], emails=[email])


def _without_fallback(keys: MatchKeys) -> MatchKeys:
	return MatchKeys(keys.names, keys.account_numbers, keys.tax_numbers, keys.emails)
