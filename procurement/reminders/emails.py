"""The digest email: subject, text and HTML bodies from templates, through this one helper."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

UNSUBSCRIBE_SALT = "phaseout.reminders.unsubscribe"


def message_id_domain() -> str:
    """The domain of our Message-IDs: the sender's, so they are ours and unique to this install."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "phaseout.localhost"


def absolute(path: str) -> str:
    return settings.PHASEOUT_BASE_URL.rstrip("/") + path


def unsubscribe_token(user_id: int) -> str:
    return signing.dumps(user_id, salt=UNSUBSCRIBE_SALT, compress=True)


def user_id_from_unsubscribe_token(token: str) -> int | None:
    """The user a one-click link was made for; None for a link that is not ours (no expiry: mail lives long)."""
    try:
        return int(signing.loads(token, salt=UNSUBSCRIBE_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def digest_message(digest, reminders, mail_connection) -> EmailMultiAlternatives:
    """One recipient's digest; the Message-ID is the one stored on the digest before any attempt."""
    context = {
        "digest": digest,
        "reminders": reminders,
        "due": [reminder for reminder in reminders if reminder.kind == "due_soon"],
        "overdue": [reminder for reminder in reminders if reminder.kind == "overdue"],
        "escalations": [reminder for reminder in reminders if reminder.kind.startswith("escalation")],
        "base_url": settings.PHASEOUT_BASE_URL.rstrip("/"),
        "notifications_url": absolute(reverse("reminders:notifications")),
        "unsubscribe_url": _unsubscribe_url(digest),
    }
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string("reminders/email/digest_subject.txt", context).split()),
        body=render_to_string("reminders/email/digest.txt", context),
        to=[digest.recipient_email],
        headers=_headers(digest, context["unsubscribe_url"]),
        connection=mail_connection,
    )
    message.attach_alternative(render_to_string("reminders/email/digest.html", context), "text/html")
    return message


def _unsubscribe_url(digest) -> str:
    if digest.recipient_id is None:
        return ""
    return absolute(reverse("reminders:unsubscribe", args=[unsubscribe_token(digest.recipient_id)]))


def _headers(digest, unsubscribe_url: str) -> dict[str, str]:
    headers = {"Message-ID": digest.message_id, "Auto-Submitted": "auto-generated"}
    if unsubscribe_url:
        # RFC 8058: a mail client may POST to this URL to unsubscribe in one click.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers
