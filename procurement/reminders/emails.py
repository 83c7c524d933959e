"""The digest email: subject, text and HTML bodies from templates, through this one helper.

A worker renders a whole batch of digests, so `DigestRenderer` loads the three templates
and reverses the URLs once per batch, and builds the repeated notice lines as plain
strings (HTML ones with every value escaped by `html.escape`, which is what Django's
`escape` calls, without its lazy-string wrapper: `format_html` took a third of a
digest's rendering); the templates keep the wording around them. Rendering the lines in
the templates cost about 28 ms a digest of 23 notices, most of a worker's time.

A digest is a `DigestEmail`: an EmailMultiAlternatives (what every mail backend and
`mail.outbox` take) whose MIME form is written in one pass by `DigestEmail.message`,
with the same headers, values and parts Django would give it. The email package took
1.7–2.1 ms a digest to build and flatten it (header folding, a regular expression
compiled for each boundary), the largest part of a worker's time.
"""

from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass
from email.header import Header
from email.message import Message
from email.utils import formatdate, make_msgid, parseaddr
from html import escape

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, forbid_multi_line_headers, utf8_charset_qp
from django.core.mail.utils import DNS_NAME
from django.template.loader import get_template
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.safestring import SafeString, mark_safe

from procurement.core.addresses import address_for_each
from procurement.reminders.enums import ESCALATION_KINDS, ReminderKind

UNSUBSCRIBE_SALT = "phaseout.reminders.unsubscribe"


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


