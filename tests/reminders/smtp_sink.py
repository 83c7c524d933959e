"""A real SMTP server (aiosmtpd) in the test process that keeps what it accepts."""

from __future__ import annotations

import email
import logging
import socket
import threading
from collections.abc import Callable
from email.message import Message
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    """Accepts every message, or answers 451 to the next `refuse` ones; `on_accept(n)` runs before the 250.

    It keeps the raw bytes and parses them when asked: parsing each message as it
    arrives made the sink, not the workers, the bottleneck of the digest benchmark.
    Nothing here is a property: aiosmtpd reads every attribute of its handler (with
    `inspect.getmembers`) on each new connection, and a property that parsed the messages
    made every connection cost more than the last (1.5 s each after 2,000 messages).
    """

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.refuse = 0
        self.on_accept: Callable[[int], None] | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            if self.refuse:
                self.refuse -= 1
                return "451 4.3.0 Mailbox busy, try again later"
            self.received.append(envelope.content)
            accepted = len(self.received)
        if self.on_accept:
            self.on_accept(accepted)
        return "250 2.0.0 OK"

    def messages(self) -> list[Message]:
        return [email.message_from_bytes(content) for content in self._received()]

    def message_ids(self) -> list[str]:
        parser = BytesHeaderParser()
        # A long header may arrive folded onto a second line; the id is what is inside.
        return [" ".join(parser.parsebytes(content)["Message-ID"].split()) for content in self._received()]

    def _received(self) -> list[bytes]:
        with self.lock:
            return list(self.received)


class SinkServer:
    def __init__(self) -> None:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
        self.sink = Sink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SinkServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
