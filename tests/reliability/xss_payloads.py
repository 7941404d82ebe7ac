"""Hostile text for every field the helpdesk shows again: an XSS corpus.

Each payload, if it ever ran, would call ``alert('xss-NN')`` (or ``confirm``/``prompt``, or open a
frame that does) with a marker of its own, so a dialog that fires names the payload that got
through. The corpus covers script tags in many spellings, event handlers, ``javascript:`` /
``vbscript:`` / ``data:`` URLs (raw, entity-encoded, split by tabs and newlines, mixed case),
SVG, Markdown link and image tricks, CSS, frames and other embedding elements, template
injection, unicode tricks, attribute breakouts and breakouts from JSON and script contexts.

Used by tests/browser/test_xss_corpus.py, which puts every payload through several fields.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Payload:
    number: int
    kind: str
    text: str

    @property
    def marker(self) -> str:
        return f"xss-{self.number:02d}"


def _entities(text: str) -> str:
    """Every character as a decimal HTML entity (``&#106;&#97;…``)."""
    return "".join(f"&#{ord(char)};" for char in text)


def _hex_entities(text: str) -> str:
    """Every character as a zero-padded hex entity without the semicolon (``&#x006A…``)."""
    return "".join(f"&#x{ord(char):04X}" for char in text)


# (kind, template): ``{m}`` becomes the payload's marker, ``{a}`` a call with it
# (``alert('xss-NN')``), ``{e}`` that call as decimal entities after ``javascript:``,
# ``{x}`` the same as hex entities without semicolons.
_TEMPLATES: list[tuple[str, str]] = [
    # --- script tags in many spellings
    ("script", "<script>{a}</script>"),
    ("script", "<SCRIPT>{a}</SCRIPT>"),
    ("script", "<ScRiPt>{a}</sCrIpT>"),
    ("script", "<script src=data:text/javascript,{a}></script>"),
    ("script", "<script\n>{a}</script\n>"),
    ("script", "<<script>{a}//<</script>"),
    ("script", "<scr<script>ipt>{a}</scr</script>ipt>"),
    ("script", '<script type="text/javascript">/*{m}*/{a}</script>'),
    ("script", "<script/xss src=data:,{a}></script>"),
    ("script", "%3Cscript%3E{a}%3C/script%3E"),
    # --- event handlers
    ("handler", "<img src=x onerror={a}>"),
    ("handler", '<IMG SRC="x" ONERROR="{a}">'),
    ("handler", "<img src=x:x onerror=&#97;&#108;&#101;&#114;&#116;('{m}')>"),
    ("handler", "<svg onload={a}>"),
    ("handler", "<svg/onload={a}//"),
    ("handler", "<body onload={a}>"),
    ("handler", "<details open ontoggle={a}>"),
    ("handler", "<video><source onerror={a}></video>"),
    ("handler", "<audio src=x onerror={a}>"),
    ("handler", "<input autofocus onfocus={a}>"),
    ("handler", "<marquee onstart={a}>{m}</marquee>"),
    ("handler", "<div style=width:100px;height:100px onmouseover={a}>{m}</div>"),
    # --- javascript:, vbscript:, data: URLs
    ("url", '<a href="javascript:{a}">{m}</a>'),
    ("url", '<a href="JaVaScRiPt:{a}">{m}</a>'),
    ("url", '<a href="java\tscript:{a}">{m}</a>'),
    ("url", '<a href="java\nscript:{a}">{m}</a>'),
    ("url", '<a href="&#106;avascript:{a}">{m}</a>'),
    ("url", '<a href="{e}">{m}</a>'),
    ("url", "<a href={x}alert('{m}')>{m}</a>"),
    ("url", '<a href=" \x01javascript:{a}">{m}</a>'),
    ("url", "<a href=\"vbscript:msgbox('{m}')\">{m}</a>"),
    ("url", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgneHNzJyk8L3NjcmlwdD4=">{m}</a>'),
    ("url", '<a href="data:text/html,<script>{a}</script>">{m}</a>'),
    ("url", "<form action=javascript:{a}><button>{m}</button></form>"),
    ("url", "<button formaction=javascript:{a}>{m}</button>"),
    # --- SVG
    ("svg", "<svg><script>{a}</script></svg>"),
    ("svg", '<svg><a xlink:href="javascript:{a}"><text x=20 y=20>{m}</text></a></svg>'),
    ("svg", "<svg><animate onbegin={a} attributeName=x dur=1s>"),
    ("svg", "<svg><set attributeName=onmouseover to={a}>"),
    ("svg", "<math><mtext><table><mglyph><style><img src=x onerror={a}>"),
    # --- Markdown tricks
    ("markdown", "[{m}](javascript:{a})"),
    ("markdown", "[{m}](JAVASCRIPT:{a})"),
    ("markdown", "[{m}][ref]\n\n[ref]: javascript:{a}"),
    ("markdown", "<javascript:{a}>"),
    ("markdown", '![{m}](x" onerror="{a})'),
    ("markdown", "![{m}](javascript:{a})"),
    ("markdown", '[{m}](https://example.com "title" onclick="{a}")'),
    ("markdown", "**bold <img src=x onerror={a}> text**"),
    ("markdown", "```\n</code><script>{a}</script>\n```"),
    ("markdown", "> quote <svg onload={a}>"),
    ("markdown", "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) {m}"),
    # --- CSS
    ("css", '<div style="background:url(javascript:{a})">{m}</div>'),
    ("css", "<style>@import 'javascript:{a}';</style>"),
    ("css", '<div style="width:expression({a})">{m}</div>'),
    ("css", "<style>*{{background:url('javascript:{a}')}}</style>{m}"),
    ("css", "<link rel=stylesheet href=javascript:{a}>"),
    # --- frames, objects, forms, meta, base
    ("embed", "<iframe src=javascript:{a}></iframe>"),
    ("embed", '<iframe srcdoc="<script>parent.{a}</script>"></iframe>'),
    ("embed", "<object data=javascript:{a}></object>"),
    ("embed", '<embed src="data:text/html,<script>{a}</script>">'),
    ("embed", '<meta http-equiv="refresh" content="0;url=javascript:{a}">'),
    ("embed", '<base href="javascript:{a}//">'),
    ("embed", "<isindex action=javascript:{a} type=image>"),
    # --- template injection
    ("template", "{{{{7*7}}}} {{{{ settings.SECRET_KEY }}}} {m}"),
    ("template", "{{% debug %}} {m}"),
    ("template", "${{{a}}} #{{{a}}} {m}"),
    ("template", "{{{{constructor.constructor('{a}')()}}}}"),
    ("template", "{{requester_name}} {{ticket_subject}} <script>{a}</script>"),
    # --- unicode tricks
    ("unicode", "＜script＞{a}＜/script＞"),
    ("unicode", "\u202e<script>{a}</script>\u202c"),
    ("unicode", "<scr\u200dipt>{a}</scr\u200dipt>"),
    ("unicode", "\u00bcscript\u00be{a}\u00bc/script\u00be"),
    ("unicode", "%C0%BCscript%C0%BE{a}%C0%BC/script%C0%BE"),
    ("unicode", "<img src=x o\u200bnerror={a}>"),
    ("unicode", "\ufe64script\ufe65{a}\ufe64/script\ufe65"),
    # --- attribute breakouts
    ("breakout", '"><img src=x onerror={a}>'),
    ("breakout", "'><img src=x onerror={a}>"),
    ("breakout", "' onmouseover='{a}' x='"),
    ("breakout", '" onfocus="{a}" autofocus="'),
    ("breakout", "`><svg onload={a}>"),
    ("breakout", '"/><script>{a}</script><x y="'),
    # --- JSON / script-context breakouts
    ("context", "</script><script>{a}</script>"),
    ("context", "</textarea><script>{a}</script>"),
    ("context", "</title><script>{a}</script>"),
    ("context", '"}};{a};//'),
    ("context", "'-{a}-'"),
    ("context", '\\";{a};//'),
    ("context", "--><script>{a}</script><!--"),
    ("context", "]]><script>{a}</script>"),
]


def _build() -> list[Payload]:
    payloads = []
    for number, (kind, template) in enumerate(_TEMPLATES, start=1):
        marker = f"xss-{number:02d}"
        call = f"alert('{marker}')"
        text = template.format(m=marker, a=call, e=_entities(f"javascript:{call}"), x=_hex_entities("javascript:"))
        if marker not in text and "{a}" not in template:
            text = f"{text} {marker}"
        payloads.append(Payload(number, kind, text))
    return payloads


PAYLOADS: list[Payload] = _build()

# What a dialog's message is when a payload fires: its marker (``xss-NN``).
MARKERS = {payload.marker for payload in PAYLOADS}

assert len(PAYLOADS) >= 60, "the corpus holds at least 60 payloads"
assert len({payload.text for payload in PAYLOADS}) == len(PAYLOADS), "each payload is different"


def fitting(max_chars: int) -> list[Payload]:
    """The payloads short enough for a field of ``max_chars`` (a name, a title)."""
    return [payload for payload in PAYLOADS if len(payload.text) <= max_chars]
