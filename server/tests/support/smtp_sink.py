"""A real SMTP server for Turnout's tests and benchmark (aiosmtpd on a loopback port).

Every message it accepts is parsed with Python's email package and written to DIR as one
JSON file (envelope, Message-ID, decoded subject, plain and HTML parts, a few headers),
written to a temporary name first and renamed, so a reader never sees half a file.

    python3 smtp_sink.py PORT DIR [--headers-only]

With --headers-only (the benchmark) only the envelope and headers are parsed and kept.
Prints "ready" once it accepts connections, and runs until killed.
"""

import json
import os
import sys
import time
from email import message_from_bytes
from email.parser import BytesHeaderParser
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out, headers_only):
        self.out = out
        self.headers_only = headers_only
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.headers_only:
            head = BytesHeaderParser().parsebytes(envelope.content)
            record = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "message_id": str(head["Message-ID"] or ""),
                "idempotency_key": str(head["X-Turnout-Idempotency-Key"] or ""),
                "importance": "",
                "subject": "",
                "to": "",
                "content_type": "",
                "text": None,
                "html": None,
            }
            return self.write(record)
        msg = message_from_bytes(envelope.content, policy=default_policy)
        plain = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "message_id": str(msg["Message-ID"] or ""),
            "idempotency_key": str(msg["X-Turnout-Idempotency-Key"] or ""),
            "importance": str(msg["Importance"] or ""),
            "subject": str(msg["Subject"] or ""),
            "to": str(msg["To"] or ""),
            "content_type": msg.get_content_type(),
            "text": plain.get_content() if plain is not None else None,
            "html": html.get_content() if html is not None else None,
        }
        return self.write(record)

    def write(self, record):
        self.count += 1
        name = f"{time.time_ns()}-{os.getpid()}-{self.count}"
        tmp = os.path.join(self.out, f".{name}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(tmp, os.path.join(self.out, f"{name}.json"))
        return "250 Message accepted for delivery"


def main():
    port = int(sys.argv[1])
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    headers_only = "--headers-only" in sys.argv[3:]
    controller = Controller(Sink(out, headers_only), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
