"""Writes the e-mail corpus (tests/data/mail/*.eml) that tests/mail/test_corpus.py imports.

Written for this project: the headers are the ones Outlook, Foxmail, QQ Mail, Gmail and Apple
Mail write, the bodies in the charsets and transfer encodings they use. The .eml files are
committed; run ``python tests/data/mail/make_corpus.py`` to write them again after a change here.

Placeholders the test replaces before importing: ``@@TICKET_ID@@`` (the ticket a reply answers),
``@@REFERENCE@@`` (its "HD-000123"), ``@@OUTBOX_ID@@`` (an e-mail the helpdesk sent about it) and
``@@DOMAIN@@`` (settings.EMAIL_MESSAGE_ID_DOMAIN).
Every message goes to support@helpdesk.example (the test's mailbox).
"""

from __future__ import annotations

import base64
import quopri
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
TO = "Helpdesk <support@helpdesk.example>"


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii").rstrip("\n")


def qp(data: bytes) -> str:
    return quopri.encodestring(data).decode("ascii")


def word_b(text: str, charset: str, label: str | None = None) -> str:
    """An RFC 2047 B word; ``label`` is the charset named in it when the client names another."""
    return f"=?{label or charset}?B?{base64.b64encode(text.encode(charset)).decode('ascii')}?="


def word_q(text: str, charset: str) -> str:
    encoded = "".join(
        chr(byte) if byte < 128 and chr(byte).isalnum() else ("_" if byte == 0x20 else f"={byte:02X}")
        for byte in text.encode(charset)
    )
    return f"=?{charset}?Q?{encoded}?="


def png() -> bytes:
    """A real 1×1 PNG (the upload check reads its magic bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def write(name: str, text: str) -> None:
    (HERE / name).write_bytes(text.encode("ascii"))


# --- New requests ------------------------------------------------------------------------------

write(
    "plain_gmail.eml",
    f"""Received: by mail-wr1-f41.google.com with SMTP id 5b1f17b1804b1-40c2c5a3b0fso12345
Return-Path: <priya.patel@initech.example>
MIME-Version: 1.0
Date: Sun, 6 Dec 2026 09:14:03 +0100
Message-ID: <CAFx8kX2q7hR0p9mN3bV1cT6wYzJ@mail.gmail.com>
Subject: Printer on the 3rd floor jams on every job
From: Priya Patel <priya.patel@initech.example>
To: {TO}
Cc: Tom Baker <tom.baker@initech.example>, support@helpdesk.example
Content-Type: text/plain; charset="UTF-8"

Hi,

The HP printer on the 3rd floor (PRN-3F-02) jams on every job since this morning.
We already tried turning it off and on again.

Thanks,
Priya
--
Priya Patel | Facilities | Initech
+44 20 7946 0000
""",
)

html_body = (
    """<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">"""
    """<style>p.MsoNormal {margin:0cm; font-family:"Calibri",sans-serif;}</style></head>"""
    """<body lang="EN-GB"><div class="WordSection1">"""
    """<p class="MsoNormal">Good morning,</p>"""
    """<p class="MsoNormal">Since the update the <b>VPN client</b> refuses to connect:</p>"""
    """<ul><li>error 809 at home</li><li>works in the office</li></ul>"""
    """<p class="MsoNormal">Caf\xe9 Wi\u2013Fi is the same.</p>"""
    """<script>alert('x')</script>"""
    """<p class="MsoNormal">Kind regards<br>Ren\xe9e Dubois</p></div></body></html>"""
).encode("cp1252")
write(
    "html_only_outlook.eml",
    f"""Received: from EUR03-DB5-obe.outbound.protection.outlook.com
 (mail-db5eur03on2041.outbound.protection.outlook.com [40.107.4.41])
From: =?iso-8859-1?Q?Ren=E9e_Dubois?= <renee.dubois@globex.example>
To: {TO}
Subject: VPN refuses to connect after the update
Thread-Topic: VPN refuses to connect after the update
Thread-Index: AdpHq1xJm3Yv0kLzS0ewbH1mC2b8Ag==
Date: Mon, 7 Dec 2026 08:02:11 +0000
Message-ID: <AM0PR03MB4567A1B2C3D4E5F6@AM0PR03MB4567.eurprd03.prod.outlook.com>
Accept-Language: fr-FR, en-GB
Content-Language: en-GB
X-MS-Has-Attach:
X-Auto-Response-Suppress: All
X-MS-TNEF-Correlator:
Content-Type: text/html; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0

{qp(html_body)}""",
)

