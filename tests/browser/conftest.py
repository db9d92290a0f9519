"""Browser tests: Debian's Chromium driven by Playwright (sync API) against a real `balai serve`.

Chromium is never downloaded (no `playwright install`): /usr/bin/chromium is launched headless with
a fixed set of flags that keep it off the network. Without Chromium (or the playwright package) these
tests skip with the reason outside CI and FAIL under CI=true, so a broken CI image cannot go green.
Screenshots are kept in test-artifacts/screenshots/ (git-ignored), including one of every open page
when a test fails.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.support.server import ROOT
# The server and printer fixtures are the system tests' ones (imported so pytest registers them here).
from tests.system.conftest import data_dir, printer, start_server  # noqa: F401

CHROMIUM = Path(os.environ.get("BALAI_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One headless Chromium for the browser tests (contexts keep them apart). Package scope: sync Playwright
    keeps an event loop running in this thread, which the async tests after this package must not inherit."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _unavailable(f"the playwright Python package is not installed: {error}")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(autouse=True, scope="session")
def _expect_timeout() -> None:
    """NiceGUI pages render over a websocket; on a busy 2-core machine 5 s is too tight."""
    try:
        from playwright.sync_api import expect
    except ImportError:
        return
    expect.set_options(timeout=10_000)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """screenshot(page, "name") -> test-artifacts/screenshots/<test>-<name>.png"""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for stale in SCREENSHOTS.glob(f"FAILED-{_slug(request.node.name)}-*.png"):
        stale.unlink()

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{_slug(request.node.name)}-{_slug(name)}.png"
        page.screenshot(path=str(path))
        return path

    return take


@pytest.fixture
def open_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """open_page(name, width, height, **context_options): a page in a fresh context (own cookies).

    Every context is closed afterwards; when the test failed, each page is screenshotted first.
    """
    opened: list[tuple[str, Any, Any]] = []

    def open_(name: str, width: int, height: int, **options: Any) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID", **options)
        page = context.new_page()
        opened.append((name, context, page))
        return page

    yield open_
    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    for name, context, page in opened:
        if failed:
            try:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / f"FAILED-{_slug(request.node.name)}-{_slug(name)}.png"))
            except Exception:  # noqa: BLE001 - a dead page must not hide the real failure
                pass
        context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    browser_dir = Path(__file__).parent
    for item in items:
        if browser_dir in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


