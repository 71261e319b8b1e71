"""Emoji by name. Slack sends names (`white_check_mark`), Discord sends the
characters (`✅`), people type either: everything inside postgate uses names."""

from __future__ import annotations

_CHARS: dict[str, str] = {
    "white_check_mark": "\u2705",
    "heavy_check_mark": "\u2714\ufe0f",
    "ballot_box_with_check": "\u2611\ufe0f",
    "x": "\u274c",
    "no_entry": "\u26d4",
    "no_entry_sign": "\U0001f6ab",
    "pencil2": "\u270f\ufe0f",
    "pencil": "\U0001f4dd",
    "memo": "\U0001f4dd",
    "+1": "\U0001f44d",
    "thumbsup": "\U0001f44d",
    "-1": "\U0001f44e",
    "thumbsdown": "\U0001f44e",
    "eyes": "\U0001f440",
    "warning": "\u26a0\ufe0f",
    "hourglass": "\u231b",
    "bell": "\U0001f514",
}
# Slack's own aliases for the same emoji.
_ALIASES = {"thumbsup": "+1", "thumbsdown": "-1", "pencil": "memo", "heavy_multiplication_x": "x"}
_NAMES: dict[str, str] = {}
for _name, _char in _CHARS.items():
    _NAMES.setdefault(_char, _ALIASES.get(_name, _name))
    _NAMES.setdefault(_char.replace("\ufe0f", ""), _ALIASES.get(_name, _name))


def emoji_name(value: str) -> str:
    """`:white_check_mark:`, `white_check_mark`, `✅`, `+1::skin-tone-3` -> a canonical name."""
    value = value.strip()
    if value in _NAMES:
        return _NAMES[value]
    if value.replace("\ufe0f", "") in _NAMES:
        return _NAMES[value.replace("\ufe0f", "")]
    name = value.strip(":").split("::", 1)[0].lower()
    return _ALIASES.get(name, name)


def emoji_char(name: str) -> str:
    """The character for a name, for platforms that react with characters;
    an unknown name comes back unchanged (a custom emoji)."""
    canonical = emoji_name(name)
    return _CHARS.get(canonical, canonical)
