app_name = "xero_crm"
app_title = "Xero CRM"
app_publisher = "xero_crm developers"
app_description = "Xero invoices inside Frappe CRM records: Contact, Customer and Opportunity"
app_email = "dev@example.com"
app_license = "mit"

# ERPNext is optional: Customer and Opportunity get the panel only where it is installed.
required_apps = ["frappe"]

# One shared panel for Contact, Customer and Opportunity, a bundle (public/js/xero_panel.bundle.js and
# public/css/xero_panel.bundle.css) that each form's script loads with frappe.require and wires up:
# nothing of it is included on other desk pages.
doctype_js = {
	"Contact": "public/js/contact.js",
	"Customer": "public/js/customer.js",
	"Opportunity": "public/js/opportunity.js",
}

# The Customer list marks the page's Customers with overdue Xero invoices: one call per refresh.
doctype_list_js = {"Customer": "public/js/customer_list.js"}

scheduler_events = {
	# Every few minutes; the jobs themselves honour Xero Settings' interval.
	"all": ["xero_crm.sync.catch_up_if_due", "xero_crm.webhook.drain_if_waiting"],
}

# The cache is browsed only by roles granted on purpose; bills only by accounts roles (permissions.py).
permission_query_conditions = {
	"Xero Invoice": "xero_crm.permissions.invoice_query_conditions",
	"Xero Invoice Payment": "xero_crm.permissions.payment_query_conditions",
}
has_permission = {"Xero Invoice": "xero_crm.permissions.invoice_has_permission"}

# Pins and manual links point at a record: they go when it goes, and never block its deletion.
ignore_links_on_delete = ["Pinned Invoice", "Xero Contact Link"]
doc_events = {
	"Contact": {"on_trash": "xero_crm.permissions.forget_record"},
	"Customer": {"on_trash": "xero_crm.permissions.forget_record"},
	"Opportunity": {"on_trash": "xero_crm.permissions.forget_record"},
}

default_log_clearing_doctypes = {"Xero Webhook Event": 30}
