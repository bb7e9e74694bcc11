"""Open a page in headless Chromium (Debian's chromium + chromedriver) and read what it logged.

Selenium drives Chromium through chromedriver because the browser log it
returns carries a level and a source: console errors, uncaught exceptions and
failed loads come back as SEVERE entries, apart from ordinary console output,
which `chromium --enable-logging` prints all alike. The driver is given
/usr/bin/chromedriver, so Selenium never downloads a driver or a browser.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
INSTALL_HINT = "`make test` installs both: scripts/install-chromium.sh, apt-get as root"


@dataclass(frozen=True)
class Rendered:
    problems: list[str]  # SEVERE and WARNING entries of the browser log
    svg_count: int
    empty_svgs: int  # SVGs laid out with no width or height
    seconds: float  # from navigation start to the load event
    screenshot: Path


def _unavailable(reason: str) -> None:
    """Skip where Chromium cannot be had; in CI (CI set) it must be there, so fail."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests ({INSTALL_HINT})", pytrace=False)
    pytest.skip(f"{reason} ({INSTALL_HINT})")


def chromium() -> tuple[str, str]:
    """Paths of chromium and chromedriver, or skip/fail saying which is missing."""
    browser = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    missing = [name for name, path in (("chromium", browser), ("chromedriver", driver)) if not path]
    if missing:
        _unavailable(f"{' and '.join(missing)} not installed")
    try:
        import selenium  # noqa: F401
    except ImportError:
        _unavailable("selenium is not installed in this environment (pip install -e '.[dev]')")
    assert browser and driver
    return browser, driver


def _driver(width: int, height: int) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in (
        "--headless=new",
        "--no-sandbox",  # root in a container
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(driver_path))


def _problems(driver: Any) -> list[str]:
    return [
        f"{entry['level']} {entry.get('source', '')}: {entry['message']}"
        for entry in driver.get_log("browser")
        if entry["level"] in ("SEVERE", "WARNING")
    ]


def render(page: Path, screenshot: Path, *, width: int = 1280, height: int = 1800) -> Rendered:
    """Load `page` from disk, collect the log, count SVGs, and save a screenshot."""
    driver = _driver(width, height)
    try:
        driver.set_page_load_timeout(60)
        driver.get(page.resolve().as_uri())
        seconds = driver.execute_script(
            "const t = performance.getEntriesByType('navigation')[0];"
            "return (t.loadEventEnd - t.startTime) / 1000;"
        )
        counts = driver.execute_script(
            "const s = Array.from(document.querySelectorAll('svg'));"
            "return [s.length, s.filter(e => { const r = e.getBoundingClientRect();"
            " return !(r.width > 0 && r.height > 0); }).length];"
        )
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(screenshot))
        problems = _problems(driver)
    finally:
        driver.quit()
    return Rendered(problems, int(counts[0]), int(counts[1]), float(seconds), screenshot)


def visible_rows_after_filter(page: Path, text: str, *, problems_only: bool) -> int:
    """Type `text` into the report's filter (and tick "problems only"): index rows shown.

    Fails when the page logged a problem or its alert sections disagree with the index.
    """
    from selenium.webdriver.common.by import By

    driver = _driver(1280, 900)
    try:
        driver.get(page.resolve().as_uri())
        if text:
            driver.find_element(By.ID, "filter").send_keys(text)
        if problems_only:
            driver.find_element(By.ID, "problems-only").click()
        rows, sections, count = driver.execute_script(
            "const shown = s => Array.from(document.querySelectorAll(s))"
            "  .filter(e => e.offsetParent !== null).length;"
            "return [shown('#alert-index tr[data-alert]'), shown('section.alert'),"
            " document.getElementById('index-count').textContent];"
        )
        problems = _problems(driver)
    finally:
        driver.quit()
    assert problems == [], problems
    assert int(rows) == int(sections) == int(count), (rows, sections, count)
    return int(rows)


def keep_artifact(path: Path) -> Path:
    """Copy a file into test-artifacts/ (uploaded by CI), print where, return the copy."""
    ARTIFACTS.mkdir(exist_ok=True)
    kept = ARTIFACTS / path.name
    shutil.copyfile(path, kept)
    print(f"artifact: {kept} (from {path})")
    return kept
