"""The allow list: names and innocent words matched on the post as written, before folding.

Compiled into one regular expression shaped like a tree of shared prefixes, so a post is
scanned once however long the list grows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_END = ""
_SEPARATOR = " "  # any run of spaces or hyphens between words: "King-Smith", "Bell  End"
_UNITS = {_SEPARATOR: r"[\s\-]+", "'": "['’]"}

_Trie = dict[str, "_Trie"]


def allow_pattern(entries: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive, whole-word pattern for every entry; None for an empty list."""
    trie: _Trie = {}
    for entry in entries:
        words = entry.replace("-", " ").replace("’", "'").lower().split()
        if not words:
            continue
        node = trie
        for unit in _SEPARATOR.join(words):
            node = node.setdefault(unit, {})
        node[_END] = {}
    if not trie:
        return None
    return re.compile(rf"(?<!\w)(?:{_regex(trie)})(?!\w)", re.IGNORECASE)


def _regex(node: _Trie) -> str:
    branches = [
        _UNITS.get(unit, re.escape(unit)) + _regex(child)
        for unit, child in sorted(node.items())
        if unit != _END
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{body})?" if _END in node else body
