"""``civic mail [show N]``: the local mailbox, for an officer without a mail client.

``civic up`` runs a mail server (aiosmtpd) that keeps every message it receives in a Maildir under the
state directory (``.civic/mail``); comms sends the councillor briefing there. ``civic mail`` lists the
messages, oldest first (number, date, to, subject); ``civic mail show N`` prints one: its headers and its
plain-text part. The Maildir is read as it is on disk, so this works with the stack stopped too.
"""

from __future__ import annotations

import argparse
import email.policy
import mailbox
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from civic.cli.stack import read_state

#: headers printed above a message's text
SHOWN = ("Date", "From", "To", "Subject", "Message-ID")


def echo(message: str) -> None:
    print(message, flush=True)


def mail_dir() -> Path:
    """The running stack's Maildir, else the state directory's (the same unless moved)."""
    from civic.cli.main import state_dir  # the CLI's own state directory (CIVIC_STATE_DIR)

    state = read_state(state_dir()) or {}
    return Path(state.get("mail_dir") or state_dir() / "mail")


def messages(directory: Path) -> list[EmailMessage]:
    """Every message in the Maildir, oldest first (by Date, then by arrival)."""
    if not (directory / "new").is_dir():
        return []
    box = mailbox.Maildir(directory, factory=None, create=False)
    found: list[tuple[float, str, EmailMessage]] = []
    for key in box.keys():
        message = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
        found.append((_sent_at(message), key, message))
    return [m for _, _, m in sorted(found, key=lambda f: (f[0], f[1]))]


def _sent_at(message: EmailMessage) -> float:
    try:
        return parsedate_to_datetime(str(message["Date"])).timestamp()
    except (TypeError, ValueError):
        return 0.0


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        return "(no plain-text part)"
    return str(part.get_content())


def cmd_list(args: argparse.Namespace) -> int:
    directory = mail_dir()
    found = messages(directory)
    echo(f"{len(found)} message(s) in {directory}")
    for number, message in enumerate(found, start=1):
        echo(f"{number:>4}  {message['Date'] or ''!s:<32} {str(message['To'] or '')[:48]:<48} {message['Subject'] or ''}")
    if found:
        echo("Read one with: civic mail show <number>")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    found = messages(mail_dir())
    if not 1 <= args.number <= len(found):
        echo(f"no message {args.number}: there are {len(found)} (civic mail lists them)")
        return 1
    message = found[args.number - 1]
    for name in SHOWN:
        if message[name]:
            echo(f"{name}: {message[name]}")
    echo("")
    echo(text_of(message))
    return 0


def add_commands(sub: Any) -> None:
    mail = sub.add_parser("mail", help="the local mailbox (the mail server civic up runs): list, or show one")
    mail.set_defaults(func=cmd_list)
    commands = mail.add_subparsers(dest="mail_command")
    listing = commands.add_parser("list", help="every message: number, date, to, subject (the default)")
    listing.set_defaults(func=cmd_list)
    show = commands.add_parser("show", help="one message's headers and text")
    show.add_argument("number", type=int, help="as civic mail lists it")
    show.set_defaults(func=cmd_show)
