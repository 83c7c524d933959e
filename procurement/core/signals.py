"""Receivers: the sign-in clock, the security log of failed and locked-out sign-ins, lock waits."""

import logging
import sys
import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.signals import got_request_exception
from django.dispatch import receiver

from procurement.core.lockout import client_ip_address, unlock_time
from procurement.core.middleware import BUSY_FLAG, LOGIN_AT_KEY, SEEN_AT_KEY, is_lock_wait

security_log = logging.getLogger("procurement.security")


@receiver(user_logged_in)
def remember_login_time(sender, request, user, **kwargs) -> None:
    now = time.time()
    request.session[LOGIN_AT_KEY] = now
    request.session[SEEN_AT_KEY] = now


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    """One line per failed sign-in, the admin's included; axes keeps the rows (AccessFailureLog)."""
    address = client_ip_address(request) if request is not None else "unknown"
    path = request.path if request is not None else ""
    security_log.warning("Failed sign-in for username %r from %s at %s", credentials.get("username"), address, path)


@receiver(user_locked_out)
def log_lockout(sender, request, username, ip_address, **kwargs) -> None:
    security_log.warning(
        "Sign-in locked for username %r from %s until %s", username, ip_address, unlock_time(request).isoformat()
    )


@receiver(got_request_exception)
def mark_lock_wait(sender, request=None, **kwargs) -> None:
    """Marks a request whose lock wait escaped a middleware, for DatabaseBusyMiddleware's 503."""
    if request is not None and is_lock_wait(sys.exc_info()[1]):
        setattr(request, BUSY_FLAG, True)