write(
    "multipart_attachments_apple.eml",
    f"""Return-Path: <sam.lee@initech.example>
From: Sam Lee <sam.lee@initech.example>
Content-Type: multipart/mixed;
\tboundary="Apple-Mail=_4B1F2C3D-5E6F-4A7B-8C9D-0E1F2A3B4C5D"
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))
Subject: Laptop battery report and the tool they sent
Date: Mon, 7 Dec 2026 10:21:40 +0800
Message-Id: <8F2A1C3E-9B7D-4E6F-A1B2-C3D4E5F6A7B8@initech.example>
To: {TO}
X-Mailer: Apple Mail (2.3774.600.62)


--Apple-Mail=_4B1F2C3D-5E6F-4A7B-8C9D-0E1F2A3B4C5D
Content-Transfer-Encoding: 7bit
Content-Type: text/plain;
\tcharset=us-ascii

My laptop battery drains in an hour. The battery report and the log are attached;
the vendor also sent a diagnostic tool.

--Apple-Mail=_4B1F2C3D-5E6F-4A7B-8C9D-0E1F2A3B4C5D
Content-Disposition: attachment;
\tfilename=battery-report.pdf
Content-Type: application/pdf;
\tname="battery-report.pdf"
Content-Transfer-Encoding: base64

{b64(PDF)}

--Apple-Mail=_4B1F2C3D-5E6F-4A7B-8C9D-0E1F2A3B4C5D
Content-Disposition: attachment;
\tfilename=power.log
Content-Type: text/plain;
\tname="power.log"
Content-Transfer-Encoding: 7bit

2026-12-07 09:00 battery 100%
2026-12-07 10:00 battery 12%

--Apple-Mail=_4B1F2C3D-5E6F-4A7B-8C9D-0E1F2A3B4C5D
Content-Disposition: attachment;
\tfilename=diagtool.exe
Content-Type: application/x-msdownload;
\tname="diagtool.exe"
Content-Transfer-Encoding: base64

{b64(EXE)}
--Apple-Mail=_4B1F2C3D-5E6F-4A7B-8C9D-0E1F2A3B4C5D--
""",
)

write(
    "inline_image_outlook.eml",
    f"""From: Tom Baker <tom.baker@initech.example>
To: {TO}
Subject: Error dialog when saving to the share
Date: Mon, 7 Dec 2026 11:05:00 +0000
Message-ID: <DB9PR02MB7654F1E2D3C4B5A6@DB9PR02MB7654.eurprd02.prod.outlook.com>
Content-Language: en-US
X-MS-Has-Attach: yes
Content-Type: multipart/related;
\tboundary="_004_DB9PR02MB7654_";
\ttype="multipart/alternative"
MIME-Version: 1.0

--_004_DB9PR02MB7654_
Content-Type: multipart/alternative;
\tboundary="_000_DB9PR02MB7654_"

--_000_DB9PR02MB7654_
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

This dialog appears when I save to \\\\fileserver\\projects:

[cid:image001.png@01DB4812.5A6B7C80]

--_000_DB9PR02MB7654_
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

<html><body><p>This dialog appears when I save to \\\\fileserver\\projects:</p>
<p><img src=3D"cid:image001.png@01DB4812.5A6B7C80"></p></body></html>

--_000_DB9PR02MB7654_--

--_004_DB9PR02MB7654_
Content-Type: image/png; name="image001.png"
Content-Description: image001.png
Content-Disposition: inline; filename="image001.png"; size=70
Content-ID: <image001.png@01DB4812.5A6B7C80>
Content-Transfer-Encoding: base64

{b64(png())}

--_004_DB9PR02MB7654_--
""",
)

