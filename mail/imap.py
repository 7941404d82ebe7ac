"""IMAP polling of an existing mailbox (docs/email.md, "Set-up 1").

Each message is fetched, handed to :func:`mail.services.receive` — which commits the raw bytes
before doing anything else — and only then moved to the "imported" folder or flagged. A crash
between the two leaves the message where it was; the next poll fetches it again and the
Message-ID makes the second import a no-op. So nothing is lost and nothing is imported twice.

Two polls of one mailbox never run at once (two overlapping beat ticks, two workers): a
PostgreSQL session advisory lock per mailbox, held by the poll's database connection and freed
by PostgreSQL if the worker dies.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from mail.models import AfterImport, ImapSecurity, Mailbox, Transport

logger = logging.getLogger(__name__)

# Seconds any one IMAP operation may wait: a hung server fails the poll, it does not hold a worker.
IMAP_TIMEOUT = 30
# Messages imported per poll at most; a backlog is worked off over the next minutes.
BATCH_SIZE = 200
# The keyword a flagged (not moved) message gets, so the next poll skips it even if a person
# marks it unread again; and the one an oversized message gets, so it is reported once.
IMPORTED_KEYWORD = "$HelpdeskImported"
TOO_LARGE_KEYWORD = "$HelpdeskTooLarge"
# pg_try_advisory_lock(classid, objid): the first key says "mail polling" ('mail' in ASCII).
LOCK_CLASS = 0x6D61696C
DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024


class ImapProblem(Exception):
    """The server refused something the poll needs (login, folder); the text says what."""


def max_message_bytes() -> int:
    return int(getattr(settings, "MAIL_MAX_MESSAGE_BYTES", DEFAULT_MAX_MESSAGE_BYTES))


@contextmanager
def polling_lock(mailbox_id: int) -> Iterator[bool]:
    """Yield whether this process may poll the mailbox now (False: another poll holds it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, mailbox_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, mailbox_id])
            except DatabaseError:  # a lost connection has released it already
                logger.warning("mail: could not release the polling lock of mailbox %s", mailbox_id)


def poll_mailbox(mailbox_id: int) -> int:
    """Import what waits in the mailbox's IMAP folder; return how many messages were received.

    Errors (server unreachable, login refused, a database failure) are stored on the mailbox
    (``last_error``) for the admin page and monitoring; the next beat tick tries again.
    """
    with polling_lock(mailbox_id) as acquired:
        if not acquired:
            logger.info("mail: mailbox %s is being polled already", mailbox_id)
            return 0
        mailbox = Mailbox.objects.filter(pk=mailbox_id, active=True, transport=Transport.IMAP).first()
        if mailbox is None:
            return 0
        received = 0
        problems: list[str] = []
        try:
            for _ in _import(mailbox, problems):
                received += 1
        except (OSError, imaplib.IMAP4.error, ImapProblem, DatabaseError) as exc:
            problems.append(_describe(exc))
            logger.warning("mail: polling %s failed after %s messages: %s", mailbox.address, received, exc)
        error = "\n".join(problems)[:2000]
        Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error=error)
        return received


def _describe(exc: Exception) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out after {IMAP_TIMEOUT} s"
    return f"{type(exc).__name__}: {exc}"[:2000]


def connect(mailbox: Mailbox) -> imaplib.IMAP4:
    """Open and log in, with TLS as the mailbox says; certificates are verified."""
    context = ssl.create_default_context()
    if mailbox.imap_security == ImapSecurity.SSL:
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            mailbox.imap_host, mailbox.imap_port, ssl_context=context, timeout=IMAP_TIMEOUT
        )
    else:
        client = imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=IMAP_TIMEOUT)
        if mailbox.imap_security == ImapSecurity.STARTTLS:
            try:
                client.starttls(ssl_context=context)
            except Exception:
                with suppress(OSError):
                    client.shutdown()  # the socket; the handshake's error is the one to report
                raise
    try:
        password = mailbox.imap_password
    except InvalidToken:
        _logout(client)
        raise ImapProblem(
            "the stored password cannot be decrypted (MAIL_ENCRYPTION_KEY changed?): type it again in the admin"
        ) from None
    try:
        client.login(mailbox.imap_user, password)
    except imaplib.IMAP4.error as exc:
        _logout(client)
        raise ImapProblem(f"login as {mailbox.imap_user!r} refused: {exc}") from exc
    return client


def _logout(client: imaplib.IMAP4) -> None:
    with suppress(OSError, imaplib.IMAP4.error):
        client.logout()


