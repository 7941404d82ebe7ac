"""Read a raw e-mail into what the import needs: addresses, subject, text, attachments.

Python's ``email`` package (``policy.default``) does the MIME work. What it leaves to us is what
real mail clients get wrong or do their own way:

- Charsets. Chinese clients label GBK text "gb2312" (and Foxmail and old Outlook write GBK
  under either name): GB2312 and GBK are read as GB18030, their superset, and Big5 as
  Big5-HKSCS. A missing or wrong declaration falls back to UTF-8, then GB18030, then Big5.
  RFC 2047 words in headers (B and Q) and raw 8-bit headers are decoded the same way.
- HTML-only messages are turned into markdown (html2text); the ticket renders it through the
  same markdown + nh3 path as a typed message.
- Quoted history and signatures are cut for display (mail-parser-reply, English and Chinese,
  plus the separators it misses: QQ Mail's "原始邮件" line, "在 … 写道：", full-width colons).
  The full original stays in ``InboundEmail.raw``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.header import decode_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

import html2text
from mailparser_reply import EmailReplyParser

# Labels clients write -> the codec that reads what they really send.
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "cp950": "big5hkscs",
    # Windows writes cp1252 under the ISO name; it is a superset for every byte ISO defines.
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "ks_c_5601-1987": "cp949",
}
FALLBACK_CHARSETS = ("utf-8", "gb18030", "big5hkscs")
CHINESE_CHARSETS = {"gb18030", "hz", "big5hkscs"}
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class UnreadableEmail(Exception):
    """The bytes are not an e-mail the import can read (kept as "failed" with this reason)."""


@dataclass
class ParsedAttachment:
    name: str
    content_type: str
    data: bytes
    inline: bool = False


@dataclass
class ParsedEmail:
    message: EmailMessage
    message_id: str
    subject: str
    sender: str
    sender_name: str
    to: list[str]
    cc: list[str]
    in_reply_to: list[str]
    references: list[str]
    date: datetime | None
    text: str
    reply_text: str
    charsets: set[str] = field(default_factory=set)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    content_language: str = ""

    @property
    def language(self) -> str:
        """The language to write to a new guest in: Chinese if the message is, else English."""
        if self.content_language.lower().startswith("zh"):
            return "zh-hans"
        if self.charsets & CHINESE_CHARSETS:
            return "zh-hans"
        sample = f"{self.subject}\n{self.reply_text}"[:2000]
        letters = sum(1 for char in sample if char.isalpha())
        return "zh-hans" if letters and len(CJK.findall(sample)) * 3 >= letters else "en"


def codec_for(charset: str | None) -> str | None:
    if not charset:
        return None
    charset = charset.strip().strip('"').lower()
    return CHARSET_ALIASES.get(charset, charset)


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, str]:
    """Text from ``data``, read as declared if that works, else by the usual suspects.

    Returns ``(text, codec used)``.
    """
    declared = codec_for(charset)
    if declared:
        try:
            return data.decode(declared), declared
        except (LookupError, UnicodeDecodeError):
            pass
    readings = []
    for codec in FALLBACK_CHARSETS:
        try:
            readings.append((data.decode(codec), codec))
        except UnicodeDecodeError:
            continue
    if readings:
        if readings[0][1] == "gb18030" and len(readings) > 1 and not _reads_as_gb(readings[0][0]):
            return readings[1]
        return readings[0]
    return data.decode(declared if _known(declared) else "utf-8", errors="replace"), declared or "utf-8"


def _reads_as_gb(text: str) -> bool:
    """Most Chinese characters of GBK text are in GB2312; Big5 bytes read as GBK mostly are not
    (Big5's second bytes 0x40-0x7E land in GBK's rare extension)."""
    chinese = [char for char in text if ord(char) > 0x7F]
    if not chinese:
        return True
    common = 0
    for char in chinese:
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common * 2 >= len(chinese)


def _known(codec: str | None) -> bool:
    if not codec:
        return False
    try:
        "".encode(codec)
    except LookupError:
        return False
    return True


def decode_header_value(value: str | None) -> str:
    """A header as people read it: RFC 2047 words and raw 8-bit bytes decoded, unfolded."""
    if not value:
        return ""
    value = str(value)
    if any("\udc80" <= char <= "\udcff" for char in value):
        # Raw 8-bit bytes in a header (no RFC 2047), kept by the parser as surrogates.
        value = decode_bytes(value.encode("ascii", "surrogateescape"), None)[0]
    value = re.sub(r"\r?\n[ \t]+", " ", value)
    try:
        parts = decode_header(value)
    except Exception:
        return value.strip()
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset or "utf-8")[0])
        else:
            out.append(chunk)
    return "".join(out).strip()


def normalise_message_id(value: str | None) -> str:
    """``<abc@host>`` -> ``abc@host`` (the first id in the header), "" when there is none."""
    ids = message_ids(value)
    return ids[0] if ids else ""


def message_ids(value: str | None) -> list[str]:
    """Every ``<id>`` in a References / In-Reply-To header, in order, without brackets."""
    if not value:
        return []
    found = re.findall(r"<([^<>\s]+)>", str(value))
    if not found:
        found = [token.strip("<>") for token in str(value).split() if "@" in token]
    return [item.strip()[:250] for item in found if item.strip()]


def raw_headers(message: EmailMessage) -> dict[str, str]:
    """The headers as sent (first of each name, lower-cased names), RFC 2047 left encoded."""
    headers: dict[str, str] = {}
    for name, value in message.raw_items():
        headers.setdefault(name.lower(), str(value))
    return headers


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    # Split before decoding: a decoded name may hold the comma that separates addresses.
    pairs = []
    for name, address in getaddresses([re.sub(r"\r?\n[ \t]+", " ", value) for value in values]):
        address = decode_header_value(address).strip().lower()
        if "@" in address:
            pairs.append((decode_header_value(name).strip().strip('"'), address))
    return pairs


def _all_raw(message: EmailMessage, name: str) -> list[str]:
    return [str(value) for key, value in message.raw_items() if key.lower() == name]


def _html_to_markdown(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.body_width = 0  # keep paragraphs on one line: markdown wraps them
    converter.ignore_images = True  # inline images arrive as attachments
    converter.ignore_emphasis = False
    converter.unicode_snob = True
    converter.protect_links = True
    return converter.handle(html)


def _leaf_parts(part: EmailMessage):
    """Every leaf part, not descending into attached messages (a forwarded e-mail is one file)."""
    if part.is_multipart() and not part.get_content_type().startswith("message/"):
        for child in part.iter_parts():
            yield from _leaf_parts(child)
    else:
        yield part


def _part_text(part: EmailMessage) -> tuple[str, str]:
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset()
    if not charset and part.get_content_type() == "text/html":
        match = re.search(rb"""<meta[^>]+charset=["']?([\w-]+)""", payload[:4096], re.IGNORECASE)
        charset = match.group(1).decode("ascii") if match else None
    return decode_bytes(payload, charset)


