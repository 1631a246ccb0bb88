#!/usr/bin/python3
"""A real SMTP server for the e-mail forwarder tests (aiosmtpd, Debian's python3-aiosmtpd).

Usage: smtp_sink.py HOST PORT DIRECTORY
Accepts every message on HOST:PORT and writes each as DIRECTORY/NNN.eml (the DATA bytes
exactly as received, CRLF line endings) plus DIRECTORY/NNN.env (MAIL FROM and RCPT TO,
one a line). Writes to a temporary name first and renames, so a reader never sees half
a message. Prints "ready" once listening; runs until SIGTERM or SIGINT.
"""
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            name = "%03d" % self.count
        base = os.path.join(self.directory, name)
        with open(base + ".env.tmp", "w", encoding="utf-8") as env:
            env.write(envelope.mail_from + "\n")
            for rcpt in envelope.rcpt_tos:
                env.write(rcpt + "\n")
        os.rename(base + ".env.tmp", base + ".env")
        with open(base + ".eml.tmp", "wb") as eml:
            eml.write(envelope.original_content or envelope.content)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 Message accepted for delivery"


def main():
    host, port, directory = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Sink(directory), hostname=host, port=port)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
