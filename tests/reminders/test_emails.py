"""The digest's MIME form, written without the email package's generator, reads back as Django's would."""

import email
import email.policy
from email.utils import parsedate_to_datetime
from html import escape

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import BadHeaderError

from procurement.reminders import services
from procurement.reminders.emails import DigestEmail
from procurement.reminders.models import Digest
from tests.reminders.conftest import at
from tests.reminders.smtp_sink import SinkServer

TITLE = "Système de paie — Zürich <ops> & co"
HEADERS = {
    "Message-ID": "<phaseout-digest-0123456789abcdef.20260309130000000000@localhost>",
    "Auto-Submitted": "auto-generated",
    "List-Unsubscribe": "<http://127.0.0.1:8000/reminders/unsubscribe/MQ:1xVeWc:kcANuxdTCQ5mlaIjgFDxsSV8KLroG9DYJ/>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def digest_email(subject="Phaseout: 1 overdue, 0 due soon", body=f"- {TITLE}\n", **fields) -> DigestEmail:
    fields.setdefault("to", ["alice@example.gov"])
    message = DigestEmail(subject=subject, body=body, headers=dict(HEADERS), **fields)
    message.attach_alternative(f"<ul><li>{escape(TITLE)}</li></ul>", "text/html")
    return message


def parsed(raw: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert not message.defects and all(not part.defects for part in message.walk())
    return message


def readable(message: email.message.EmailMessage) -> tuple:
    """What a mail client shows: decoded headers (but the boundary and the date) and each part's type and text."""
    # Unfolded: the email package folds a long header before its first word, which then reads back with a space.
    headers = sorted(
        (name, " ".join(str(value).split())) for name, value in message.items() if name not in ("Content-Type", "Date")
    )
    parts = [
        (part.get_content_type(), part.get_content_charset(), sorted(part.keys()), part.get_content())
        for part in message.iter_parts()
    ]
    return message.get_content_type(), headers, parts


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"subject": "Échéances : 3 en retard, " + "et une longue suite de mots " * 4},
        {"from_email": "Phaséout Rappels <rappels@example.gov>", "to": ["Zoë Müller <zoe@example.gov>"]},
        {"body": "a line far too long for SMTP: " + "x" * 1200 + "\nand a short one, ü\n"},
        {"body": "lines\r\nending\rin every\nway\n"},
        {"cc": ["irene@example.gov", "lena@example.gov"], "reply_to": ["Zoë <zoe@example.gov>"]},
    ],
    ids=["ascii", "non-ascii-subject", "non-ascii-names", "long-line", "line-ends", "cc-reply-to"],
)
def test_the_written_message_reads_back_as_djangos_own(fields, settings):
    message = digest_email(**fields)
    written = message.message().as_bytes(linesep="\r\n")
    django_made = EmailMultiAlternatives.message(message).as_bytes(linesep="\r\n")
    assert readable(parsed(written)) == readable(parsed(django_made))
    assert written.partition(b"\r\n\r\n")[0].isascii()  # non-ASCII words RFC 2047 encoded: no SMTPUTF8 needed
    assert all(len(line) <= 998 for line in written.split(b"\r\n"))
    assert b"\n" not in written.replace(b"\r\n", b"")  # every line ends in CRLF, as SMTP wants


def test_a_non_ascii_subject_and_title_arrive_encoded_and_read_back(settings):
    subject = "Échéances : 1 en retard"
    raw = digest_email(subject=subject).message().as_bytes(linesep="\r\n")
    assert b"\r\nSubject: =?utf-8?" in raw
    message = parsed(raw)
    assert message["Subject"] == subject
    text, html = message.iter_parts()
    assert (text.get_content_type(), text.get_content_charset(), text["Content-Transfer-Encoding"]) == (
        "text/plain",
        "utf-8",
        "8bit",
    )
    assert TITLE in text.get_content()
    assert (
        html.get_content_type() == "text/html" and "Système de paie — Zürich &lt;ops&gt; &amp; co" in html.get_content()
    )


def test_a_header_with_a_line_break_is_refused():
    with pytest.raises(BadHeaderError):
        digest_email(subject="Phaseout\r\nBcc: everyone@example.gov").message()
    with pytest.raises(BadHeaderError):
        digest_email(to=["alice@example.gov\nBcc: everyone@example.gov"]).message()


def test_string_and_bytes_forms_agree():
    message = digest_email().message()
    assert str(message).encode() == bytes(message) == message.as_bytes()


@pytest.mark.django_db
def test_the_digest_a_server_receives_is_a_well_formed_multipart_alternative(make_milestone, alice, settings):
    make_milestone("2026-03-10", title=TITLE)
    with SinkServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        now = at("2026-03-09")
        result = services.reminders_sweep(now)
        assert services.digests_send(result.digest_ids, now=now).sent == 1
        (raw,) = server.sink.received
    digest = Digest.objects.get()
    message = parsed(raw)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Message-ID"] == digest.message_id
    assert (message["From"], message["To"]) == (settings.DEFAULT_FROM_EMAIL, alice.email)
    assert message["Subject"] == "Phaseout: 1 due soon"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/reminders/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsedate_to_datetime(message["Date"])  # RFC 5322 date, as Django writes it
    text, html = message.iter_parts()
    assert [part.get_content_type() for part in (text, html)] == ["text/plain", "text/html"]
    assert {part.get_content_charset() for part in (text, html)} == {"utf-8"}
    assert f"- {TITLE} (" in text.get_content()
    assert "Système de paie — Zürich &lt;ops&gt; &amp; co</a>" in html.get_content()
