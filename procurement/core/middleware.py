"""Request-wide rules: session lifetime, no caching of agency data, a busy page for lock waits."""

import logging
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import DatabaseError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

LOGIN_AT_KEY = "phaseout_login_at"
SEEN_AT_KEY = "phaseout_seen_at"
# The idle clock is written at most once a minute: a session write on every page view would
# make every reader queue for SQLite's single write lock behind a long import.
SEEN_AT_RESOLUTION_SECONDS = 60

# SQLite's words when its busy timeout runs out (SQLITE_BUSY, SQLITE_LOCKED).
LOCK_WAIT_MESSAGES = ("database is locked", "database table is locked")
BUSY_RETRY_AFTER_SECONDS = 30
BUSY_FLAG = "_phaseout_database_busy"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}

logger = logging.getLogger(__name__)


def session_expired(session, now: float) -> bool:
    login_at = session.get(LOGIN_AT_KEY, now)
    seen_at = session.get(SEEN_AT_KEY, now)
    return now - seen_at > settings.SESSION_IDLE_TIMEOUT_SECONDS or now - login_at > settings.SESSION_COOKIE_AGE


class SessionLifetimeMiddleware:
    """Logs out a session idle too long or older than the absolute limit.

    Django's cookie age alone cannot express both limits, so the times are kept in
    the session and checked here on every authenticated request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            if session_expired(request.session, now):
                logout(request)
            elif now - request.session.get(SEEN_AT_KEY, 0) >= SEEN_AT_RESOLUTION_SECONDS:
                request.session[SEEN_AT_KEY] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Keeps browsers and proxies from storing anything sent to a signed-in user.

    Pages, htmx fragments, exports and downloads all carry agency data, which must not
    stay in a shared computer's cache or come back with the Back button after sign-out.
    Static files are answered before this runs (WhiteNoise) and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:  # before sign-out or after sign-in
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"
        return response


def is_lock_wait(error: BaseException | None) -> bool:
    """Whether `error` is SQLite giving up on its write lock after the busy timeout."""
    return isinstance(error, OperationalError) and str(error).startswith(LOCK_WAIT_MESSAGES)


def raised_by_lock_wait(error: BaseException) -> bool:
    """Whether `error` is a lock wait or was raised while handling one, up to two steps back
    (SessionInterrupted <- UpdateError <- OperationalError)."""
    for _ in range(3):
        if is_lock_wait(error):
            return True
        error = error.__context__
        if error is None:
            return False
    return False


class DatabaseBusyMiddleware:
    """Answers 503 "busy, try again" instead of a 500 when a write waited too long for SQLite's lock.

    A view's lock wait arrives in process_exception, after its transaction rolled back:
    nothing was saved. One raised by another middleware (say, signing out an expired
    session) has already become a 500 when it gets here; signals.py marks such requests,
    and the 500 is replaced. Every other error passes through unchanged.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, BUSY_FLAG, False):
            # A middleware failed, perhaps after the view had committed a change.
            return busy_response(request, change_may_be_saved=request.method not in SAFE_METHODS)
        return response

    def process_exception(self, request, exception):
        if is_lock_wait(exception):
            return busy_response(request, change_may_be_saved=False)
        return None


class BusyAwareSessionMiddleware(SessionMiddleware):
    """Django's session middleware, except that a lock wait while saving the session is the busy page.

    Django reports any failed session update as SessionInterrupted, a 400 that blames a
    concurrent sign-out; the lock wait it hides is found in the exception's context.
    """

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except (SessionInterrupted, OperationalError) as error:
            if not raised_by_lock_wait(error):
                raise
            return busy_response(request, change_may_be_saved=request.method not in SAFE_METHODS)


def busy_response(request, change_may_be_saved: bool) -> HttpResponse:
    logger.warning("Database busy: %s %s answered 503 after waiting for the write lock", request.method, request.path)
    try:
        body = render_to_string("503.html", {"change_may_be_saved": change_may_be_saved}, request=request)
    except DatabaseError:  # the page itself needs the user; never turn a busy answer into a 500
        outcome = "Your change may have been saved." if change_may_be_saved else "Nothing was saved."
        body = f"Phaseout is busy. {outcome} Try again in half a minute."
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
