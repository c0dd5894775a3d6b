"""Starting xero-local (PyPI `localstack-xero`) as its own process, bound to loopback only (it
defaults to 0.0.0.0). Shared by the demo, the CI tier, the benchmarks and the bench tier."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def start_xero_local(timeout: float = 20.0) -> tuple[str, subprocess.Popen]:
	exe = shutil.which("xero-local", path=str(Path(sys.executable).parent)) or shutil.which("xero-local")
	if not exe:
		raise RuntimeError(
			"xero-local is not installed: pip install 'xero_crm[demo]' (the README's test command installs it too)"
		)
	port = free_port()
	proc = subprocess.Popen(
		[exe],
		env={**os.environ, "XERO_HOST": "127.0.0.1", "XERO_PORT": str(port)},
		stdout=subprocess.DEVNULL,
		stderr=subprocess.DEVNULL,
	)
	url = f"http://127.0.0.1:{port}"
	deadline = time.monotonic() + timeout
	while True:
		try:
			if requests.get(f"{url}/_xero/health", timeout=1).ok:
				return url, proc
		except requests.ConnectionError:
			pass
		if proc.poll() is not None or time.monotonic() > deadline:
			proc.kill()
			raise RuntimeError("xero-local did not start")
		time.sleep(0.05)


def stop(proc: subprocess.Popen) -> None:
	proc.terminate()
	proc.wait(timeout=10)
