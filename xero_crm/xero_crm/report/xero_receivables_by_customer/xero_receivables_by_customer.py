"""What each Customer owes in Xero, by age, per currency: see xero_crm.receivables."""

from xero_crm.receivables import check_viewer, report


def execute(filters: dict | None = None) -> tuple[list[dict], list[dict]]:
	check_viewer()
	return report(filters)
