"""Bench tier: the cache's composite indexes exist on MariaDB as the panel's and the Workspace's
queries need them (benchmarks/scale_mariadb.py measured why: with 1,000,000 cached invoices the panel
read every one of a record's invoices row by row without them), and migrate puts an index whose
columns changed into its new shape."""

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
	# what one organisation is owed: the organisation leads, as every such sum filters by it first
	"xero_owed_index": ["organisation", "invoice_type", "status", "currency", "due_date", "amount_due"],
}


class TestCacheIndexes(XeroTestCase):
	def test_the_invoice_cache_has_the_indexes_the_panel_and_the_workspace_read(self):
		indexes = self._indexes()
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

	def test_an_organisations_sums_are_answered_from_the_owed_index(self):
		from xero_crm.cache import tables
		from xero_crm.xero.receivables import credit_by_organisation, owed_by_organisation, scope

		today = frappe.utils.getdate()
		for organisations in (["t-index-test"], {"t-index-test": "NZD"}, {"t-a": "NZD", "t-b": "AUD"}):
			with self.subTest(organisations):
				sql = owed_by_organisation(tables(), today, scope(organisations)).get_sql()
				self.assertIn("`organisation`", sql.split("WHERE", 1)[1])
				plan = frappe.db.sql(f"explain {sql}", as_dict=True)
				self.assertTrue(any("xero_owed_index" in (p.possible_keys or "") for p in plan), plan)
		# the credit figures of the same organisations filter by organisation too
		where = credit_by_organisation(tables(), scope(["t-index-test"])).get_sql().split("WHERE", 1)[1]
		self.assertIn("`organisation` IN ('t-index-test')", where)

	def test_migrate_rebuilds_an_index_whose_columns_changed(self):
		from xero_crm.xero_crm.doctype.xero_invoice.xero_invoice import on_doctype_update

		# the index as an older version of the app made it (before several organisations)
		frappe.db.sql_ddl("alter table `tabXero Invoice` drop index `xero_owed_index`")
		frappe.db.add_index(
			"Xero Invoice",
			["invoice_type", "status", "currency", "due_date", "amount_due"],
			index_name="xero_owed_index",
		)
		self.addCleanup(on_doctype_update)
		on_doctype_update()  # what migrate runs after the DocType's JSON changed
		self.assertEqual(self._indexes().get("xero_owed_index"), EXPECTED["xero_owed_index"])

	def _indexes(self) -> dict[str, list[str]]:
		rows = frappe.db.sql("show index from `tabXero Invoice`", as_dict=True)
		indexes: dict[str, list[str]] = {}
		for row in sorted(rows, key=lambda r: (r.Key_name, r.Seq_in_index)):
			indexes.setdefault(row.Key_name, []).append(row.Column_name)
		return indexes
