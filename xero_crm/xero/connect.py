"""Completing a connection: code → tokens → the organisations the admin allowed → the chosen one's
details. Returns plain data; the app decides where to keep it."""

from dataclasses import dataclass, field

from .client import Organisation, XeroClient
from .config import XeroEndpoints
from .errors import OAuthCallbackError
from .oauth import Identity, Tenant, XeroOAuth
from .tokens import TokenManager, TokenSet


@dataclass(frozen=True)
class ConnectionResult:
	tokens: TokenSet = field(repr=False)
	identity: Identity
	tenants: list[Tenant]


def complete_connection(oauth: XeroOAuth, code: str) -> ConnectionResult:
	tokens, identity = oauth.exchange_code(code)
	tenants = oauth.connections(tokens.access_token)
	if not tenants:
		raise OAuthCallbackError(
			"Xero was signed in to, but no organisation was allowed. Connect again and pick an organisation."
		)
	return ConnectionResult(tokens=tokens, identity=identity, tenants=tenants)


def describe_organisation(tokens: TokenManager, tenant_id: str, endpoints: XeroEndpoints) -> Organisation:
	"""Name, ShortCode (for deep links) and base currency of one connected organisation."""
	return XeroClient(tenant_id, tokens, endpoints).organisation()
