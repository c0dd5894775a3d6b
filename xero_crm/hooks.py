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
# Nothing of an organisation whose Company a user's User Permissions exclude, in any view.
permission_query_conditions = {
	"Xero Invoice": "xero_crm.permissions.invoice_query_conditions",
	"Xero Invoice Payment": "xero_crm.permissions.payment_query_conditions",
	"Xero Credit": "xero_crm.permissions.credit_query_conditions",
	"Xero Contact": "xero_crm.permissions.contact_query_conditions",
	"Pinned Invoice": "xero_crm.permissions.pin_query_conditions",
	"Xero Contact Link": "xero_crm.permissions.link_query_conditions",
	"Xero Organisation": "xero_crm.permissions.organisation_query_conditions",
}
has_permission = {
	"Xero Invoice": "xero_crm.permissions.invoice_has_permission",
	"Xero Credit": "xero_crm.permissions.credit_has_permission",
	"Xero Contact": "xero_crm.permissions.organisation_row_has_permission",
	"Pinned Invoice": "xero_crm.permissions.organisation_row_has_permission",
	"Xero Contact Link": "xero_crm.permissions.organisation_row_has_permission",
	"Xero Organisation": "xero_crm.permissions.organisation_has_permission",
}

# Pins and manual links point at a record: they go when it goes, and never block its deletion.
ignore_links_on_delete = ["Pinned Invoice", "Xero Contact Link"]
# The panel's first view comes with the form's own load (xero_crm/panel_onload.py): no extra request.
doc_events = {
	"Contact": {"on_trash": "xero_crm.permissions.forget_record", "onload": "xero_crm.panel_onload.attach"},
	"Customer": {"on_trash": "xero_crm.permissions.forget_record", "onload": "xero_crm.panel_onload.attach"},
	"Opportunity": {
		"on_trash": "xero_crm.permissions.forget_record",
		"onload": "xero_crm.panel_onload.attach",
	},
	# Frappe CRM's, where the `crm` app is installed
	"CRM Deal": {"on_trash": "xero_crm.permissions.forget_record"},
	"CRM Organization": {"on_trash": "xero_crm.permissions.forget_record"},
	"CRM Lead": {"on_trash": "xero_crm.permissions.forget_record"},
}

# Frappe CRM (the `crm` app), where installed: a side-panel field, its place and a form script per page
# (xero_crm/frappe_crm/install.py), kept up to date, and taken back on uninstall.
after_install = "xero_crm.frappe_crm.install.sync"
after_migrate = "xero_crm.frappe_crm.install.sync"
after_app_install = "xero_crm.frappe_crm.install.after_app_install"
before_app_uninstall = "xero_crm.frappe_crm.install.before_app_uninstall"
before_uninstall = "xero_crm.frappe_crm.install.remove"

default_log_clearing_doctypes = {"Xero Webhook Event": 30}
