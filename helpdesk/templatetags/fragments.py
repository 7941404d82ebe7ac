"""``{% memo %}``: markup that is the same on every page load, drawn once per process.

``{% fresh %}`` marks the holes in it that are drawn on every load (a CSRF token, the user's
name, the rows): the memo keeps the markup around them and draws only them.
"""

from __future__ import annotations

import secrets
from contextvars import ContextVar

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# (name, language, script prefix, values…) → (version, markup pieces, the fresh nodes between them)
_FRAGMENTS: dict[tuple, tuple[object, tuple[str, ...], tuple[FreshNode, ...]]] = {}
FRAGMENTS_MAX = 2000
# While a memo draws its markup for the first time: the fresh nodes met so far (also inside
# included templates and nested memos), each written as a marker no markup contains.
_drawing: ContextVar[list | None] = ContextVar("helpdesk_memo_drawing", default=None)
_MARKER = f"\x00memo-{secrets.token_hex(8)}-"


class FreshNode(template.Node):
    child_nodelists = ()

    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist

    def render(self, context) -> str:
        drawing = _drawing.get()
        if drawing is None:
            return self.nodelist.render(context)
        drawing.append(self)
        return f"{_MARKER}{len(drawing) - 1}\x00"


class MemoNode(template.Node):
    # Its markup is drawn once: a {% block %} in it could not be overridden, so none is looked
    # for. (``{% extends %}`` walks the parent's whole tree for blocks on every page load.)
    child_nodelists = ()

    def __init__(self, nodelist: template.NodeList, name: str, vary_on: list, version):
        self.nodelist, self.name, self.vary_on, self.version = nodelist, name, vary_on, version

    def render(self, context) -> str:
        key = (self.name, get_language(), get_script_prefix(), *(value.resolve(context) for value in self.vary_on))
        version = None
        if self.version is not None:
            version = self.version.resolve(context)
            if version in (None, ""):
                # No version given here: nothing says when the markup is stale, so not kept.
                return self.nodelist.render(context)
        found = _FRAGMENTS.get(key)
        if found is None or found[0] != version:
            found = self._draw(context, version)
            if len(_FRAGMENTS) >= FRAGMENTS_MAX:
                _FRAGMENTS.clear()
            _FRAGMENTS[key] = found
        _version, pieces, fresh = found
        if not fresh:
            return pieces[0]
        # FreshNode.render, not its nodelist: inside a memo being drawn, they are its holes too.
        out = [pieces[0]]
        for node, piece in zip(fresh, pieces[1:], strict=True):
            out.append(node.render(context))
            out.append(piece)
        return mark_safe("".join(out))

    def _draw(self, context, version) -> tuple[object, tuple[str, ...], tuple[FreshNode, ...]]:
        fresh: list[FreshNode] = []
        token = _drawing.set(fresh)
        try:
            markup = self.nodelist.render(context)
        finally:
            _drawing.reset(token)
        pieces = markup.split(_MARKER)
        # Every piece after the first starts with its fresh node's number, then "\0".
        numbered = [piece.split("\x00", 1) for piece in pieces[1:]]
        repeated = len({id(node) for node in fresh}) != len(fresh)
        if repeated or [int(number) for number, _rest in numbered] != list(range(len(fresh))):
            raise template.TemplateSyntaxError(
                f"memo {self.name}: a {{% fresh %}} in it was repeated (in a loop?) or its output changed"
            )
        kept = [pieces[0], *(rest for _number, rest in numbered)]
        return version, tuple(mark_safe(piece) for piece in kept), tuple(fresh)


@register.tag
def memo(parser, token) -> MemoNode:
    """``{% memo "name" value … [version v] %}…{% endmemo %}``: the markup, drawn once per process.

    For markup that is the same on every page load but costs the template engine many nodes
    (translated labels, ``{% url %}``, ``{% static %}``): kept per name, language, script prefix
    and the given values; with ``version``, drawn again when ``v`` changes (it replaces the
    older one). Nothing in it may depend on anything else — never the user, the request, the
    CSRF token, the time — except inside ``{% fresh %}…{% endfresh %}``, drawn on every load.
    Its conditions may test only the values it varies on. Unlike ``{% cache %}`` no round
    trip to Redis; without a version it never expires (texts, URLs and static files do not
    change while the process runs; a test that overrides a setting empties it). It holds no
    ``{% block %}``.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("memo needs a name")
    rest, version = bits[2:], None
    if "version" in rest:
        at = rest.index("version")
        if at != len(rest) - 2:
            raise template.TemplateSyntaxError("memo: 'version' takes one value, at the end")
        version = parser.compile_filter(rest[at + 1])
        rest = rest[:at]
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in rest], version)


@register.tag
def fresh(parser, token) -> FreshNode:
    """``{% fresh %}…{% endfresh %}``: inside a ``{% memo %}``, what is drawn on every page load."""
    nodelist = parser.parse(("endfresh",))
    parser.delete_first_token()
    return FreshNode(nodelist)


@receiver(setting_changed)
def _forget_fragments(**kwargs) -> None:
    _FRAGMENTS.clear()
