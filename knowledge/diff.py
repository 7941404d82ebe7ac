"""What changed between two versions of an article, as escaped HTML with <ins> and <del>.

Lines are compared first (an article is markdown: paragraphs, list items, code lines); lines
that were replaced are then compared word by word, so that one corrected word shows as one
word, not as a whole paragraph deleted and inserted. Chinese has no spaces between words:
runs of Han characters are cut into words with jieba (the dictionary tickets.search loads
once per process), so "打印机无法连接" → "打印机连接失败" marks 无法 and 失败, not the sentence.

Every piece of text is escaped before it is wrapped: an article's markdown may hold HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from tickets.search import _HAN, _jieba

# Unchanged lines kept around a change; longer unchanged stretches fold into one marker.
CONTEXT_LINES = 3
# Beyond this many tokens in a replaced block, word diffs cost more than they help.
MAX_WORD_DIFF_TOKENS = 4_000

# Han runs, words (letters, digits, underscores in any script), spaces, and any other one character.
_TOKEN = re.compile(r"(" + _HAN.pattern + r")|\w+|\s+|.", re.DOTALL)
FOLD = '<span class="diff-fold text-muted">⋯</span>\n'


def tokens(text: str) -> list[str]:
    """Words, spaces and punctuation of ``text``, Chinese cut into words; they join back to ``text``."""
    out: list[str] = []
    for match in _TOKEN.finditer(text):
        if match.group(1):
            # Accurate mode (not search mode): the pieces must not overlap.
            out.extend(_jieba().cut(match.group(1), HMM=False))
        else:
            out.append(match.group())
    return out


def _wrap(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text)}</{tag}>" if text else ""


def _word_diff(old: str, new: str) -> str:
    old_tokens, new_tokens = tokens(old), tokens(new)
    if len(old_tokens) + len(new_tokens) > MAX_WORD_DIFF_TOKENS:
        return _wrap("del", old) + _wrap("ins", new)
    parts = []
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2])
        if op == "equal":
            parts.append(escape(removed))
        else:
            parts.append(_wrap("del", removed) + _wrap("ins", added))
    return "".join(parts)


def _lines(text: str) -> list[str]:
    return (text or "").replace("\r\n", "\n").splitlines(keepends=True)


def diff_html(old: str, new: str, *, context: int | None = CONTEXT_LINES) -> SafeString:
    """``old`` → ``new`` as HTML (keep newlines: show it with ``white-space: pre-wrap``)."""
    old_lines, new_lines = _lines(old), _lines(new)
    parts: list[str] = []
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    opcodes = matcher.get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            same = old_lines[i1:i2]
            keep_head = 0 if index == 0 else context
            keep_tail = 0 if index == len(opcodes) - 1 else context
            if context is not None and len(same) > keep_head + keep_tail + 1:
                shown = same[:keep_head]
                parts.extend(escape(line) for line in shown)
                parts.append(FOLD)
                parts.extend(escape(line) for line in same[len(same) - keep_tail :] if keep_tail)
            else:
                parts.extend(escape(line) for line in same)
        elif op == "replace":
            parts.append(_word_diff("".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])))
        elif op == "delete":
            parts.append(_wrap("del", "".join(old_lines[i1:i2])))
        else:
            parts.append(_wrap("ins", "".join(new_lines[j1:j2])))
    # Safe: every piece of text above went through escape().
    return mark_safe("".join(parts))


@dataclass(frozen=True)
class FieldDiff:
    label: str
    changed: bool
    html: SafeString


def diff_versions(old, new) -> list[FieldDiff]:
    """Title, summary and body of two versions (anything with those attributes), field by field."""
    fields = (("title", _("Title")), ("summary", _("Summary")), ("body", _("Text")))
    return [
        FieldDiff(
            label=str(label),
            changed=getattr(old, name) != getattr(new, name),
            html=diff_html(getattr(old, name), getattr(new, name)),
        )
        for name, label in fields
    ]
