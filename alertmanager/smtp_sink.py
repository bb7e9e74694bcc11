"""A local SMTP server that accepts every message and keeps it, for the email receiver.

Just enough of RFC 5321 for Alertmanager's client: no STARTTLS and no AUTH are
advertised, so Alertmanager (with `smtp_require_tls: false` in the test copy)
sends in plain text and skips authentication. Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Mail:
    sender: str = ""
    recipients: list[str] = field(default_factory=list)
    data: str = ""


class SmtpSink:
    def __init__(self, server: socketserver.ThreadingTCPServer) -> None:
        self._server = server
        self._lock = threading.Lock()
        self._mails: list[Mail] = []

    @property
    def smarthost(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def add(self, mail: Mail) -> None:
        with self._lock:
            self._mails.append(mail)

    def mails(self) -> list[Mail]:
        with self._lock:
            return list(self._mails)


class _Session(socketserver.StreamRequestHandler):
    sink: SmtpSink  # set on a per-server subclass

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 localhost promrules test sink")
        mail = Mail()
        for raw in self.rfile:
            command = raw.decode(errors="replace").rstrip("\r\n")
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 localhost")
            elif verb == "MAIL":
                mail = Mail(sender=command.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "RCPT":
                mail.recipients.append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                mail.data = self._read_data()
                self.sink.add(mail)
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # RSET, NOOP and anything else: harmless to accept
                self.reply("250 OK")

    def _read_data(self) -> str:
        lines = []
        for raw in self.rfile:
            line = raw.decode(errors="replace").rstrip("\r\n")
            if line == ".":
                break
            lines.append(line[1:] if line.startswith("..") else line)
        return "\n".join(lines)


@contextmanager
def smtp_sink() -> Iterator[SmtpSink]:
    class Session(_Session):
        pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Session)
    server.daemon_threads = True
    sink = SmtpSink(server)
    Session.sink = sink
    thread = threading.Thread(target=server.serve_forever, name="smtp-sink", daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
