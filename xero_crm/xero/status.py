"""What an admin reads on a Xero Organisation when its sync stops: what happened and what to do."""

from .errors import (
	XeroAuthError,
	XeroBadRequest,
	XeroError,
	XeroRateLimited,
	XeroTenantChanged,
	XeroUnavailable,
)


def sync_failure(error: XeroError, resumable: bool) -> str:
	resume = " It resumes where it stopped." if resumable else ""
	if isinstance(error, XeroTenantChanged):
		return f"Stopped: {error}"
	if isinstance(error, XeroAuthError):
		return f"Stopped: {error} Nothing was lost; after reconnecting, the sync continues.{resume}"
	if isinstance(error, XeroRateLimited):
		return f"Paused: {error} The next catch-up continues automatically.{resume}"
	if isinstance(error, XeroUnavailable):
		return f"Interrupted: {error} It will be retried at the next catch-up.{resume}"
	if isinstance(error, XeroBadRequest):
		details = "; ".join(error.details[:3])
		return f"Failed: {error} {details}".strip()
	return f"Failed: {error}"
