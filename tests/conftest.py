"""Shared test setup: browser tests must run in CI, never silently skip there."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, app_server
from tests.browser import chromium as launch_chromium

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ARTIFACTS.mkdir(exist_ok=True)


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI must run the browser tests but {CHROMIUM} is missing "
                                "(apt-get install -y chromium)")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install -y chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def server():
    """One app server for a browser test module (its base URL)."""
    with app_server() as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for a browser test module; its pages come from tests.browser.new_page
    (each in a context of its own, as another person's browser)."""
    with launch_chromium() as browser:
        yield browser
