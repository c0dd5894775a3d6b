"""Cache keys: how the local cache names a record of one of several Xero organisations."""


def cache_key(organisation: str, xero_id: str) -> str:
	"""A cached record's name: Xero's id under its organisation's tenant id, so the same id in two
	organisations never collides. Xero's ids are GUIDs (no colon); "" names a cache of no organisation
	(the connector's own tests), whose rows keep Xero's ids as they are."""
	return f"{organisation}:{xero_id}" if organisation and xero_id else xero_id


def split_key(key: str) -> tuple[str, str]:
	"""(organisation, Xero id) of a cache key (cache_key's inverse)."""
	organisation, _colon, xero_id = key.rpartition(":")
	return organisation, xero_id


def xero_id_of(key: str) -> str:
	"""The id Xero knows a cached record by: what a deep link or a call to Xero names."""
	return split_key(key)[1]


def organisation_of(key: str) -> str:
	return split_key(key)[0]