# GBK: "喆" and "堃" are in GBK but not in GB2312, and Foxmail labels the text gb2312 all the same.
gbk_subject = "打印机无法连接 - 喆堃的电脑"
gbk_body = "你好，\n\n我的电脑（喆堃的工作站）连不上三楼的打印机，显示“脱机”。\n请帮忙看一下，谢谢！\n\n王喆\n"
write(
    "gbk_foxmail.eml",
    f"""Date: Mon, 7 Dec 2026 14:32:10 +0800
From: {word_b("王喆", "gbk", "gb2312")} <wangzhe@initech.example>
To: {TO}
Subject: {word_b(gbk_subject, "gbk", "gb2312")}
X-Priority: 3
X-Has-Attach: no
X-Mailer: Foxmail 7.2.25.228[cn]
Mime-Version: 1.0
Message-ID: <202612071432100371257@initech.example>
Content-Type: text/plain;
\tcharset="gb2312"
Content-Transfer-Encoding: base64

{b64(gbk_body.encode("gbk"))}
""",
)

gb2312_subject = "邮箱密码过期"
gb2312_body = "您好：\n\n我的邮箱密码过期了，无法登录。请帮我重置。\n\n李娜\n"
write(
    "gb2312_qq.eml",
    f"""Return-Path: <lina@initech.example>
From: "{word_b("李娜", "gb2312")}" <lina@initech.example>
To: "{word_b("技术支持", "gb2312")}" <support@helpdesk.example>
Subject: {word_q(gb2312_subject, "gb2312")}
Mime-Version: 1.0
Content-Type: text/plain;
\tcharset="gb2312"
Content-Transfer-Encoding: quoted-printable
Date: Mon, 7 Dec 2026 15:01:22 +0800
X-Priority: 3
Message-ID: <tencent_3F2A1B0C9D8E7F6A5B4C3D2E1F0A@qq.com>
X-QQ-MIME: TCMime 1.0 by Tencent
X-Mailer: QQMail 2.x
X-QQ-Mailer: QQMail 2.x

{qp(gb2312_body.encode("gb2312"))}""",
)

big5_subject = "會議室投影機沒有畫面"
big5_body = "您好，\n\n三樓會議室的投影機接上筆電後沒有畫面，請協助處理。\n\n陳怡君\n"
write(
    "big5_outlook.eml",
    f"""From: {word_b("陳怡君", "big5")} <chen.yijun@globex.example>
To: {TO}
Subject: {word_b(big5_subject, "big5")}
Date: Tue, 8 Dec 2026 09:15:00 +0800
Message-ID: <TY0PR01MB5432C1D2E3F4A5B6@TY0PR01MB5432.apcprd01.prod.outlook.com>
Content-Language: zh-TW
Content-Type: text/plain; charset="big5"
Content-Transfer-Encoding: base64
MIME-Version: 1.0

{b64(big5_body.encode("big5"))}
""",
)

write(
    "rfc2047_subjects.eml",
    f"""From: {word_q("José Müller", "iso-8859-1")} <jose.muller@globex.example>
To: {TO}
Subject: {word_b("Réunion: écran noir –", "utf-8")}
 {word_q(" 会议室 screen", "utf-8")}
Date: Tue, 8 Dec 2026 10:00:00 +0100
Message-ID: <5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b@globex.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
User-Agent: Mozilla Thunderbird

The screen in the meeting room stays black.
""",
)

write(
    "no_message_id.eml",
    f"""From: Printer Room <kiosk@initech.example>
To: {TO}
Subject: Kiosk PC cannot print
Date: Tue, 8 Dec 2026 11:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

The kiosk PC in reception cannot print (sent from a scanner without a Message-ID).
""",
)

# --- Replies (the test makes the ticket and fills the placeholders) ----------------------------