def _import(mailbox: Mailbox, problems: list[str]) -> Iterator[int]:
    """Receive each waiting message, then move or flag it; yield the UIDs done.

    A message that is not imported but does not stop the others is described in ``problems``.
    """
    from mail.services import receive

    client = connect(mailbox)
    try:
        status, data = client.select(quote_folder(mailbox.imap_folder))
        if status != "OK":
            raise ImapProblem(f"folder {mailbox.imap_folder!r} cannot be opened: {data!r}")
        move = mailbox.imap_after_import == AfterImport.MOVE
        keywords = _keywords_allowed(client)
        if move:
            _ensure_folder(client, mailbox.imap_move_to)
        for uid, size in _waiting(client, move=move, keywords=keywords):
            if size > max_message_bytes():
                # Left where it is for a person to deal with; reported once, not fetched.
                if keywords:
                    client.uid("STORE", uid, "+FLAGS", f"({TOO_LARGE_KEYWORD})")
                limit = max_message_bytes()
                problems.append(f"message UID {uid.decode()} is {size} bytes, over the limit of {limit}; left in place")
                continue
            raw = _fetch(client, uid)
            receive(mailbox, raw)  # committed when it returns
            if move:
                _move(client, uid, mailbox.imap_move_to)
            else:
                flags = f"(\\Seen {IMPORTED_KEYWORD})" if keywords else "(\\Seen)"
                client.uid("STORE", uid, "+FLAGS", flags)
            yield int(uid)
    finally:
        _logout(client)


def _keywords_allowed(client: imaplib.IMAP4) -> bool:
    """Whether the server keeps keywords we invent (PERMANENTFLAGS contains ``\\*``)."""
    _typ, data = client.response("PERMANENTFLAGS")
    return any(item and b"\\*" in item for item in data)


def _waiting(client: imaplib.IMAP4, *, move: bool, keywords: bool) -> list[tuple[bytes, int]]:
    """UIDs and sizes of the messages to import, oldest first, at most BATCH_SIZE."""
    criteria = ["UNDELETED"]
    if keywords:
        criteria.append(f"UNKEYWORD {TOO_LARGE_KEYWORD}")
    if not move:
        criteria.append(f"UNKEYWORD {IMPORTED_KEYWORD}" if keywords else "UNSEEN")
    status, data = client.uid("SEARCH", None, *criteria)
    if status != "OK":
        raise ImapProblem(f"search refused: {data!r}")
    uids = data[0].split()[:BATCH_SIZE] if data and data[0] else []
    if not uids:
        return []
    status, data = client.uid("FETCH", b",".join(uids), "(RFC822.SIZE)")
    sizes = {}
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        if not line:
            continue
        uid_match = re.search(rb"UID (\d+)", line)
        size_match = re.search(rb"RFC822\.SIZE (\d+)", line)
        if uid_match and size_match:
            sizes[uid_match.group(1)] = int(size_match.group(1))
    return [(uid, sizes.get(uid, 0)) for uid in uids]


def _fetch(client: imaplib.IMAP4, uid: bytes) -> bytes:
    # BODY.PEEK: fetching must not mark the message read; only a successful import does.
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    for item in data or ():
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    raise ImapProblem(f"message UID {uid.decode()} could not be fetched: {status} {data!r}")


def _capabilities(client: imaplib.IMAP4) -> set[str]:
    return {str(capability).upper() for capability in client.capabilities}


def _ensure_folder(client: imaplib.IMAP4, folder: str) -> None:
    status, _data = client.create(quote_folder(folder))
    if status != "OK":  # most often "already exists"; a real problem shows at the first move
        logger.debug("mail: CREATE %s answered %s", folder, _data)


def _move(client: imaplib.IMAP4, uid: bytes, folder: str) -> None:
    target = quote_folder(folder)
    if "MOVE" in _capabilities(client):
        status, data = client.uid("MOVE", uid, target)
        if status != "OK":
            raise ImapProblem(f"moving UID {uid.decode()} to {folder!r} refused: {data!r}")
        return
    status, data = client.uid("COPY", uid, target)
    if status != "OK":
        raise ImapProblem(f"copying UID {uid.decode()} to {folder!r} refused: {data!r}")
    client.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
    if "UIDPLUS" in _capabilities(client):
        client.uid("EXPUNGE", uid)  # only this message, not others a person marked deleted
    else:
        client.expunge()


def quote_folder(name: str) -> str:
    """A folder name as an IMAP quoted string, non-ASCII in modified UTF-7 (RFC 3501 5.1.3)."""
    encoded = _modified_utf7(name)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _modified_utf7(text: str) -> str:
    import base64

    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            chunk = base64.b64encode("".join(pending).encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + chunk.replace("/", ",") + "-")
            pending.clear()

    for char in text:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)
