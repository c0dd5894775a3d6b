"""Bench commands of the app: `bench --site SITE xero-crm demo [--two-organisations] [--live | --remove]`."""

import click
from frappe.commands import get_site, pass_context


@click.group("xero-crm")
def xero_crm():
	"""Xero CRM."""


@xero_crm.command("demo")
@click.option(
	"--live", is_flag=True, help="Keep changing the demo's Xero and deliver each change as a webhook."
)
@click.option("--remove", is_flag=True, help="Delete what the demo made and stop its Xero.")
@click.option(
	"--site-url",
	default=None,
	help="Where the site answers, for links and webhooks (default: its host_name).",
)
@click.option("--interval", default=5.0, show_default=True, help="Seconds between live changes.")
@click.option("--customer", default=None, help="With --live: change only this demo customer's invoices.")
@click.option(
	"--two-organisations",
	is_flag=True,
	help="Add the demo company's sister company as a second Xero organisation (some customers buy from both).",
)
@pass_context
def demo(context, live, remove, site_url, interval, customer, two_organisations):
	"""Try the app without a Xero account: a local Xero emulator seeded with a small company, records
	that match it, and the site connected to it."""
	import frappe

	from xero_crm import demo as the_demo

	frappe.init(site=get_site(context))
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		if remove:
			for line in the_demo.remove():
				click.echo(line)
			return
		if not live or not the_demo.Manifest.load():
			_report(the_demo.start(site_url, two_organisations=two_organisations))
		if live:
			click.echo(
				f"Live: a change every {interval} s, delivered to the site's webhook endpoint (Ctrl-C stops)."
			)
			click.echo("The site must be running with its workers (bench start) for the panel to change.")
			try:
				the_demo.live(site_url, interval, click.echo, customer=customer)
			except KeyboardInterrupt:
				click.echo("\nStopped. The demo's Xero keeps running until `xero-crm demo --remove`.")
	except the_demo.DemoError as e:
		raise click.ClickException(str(e)) from None
	finally:
		frappe.destroy()


def _report(ready) -> None:
	click.echo(
		f"Demo ready in {ready.seconds} s: {len(ready.customers)} Xero customers, {ready.invoices} invoices synced."
	)
	if len(ready.organisations) > 1:
		click.echo(
			"Xero organisations: "
			+ "; ".join(f"{name} ({count} invoices)" for name, count in ready.organisations)
		)
	for note in ready.notes:
		click.echo(f"Note: {note}")
	click.echo("Open (as Administrator):")
	for url in ready.urls:
		click.echo(f"  {url}")
	click.echo(
		"Watch changes arrive: bench --site SITE xero-crm demo --live   Undo it all: ... demo --remove"
	)


commands = [xero_crm]
