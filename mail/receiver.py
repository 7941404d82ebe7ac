"""The LMTP/SMTP receiver (``manage.py mail_receiver``; docs/email.md, "Set-up 2").

A local MTA (Postfix ``transport_maps`` → ``lmtp:inet:127.0.0.1:8024``) or, with
``--protocol smtp``, the Internet itself (MX) delivers here. A recipient is accepted only when
it is an active mailbox of the "receiver" transport (550 otherwise); a message over
MAIL_MAX_MESSAGE_BYTES is refused (552). Each accepted message is handed to
:func:`mail.services.receive` once per mailbox, and the server answers 250 only after
``receive`` has returned, i.e. after the raw bytes are committed: on a database error the
answer is 451, the sending MTA keeps the message and retries, and the Message-ID makes a retry
of an already stored message a no-op.

Django's ORM is synchronous: every database call runs in asgiref's one shared thread
(``sync_to_async``), never on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from mail.imap import max_message_bytes
from mail.models import Mailbox, Transport

logger = logging.getLogger(__name__)

PROTOCOLS = ("lmtp", "smtp")


@dataclass(frozen=True)
class ReceiverConfig:
    host: str
    port: int
    protocol: str = "lmtp"
    max_bytes: int = 0

    @classmethod
    def from_settings(cls, **overrides) -> ReceiverConfig:
        values = {
            "host": settings.MAIL_RECEIVER_HOST,
            "port": settings.MAIL_RECEIVER_PORT,
            "protocol": settings.MAIL_RECEIVER_PROTOCOL,
            "max_bytes": max_message_bytes(),
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        if values["protocol"] not in PROTOCOLS:
            choices = ", ".join(PROTOCOLS)
            raise ValueError(f"MAIL_RECEIVER_PROTOCOL must be one of {choices}, not {values['protocol']!r}")
        return cls(**values)


def mailbox_for(address: str) -> Mailbox | None:
    """The active receiver mailbox for an envelope recipient, ignoring case."""
    close_old_connections()  # a connection the database dropped since the last message is replaced
    return Mailbox.objects.filter(address__iexact=address.strip(), active=True, transport=Transport.RECEIVER).first()


def store(mailbox_id: int, raw: bytes) -> None:
    """Receive one message for one mailbox; raises when it could not be committed."""
    from mail.services import receive

    close_old_connections()
    receive(Mailbox.objects.get(pk=mailbox_id), raw)


def with_return_path(raw: bytes, mail_from: str | None) -> bytes:
    """Add the envelope sender as the final delivery agent does (RFC 5321 4.4): a bounce's
    ``MAIL FROM:<>`` becomes ``Return-Path: <>``, which the loop checks read."""
    sender = (mail_from or "").strip().removeprefix("<").removesuffix(">")
    return b"Return-Path: <" + sender.encode("utf-8", "replace") + b">\r\n" + raw


class Handler:
    """aiosmtpd hooks: RCPT decides who we accept, DATA stores the message."""

    def __init__(self, protocol: str):
        self.protocol = protocol

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options):
        try:
            mailbox = await sync_to_async(mailbox_for)(address)
        except Exception:
            logger.exception("mail receiver: looking up %s failed", address)
            return "451 4.3.0 Temporary failure, try again later"
        if mailbox is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.append(rcpt_options)
        envelope.mailbox_ids = [*getattr(envelope, "mailbox_ids", []), mailbox.pk]
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = with_return_path(envelope.original_content or b"", envelope.mail_from)
        statuses: dict[int, str] = {}
        for mailbox_id in dict.fromkeys(envelope.mailbox_ids):
            try:
                await sync_to_async(store)(mailbox_id, raw)
            except Exception:
                # Not committed (or not known to be): the MTA keeps it and retries.
                logger.exception("mail receiver: storing a message for mailbox %s failed", mailbox_id)
                statuses[mailbox_id] = "451 4.3.0 Temporary failure, try again later"
            else:
                statuses[mailbox_id] = "250 2.0.0 Message accepted"
        if self.protocol == "lmtp":
            # LMTP answers DATA once per accepted recipient, in RCPT order (RFC 2033 4.2).
            return "\r\n".join(statuses[mailbox_id] for mailbox_id in envelope.mailbox_ids)
        failed = [status for status in statuses.values() if not status.startswith("250")]
        return failed[0] if failed else "250 2.0.0 Message accepted"


def make_server_factory(config: ReceiverConfig):
    handler = Handler(config.protocol)
    server_class = LMTP if config.protocol == "lmtp" else SMTP

    def factory() -> SMTP:
        return server_class(
            handler,
            data_size_limit=config.max_bytes or None,
            enable_SMTPUTF8=True,
            decode_data=False,
            ident="helpdesk mail receiver",
        )

    return factory


async def serve(config: ReceiverConfig, *, ready=None) -> None:
    """Serve until SIGTERM or SIGINT; ``ready(port)`` is called once listening."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(make_server_factory(config), host=config.host, port=config.port)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    port = server.sockets[0].getsockname()[1]
    logger.info("mail receiver: %s on %s:%s", config.protocol.upper(), config.host, port)
    if ready is not None:
        ready(port)
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
