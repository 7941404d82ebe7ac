"""``manage.py mail_receiver``: the LMTP (default) or SMTP receiver of the Procfile's ``mail:`` line."""

import asyncio
import logging

from django.core.management.base import BaseCommand, CommandError

from mail.receiver import PROTOCOLS, ReceiverConfig, serve


class Command(BaseCommand):
    help = "Receive e-mail for the helpdesk's mailboxes over LMTP (from a local MTA) or SMTP (docs/email.md)."

    def add_arguments(self, parser):
        parser.add_argument("--host", help="Address to listen on (MAIL_RECEIVER_HOST, default 127.0.0.1).")
        parser.add_argument("--port", type=int, help="Port to listen on (MAIL_RECEIVER_PORT, default 8024).")
        parser.add_argument(
            "--protocol", choices=PROTOCOLS, help="lmtp or smtp (MAIL_RECEIVER_PROTOCOL, default lmtp)."
        )

    def handle(self, *args, host=None, port=None, protocol=None, **options):
        try:
            config = ReceiverConfig.from_settings(host=host, port=port, protocol=protocol)
        except ValueError as error:
            raise CommandError(str(error)) from None
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

        def ready(listening_port: int) -> None:
            self.stdout.write(f"Receiving {config.protocol.upper()} on {config.host}:{listening_port}", ending="\n")
            self.stdout.flush()

        try:
            asyncio.run(serve(config, ready=ready))
        except OSError as error:
            raise CommandError(f"Cannot listen on {config.host}:{config.port}: {error}") from None