write(
    "outlook_reply_en.eml",
    f"""From: Alice Smith <alice@acme.example>
To: {TO}
Subject: RE: [@@REFERENCE@@] Cannot open the shared calendar
Thread-Topic: [@@REFERENCE@@] Cannot open the shared calendar
Date: Wed, 9 Dec 2026 08:30:00 +0000
Message-ID: <VI1PR08MB3344A5B6C7D8E9F0@VI1PR08MB3344.eurprd08.prod.outlook.com>
References: <ticket-@@TICKET_ID@@@@@DOMAIN@@>
In-Reply-To: <ticket-@@TICKET_ID@@@@@DOMAIN@@>
Content-Language: en-GB
X-Auto-Response-Suppress: All
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0

It works again after the restart, thank you. One more question: can Bob see i=
t too?

Alice

From: Helpdesk <support@helpdesk.example>
Sent: 08 December 2026 17:41
To: Alice Smith <alice@acme.example>
Subject: [@@REFERENCE@@] Cannot open the shared calendar

Please restart Outlook and tell us if the calendar opens.

-----Original Message-----
Older history that must not be shown.
""",
)

zh_reply = (
    "重启以后可以打开了，谢谢！\n\n"
    "发件人： 服务台 <support@helpdesk.example>\n"
    "发送时间： 2026年12月8日 17:41\n"
    "收件人： 张伟 <alice@acme.example>\n"
    "主题： [@@REFERENCE@@] 无法打开共享日历\n\n"
    "请重启 Outlook 后再试。\n"
)
write(
    "outlook_reply_zh.eml",
    f"""From: =?utf-8?B?{base64.b64encode("张伟".encode()).decode()}?= <alice@acme.example>
To: {TO}
Subject: {word_b("回复:", "utf-8")} [@@REFERENCE@@] {word_b("无法打开共享日历", "utf-8")}
Date: Wed, 9 Dec 2026 09:00:00 +0800
Message-ID: <SG2PR06MB1234B5C6D7E8F9A0@SG2PR06MB1234.apcprd06.prod.outlook.com>
In-Reply-To: <ticket-@@TICKET_ID@@@@@DOMAIN@@>
References: <ticket-@@TICKET_ID@@@@@DOMAIN@@>
Content-Language: zh-CN
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64
MIME-Version: 1.0

{b64(zh_reply.encode())}
""",
)

apple_zh_reply = (
    "还是不行，打印机依然显示脱机。\n\n"
    "> 在 2026年12月8日，下午5:41，服务台 <support@helpdesk.example> 写道：\n"
    ">\n> 请检查网线是否插好。\n"
)
write(
    "apple_reply_zh.eml",
    f"""From: =?utf-8?B?{base64.b64encode("张伟".encode()).decode()}?= <alice@acme.example>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))
Subject: Re: [@@REFERENCE@@] {word_b("打印机脱机", "utf-8")}
Date: Wed, 9 Dec 2026 10:00:00 +0800
In-Reply-To: <outbox-@@OUTBOX_ID@@@@@DOMAIN@@>
References: <ticket-@@TICKET_ID@@@@@DOMAIN@@> <outbox-@@OUTBOX_ID@@@@@DOMAIN@@>
To: {TO}
Message-Id: <A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF@acme.example>
X-Mailer: Apple Mail (2.3774.600.62)

{b64(apple_zh_reply.encode())}
""",
)

