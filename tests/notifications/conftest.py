"""Fixtures for the outbox: a real SMTP server on 127.0.0.1 (aiosmtpd) and a movable clock."""
import contextlib
import email
import email.policy
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller



class SMTPSink:
    """Collects what the in-process SMTP server receives."""

    def __init__(self):
        self.messages = []
        self.envelopes = []
        self.cv = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=email.policy.default)
        with self.cv:
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.messages.append(msg)
            self.cv.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, n, timeout=5.0):
        end = time.monotonic() + timeout
        with self.cv:
            while len(self.messages) < n:
                left = end - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"expected {n} mail(s), got {len(self.messages)}")
                self.cv.wait(left)
            return list(self.messages)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def smtp_server(port):
    sink = SMTPSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def smtp_port(app, monkeypatch):
    """A free loopback port the app delivers to by SMTP; nothing listens there yet."""
    port = free_port()
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    monkeypatch.setitem(app.config, "SMTP_TIMEOUT", 5)
    monkeypatch.setitem(app.config, "SMTP_SSL", False)
    monkeypatch.setitem(app.config, "SMTP_STARTTLS", False)
    monkeypatch.setitem(app.config, "SMTP_USERNAME", None)
    return port


@pytest.fixture
def mailserver(smtp_port):
    with smtp_server(smtp_port) as sink:
        yield sink
