"""Bench tier: the cache's composite indexes exist on MariaDB as the panel's and the Workspace's
queries need them (benchmarks/scale_mariadb.py measured why: with 1,000,000 cached invoices the panel
read every one of a record's invoices row by row without them)."""

import frappe

from xero_crm.tests.xero_world import XeroTestCase

EXPECTED = {
	"xero_contact_invoice_date_invoice_number_index": ["xero_contact", "invoice_date", "invoice_number"],
	"xero_contact_view_index": [
		"xero_contact",
		"invoice_type",
		"status",
		"due_date",
		"currency",
		"invoice_date",
		"amount_due",
		"amount_paid",
	],
	"xero_owed_index": ["invoice_type", "status", "currency", "due_date", "amount_due"],
}


class TestCacheIndexes(XeroTestCase):
	def test_the_invoice_cache_has_the_indexes_the_panel_and_the_workspace_read(self):
		rows = frappe.db.sql("show index from `tabXero Invoice`", as_dict=True)
		indexes: dict[str, list[str]] = {}
		for row in sorted(rows, key=lambda r: (r.Key_name, r.Seq_in_index)):
			indexes.setdefault(row.Key_name, []).append(row.Column_name)
		for name, columns in EXPECTED.items():
			self.assertEqual(indexes.get(name), columns, name)

	def test_the_summary_query_is_answered_from_its_index(self):
		from xero_crm.cache import tables
		from xero_crm.xero import queries

		f = queries.InvoiceFilter(("c-index-test",), "open", frappe.utils.getdate(), ())
		sql = queries.view_groups(tables(), f).get_sql()
		plan = frappe.db.sql(f"explain {sql}", as_dict=True)
		keys = {p.possible_keys or "" for p in plan}
		self.assertTrue(any("xero_contact_view_index" in k for k in keys), plan)