qq_html = (
    "<div>打印机还是脱机，附上新的截图说明。</div><div><br></div>"
    '<div style="font-size: 12px;font-family: Arial Narrow;padding:2px 0 2px 0;">'
    "------------------&nbsp;原始邮件&nbsp;------------------</div>"
    '<div style="font-size: 12px;background:#efefef;padding:8px;">'
    '<div><b>发件人:</b>&nbsp;"服务台"&lt;support@helpdesk.example&gt;;</div>'
    "<div><b>发送时间:</b>&nbsp;2026年12月8日(星期二) 下午5:41</div>"
    '<div><b>收件人:</b>&nbsp;"张伟"&lt;alice@acme.example&gt;;</div></div>'
    "<div>请检查网线是否插好。</div>"
)
write(
    "qq_reply_html.eml",
    f"""From: "{word_b("张伟", "gb18030")}" <alice@acme.example>
To: "{word_b("服务台", "gb18030")}" <support@helpdesk.example>
Subject: {word_b("回复：", "gb18030")} [@@REFERENCE@@] {word_b("打印机脱机", "gb18030")}
Mime-Version: 1.0
Content-Type: multipart/alternative;
\tboundary="----=_NextPart_6753C2A1_0B7E3F40_1D2C3B4A"
Content-Transfer-Encoding: 8Bit
Date: Wed, 9 Dec 2026 11:00:00 +0800
X-Priority: 3
Message-ID: <tencent_9A8B7C6D5E4F3A2B1C0D@qq.com>
X-QQ-MIME: TCMime 1.0 by Tencent
X-Mailer: QQMail 2.x
X-QQ-Mailer: QQMail 2.x
In-Reply-To: <ticket-@@TICKET_ID@@@@@DOMAIN@@>
References: <ticket-@@TICKET_ID@@@@@DOMAIN@@>

This is a multi-part message in MIME format.

------=_NextPart_6753C2A1_0B7E3F40_1D2C3B4A
Content-Type: text/html;
\tcharset="gb18030"
Content-Transfer-Encoding: base64

{b64(qq_html.encode("gb18030"))}

------=_NextPart_6753C2A1_0B7E3F40_1D2C3B4A--
""",
)

write(
    "requester_reply_gmail.eml",
    f"""MIME-Version: 1.0
Date: Wed, 9 Dec 2026 12:00:00 +0000
References: <ticket-@@TICKET_ID@@@@@DOMAIN@@>
In-Reply-To: <ticket-@@TICKET_ID@@@@@DOMAIN@@>
Message-ID: <CAFx8kX2reply0001@mail.gmail.com>
Subject: Re: [@@REFERENCE@@] Cannot open the shared calendar
From: Alice Smith <alice@acme.example>
To: {TO}
Content-Type: text/plain; charset="UTF-8"

It is broken again this morning.

On Tue, 8 Dec 2026 at 17:41, Helpdesk <support@helpdesk.example> wrote:
> Please restart Outlook and tell us if the calendar opens.
""",
)

write(
    "participant_reply_gmail.eml",
    f"""MIME-Version: 1.0
Date: Wed, 9 Dec 2026 12:30:00 +0000
References: <CAFx8kX2q7hR0p9mN3bV1cT6wYzJ@mail.gmail.com>
In-Reply-To: <CAFx8kX2q7hR0p9mN3bV1cT6wYzJ@mail.gmail.com>
Message-ID: <CAGy9lY3participant0001@mail.gmail.com>
Subject: Re: Printer on the 3rd floor jams on every job
From: Tom Baker <tom.baker@initech.example>
To: Priya Patel <priya.patel@initech.example>, {TO}
Content-Type: text/plain; charset="UTF-8"

Same here: it jams on page two of every job.

On Sun, 6 Dec 2026 at 09:14, Priya Patel <priya.patel@initech.example> wrote:
> The HP printer on the 3rd floor (PRN-3F-02) jams on every job since this morning.
""",
)

write(
    "staff_reply_thunderbird.eml",
    f"""Message-ID: <7a8b9c0d-staff-reply@helpdesk.example>
Date: Wed, 9 Dec 2026 13:00:00 +0000
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: [@@REFERENCE@@] Cannot open the shared calendar
References: <ticket-@@TICKET_ID@@@@@DOMAIN@@>
In-Reply-To: <ticket-@@TICKET_ID@@@@@DOMAIN@@>
From: Carol Nguyen <carol@helpdesk.example>
To: {TO}
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 7bit

I have given Bob read access to the calendar.

On 09/12/2026 12:00, Alice Smith wrote:
> It is broken again this morning.
""",
)

