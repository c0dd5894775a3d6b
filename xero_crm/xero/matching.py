"""Which Xero contact(s) a CRM record means.

An explicit link set by a user wins. Otherwise: Customer by Xero name, account number or tax number;
Contact by any of its emails (the Xero contact's own or a contact person's), else the Customer it is
linked to; Opportunity by its party and its contact person. Merged Xero contacts are followed to the
contact they were merged into. Invoices show only for matches that are customers in Xero."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .keys import organisation_of
from .records import XeroContact, normalise_email, normalise_name

MAX_MERGE_HOPS = 5
# A record's owner types its emails and names: however many there are, matching looks at this many
# of each kind (the first ones: a Contact's primary email comes first), in one indexed look-up.
MAX_KEYS = 20


@dataclass(frozen=True)
class MatchKeys:
	"""What a CRM record offers to match on; `fallback` is tried only when these find nothing."""

	names: tuple[str, ...] = ()
	account_numbers: tuple[str, ...] = ()
	tax_numbers: tuple[str, ...] = ()
	emails: tuple[str, ...] = ()
	fallback: "MatchKeys | None" = None

	@classmethod
	def of(
		cls,
		names: Iterable[str | None] = (),
		account_numbers: Iterable[str | None] = (),
		tax_numbers: Iterable[str | None] = (),
		emails: Iterable[str | None] = (),
		fallback: "MatchKeys | None" = None,
	) -> "MatchKeys":
		return cls(
			names=_unique(normalise_name(n) for n in names),
			account_numbers=_unique((a or "").strip() for a in account_numbers),
			tax_numbers=_unique((t or "").strip() for t in tax_numbers),
			emails=_unique(normalise_email(e) for e in emails),
			fallback=fallback,
		)

	def is_empty(self) -> bool:
		return not (self.names or self.account_numbers or self.tax_numbers or self.emails)

	def combine(self, other: "MatchKeys") -> "MatchKeys":
		return MatchKeys(
			names=_unique((*self.names, *other.names)),
			account_numbers=_unique((*self.account_numbers, *other.account_numbers)),
			tax_numbers=_unique((*self.tax_numbers, *other.tax_numbers)),
			emails=_unique((*self.emails, *other.emails)),
			fallback=self.fallback or other.fallback,
		)


@dataclass(frozen=True)
class Match:
	contacts: tuple[XeroContact, ...] = ()
	how: str = "none"  # link | keys | fallback | none
	customer_ids: tuple[str, ...] = field(init=False)

	def __post_init__(self):
		object.__setattr__(self, "customer_ids", tuple(c.contact_id for c in self.contacts if c.is_customer))

	@property
	def matched(self) -> bool:
		return bool(self.contacts)


# (keys) -> candidate contacts; (ids) -> contacts by id
FindCandidates = Callable[[MatchKeys], list[XeroContact]]
GetContacts = Callable[[tuple[str, ...]], list[XeroContact]]


def match(
	keys: MatchKeys,
	find: FindCandidates,
	get: GetContacts,
	linked_ids: tuple[str, ...] = (),
) -> Match:
	if linked_ids:
		return Match(_follow_merges(get(linked_ids), get), "link")
	how = "keys"
	while keys is not None:
		if not keys.is_empty():
			found = [c for c in find(keys) if _matches(c, keys)]
			if found:
				return Match(_follow_merges(found, get), how)
		keys, how = keys.fallback, "fallback"
	return Match()


HOW_STRENGTH = ("none", "fallback", "keys", "link")


def match_each_organisation(
	keys: MatchKeys,
	find: FindCandidates,
	get: GetContacts,
	linked_ids: tuple[str, ...] = (),
	allowed: Callable[[str], bool] = lambda organisation: True,
) -> Match:
	"""A record matched in every organisation on its own: a contact linked by hand in one organisation
	wins there and leaves the others to the record's keys (`linked_ids`, `find` and `get` name
	contacts by cache key, whose prefix is the organisation). Organisations not `allowed` (Company
	restrictions) are never looked at. With one organisation this is `match`."""
	candidates = _Candidates(find, allowed)
	linked = [i for i in linked_ids if allowed(organisation_of(i))]
	contacts: dict[str, XeroContact] = {}
	how = "none"
	for org in dict.fromkeys([*(organisation_of(i) for i in linked), *candidates.organisations(keys)]):
		result = match(
			keys,
			lambda k, org=org: candidates.of(k, org),
			get,
			tuple(i for i in linked if organisation_of(i) == org),
		)
		contacts.update((c.contact_id, c) for c in result.contacts)
		how = max(how, result.how, key=HOW_STRENGTH.index)
	ordered = sorted(contacts.values(), key=lambda c: (c.name.casefold(), c.contact_id))
	return Match(tuple(ordered), how) if ordered else Match()


class _Candidates:
	"""`find` asked once per key set for every organisation, its answer kept to the allowed ones."""

	def __init__(self, find: FindCandidates, allowed: Callable[[str], bool]):
		self.find = find
		self.allowed = allowed
		self.found: dict[int, list[XeroContact]] = {}

	def all(self, keys: MatchKeys) -> list[XeroContact]:
		if id(keys) not in self.found:
			self.found[id(keys)] = [c for c in self.find(keys) if self.allowed(organisation_of(c.contact_id))]
		return self.found[id(keys)]

	def of(self, keys: MatchKeys, organisation: str) -> list[XeroContact]:
		return [c for c in self.all(keys) if organisation_of(c.contact_id) == organisation]

	def organisations(self, keys: MatchKeys | None) -> list[str]:
		"""Every organisation any level of the keys (theirs, then their fallbacks') finds a contact in."""
		found = []
		while keys is not None:
			if not keys.is_empty():
				found += [organisation_of(c.contact_id) for c in self.all(keys)]
			keys = keys.fallback
		return found


def keys_of(contacts: Iterable[XeroContact]) -> MatchKeys:
	"""The reverse of matching: the keys a CRM record holds when it matches one of these Xero contacts
	(a contact and those merged into it), to find the records that already show its invoices."""
	contacts = list(contacts)
	return MatchKeys.of(
		names=[c.name for c in contacts],
		account_numbers=[c.account_number for c in contacts],
		tax_numbers=[c.tax_number for c in contacts],
		emails=[e for c in contacts for e in c.emails],
	)


def records_matching(
	candidates: Iterable[tuple[str, str]],
	contact_id: str,
	resolve: Callable[[str, str], Match],
	may_read: Callable[[str, str], bool],
) -> list[tuple[str, str, Match]]:
	"""Which candidate records (doctype, name) match this Xero contact once matched forwards, as the
	panel would (a link to another contact wins; keys typed by someone who may not link do not
	count), among those the caller may read. Each record once, in the candidates' order."""
	found = []
	seen = set()
	for doctype, name in candidates:
		if (doctype, name) in seen:
			continue
		seen.add((doctype, name))
		if not may_read(doctype, name):
			continue
		result = resolve(doctype, name)
		if any(c.contact_id == contact_id for c in result.contacts):
			found.append((doctype, name, result))
	return found


def _matches(contact: XeroContact, keys: MatchKeys) -> bool:
	"""Re-check in Python what SQL selected (the SQL side may compare case-insensitively)."""
	return (
		normalise_name(contact.name) in keys.names
		or (contact.account_number and contact.account_number.strip() in keys.account_numbers)
		or (contact.tax_number and contact.tax_number.strip() in keys.tax_numbers)
		or any(e in keys.emails for e in contact.emails)
	)


def _follow_merges(contacts: list[XeroContact], get: GetContacts) -> tuple[XeroContact, ...]:
	result: dict[str, XeroContact] = {}
	for contact in contacts:
		seen = {contact.contact_id}
		for _hop in range(MAX_MERGE_HOPS):
			if not contact.merged_to or contact.merged_to in seen:
				break
			targets = get((contact.merged_to,))
			if not targets:
				break
			seen.add(contact.merged_to)
			contact = targets[0]
		if contact.status != "ARCHIVED" or not contact.merged_to:
			result.setdefault(contact.contact_id, contact)
	return tuple(sorted(result.values(), key=lambda c: (c.name.casefold(), c.contact_id)))


def _unique(values: Iterable[str]) -> tuple[str, ...]:
	unique: dict[str, None] = {}
	for v in values:
		if v:
			unique[v] = None
			if len(unique) == MAX_KEYS:
				break
	return tuple(unique)
