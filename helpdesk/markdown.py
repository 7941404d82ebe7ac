"""Markdown from users to HTML that is safe to show anyone."""

from __future__ import annotations

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(source: str) -> str:
    """Markdown to HTML, then nh3 removes every tag, attribute and URL scheme not allowed.

    A backslash before another backslash is kept: people paste UNC and Windows paths
    (``\\\\print01\\queue``) far more often than they mean Markdown's ``\\\\`` escape. ``\\*``
    and the other escapes of Markdown punctuation still work.
    """
    md = markdown_lib.Markdown(extensions=["fenced_code", "tables", "sane_lists", "nl2br"])
    md.ESCAPED_CHARS = [char for char in md.ESCAPED_CHARS if char != "\\"]
    html = md.convert(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
