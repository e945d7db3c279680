"""Regenerate the README's screenshots (``make screenshots``).

Loads the Guizhou demo into a throw-away embedded database, serves it on a free loopback port
and has Debian's chromium (through Playwright) photograph the provincial cockpit, a zone's
dashboard and the accountability board into docs/screenshots/. Run from the project root with
the test dependencies installed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "devzone-demo-2026"
SHOTS = (
    # (user, path, file, full page?)
    ("province", "/cockpit/", "cockpit.png", False),
    ("staff", "/zones/1/dashboard/", "zone-dashboard.png", False),
    ("province", "/accountability/", "accountability-board.png", False),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


def main() -> None:
    from playwright.sync_api import sync_playwright

    var = tempfile.mkdtemp(prefix="devzone-shots-")
    env = {
        **os.environ,
        "DEVZONE_VAR_DIR": var,
        "DJANGO_SETTINGS_MODULE": "devzone.settings",
        "DEVZONE_ENV": "development",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL"):
        env.pop(name, None)
    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "seed_demo", "--password", PASSWORD], env=env, check=True, cwd=ROOT)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"{base}/healthz")
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            for user, path, name, full in SHOTS:
                context = browser.new_context(
                    locale="zh-CN", viewport={"width": 1440, "height": 1800}
                )
                page = context.new_page()
                page.goto(f"{base}/accounts/login/")
                page.fill("input[name=username]", user)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state("networkidle")
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / name), full_page=full)
                print(f"  {OUT / name}")
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
