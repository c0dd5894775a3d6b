"""Every name the app shares between its modules, once: DocTypes, background jobs, realtime events.
The cache's own tables are named by the connector (xero_crm.xero.doctypes), which queries them."""

from xero_crm.xero.doctypes import CONTACT, CONTACT_EMAIL, CREDIT, INVOICE, LINK, PAYMENT, PIN

__all__ = ["CONTACT", "CONTACT_EMAIL", "CREDIT", "INVOICE", "LINK", "PAYMENT", "PIN"]

SETTINGS = "Xero Settings"
ORGANISATION = "Xero Organisation"  # one per connected Xero organisation (tenant), named by its tenant id
AUTHORISATION = "Xero Authorisation"  # one per consent: the tokens that reach its organisations
WEBHOOK_EVENT = "Xero Webhook Event"

# Per organisation: the job id names its tenant id (a job of one organisation never waits on another's).
FULL_SYNC_JOB = "xero_crm:full_sync:{}"
CATCH_UP_JOB = "xero_crm:catch_up:{}"
DRAIN_JOB = "xero_crm:webhook_drain:{}"

INVOICES_CHANGED = "xero_crm_invoices_changed"  # open panels whose Xero contacts changed re-render
SYNC_PROGRESS = "xero_sync_progress"  # Xero Settings shows the initial sync's progress

WEBHOOK_PATH = "/api/method/xero_crm.webhook.receive"
CALLBACK_PATH = "/api/method/xero_crm.oauth.callback"
QUARANTINE_TITLE = "Xero record not cached"  # Error Log title of a record the cache could not hold
