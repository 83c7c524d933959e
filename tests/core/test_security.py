"""Issue 8: sign-in throttling, Content-Security-Policy and no-store, SQLite lock waits as a 503.

Browser-side checks (no CSP violation, htmx under the policy, the lockout page with axe)
are in tests/browser/test_security_in_browser.py.
"""

import json
import logging
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessFailureLog
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from procurement.core.lockout import client_ip_address
from procurement.core.middleware import DatabaseBusyMiddleware
from tests.core.test_settings import manage

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


def sign_in(client, username: str, password: str, path: str = "/accounts/login/"):
    return client.post(path, {"username": username, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# Item 5: sign-in throttling ---------------------------------------------------------------


def fail_until_locked(client, username: str, limit: int, path: str = "/accounts/login/"):
    """Wrong passwords until the limit; every one before it is an ordinary failed form."""
    for _ in range(limit - 1):
        assert sign_in(client, username, "wrong password", path).status_code == 200
    return sign_in(client, username, "wrong password", path)


def test_wrong_passwords_lock_out_even_the_right_password(client, alice, settings):
    locked = fail_until_locked(client, "alice", settings.AXES_FAILURE_LIMIT)
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Sign-in paused" in body and "Try again after" in body
    assert 14 * 60 < int(locked["Retry-After"]) <= 15 * 60

    right = sign_in(client, "alice", PASSWORD)
    assert right.status_code == 429 and not signed_in(client)


def test_lockout_ends_after_the_cool_off(client, alice, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        fail_until_locked(client, "alice", settings.AXES_FAILURE_LIMIT)
        traveller.shift(timedelta(minutes=14))
        assert sign_in(client, "alice", PASSWORD).status_code == 429
        traveller.shift(timedelta(minutes=2))
        assert sign_in(client, "alice", PASSWORD).status_code == 302 and signed_in(client)


def test_attempts_while_locked_do_not_push_the_time_back(client, alice, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        fail_until_locked(client, "alice", settings.AXES_FAILURE_LIMIT)
        traveller.shift(timedelta(minutes=10))
        assert int(sign_in(client, "alice", "wrong password")["Retry-After"]) <= 5 * 60


def test_the_lock_is_per_username_and_address(client, alice, victor, settings):
    fail_until_locked(client, "alice", settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, "victor", PASSWORD).status_code == 302  # same address, other user
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(elsewhere, "alice", PASSWORD).status_code == 302  # same user, other address


def test_one_address_spraying_many_usernames_is_locked_at_the_higher_limit(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 8
    for number in range(4):  # two failures each: under the per-user limit, 8 for the address
        for _ in range(2):
            response = sign_in(client, f"guess{number}", "wrong password")
    assert response.status_code == 429
    assert sign_in(client, "alice", PASSWORD).status_code == 429
    assert sign_in(Client(REMOTE_ADDR="198.51.100.7"), "alice", PASSWORD).status_code == 302


def test_a_successful_sign_in_forgives_earlier_typos(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "alice", "wrong password")
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    assert fail_until_locked(client, "alice", settings.AXES_FAILURE_LIMIT).status_code == 429


def test_admin_sign_in_is_throttled_too(client, root, settings):
    path = reverse("admin:login")
    locked = fail_until_locked(client, "root", settings.AXES_FAILURE_LIMIT, path)
    assert locked.status_code == 429 and "Sign-in paused" in locked.content.decode()
    assert sign_in(client, "root", PASSWORD, path).status_code == 429 and not signed_in(client)


def test_failed_sign_ins_are_recorded_and_logged(client, alice, settings, caplog):
    caplog.set_level(logging.WARNING, logger="procurement.security")
    fail_until_locked(client, "alice", settings.AXES_FAILURE_LIMIT)
    assert AccessFailureLog.objects.filter(username="alice", ip_address="127.0.0.1").count() == 5
    messages = [record.getMessage() for record in caplog.records if record.name == "procurement.security"]
    assert messages.count("Failed sign-in for username 'alice' from 127.0.0.1 at /accounts/login/") == 5
    assert any(message.startswith("Sign-in locked for username 'alice' from 127.0.0.1 until") for message in messages)


def test_behind_a_trusted_proxy_the_forwarded_address_counts(settings):
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip_address(request) == "10.0.0.1"  # no proxy trusted: the header is the client's word
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip_address(request) == "203.0.113.9"  # what the proxy saw; the spoofed entry is ignored


def test_throttling_settings_come_from_the_environment():
    shown = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.AXES_FAILURE_LIMIT, s.LOGIN_FAILURE_LIMIT_PER_ADDRESS, s.AXES_COOLOFF_TIME, s.TRUSTED_PROXY_COUNT)",
        LOGIN_FAILURE_LIMIT="7",
        LOGIN_FAILURE_LIMIT_PER_ADDRESS="70",
        LOGIN_COOLOFF_MINUTES="30",
        TRUSTED_PROXY_COUNT="1",
    )
    assert shown.stdout.split("\n")[-2] == "7 70 0:30:00 1", shown.stderr
    refused = manage("check", LOGIN_FAILURE_LIMIT="10", LOGIN_FAILURE_LIMIT_PER_ADDRESS="5")
    assert "Environment variable LOGIN_FAILURE_LIMIT_PER_ADDRESS=5 is invalid" in refused.stderr


# Item 6: Content-Security-Policy and no-store ----------------------------------------------


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_pages_carry_a_strict_content_security_policy(alice_client, system_a):
    policy = alice_client.get(reverse("inventory:system-list"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'" and directives["base-uri"] == "'self'"
    assert "unsafe" not in policy and "script-src" not in policy and "style-src" not in policy


INLINE_CODE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),  # a script without src
    re.compile(r"<style\b", re.IGNORECASE),
    re.compile(r"\sstyle\s*=", re.IGNORECASE),
    re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),  # onclick= and the like
    re.compile(r"javascript:", re.IGNORECASE),
]


def test_templates_hold_no_inline_script_or_style():
    offending = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*.html")
        for pattern in INLINE_CODE
        if (match := pattern.search(path.read_text(encoding="utf-8")))
    ]
    assert offending == []


def test_htmx_is_told_not_to_inject_its_indicator_style():
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', (ROOT / "templates/base.html").read_text())
    assert json.loads(config.group(1))["includeIndicatorStyles"] is False


@pytest.mark.parametrize(
    ("name", "args", "query", "headers"),
    [
        ("inventory:system-list", [], {}, {}),
        ("inventory:system-list", [], {"criticality": "high"}, {"HTTP_HX_REQUEST": "true"}),  # htmx fragment
        ("inventory:system-list", [], {"export": "csv"}, {}),
        ("inventory:contract-list", [], {"export": "xlsx"}, {}),
        ("inventory:import-template", ["systems", "xlsx"], {}, {}),
        ("inventory:system-detail", ["{system}"], {}, {}),
        ("inventory:home", [], {}, {}),
    ],
)
def test_agency_data_is_never_stored(alice_client, system_a, contract_a, name, args, query, headers):
    url = reverse(name, args=[str(system_a.pk) if arg == "{system}" else arg for arg in args])
    response = alice_client.get(url, query, **headers)
    assert response.status_code in (200, 302)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"


def test_static_files_stay_cacheable(alice_client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve from the source folders, as in development
    response = alice_client.get("/static/phaseout/phaseout.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# Item 8: SQLite lock waits ---------------------------------------------------------------

# Runs in its own process on a file database (the suite's SQLite is in memory and shared
# in-process): reads the connection's PRAGMAs back, then holds SQLite's write lock from a
# second connection while a request writes.
LOCK_SCENARIO = r"""
import json, sqlite3, threading, time
import django
from django.test.utils import setup_test_environment

django.setup()
setup_test_environment()
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from procurement.core.middleware import SEEN_AT_KEY
from procurement.inventory.models import System
from tests.factories import DirectiveFactory, MembershipFactory, SystemFactory, UserFactory

call_command("migrate", verbosity=0)
user = UserFactory(username="alice")
membership = MembershipFactory(user=user)
system = SystemFactory(agency=membership.agency, directive=DirectiveFactory())
client = Client(raise_request_exception=False)
client.force_login(user)
# The first request imports every view module (the planner's pull in OR-Tools: seconds);
# that is start-up, not the lock wait measured below.
client.get(reverse("inventory:system-list"))
results = {}

with connection.cursor() as cursor:
    results["journal_mode"] = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    results["busy_timeout"] = cursor.execute("PRAGMA busy_timeout").fetchone()[0]

other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None, check_same_thread=False)
with transaction.atomic():  # IMMEDIATE: even a read-only transaction holds the write lock
    System.objects.count()
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        results["atomic_takes_write_lock"] = False
    except sqlite3.OperationalError:
        results["atomic_takes_write_lock"] = True

def transition(lock_held_for):
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(lock_held_for, lambda: other.execute("ROLLBACK"))
    release.start()
    started = time.monotonic()
    response = client.post(reverse("inventory:system-transition", args=[system.pk]), {"to_status": "assessed"})
    waited = time.monotonic() - started
    release.join()
    system.refresh_from_db()
    return {
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "body": response.content.decode(),
        "waited": round(waited, 2),
        "saved": system.status == "assessed",
    }

results["held_too_long"] = transition(lock_held_for=4.0)
results["released_in_time"] = transition(lock_held_for=0.5)

def page_view_with_lock_held(seen_ago):
    session = client.session
    session[SEEN_AT_KEY] = time.time() - seen_ago
    session.save()
    other.execute("BEGIN IMMEDIATE")
    response = client.get(reverse("inventory:system-list"))
    other.execute("ROLLBACK")
    return {"status": response.status_code, "body": response.content.decode()}

results["session_save"] = page_view_with_lock_held(seen_ago=600)  # the idle clock is due: the session is saved
results["session_expiry"] = page_view_with_lock_held(seen_ago=3600)  # signing out writes, in a middleware
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def lock_scenario(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("sqlite-lock")
    environment = {key: value for key, value in os.environ.items() if key not in {"DJANGO_DEBUG", "SECRET_KEY"}}
    environment.update(
        DATABASE_URL=f"sqlite:///{folder / 'phaseout.sqlite3'}",
        PHASEOUT_VAR_DIR=str(folder),
        SQLITE_BUSY_TIMEOUT_SECONDS="2",
        DJANGO_SETTINGS_MODULE="procurement.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", LOCK_SCENARIO], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sqlite_settings_apply_to_a_live_connection(lock_scenario):
    assert lock_scenario["journal_mode"] == "wal"
    assert lock_scenario["busy_timeout"] == 2000  # SQLITE_BUSY_TIMEOUT_SECONDS
    assert lock_scenario["atomic_takes_write_lock"]


def test_a_write_that_waits_too_long_gets_the_busy_page(lock_scenario):
    answer = lock_scenario["held_too_long"]
    assert answer["status"] == 503 and answer["retry_after"] == "30"
    assert "Phaseout is busy" in answer["body"] and "Nothing was saved" in answer["body"]
    assert not answer["saved"]
    assert 1.5 < answer["waited"] < 4  # it waited the busy timeout, not the whole lock


def test_a_write_waits_for_a_lock_released_in_time(lock_scenario):
    answer = lock_scenario["released_in_time"]
    assert answer["status"] == 302 and answer["saved"]
    assert answer["waited"] >= 0.4


@pytest.mark.parametrize("case", ["session_save", "session_expiry"])
def test_a_lock_wait_in_a_middleware_is_the_busy_page_too(lock_scenario, case):
    """Saving the session was a 400 ("session deleted"); signing out an expired one a 500."""
    answer = lock_scenario[case]
    assert answer["status"] == 503 and "Phaseout is busy" in answer["body"]


def test_page_views_do_not_write_the_session_every_time(alice_client, settings):
    """Each session write queues for SQLite's write lock; the idle clock needs one a minute at most."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        alice_client.get(reverse("inventory:system-list"))
        traveller.shift(30)
        assert settings.SESSION_COOKIE_NAME not in alice_client.get(reverse("inventory:system-list")).cookies
        traveller.shift(60)
        assert settings.SESSION_COOKIE_NAME in alice_client.get(reverse("inventory:system-list")).cookies


@pytest.mark.parametrize(
    "error",
    [OperationalError("disk I/O error"), OperationalError("no such table: x"), RuntimeError("database is locked")],
)
def test_other_errors_are_not_swallowed(rf, error):
    middleware = DatabaseBusyMiddleware(lambda request: HttpResponse(status=500))
    request = rf.post("/")
    assert middleware.process_exception(request, error) is None
    assert middleware(request).status_code == 500  # a 500 not marked as a lock wait stays a 500


def test_a_lock_wait_from_a_view_is_a_503(rf, alice):
    request = rf.post("/")
    request.user = alice
    response = DatabaseBusyMiddleware(lambda request: None).process_exception(
        request, OperationalError("database is locked")
    )
    assert response.status_code == 503 and "no-store" in response["Cache-Control"]


# Session lifetime (issue 7's weak-test fixes): idle time counts from the last request -----


def signed_in_at_list(client) -> bool:
    """Whether the list page answers as to a signed-in user (200), not with the way to sign in."""
    response = client.get(reverse("inventory:system-list"))
    if response.status_code == 302:
        assert response.url.startswith(reverse("login")), response.url
        return False
    assert response.status_code == 200
    return True


def test_idle_time_counts_from_the_last_request_not_from_sign_in(client, alice, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert sign_in(client, "alice", PASSWORD).status_code == 302
        for _ in range(3):  # 20, 40 and 60 minutes after sign-in, never 30 idle
            traveller.shift(timedelta(minutes=20))
            assert signed_in_at_list(client)
        traveller.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT_SECONDS + 60))
        assert not signed_in_at_list(client)
        assert not signed_in(client)  # signed out, not just turned away once
        assert not signed_in_at_list(client)


def test_a_session_ends_after_twelve_hours_even_when_active(client, alice, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert sign_in(client, "alice", PASSWORD).status_code == 302
        elapsed = timedelta(0)
        while elapsed + timedelta(minutes=29) < timedelta(seconds=settings.SESSION_COOKIE_AGE):
            traveller.shift(timedelta(minutes=29))
            elapsed += timedelta(minutes=29)
            assert signed_in_at_list(client), elapsed  # every request inside the 12 hours is served
        traveller.shift(timedelta(minutes=29))
        assert not signed_in_at_list(client)
        assert not signed_in(client)
