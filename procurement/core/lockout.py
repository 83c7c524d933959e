"""Sign-in throttling on django-axes: who is locked out, for how long, and what they see.

Two counters, both over the cool-off window (LOGIN_COOLOFF_MINUTES since the latest
failure): failures for one username from one address (LOGIN_FAILURE_LIMIT), and failures
from one address for any username (LOGIN_FAILURE_LIMIT_PER_ADDRESS, higher, because an
agency office signs in from one address). Neither counter is per username alone: that
would let anyone lock any colleague out by typing a wrong password under their name.
"""

from datetime import datetime
from math import ceil

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

LOCKOUT_STATUS = 429


class SignInAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate, higher limit for the per-address counter.

    Axes compares one failure count with one limit. AXES_LOCKOUT_PARAMETERS lists the
    username-and-address counter first and the address counter second; the address count
    is shifted down by the difference of the two limits, so reaching either counter's own
    limit reaches AXES_FAILURE_LIMIT.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        by_username_and_address, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        headroom = settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS - settings.AXES_FAILURE_LIMIT
        return max(by_username_and_address, by_address - headroom)

    def user_logged_in(self, sender, request, user, **kwargs) -> None:
        """A successful sign-in forgives that user's earlier typos from this address.

        Axes' own AXES_RESET_ON_SUCCESS would also clear the address counter, letting one
        valid account wipe the failures sprayed at every other username.
        """
        super().user_logged_in(sender, request, user, **kwargs)
        AccessAttempt.objects.filter(username=user.get_username(), ip_address=request.axes_ip_address).delete()


def client_ip_address(request: HttpRequest) -> str:
    """The address a sign-in came from, as the outermost of TRUSTED_PROXY_COUNT proxies saw it.

    Each proxy appends the address it was reached from to X-Forwarded-For, so the entry
    TRUSTED_PROXY_COUNT from the end is the client's; anything a client wrote itself comes
    before it. With no proxy (the default) it is REMOTE_ADDR.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def unlock_time(request: HttpRequest, credentials: dict | None = None) -> datetime:
    """When sign-in opens again: a cool-off after the latest failure that counts against this request.

    An upper bound for the per-address counter, whose older failures may expire sooner.
    """
    handler = SignInAttemptHandler()
    latest = [
        attempts.aggregate(latest=Max("attempt_time"))["latest"]
        for attempts in handler.get_user_attempts(request, credentials)
    ]
    return max((moment for moment in latest if moment), default=timezone.now()) + get_cool_off(request)


def lockout_response(request: HttpRequest, original_response: HttpResponse, credentials: dict | None) -> HttpResponse:
    """The page a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE): 429, when to try again, Retry-After."""
    retry_at = unlock_time(request, credentials)
    seconds = max(1, ceil((retry_at - timezone.now()).total_seconds()))
    context = {
        "retry_at": retry_at,
        "minutes": ceil(seconds / 60),
        "sign_in_path": request.path,
    }
    response = render(request, "registration/locked_out.html", context, status=LOCKOUT_STATUS)
    response["Retry-After"] = str(seconds)
    return response
