import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from procurement.core.middleware import LOGIN_AT_KEY, SEEN_AT_KEY


@receiver(user_logged_in)
def remember_login_time(sender, request, user, **kwargs) -> None:
    now = time.time()
    request.session[LOGIN_AT_KEY] = now
    request.session[SEEN_AT_KEY] = now
