import frappe
from frappe.model.document import Document


class XeroInvoice(Document):
	"""A cached Xero invoice: written only by the sync (Xero is the source of truth)."""


def on_doctype_update():
	# The panel filters by contact and sorts by date, then number: with all three in the index the
	# first page is read in index order, without sorting the contact's every invoice.
	frappe.db.add_index("Xero Invoice", ["xero_contact", "invoice_date", "invoice_number"])
	# Measured with 1,000,000 cached invoices (benchmarks/scale_mariadb.py): the panel's summary and
	# its Open, Unpaid and aging lists read this index alone, not one random row per invoice of the
	# record (view_groups 537 -> 12 ms, the Open list 690 -> 0.4 ms). Named: Frappe's own name for it
	# would pass MariaDB's 64 characters.
	frappe.db.add_index(
		"Xero Invoice",
		[
			"xero_contact",
			"invoice_type",
			"status",
			"due_date",
			"currency",
			"invoice_date",
			"amount_due",
			"amount_paid",
		],
		index_name="xero_contact_view_index",
	)
	# What whole organisations are owed (the Workspace cards and aging chart), one organisation at a
	# time: 1.78 -> 0.18 s. The organisation leads, as every such sum filters by it first.
	_index(
		"Xero Invoice",
		["organisation", "invoice_type", "status", "currency", "due_date", "amount_due"],
		"xero_owed_index",
	)


def _index(doctype: str, columns: list[str], name: str) -> None:
	"""An index of exactly these columns: one of the same name over other columns (an older version
	of it: frappe.db.add_index keeps any index of that name) is dropped first."""
	table = f"tab{doctype}"
	rows = frappe.db.sql(f"show index from `{table}` where Key_name = %s", name, as_dict=True)
	if [r.Column_name for r in sorted(rows, key=lambda r: r.Seq_in_index)] == columns:
		return
	if rows:
		frappe.db.commit()  # DDL commits on MariaDB anyway
		frappe.db.sql_ddl(f"alter table `{table}` drop index `{name}`")
	frappe.db.add_index(doctype, columns, index_name=name)
