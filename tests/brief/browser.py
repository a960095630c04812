"""Headless Chromium (Debian's chromium and chromium-driver) driven through selenium, with no network.

The flags are those this project's machines need (no background networking, no first-run or component
updates, a fresh profile); the network is switched off through the DevTools protocol before the page loads,
so a page that reached for anything outside its own file would fail to draw.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

BROWSERS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
DRIVERS = ("/usr/bin/chromedriver",)
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1000")


def _first(paths: tuple[str, ...], name: str) -> str | None:
    found = [p for p in paths if Path(p).exists()]
    return found[0] if found else shutil.which(name)


def browser_or_skip() -> tuple[str, str]:
    """(chromium, chromedriver); a missing browser skips the test with a reason, but fails it under CI."""
    browser, driver = _first(BROWSERS, "chromium"), _first(DRIVERS, "chromedriver")
    if browser and driver:
        return browser, driver
    reason = "no headless Chromium here: apt-get install -y chromium chromium-driver (.ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def offline_chromium(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = browser_or_skip()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    chrome.execute_cdp_cmd("Network.enable", {})
    chrome.execute_cdp_cmd("Network.emulateNetworkConditions",
                           {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
    return chrome
