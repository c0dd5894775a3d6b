"""Every Xero URL in one place, each overridable so a sandbox or a test can point at an emulator."""

from collections.abc import Mapping
from dataclasses import dataclass, fields

# Granular scopes: Xero requires them of apps created since March 2026. Read-only: we never write.
SCOPES = (
	"openid",
	"profile",
	"email",
	"offline_access",
	"accounting.invoices.read",
	"accounting.payments.read",
	"accounting.contacts.read",
	"accounting.settings.read",
)


@dataclass(frozen=True)
class XeroEndpoints:
	authorize_url: str = "https://login.xero.com/identity/connect/authorize"
	token_url: str = "https://identity.xero.com/connect/token"
	revocation_url: str = "https://identity.xero.com/connect/revocation"
	connections_url: str = "https://api.xero.com/connections"
	api_url: str = "https://api.xero.com/api.xro/2.0"
	deep_link_url: str = "https://go.xero.com/organisationlogin/default.aspx"

	@classmethod
	def from_config(cls, config: Mapping[str, object]) -> "XeroEndpoints":
		"""Read `xero_<field>` keys (site config in the app); absent or empty keys keep Xero's own URL."""
		overrides = {}
		for field in fields(cls):
			value = config.get(f"xero_{field.name}")
			if value:
				overrides[field.name] = str(value).rstrip("/")
		return cls(**overrides)

	@property
	def identity_base_url(self) -> str:
		"""IdentityApi appends `/connections` to its base URL."""
		return self.connections_url.removesuffix("/connections")
