"""xero-local and its peer as one process that outlives the command that started it (the demo's Xero,
until `demo --remove` stops it). Prints, on one line, the peer's URL, the emulator's and the tenant
ids of its organisations (xero-local's default one first, then each added), then serves.

	python -m xero_crm.emulator.serve --organisation "Kōwhai Supplies Ltd (demo)" \\
		--add-organisation "Kōwhai Supplies Australia Pty (demo)" '!kAu26' AUD
"""

import argparse
import json
import signal
import threading

from xero_crm.emulator.peer import XeroPeer
from xero_crm.emulator.process import start_xero_local, stop
from xero_crm.emulator.seed import Emulator


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--organisation", default=None, help="the organisation's name")
	parser.add_argument("--email", default=None, help="the consenting Xero user's email")
	parser.add_argument(
		"--add-organisation",
		nargs=3,
		action="append",
		default=[],
		metavar=("NAME", "SHORT_CODE", "CURRENCY"),
		help="another organisation beside the default one, allowed in the same consent (repeatable)",
	)
	args = parser.parse_args()
	url, proc = start_xero_local()
	peer = XeroPeer(url)
	peer.embed_payment_details = True  # as Xero embeds them
	if args.organisation:
		peer.organisation["Name"] = args.organisation
	if args.email:
		peer.user_email = args.email
	tenants = [Emulator(url).tenant_id()] + [peer.add_tenant(*added) for added in args.add_organisation]
	done = threading.Event()
	for sig in (signal.SIGTERM, signal.SIGINT):
		signal.signal(sig, lambda *_: done.set())
	print(
		json.dumps({"peer": peer.url, "emulator": url, "pid_emulator": proc.pid, "tenants": tenants}),
		flush=True,
	)
	try:
		done.wait()
	finally:
		peer.stop()
		stop(proc)


if __name__ == "__main__":
	main()