def unsubscribe_token(user_id: int, signer: signing.TimestampSigner | None = None) -> str:
    """`signing.dumps(user_id, salt=UNSUBSCRIBE_SALT, compress=True)`, with a signer a batch makes once."""
    return (signer or signing.TimestampSigner(salt=UNSUBSCRIBE_SALT)).sign_object(user_id, compress=True)


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
        self.milestone_address = address_for_each("reminders:milestone")
        self.unsubscribe_address = address_for_each("reminders:unsubscribe")
        self.signer = signing.TimestampSigner(salt=UNSUBSCRIBE_SALT)
        self.dates: dict[datetime.date, str] = {}
        self.agencies: dict[str, str] = {}  # each agency abbreviation escaped once

    def message(self, addressee: Addressee, notices: list[Notice], mail_connection) -> DigestEmail:
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
        message = DigestEmail(
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
        url = absolute(self.milestone_address(notice.milestone_id))
        if notice.agency not in self.agencies:
            self.agencies[notice.agency] = escape(notice.agency)
        what = f"{notice.title} ({notice.agency}), due {self._date(notice.due_on)}"
        if notice.kind == ReminderKind.DUE_SOON:
            text_tail = _due_soon_words(notice.offset_days)
            html_tail = " (today)" if notice.offset_days == 0 else ""
        else:
            text_tail = html_tail = f", {(notice.notice_on - notice.due_on).days} days overdue"
        html = (
            f'<li><a href="{escape(url)}">{escape(notice.title)}</a> ({self.agencies[notice.agency]}),'
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
        token = unsubscribe_token(addressee.recipient_id, self.signer)
        return absolute(self.unsubscribe_address(token))


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


# The digest's MIME form ------------------------------------------------------------------

LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what the email package's generator takes for one


class DigestEmail(EmailMultiAlternatives):
    """A text body and one HTML alternative, written as MIME without the email package's generator.

    `message()` encodes every header as Django's `EmailMessage.message()` does (the same
    `forbid_multi_line_headers`: newlines refused, a non-ASCII subject or name RFC 2047
    encoded) and returns a `WrittenMessage`: a real `email.message.Message` tree, so a
    backend may read its headers and parts, that flattens itself in one pass.
    """

    def message(self) -> WrittenMessage:
        if self.attachments or len(self.alternatives) != 1:
            raise ValueError("a DigestEmail carries a text body and one alternative, nothing else")
        encoding = self.encoding or settings.DEFAULT_CHARSET
        html, html_type = self.alternatives[0]
        parts = [_text_part(self.body, "text/plain", encoding), _text_part(html, html_type, encoding)]
        message = WrittenMessage()
        message.boundary = _boundary(self.body, html)
        message["Content-Type"] = f'multipart/alternative;\n boundary="{message.boundary}"'  # folded as Django does
        message["MIME-Version"] = "1.0"
        for name, value in self._headers():
            message[name] = forbid_multi_line_headers(name, value, encoding)[1]
        message.set_payload(parts)
        return message

    def _headers(self) -> list[tuple[str, str]]:
        """The headers in the order, and with the defaults, of Django's `EmailMessage.message()`."""
        headers = [("Subject", self.subject), ("From", self.extra_headers.get("From", self.from_email))]
        for name, addresses in (("To", self.to), ("Cc", self.cc), ("Reply-To", self.reply_to)):
            if addresses:
                headers.append((name, self.extra_headers.get(name, ", ".join(str(address) for address in addresses))))
        extra_names = {name.lower() for name in self.extra_headers}
        if "date" not in extra_names:
            headers.append(("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
        if "message-id" not in extra_names:
            headers.append(("Message-ID", make_msgid(domain=DNS_NAME)))
        skipped = {"from", "to", "cc", "reply-to"}
        return headers + [(name, value) for name, value in self.extra_headers.items() if name.lower() not in skipped]


class WrittenMessage(Message):
    """A multipart message of text parts whose header values are encoded already: flattened by `written`."""

    boundary = ""

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n", policy=None) -> bytes:
        return written(self, linesep)

    def as_string(self, unixfrom: bool = False, linesep: str = "\n", maxheaderlen=None, policy=None) -> str:
        return written(self, linesep).decode(errors="surrogateescape")

    def __bytes__(self) -> bytes:
        return self.as_bytes()

    def __str__(self) -> str:
        return self.as_string()


def written(message: WrittenMessage, linesep: str) -> bytes:
    """The message's bytes: its headers, then each part between boundary lines, every line ending in `linesep`."""
    pieces = [_header_lines(message, linesep), linesep]
    for part in message.get_payload():
        pieces += ["--", message.boundary, linesep, _header_lines(part, linesep), linesep]
        pieces += [linesep.join(LINE_BREAK.split(part.get_payload())), linesep]
    pieces += ["--", message.boundary, "--", linesep]
    # get_payload() decodes the UTF-8 bytes an 8bit part keeps as escaped surrogates; both encode back the same.
    return "".join(pieces).encode("utf-8", "surrogateescape")


def _header_lines(message: Message, linesep: str) -> str:
    lines = []
    for name, value in message.items():
        line = f"{name}: {value}"
        if len(line) > 78 and "\n" not in value and " " in value:
            line = f"{name}: {Header(value, header_name=name).encode()}"  # folded where it has spaces
        lines.append(line.replace("\n", linesep) + linesep)
    return "".join(lines)


def _text_part(text: str, content_type: str, encoding: str) -> Message:
    """A text part as Django's SafeMIMEText makes it: 7bit or 8bit, quoted-printable if a line is too long for SMTP."""
    if encoding.lower() not in ("utf-8", "utf8"):
        raise ValueError(f"a DigestEmail is written in UTF-8, not {encoding}")
    part = Message()
    part["Content-Type"] = f'{content_type}; charset="utf-8"'
    part["MIME-Version"] = "1.0"
    body = text.encode()
    if any(len(line) > RFC5322_EMAIL_LINE_LENGTH_LIMIT for line in body.splitlines()):
        part["Content-Transfer-Encoding"] = "quoted-printable"
        part.set_payload(utf8_charset_qp.body_encode(text))
    else:
        part["Content-Transfer-Encoding"] = "7bit" if body.isascii() else "8bit"
        part.set_payload(body.decode("ascii", "surrogateescape"))
    return part


def _boundary(*texts: str) -> str:
    """A boundary none of the parts contains (a random 128 bits: checked all the same)."""
    while True:
        boundary = f"===============_{secrets.token_hex(16)}=="
        if not any(boundary in text for text in texts):
            return boundary
