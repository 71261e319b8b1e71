"""Emoji by name. Slack sends names (`white_check_mark`, `+1`), Discord sends the
characters (`✅`), people type either: everything inside postgate uses Slack's name.

The settings that choose the voting emoji go through `setting_emoji`, the same
normalising as a reaction that arrives, so whatever a volunteer writes for an emoji
(`thumbsup`, `:+1:`, `👍`, `Thumbsup`) is the name a reaction arrives as. A name not
in the table below may be the workspace's own emoji, so it is kept, and doctor says
to check it; anything that cannot be an emoji name is refused at start.
"""

from __future__ import annotations

import re

# (character, Slack's name, other names Slack accepts for it). The emoji a group
# might vote with, and the everyday ones besides.
_TABLE: tuple[tuple[str, ...], ...] = (
    # ticks, crosses and stops
    ("\u2705", "white_check_mark"),
    ("\u2714\ufe0f", "heavy_check_mark"),
    ("\u2611\ufe0f", "ballot_box_with_check"),
    # ✖️ counted as ❌ in Slack, as it always has been (a reject).
    ("\u274c", "x", "heavy_multiplication_x"),
    ("\u274e", "negative_squared_cross_mark"),
    ("\u26d4", "no_entry"),
    ("\U0001f6ab", "no_entry_sign"),
    ("\U0001f6d1", "octagonal_sign"),
    ("\U0001f6a7", "construction"),
    ("\u26a0\ufe0f", "warning"),
    ("\U0001f197", "ok"),
    ("\U0001f196", "ng"),
    ("\U0001f4af", "100"),
    # writing
    ("\u270f\ufe0f", "pencil2"),
    ("\U0001f4dd", "memo", "pencil"),
    ("\u270d\ufe0f", "writing_hand"),
    ("\U0001f527", "wrench"),
    ("\U0001f501", "repeat"),
    ("\U0001f504", "arrows_counterclockwise"),
    ("\u267b\ufe0f", "recycle"),
    ("\U0001f5d1\ufe0f", "wastebasket"),
    ("\U0001f4ac", "speech_balloon"),
    ("\U0001f4cc", "pushpin"),
    ("\U0001f4ce", "paperclip"),
    ("\U0001f50d", "mag"),
    ("\U0001f4e3", "mega"),
    ("\U0001f4e2", "loudspeaker"),
    ("\U0001f4c5", "date"),
    ("\U0001f4c6", "calendar"),
    ("\U0001f4ca", "bar_chart"),
    ("\U0001f4c8", "chart_with_upwards_trend"),
    ("\U0001f512", "lock"),
    ("\U0001f513", "unlock"),
    # hands
    ("\U0001f44d", "+1", "thumbsup"),
    ("\U0001f44e", "-1", "thumbsdown"),
    ("\U0001f44c", "ok_hand"),
    ("\U0001f44f", "clap"),
    ("\U0001f64c", "raised_hands"),
    ("\U0001f64f", "pray"),
    ("\U0001f4aa", "muscle"),
    ("\U0001f91d", "handshake"),
    ("\U0001f91e", "crossed_fingers"),
    ("\u270b", "hand", "raised_hand"),
    ("\U0001f44b", "wave"),
    ("\U0001f645", "no_good"),
    ("\U0001f646", "ok_woman"),
    ("\U0001f64b", "raising_hand"),
    ("\U0001f937", "shrug"),
    # faces
    ("\U0001f440", "eyes"),
    ("\U0001f914", "thinking_face"),
    ("\U0001f642", "slightly_smiling_face"),
    ("\U0001f600", "grinning"),
    ("\U0001f603", "smiley"),
    ("\U0001f604", "smile"),
    ("\U0001f60a", "blush"),
    ("\U0001f609", "wink"),
    ("\U0001f60d", "heart_eyes"),
    ("\U0001f602", "joy"),
    ("\U0001f622", "cry"),
    ("\U0001f615", "confused"),
    ("\U0001f62c", "grimacing"),
    ("\U0001f631", "scream"),
    ("\U0001f648", "see_no_evil"),
    ("\U0001f973", "partying_face"),
    ("\U0001f9d0", "face_with_monocle"),
    # hearts, flowers, stars, celebrations
    ("\u2764\ufe0f", "heart"),
    ("\U0001f49a", "green_heart"),
    ("\U0001f49b", "yellow_heart"),
    ("\U0001f499", "blue_heart"),
    ("\U0001f49c", "purple_heart"),
    ("\U0001f9e1", "orange_heart"),
    ("\U0001f5a4", "black_heart"),
    ("\U0001f494", "broken_heart"),
    ("\U0001f339", "rose"),
    ("\u2b50", "star"),
    ("\U0001f31f", "star2"),
    ("\u2728", "sparkles"),
    ("\U0001f389", "tada"),
    ("\U0001f525", "fire"),
    ("\U0001f680", "rocket"),
    ("\U0001f3af", "dart"),
    ("\U0001f3c6", "trophy"),
    # signs and shapes
    ("\u2753", "question"),
    ("\u2754", "grey_question"),
    ("\u2757", "exclamation", "heavy_exclamation_mark"),
    ("\u2755", "grey_exclamation"),
    ("\U0001f534", "red_circle"),
    ("\U0001f7e2", "large_green_circle"),
    ("\U0001f7e1", "large_yellow_circle"),
    ("\U0001f7e0", "large_orange_circle"),
    ("\U0001f535", "large_blue_circle"),
    ("\U0001f7e5", "large_red_square"),
    ("\U0001f7e9", "large_green_square"),
    ("\U0001f195", "new"),
    ("\U0001f198", "sos"),
    ("\u2b06\ufe0f", "arrow_up"),
    ("\u2b07\ufe0f", "arrow_down"),
    ("\u27a1\ufe0f", "arrow_right"),
    ("\u2b05\ufe0f", "arrow_left"),
    # time
    ("\u231b", "hourglass"),
    ("\u23f3", "hourglass_flowing_sand"),
    ("\u23f0", "alarm_clock"),
    ("\U0001f514", "bell"),
)
_VS16 = "\ufe0f"
# Skin tones: Slack sends them as `+1::skin-tone-3`, Discord as a second character.
_SKIN_TONES = "".join(chr(c) for c in range(0x1F3FB, 0x1F400))

