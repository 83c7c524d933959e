"""A real SMTP server (aiosmtpd) in the test process that keeps what it accepts."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Callable
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    """Accepts every message, or answers 451 to the next `refuse` ones; `on_accept(n)` runs before the 250."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse = 0
        self.on_accept: Callable[[int], None] | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            if self.refuse:
                self.refuse -= 1
                return "451 4.3.0 Mailbox busy, try again later"
            self.messages.append(email.message_from_bytes(envelope.content))
            accepted = len(self.messages)
        if self.on_accept:
            self.on_accept(accepted)
        return "250 2.0.0 OK"

    def message_ids(self) -> list[str]:
        with self.lock:
            # A long header may arrive folded onto a second line; the id is what is inside.
            return [" ".join(message["Message-ID"].split()) for message in self.messages]


class SinkServer:
    def __init__(self) -> None:
        self.sink = Sink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SinkServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
