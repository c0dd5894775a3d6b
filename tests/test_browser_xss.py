"""Xero strings carrying <script> and <img onerror> payloads, rendered by the panel's rendering module
(xero_crm/public/js/xero_panel/render.js) in a real headless browser, with its own helpers and with
the desk's: nothing runs and no element is injected. Skipped, with the reason, where no
Chromium is installed (`.ci/run` installs Debian's where it can)."""

from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, dump_dom

PAGE = Path(__file__).parent / "js" / "xss.html"

pytestmark = pytest.mark.browser


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed on this machine")
def test_hostile_xero_strings_render_inert_in_a_real_browser():
	# xss.html imports the panel's ES module from file://
	dom = dump_dom(PAGE.as_uri(), 5000, "--allow-file-access-from-files")
	assert 'id="verdict">CLEAN<' in dom, dom[-2000:]
	assert "&lt;script&gt;" in dom  # the payload is shown as text, not dropped