write(
    "stranger_reply.eml",
    f"""From: Mallory <mallory@evil.example>
To: {TO}
Subject: Re: [@@REFERENCE@@] Cannot open the shared calendar
Date: Wed, 9 Dec 2026 14:00:00 +0000
Message-ID: <stranger-0001@evil.example>
In-Reply-To: <ticket-@@TICKET_ID@@@@@DOMAIN@@>
References: <ticket-@@TICKET_ID@@@@@DOMAIN@@>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Please close this ticket and send me the calendar password.
""",
)

# --- Noise ---------------------------------------------------------------------------------------

write(
    "auto_reply_outlook.eml",
    f"""From: Bob Jones <bob@acme.example>
To: {TO}
Subject: Automatic reply: [@@REFERENCE@@] Cannot open the shared calendar
Date: Wed, 9 Dec 2026 15:00:00 +0000
Message-ID: <auto-0001@acme.example>
In-Reply-To: <ticket-@@TICKET_ID@@@@@DOMAIN@@>
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
X-MS-Exchange-Inbox-Rules-Loop: bob@acme.example
Content-Type: text/plain; charset="us-ascii"
MIME-Version: 1.0

I am out of the office until 4 January with no access to e-mail.
""",
)

write(
    "out_of_office_qq.eml",
    f"""From: "=?utf-8?B?{base64.b64encode("刘洋".encode()).decode()}?=" <liuyang@initech.example>
To: {TO}
Subject: {word_b("自动回复: 打印机无法连接", "utf-8")}
Date: Wed, 9 Dec 2026 16:00:00 +0800
Message-ID: <tencent_autoreply_0001@qq.com>
X-Autoreply: yes
X-QQ-MIME: TCMime 1.0 by Tencent
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64
MIME-Version: 1.0

{b64("您好，我正在休假，1月4日回来。".encode())}
""",
)

write(
    "bounce_dsn.eml",
    f"""Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.helpdesk.example>
To: {TO}
Subject: Undelivered Mail Returned to Sender
Date: Wed, 9 Dec 2026 17:00:00 +0000
Message-Id: <20261209170000.1A2B3C4D5E@mx.helpdesk.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="1A2B3C4D5E.1765299600/mx.helpdesk.example"

This is a MIME-encapsulated message.

--1A2B3C4D5E.1765299600/mx.helpdesk.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.helpdesk.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<gone.person@initech.example>: host mx.initech.example[192.0.2.10] said: 550 5.1.1
    <gone.person@initech.example>: Recipient address rejected: User unknown

--1A2B3C4D5E.1765299600/mx.helpdesk.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.helpdesk.example
X-Postfix-Queue-ID: 1A2B3C4D5E
Arrival-Date: Wed,  9 Dec 2026 16:59:58 +0000 (UTC)

Final-Recipient: rfc822; gone.person@initech.example
Original-Recipient: rfc822;gone.person@initech.example
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.initech.example
Diagnostic-Code: smtp; 550 5.1.1 <gone.person@initech.example>: Recipient address
    rejected: User unknown

--1A2B3C4D5E.1765299600/mx.helpdesk.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Helpdesk <support@helpdesk.example>
To: gone.person@initech.example
Subject: [HD-000001] We received your request
Message-ID: <ticket-1@helpdesk.local>

--1A2B3C4D5E.1765299600/mx.helpdesk.example--
""",
)

write(
    "mailing_list.eml",
    f"""From: Vendor Announcements <announce@lists.vendor.example>
To: {TO}
Subject: [vendor-announce] Firmware 4.2 released
Date: Wed, 9 Dec 2026 18:00:00 +0000
Message-ID: <list-0001@lists.vendor.example>
List-Id: Vendor announcements <vendor-announce.lists.vendor.example>
List-Unsubscribe: <mailto:vendor-announce-leave@lists.vendor.example>
Precedence: list
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Firmware 4.2 is out. See the release notes.
""",
)


if __name__ == "__main__":
    print(f"wrote {len(list(HERE.glob('*.eml')))} messages to {HERE}")
