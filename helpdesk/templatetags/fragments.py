"""``{% memo %}``: markup that is the same on every page load, drawn once per process."""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix
from django.utils.translation import get_language

register = template.Library()

# (name, language, script prefix, values…) → (version, markup)
_FRAGMENTS: dict[tuple, tuple[object, str]] = {}
FRAGMENTS_MAX = 2000


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
        if found is not None and found[0] == version:
            return found[1]
        html = self.nodelist.render(context)
        if len(_FRAGMENTS) >= FRAGMENTS_MAX:
            _FRAGMENTS.clear()
        _FRAGMENTS[key] = (version, html)
        return html


@register.tag
def memo(parser, token) -> MemoNode:
    """``{% memo "name" value … [version v] %}…{% endmemo %}``: the markup, drawn once per process.

    For markup that is the same on every page load but costs the template engine many nodes
    (translated labels, ``{% url %}``, ``{% static %}``): kept per name, language, script prefix
    and the given values; with ``version``, drawn again when ``v`` changes (it replaces the
    older one). Nothing in it may depend on anything else: never the user, the request, the
    CSRF token, the time. Unlike ``{% cache %}`` no round trip to Redis; without a version it
    never expires (texts, URLs and static files do not change while the process runs; a test
    that overrides a setting empties it).
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


@receiver(setting_changed)
def _forget_fragments(**kwargs) -> None:
    _FRAGMENTS.clear()
