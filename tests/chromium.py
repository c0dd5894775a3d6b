"""Headless Chromium (Debian's) for the tests that look at a page as a browser renders it."""

import shutil
import subprocess
import tempfile

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# No background networking: this machine's network is closed, and Chromium would keep trying.
FLAGS = (
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
)


def dump_dom(url: str, budget_ms: int = 5000, *extra: str) -> str:
	"""The page's DOM after `budget_ms` of virtual time (scripts run, timers fire)."""
	with tempfile.TemporaryDirectory() as profile:
		return subprocess.run(
			[
				CHROMIUM,
				*FLAGS,
				*extra,
				f"--user-data-dir={profile}",
				f"--virtual-time-budget={budget_ms}",
				"--dump-dom",
				url,
			],
			capture_output=True,
			text=True,
			timeout=180,
		).stdout