# Separators mail-parser-reply does not know (it has "发件人:" with an ASCII colon and
# "…写道：" only with a date in 年月日): everything from the first of these on is history.
EXTRA_QUOTE_HEADERS = [
    # QQ Mail / Foxmail: "------------------ 原始邮件 ------------------"
    # (html2text writes a leading "-" as "\-").
    re.compile(r"^[ >]*\\?-{3,}\s*(?:原始邮件|Original)\s*\\?-{3,}\s*$", re.MULTILINE | re.IGNORECASE),
    # Apple Mail / Gmail in Chinese: "在 2026年12月6日 下午3:00，张三 <x@y> 写道："
    re.compile(r"^[ >]*在.{1,200}?写道\s*[:：]\s*$", re.MULTILINE),
    # Outlook / Foxmail in Chinese with full-width colons: "发件人： …" then "发送时间： …"
    re.compile(r"^[ >*]*发件人\s*[:：].*\n(?:.*\n){0,2}?[ >*]*(?:发送时间|日期|时间|收件人)\s*[:：]", re.MULTILINE),
    # Outlook in English when the lines are bold (HTML turned markdown): "**From:** …"
    re.compile(r"^[ >*]*From\s*:.*\n[ >*]*(?:Sent|Date)\s*:", re.MULTILINE),
]


