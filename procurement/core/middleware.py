"""Session lifetime rules: 30 minutes idle, 12 hours at most since login."""

import time

from django.conf import settings
from django.contrib.auth import logout

LOGIN_AT_KEY = "phaseout_login_at"
SEEN_AT_KEY = "phaseout_seen_at"


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
            else:
                request.session[SEEN_AT_KEY] = now
        return self.get_response(request)