_CHARS: dict[str, str] = {}  # every name, Slack's and its others -> the character
_ALIASES: dict[str, str] = {}  # another name -> Slack's name
_NAMES: dict[str, str] = {}  # the character, with and without VS16 -> Slack's name
for _char, _name, *_others in _TABLE:
    for _each in (_name, *_others):
        _CHARS[_each] = _char
        _ALIASES[_each] = _name
    _NAMES[_char] = _NAMES[_char.replace(_VS16, "")] = _name


def emoji_name(value: str) -> str:
    """`:white_check_mark:`, `White_Check_Mark`, `✅`, `+1::skin-tone-3`, `thumbsup`,
    `👍🏽` -> Slack's name (`white_check_mark`, `+1`). An emoji not in the table comes
    back as written, lower-case and without colons (a workspace's own emoji)."""
    value = value.strip()
    bare = value.replace(_VS16, "").rstrip(_SKIN_TONES)
    if bare in _NAMES:
        return _NAMES[bare]
    name = value.strip(":").split("::", 1)[0].lower()
    return _ALIASES.get(name, name)


def known_emoji(value: str) -> str | None:
    """Slack's name for `value` when it is an emoji in the table, else None."""
    name = emoji_name(value)
    return name if name in _CHARS else None


# A workspace's own emoji are named like Slack's: lower-case letters, digits, - _ ' +.
_CUSTOM_NAME = re.compile(r"[a-z0-9][a-z0-9_+'-]*")


def setting_emoji(value: str) -> str | None:
    """What a setting that chooses a voting emoji may hold: Slack's name for an emoji
    in the table, or the name of a workspace's own emoji (`labour_rose`); None for
    anything else (two emoji run together, words with spaces, punctuation)."""
    name = emoji_name(value)
    return name if name in _CHARS or _CUSTOM_NAME.fullmatch(name) else None


def emoji_char(name: str) -> str:
    """The character for a name, for platforms that react with characters;
    an unknown name comes back unchanged (a custom emoji)."""
    canonical = emoji_name(name)
    return _CHARS.get(canonical, canonical)
