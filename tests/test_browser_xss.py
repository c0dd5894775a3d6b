"""Xero strings carrying <script> and <img onerror> payloads, rendered by the panel in a real
headless browser: nothing runs and no element is injected. Skipped, with the reason, where no
Chromium is installed (`.ci/run` installs Debian's where it can)."""

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

PAGE = Path(__file__).parent / "js" / "xss.html"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.browser


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed on this machine")
def test_hostile_xero_strings_render_inert_in_a_real_browser():
	with tempfile.TemporaryDirectory() as profile:
		dom = subprocess.run(
			[
				CHROMIUM,
				"--headless",
				"--no-sandbox",
				"--disable-gpu",
				"--no-first-run",
				"--disable-background-networking",
				"--disable-component-update",
				"--disable-sync",
				f"--user-data-dir={profile}",
				"--virtual-time-budget=5000",
				"--dump-dom",
				PAGE.as_uri(),
			],
			capture_output=True,
			text=True,
			timeout=120,
		).stdout
	assert 'id="verdict">CLEAN<' in dom, dom[-2000:]
	assert "&lt;script&gt;" in dom  # the payload is shown as text, not dropped
