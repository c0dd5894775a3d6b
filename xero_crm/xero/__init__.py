"""The Xero connector: everything with logic, in plain Python that imports no `frappe`.

The Frappe app (one level up) is thin glue around these modules; the CI tier tests them for real
against xero-local over HTTP.
"""