def strip_quoted(text: str) -> str:
    """The new part of a reply: quoted history and signature cut. The whole text if nothing is left."""
    text = text.replace("\r\n", "\n").strip()
    cut = len(text)
    for pattern in EXTRA_QUOTE_HEADERS:
        match = pattern.search(text)
        if match and match.start() < cut:
            cut = match.start()
    head = text[:cut]
    try:
        parsed = EmailReplyParser(languages=["en", "zh"]).read(head)
        reply = parsed.replies[0].body if parsed.replies else head
    except Exception:  # a regex library's bad day must not lose the message: show it all
        reply = head
    # Quoted lines the client put under the reply without a header.
    lines = reply.rstrip().split("\n")
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    reply = "\n".join(lines).strip()
    return reply or text


def parse(raw: bytes) -> ParsedEmail:
    """Everything the import needs from ``raw``; raises :class:`UnreadableEmail` when nothing is."""
    if not raw or not raw.strip():
        raise UnreadableEmail("the message is empty")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not message.keys():
        raise UnreadableEmail("the message has no headers")
    headers = raw_headers(message)
    senders = _addresses(_all_raw(message, "from"))
    if not senders:
        senders = _addresses(_all_raw(message, "sender"))
    sender_name, sender = senders[0] if senders else ("", "")
    try:
        date = parsedate_to_datetime(headers["date"]) if headers.get("date") else None
    except (TypeError, ValueError, IndexError):
        date = None

    charsets: set[str] = set()
    body_part = message.get_body(preferencelist=("plain", "html"))
    text = ""
    body_parts: set[int] = set()
    if body_part is not None:
        body_parts.add(id(body_part))
        text, codec = _part_text(body_part)
        charsets.add(codec)
        if body_part.get_content_type() == "text/html":
            text = _html_to_markdown(text)
        # Its alternative is the same text in another form: neither is an attachment.
        html = message.get_body(preferencelist=("html",))
        if html is not None:
            body_parts.add(id(html))
    attachments = []
    for part in _leaf_parts(message):
        if id(part) in body_parts or part.get_content_maintype() == "multipart":
            continue
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        content_type = part.get_content_type()
        if filename is None and (content_type.startswith("text/") or content_type.startswith("message/")):
            continue  # the other text of a report or an alternative: not a file someone attached
        if filename is None and disposition is None and not content_type.startswith("image/"):
            continue
        if content_type.startswith("message/"):
            data = part.as_bytes() if not part.is_multipart() else part.get_payload(0).as_bytes()
        else:
            data = part.get_payload(decode=True) or b""
        name = decode_header_value(filename) if filename else _default_name(content_type)
        attachments.append(
            ParsedAttachment(name=name, content_type=content_type, data=data, inline=disposition == "inline")
        )
    # Outlook's plain-text stand-in for an inline image ("[cid:image001.png@01DB…]"): the image
    # itself is imported as an attachment.
    text = re.sub(r"\[cid:[^\]\s]+\]", "", text.replace("\r\n", "\n"))
    text = re.sub(r"\n[ \t\xa0]*(?:\n[ \t\xa0]*){2,}", "\n\n", text).strip()
    subject = decode_header_value(headers.get("subject"))
    return ParsedEmail(
        message=message,
        message_id=normalise_message_id(headers.get("message-id")),
        subject=" ".join(subject.split()),
        sender=sender,
        sender_name=sender_name,
        to=[address for _name, address in _addresses(_all_raw(message, "to"))],
        cc=[address for _name, address in _addresses(_all_raw(message, "cc"))],
        in_reply_to=message_ids(headers.get("in-reply-to")),
        references=message_ids(" ".join(_all_raw(message, "references"))),
        date=date,
        text=text,
        reply_text=strip_quoted(text) if text else "",
        charsets=charsets,
        attachments=attachments,
        content_language=headers.get("content-language", "").strip(),
    )


def _default_name(content_type: str) -> str:
    extension = {
        "image/png": ".png",
        "image/jpeg": ".jpg",
        "image/gif": ".gif",
        "image/webp": ".webp",
        "application/pdf": ".pdf",
    }.get(content_type, "")
    return f"attachment{extension}"


def header_message_id(raw: bytes) -> str:
    """The Message-ID of ``raw`` read from its header block alone (cheap, never raises), or ""."""
    try:
        head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        message = BytesParser(policy=policy.compat32).parsebytes(head, headersonly=True)
        return normalise_message_id(message.get("Message-ID"))
    except Exception:
        return ""
