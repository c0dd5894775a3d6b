"""Completing a connection: code → tokens → the organisations the admin allowed → the chosen one's
details. Returns plain data; the app decides where to keep it.

One consent can authorise several organisations, and /connections lists those of earlier consents
too: each carries the authEventId of the consent that authorised it, and the access token names its
own consent (`authentication_event_id`), so `ConnectionResult.authorised_tenants` tells them apart.
"""

from dataclasses import dataclass, field

from .client import Organisation, XeroClient
from .config import XeroEndpoints
from .errors import OAuthCallbackError
from .oauth import Identity, Tenant, XeroOAuth, auth_event_id_from_access_token
from .tokens import TokenManager, TokenSet


@dataclass(frozen=True)
class ConnectionResult:
	tokens: TokenSet = field(repr=False)
	identity: Identity
	tenants: list[Tenant]  # every organisation connected to the app, this consent's and earlier ones'
	auth_event_id: str = ""  # this consent's, from the access token ("" when it carries none)

	@property
	def authorised_tenants(self) -> list[Tenant]:
		"""The organisations authorised in this consent. All of them when the consent cannot be told
		(no claim in the token, or no authEventId on any connection)."""
		if not self.auth_event_id or not any(t.auth_event_id for t in self.tenants):
			return list(self.tenants)
		return [t for t in self.tenants if t.auth_event_id == self.auth_event_id]

	def tenants_to_serve(self, served_by_another_consent: set[str]) -> list[Tenant]:
		"""The organisations this consent's tokens now serve: those it allowed, and any other listed
		one that no working consent serves (one disconnected earlier, say). An organisation still
		served by an earlier consent keeps it."""
		this_consent = {t.tenant_id for t in self.authorised_tenants}
		return [
			t
			for t in self.tenants
			if t.tenant_id in this_consent or t.tenant_id not in served_by_another_consent
		]


def complete_connection(oauth: XeroOAuth, code: str) -> ConnectionResult:
	tokens, identity = oauth.exchange_code(code)
	tenants = oauth.connections(tokens.access_token)
	if not tenants:
		raise OAuthCallbackError(
			"Xero was signed in to, but no organisation was allowed. Connect again and pick an organisation."
		)
	return ConnectionResult(
		tokens=tokens,
		identity=identity,
		tenants=tenants,
		auth_event_id=auth_event_id_from_access_token(tokens.access_token),
	)


def describe_organisation(tokens: TokenManager, tenant_id: str, endpoints: XeroEndpoints) -> Organisation:
	"""Name, ShortCode (for deep links) and base currency of one connected organisation."""
	return XeroClient(tenant_id, tokens, endpoints).organisation()
