"""xero-local and its peer as one process that outlives the command that started it (the demo's Xero,
until `demo --remove` stops it). Prints the peer's URL and the emulator's, on one line, then serves.

	python -m xero_crm.emulator.serve --organisation "Kōwhai Supplies Ltd (demo)"
"""

import argparse
import json
import signal
import threading

from xero_crm.emulator.peer import XeroPeer
from xero_crm.emulator.process import start_xero_local, stop


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--organisation", default=None, help="the organisation's name")
	parser.add_argument("--email", default=None, help="the consenting Xero user's email")
	args = parser.parse_args()
	url, proc = start_xero_local()
	peer = XeroPeer(url)
	peer.embed_payment_details = True  # as Xero embeds them
	if args.organisation:
		peer.organisation["Name"] = args.organisation
	if args.email:
		peer.user_email = args.email
	done = threading.Event()
	for sig in (signal.SIGTERM, signal.SIGINT):
		signal.signal(sig, lambda *_: done.set())
	print(json.dumps({"peer": peer.url, "emulator": url, "pid_emulator": proc.pid}), flush=True)
	try:
		done.wait()
	finally:
		peer.stop()
		stop(proc)


if __name__ == "__main__":
	main()
