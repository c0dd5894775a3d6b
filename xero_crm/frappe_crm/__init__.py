"""Xero invoices in Frappe CRM (the `crm` app's pages at /crm), where that app is installed: what its
records match (party.py), and the side-panel field, layout entries and form scripts the app adds to
Frappe CRM and keeps up to date (install.py, form_scripts/)."""
