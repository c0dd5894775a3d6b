"""The DocTypes whose tables the connector reads and writes (their JSON lives in the app)."""

INVOICE = "Xero Invoice"
PAYMENT = "Xero Invoice Payment"
CONTACT = "Xero Contact"
CONTACT_EMAIL = "Xero Contact Email"
CREDIT = "Xero Credit"  # credit notes, overpayments and prepayments
PIN = "Pinned Invoice"
LINK = "Xero Contact Link"
