"""Long plain text as pieces a platform accepts (Slack's section holds 3000 characters,
a Discord embed 4096), cut at the gentlest boundary that fits:

1. between paragraphs;
2. between lines, but never inside a list item with its wrapped lines, nor inside a
   quotation (`>` lines, or “curly quotes” spanning lines), unless that alone is too long;
3. between sentences;
4. between words; only a single word longer than the limit (a URL) is cut mid-word.

Text is never rewritten: the chunks hold every word of the original in order.
"""

from __future__ import annotations

import re

_ITEM_START = re.compile(r"^\s*(?:[*\-•·]\s+|\d{1,3}[).]\s+|[a-zA-Z][).]\s+)")
_QUOTE_LINE = re.compile(r"^\s*>")
_OPEN_QUOTE = "“"
_CLOSE_QUOTE = "”"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+")


def clip(value: str, limit: int) -> str:
    """`value`, or its start and an ellipsis when it is longer than `limit`."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def opening(draft: str, limit: int = 60) -> str:
    """A draft's first words on one line, quoted, to tell it apart in a list."""
    return f"“{clip(' '.join(draft.split()), limit)}”"


def split_text(text: str, *, limit: int) -> list[str]:
    """`text` as chunks of at most `limit` characters; none for blank text."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    text = text.strip("\n")
    if not text.strip():
        return []
    paragraphs = [p.strip("\n") for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
    pieces: list[str] = []
    for paragraph in paragraphs:
        if len(paragraph) <= limit:
            pieces.append(paragraph)
        else:
            pieces.extend(_split_paragraph(paragraph, limit))
    return _pack(pieces, "\n\n", limit)


def _split_paragraph(paragraph: str, limit: int) -> list[str]:
    units: list[str] = []
    for unit in _units(paragraph.split("\n")):
        if len(unit) <= limit:
            units.append(unit)
        else:
            units.extend(_split_unit(unit, limit))
    return _pack(units, "\n", limit)


def _units(lines: list[str]) -> list[str]:
    """Lines grouped so a list item keeps its wrapped lines and a quotation stays whole."""
    units: list[list[str]] = []
    in_item = False
    in_quote = False  # inside “...” opened on an earlier line
    for line in lines:
        starts_item = bool(_ITEM_START.match(line))
        quote_line = bool(_QUOTE_LINE.match(line))
        previous_quote = bool(units) and bool(_QUOTE_LINE.match(units[-1][-1]))
        if units and (in_quote or (quote_line and previous_quote)):
            units[-1].append(line)
        elif units and in_item and not starts_item and not quote_line and line.strip():
            units[-1].append(line)  # a list item's wrapped continuation
        else:
            units.append([line])
            in_item = starts_item
        opened = line.count(_OPEN_QUOTE) - line.count(_CLOSE_QUOTE)
        if opened > 0:
            in_quote = True
        elif opened < 0 or (in_quote and _CLOSE_QUOTE in line):
            in_quote = False
    return ["\n".join(unit) for unit in units]


def _split_unit(unit: str, limit: int) -> list[str]:
    """One list item or quotation too long for `limit`: by lines, then sentences, then words."""
    lines = unit.split("\n")
    if len(lines) > 1 and all(len(line) <= limit for line in lines):
        return _pack(lines, "\n", limit)
    pieces: list[tuple[str, str]] = []
    for line in lines:
        parts = [line] if len(line) <= limit else _line_parts(line, limit)
        # Pieces of one line join with a space; a new line starts with a newline.
        pieces += [("\n" if i == 0 else " ", part) for i, part in enumerate(parts)]
    return _pack_with(pieces, limit)


def _line_parts(line: str, limit: int) -> list[str]:
    parts: list[str] = []
    for sentence in _sentences(line):
        parts += [sentence] if len(sentence) <= limit else _split_words(sentence, limit)
    return parts


def _sentences(line: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(line) if s]


def _split_words(sentence: str, limit: int) -> list[str]:
    # Only a single word longer than `limit` is cut, into pieces that each fit.
    pieces = [w[i : i + limit] for w in sentence.split(" ") for i in range(0, len(w) or 1, limit)]
    return _pack(pieces, " ", limit)


def _pack(pieces: list[str], sep: str, limit: int) -> list[str]:
    """Greedily join pieces (each within `limit`) with `sep` while the result fits."""
    return _pack_with([(sep, piece) for piece in pieces], limit)


def _pack_with(pieces: list[tuple[str, str]], limit: int) -> list[str]:
    """`_pack` with each piece's own separator from the one before it."""
    chunks: list[str] = []
    current = ""
    for sep, piece in pieces:
        candidate = f"{current}{sep}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()]
