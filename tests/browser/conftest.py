"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Test tools' own browser downloads do not work here, so the system Chromium is used.
When it is missing the tests are skipped with the command that installs it; CI
installs it, so there they always run.
"""

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"
# Chromium reports a Content-Security-Policy violation as a console error; the listener also
# catches those it reports only as events.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) =>
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`));
"""


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django's
    # async-safety check would otherwise refuse the ORM calls that fixtures make.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def csp_violations() -> list[str]:
    """Content-Security-Policy violations seen by `page`; any left at the end fails the test."""
    return []


@pytest.fixture
def page(browser, live_server, csp_violations):
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.on("console", lambda message: record_csp_violation(message, csp_violations))
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert csp_violations == [], "the page broke its Content-Security-Policy"


def record_csp_violation(message, violations: list[str]) -> None:
    if message.type == "error" and ("Content Security Policy" in message.text or "CSP violation" in message.text):
        violations.append(message.text)


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def axe_violations(page) -> list[dict]:
    """Runs axe-core (from npm) in the page for WCAG 2.0/2.1 A and AA rules.

    Evaluated rather than added as a <script> tag, which the page's CSP would refuse.
    """
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": violation["id"], "help": violation["help"], "nodes": [node["target"] for node in violation["nodes"]]}
        for violation in result["violations"]
    ]
