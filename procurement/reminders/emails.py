"""The digest email: subject, text and HTML bodies from templates, through this one helper.

A worker renders a whole batch of digests, so `DigestRenderer` loads the three templates
and reverses the URLs once per batch, and builds the repeated notice lines as plain
strings (HTML ones with every value escaped by `html.escape`, which is what Django's
`escape` calls, without its lazy-string wrapper: `format_html` took a third of a
digest's rendering); the templates keep the wording around them. Rendering the lines in
the templates cost about 28 ms a digest of 23 notices, most of a worker's time.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from email.utils import parseaddr
from html import escape

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.safestring import SafeString, mark_safe

from procurement.reminders.enums import ESCALATION_KINDS, ReminderKind

UNSUBSCRIBE_SALT = "phaseout.reminders.unsubscribe"
# A milestone id no real one reaches: reversed once, then replaced by each notice's id.
URL_ID_PLACEHOLDER = 987654321987


@dataclass(frozen=True, slots=True)
class Notice:
    """What a digest says about one reminder: read as plain values, one query per batch."""

    milestone_id: int
    title: str
    agency: str  # the milestone's agency abbreviation
    kind: str
    due_on: datetime.date
    notice_on: datetime.date
    offset_days: int


@dataclass(frozen=True, slots=True)
class Addressee:
    """The digest row's fields the message needs."""

    recipient_id: int | None
    recipient_email: str
    message_id: str


@dataclass(frozen=True)
class Lines:
    """One section's notices, as text lines and as HTML list items."""

    text: str
    html: SafeString
    count: int


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


class DigestRenderer:
    """Makes the digest messages of one batch; templates and URLs are prepared once for all of them."""

    def __init__(self) -> None:
        self.subject_template = get_template("reminders/email/digest_subject.txt")
        self.text_template = get_template("reminders/email/digest.txt")
        self.html_template = get_template("reminders/email/digest.html")
        self.notifications_url = absolute(reverse("reminders:notifications"))
        milestone_url = absolute(reverse("reminders:milestone", args=[URL_ID_PLACEHOLDER]))
        self.milestone_url_parts = milestone_url.split(str(URL_ID_PLACEHOLDER))
        self.dates: dict[datetime.date, str] = {}

    def message(self, addressee: Addressee, notices: list[Notice], mail_connection) -> EmailMultiAlternatives:
        """One recipient's digest; the Message-ID is the one stored on the digest before any attempt."""
        unsubscribe_url = self._unsubscribe_url(addressee)
        context = {
            "recipient_email": addressee.recipient_email,
            "escalations": self._lines([notice for notice in notices if notice.kind in ESCALATION_KINDS]),
            "overdue": self._lines([notice for notice in notices if notice.kind == ReminderKind.OVERDUE]),
            "due": self._lines([notice for notice in notices if notice.kind == ReminderKind.DUE_SOON]),
            "notifications_url": self.notifications_url,
            "unsubscribe_url": unsubscribe_url,
        }
        message = EmailMultiAlternatives(
            subject=" ".join(self.subject_template.render(context).split()),
            body=self.text_template.render(context),
            to=[addressee.recipient_email],
            headers=_headers(addressee, unsubscribe_url),
            connection=mail_connection,
        )
        message.attach_alternative(self.html_template.render(context), "text/html")
        return message

    def _lines(self, notices: list[Notice]) -> Lines | None:
        if not notices:
            return None
        text, html = zip(*(self._line(notice) for notice in notices), strict=True)
        # A line each: a body line over 998 characters makes the whole part quoted-printable.
        return Lines(text="".join(text), html=mark_safe("\n".join(html)), count=len(notices))

    def _line(self, notice: Notice) -> tuple[str, str]:
        """A notice as two text lines (what, then its link) and as an escaped HTML list item."""
        url = self.milestone_url_parts[0] + str(notice.milestone_id) + self.milestone_url_parts[1]
        what = f"{notice.title} ({notice.agency}), due {self._date(notice.due_on)}"
        if notice.kind == ReminderKind.DUE_SOON:
            text_tail = _due_soon_words(notice.offset_days)
            html_tail = " (today)" if notice.offset_days == 0 else ""
        else:
            text_tail = html_tail = f", {(notice.notice_on - notice.due_on).days} days overdue"
        html = (
            f'<li><a href="{escape(url)}">{escape(notice.title)}</a> ({escape(notice.agency)}),'
            f" due {self._date(notice.due_on)}{html_tail}</li>"
        )
        return f"- {what}{text_tail}\n  {url}\n", html

    def _date(self, day: datetime.date) -> str:
        """'Mon 9 Mar 2026'; a batch repeats few dates, so each is formatted once."""
        if day not in self.dates:
            self.dates[day] = format_date(day, "D j M Y")
        return self.dates[day]

    def _unsubscribe_url(self, addressee: Addressee) -> str:
        if addressee.recipient_id is None:
            return ""
        return absolute(reverse("reminders:unsubscribe", args=[unsubscribe_token(addressee.recipient_id)]))


def _due_soon_words(offset_days: int) -> str:
    if offset_days == 0:
        return " (today)"
    return f" (in {offset_days} day{'' if offset_days == 1 else 's'} or less)"


def _headers(addressee: Addressee, unsubscribe_url: str) -> dict[str, str]:
    headers = {"Message-ID": addressee.message_id, "Auto-Submitted": "auto-generated"}
    if unsubscribe_url:
        # RFC 8058: a mail client may POST to this URL to unsubscribe in one click.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers
