"""Fixtures for the web app: an in-process client, a live server on 127.0.0.1, a browser.

The live server runs uvicorn in a daemon thread of the test process on a free
port of 127.0.0.1 and stops at the end of the session (or with the process).
The browser is Debian's /usr/bin/chromium driven by Playwright; never a
downloaded browser. Browser tests are skipped, saying why, only where that
chromium is not installed.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("DOJOSIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def client() -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from dojosim.web.app import create_app

    with TestClient(create_app()) as c:
        yield c


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 (a free port), for the browser."""
    import uvicorn

    from dojosim.web.app import create_app

    config = uvicorn.Config(create_app(), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name="dojosim-test-server")
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.skip(
            f"no chromium at {CHROMIUM} (apt-get install -y chromium); browser tests skipped"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    """A fresh page; console errors and page errors are collected in ``page.problems``."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    pg = context.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    def local_only(route: Any) -> None:
        # Nothing may come from the network: only the app's own origin (and data: / file:).
        if route.request.url.startswith(("http://127.0.0.1", "data:", "file:")):
            route.continue_()
        else:
            problems.append(f"off-origin request {route.request.url}")
            route.abort()

    pg.route("**/*", local_only)
    pg.problems = problems  # type: ignore[attr-defined]
    pg.shots = tmp_path  # type: ignore[attr-defined]
    yield pg
    context.close()
