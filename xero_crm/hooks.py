app_name = "xero_crm"
app_title = "Xero CRM"
app_publisher = "xero_crm developers"
app_description = "Xero invoices inside Frappe CRM records: Contact, Customer and Opportunity"
app_email = "dev@example.com"
app_license = "mit"

# ERPNext is optional: Customer and Opportunity get the panel only where it is installed.
required_apps = ["frappe"]

export_python_type_annotations = True
