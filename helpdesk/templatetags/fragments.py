"""``{% memo %}``: markup that is the same on every page load, drawn once per process.

``{% fresh %}`` marks the holes in it that are drawn on every load (a CSRF token, the user's
name, the rows): the memo keeps the markup around them and draws only them.

``render_page`` does the same for a whole page (its template and the ones it extends): drawn
once, it costs no more than its holes afterwards.
"""

from __future__ import annotations

import secrets
from contextvars import ContextVar
from typing import NamedTuple

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.context import make_context
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.autoreload import file_changed
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# (name, language, script prefix, values…) → (version, markup pieces, the fresh nodes between them)
_FRAGMENTS: dict[tuple, tuple[object, tuple[str, ...], tuple[FreshNode, ...]]] = {}
FRAGMENTS_MAX = 2000
# While a memo draws its markup for the first time: the fresh nodes met so far (also inside
# included templates and nested memos), each written as a marker no markup contains.
_drawing: ContextVar[list | None] = ContextVar("helpdesk_memo_drawing", default=None)
# While a page is drawn: the memos drawn into its markup, with the values and version each had
# (see render_page); _UNKEPT when one of them keeps nothing, which the page then cannot either.
_memos_met: ContextVar[list | None] = ContextVar("helpdesk_page_memos", default=None)
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

    def values(self, context) -> tuple[tuple, object]:
        """The values it varies on, and the version (None: none asked for; None or "" given: not kept)."""
        values = tuple(value.resolve(context) for value in self.vary_on)
        return values, (None if self.version is None else self.version.resolve(context))

    def render(self, context) -> str:
        values, version = self.values(context)
        key = (self.name, get_language(), get_script_prefix(), *values)
        met = _memos_met.get()
        if met is not None:
            met.append((self, (values, version)))
        if self.version is not None and version in (None, ""):
            # No version given here: nothing says when the markup is stale, so not kept.
            if met is not None:
                met.append(_UNKEPT)
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
        # FreshNode.render, not its nodelist: inside a memo or page being drawn, they are its holes too.
        return mark_safe(_fill(pieces, fresh, context))

    def _draw(self, context, version) -> tuple[object, tuple[str, ...], tuple[FreshNode, ...]]:
        pieces, fresh = _draw(lambda: self.nodelist.render(context), f"memo {self.name}")
        return version, pieces, fresh


def _draw(render, what: str) -> tuple[tuple[str, ...], tuple[FreshNode, ...]]:
    """``render()``'s markup cut at its fresh holes: the pieces around them, and the holes."""
    fresh: list[FreshNode] = []
    token = _drawing.set(fresh)
    try:
        markup = render()
    finally:
        _drawing.reset(token)
    pieces = markup.split(_MARKER)
    # Every piece after the first starts with its fresh node's number, then "\0".
    numbered = [piece.split("\x00", 1) for piece in pieces[1:]]
    repeated = len({id(node) for node in fresh}) != len(fresh)
    if repeated or [int(number) for number, _rest in numbered] != list(range(len(fresh))):
        raise template.TemplateSyntaxError(
            f"{what}: a {{% fresh %}} in it was repeated (in a loop?) or its output changed"
        )
    kept = [pieces[0], *(rest for _number, rest in numbered)]
    return tuple(mark_safe(piece) for piece in kept), tuple(fresh)


def _fill(pieces: tuple[str, ...], fresh: tuple[FreshNode, ...], context) -> str:
    out = [pieces[0]]
    for node, piece in zip(fresh, pieces[1:], strict=True):
        out.append(node.render(context))
        out.append(piece)
    return "".join(out)


_UNKEPT = object()


class _Page(NamedTuple):
    # Each memo drawn into it with its values and version (language and prefix are the page's).
    memos: tuple[tuple[MemoNode, tuple], ...]
    pieces: tuple[str, ...]
    fresh: tuple[FreshNode, ...]

    def matches(self, context) -> bool:
        return all(node.values(context) == values for node, values in self.memos)

    def replaces(self, other: _Page) -> bool:
        """Whether it is ``other`` drawn again for a new version of one of its memos."""
        return [(node, values) for node, (values, _version) in self.memos] == [
            (node, values) for node, (values, _version) in other.memos
        ]


# (template name, language, script prefix) → the page's drawn variants (one per set of memo keys).
_PAGES: dict[tuple, list[_Page]] = {}
PAGE_VARIANTS_MAX = 50


def render_page(request: HttpRequest, template_name: str, context: dict) -> HttpResponse:
    """``render(request, template_name, context)`` for a page whose markup is memos and fresh holes.

    The page (with the templates it extends and includes) is drawn once per language, script
    prefix and the keys of the ``{% memo %}`` in it; later loads draw only its ``{% fresh %}``
    holes, skipping the template engine's walk through ``{% extends %}``, its blocks and the
    memos. So everything in the page outside a fresh hole must depend on nothing but the
    values its memos vary on (a memo's own rule, page-wide): what lies outside every memo must
    be fixed text, translations and URLs. A memo without a version keeps nothing, and then
    neither does the page. A later load compares the memos' values in the page's own context,
    so a memo in it should vary on the view's and the context processors' values, not on a
    loop's or a ``{% with %}``'s (then the page is drawn anew on every load: slower, not wrong).
    """
    page_template = get_template(template_name)
    engine_template = page_template.template
    context = make_context(context, request, autoescape=page_template.backend.engine.autoescape)
    with context.render_context.push_state(engine_template), context.bind_template(engine_template):
        context.template_name = engine_template.name
        key = (template_name, get_language(), get_script_prefix())
        variants = _PAGES.get(key, [])
        page = next((variant for variant in variants if variant.matches(context)), None)
        if page is not None:
            _announce(engine_template, context)
        else:
            met: list = []
            token = _memos_met.set(met)
            try:
                pieces, fresh = _draw(lambda: engine_template._render(context), f"page {template_name}")
            finally:
                _memos_met.reset(token)
            page = _Page(tuple(met), pieces, fresh)
            if _UNKEPT not in met:
                variants = [variant for variant in variants if not page.replaces(variant)]
                if len(variants) >= PAGE_VARIANTS_MAX:
                    variants.clear()
                variants.append(page)
                _PAGES[key] = variants
        return HttpResponse(_fill(page.pieces, page.fresh, context))


def _announce(engine_template: template.Template, context) -> None:
    """What a render does under Django's test instrumentation, for a page taken from the store.

    The instrumented ``Template._render`` sends ``template_rendered``, which is how the test
    client gives ``response.context``; outside tests nothing listens and it is not replaced.
    """
    if template.Template._render.__module__ != "django.template.base":
        from django.test.signals import template_rendered

        template_rendered.send(sender=engine_template, template=engine_template, context=context)


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
    _PAGES.clear()


@receiver(file_changed)
def _forget_drawn_templates(sender, file_path, **kwargs) -> None:
    """runserver takes an edited template without restarting: what was drawn from it goes too."""
    if file_path.suffix != ".py":
        _forget_fragments()
