"""Split folded text into word tokens, seeing through the usual disguises.

Each token keeps its folded span and the forms it could stand for: "sh1t" -> shit,
"scuuum" -> scum, "s c u m" -> scum (a joined run of single letters), "#ToryScum" ->
tory + scum. Links, emails and @handles become tokens of their own kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import NamedTuple, Protocol

from guidance.checker.normalise import Folded

WORD = "word"
LINK = "link"
EMAIL = "email"
MENTION = "mention"
MASKED = "masked"
ALLOWED = "allowed"

SHORTENERS = frozenset(
    {
        "bit.ly",
        "tinyurl.com",
        "goo.gl",
        "is.gd",
        "cutt.ly",
        "rb.gy",
        "ow.ly",
        "tiny.cc",
        "shorturl.at",
        "t.ly",
        "buff.ly",
        "rebrand.ly",
        "s.id",
        "shorte.st",
        "adf.ly",
        "v.gd",
        "tinu.be",
    }
)

# What may stand between the letters of a word spelt out: spaces, dots, dashes, slashes,
# stars, brackets, colons, quotes, emoji ("s.c.u.m", "(s)(c)(u)(m)", "s🔥c🔥u🔥m"); not
# two stars together, which hide letters ("c**t") rather than part them.
_SPLIT_GAP = (
    r"(?:(?!\*\*)[\s.\-_*,+/~|:;\"^=\\()\[\]\u2190-\u21ff\u2600-\u27bf\u2b00-\u2bff"
    r"\U0001f300-\U0001faff]){1,3}+"
)
_PICTURES = "\u2600-\u27bf\U0001f300-\U0001faff"
_PICTURE = re.compile(f"[{_PICTURES}]")
_IN = "[a-z0-9@$|*'!#_]"  # what a word is made of
# Pictures typed for the words they show ("I'll 🔪 you", "Immigrants are 🐀🐀"), read as
# those words, so the rules for the words apply (and their care for everyday uses:
# "Year of the Rat 🐀" names no group). A picture inside a short word hides a letter
# ("k🔪ll", "b🐝tch"), not one between two words ("Vote🌹Labour").
# "=" between words is read as "are": "Tories = scum".
EMOJI_WORDS = {
    "\U0001f52a": ("knife", "stab"),  # kitchen knife
    "\U0001f5e1": ("knife", "stab"),  # dagger
    "\U0001f52b": ("gun", "shoot"),  # pistol
    "\U0001f4a3": ("bomb",),
    "\U0001fa93": ("axe",),
    "\U0001f400": ("rat", "rats"),
    "\U0001f437": ("pig", "pigs"),
    "\U0001f416": ("pig", "pigs"),
    "\U0001f412": ("monkey", "monkeys"),
    "\U0001f435": ("monkey", "monkeys"),
    "\U0001f98d": ("ape", "apes", "gorilla", "gorillas"),
    "\U0001f40d": ("snake", "snakes"),
    "\U0001fab3": ("cockroach", "cockroaches"),
    "\U0001f921": ("clown", "clowns"),
    "\U0001f411": ("sheep",),
}
_TLDS = "com|co\\.uk|org\\.uk|org|uk|net|ly|gl|gd|io|me|cc|gy|info|biz|at|id|st|be|app"
# Possessive and atomic groups keep every pattern linear in the length of the text.
_MASTER = re.compile(
    r"(?P<email>(?<![\w.+-])[a-z0-9._%+-]{1,64}@[a-z0-9-]++(?:\.[a-z0-9-]++)+)"
    r"|(?P<url>(?:https?://|www\.)[^\s<>\"']++"
    rf"|(?<![\w.@/-])(?:[a-z0-9-]++\.)++(?:{_TLDS})\b(?:/[^\s<>\"']*+)?)"
    r"|(?P<mention>(?<![\w@.])@[a-z0-9_]{1,30}+)"
    rf"|(?P<split>(?<![a-z0-9@$])[a-z0-9@$](?:{_SPLIT_GAP}[a-z0-9@$](?![a-z0-9@$'])){{2,}}+)"
    rf"|(?P<word>(?<![a-z0-9@$|*'!#_]){_IN}{{1,4}}[{_PICTURES}]{_IN}{{1,4}}(?!{_IN})|{_IN}++|£)"
    rf"|(?P<emoji>[{''.join(EMOJI_WORDS)}]|(?<=\s)=(?=\s))"
)
_SENTENCE_END = re.compile(r"[.!?]++(?=\s|$)|\n")
_RUN3 = re.compile(r"(.)\1\1+")
_RUN2 = re.compile(r"(.)\1+")
_LEET = str.maketrans("0134578@$!|9", "oieastbasiig")
_LEET_L = str.maketrans("0134578@$!|9", "olea stbasllg".replace(" ", ""))
_LEET_CHARS = frozenset("0134578@$!|9")
# A symbol between letters may hide any letter, not just the one it looks like: "sc@m" is
# meant as "scum" though "@" reads "a". Such a word also gets a masked form ("sc*m").
_INNER_SYMBOL = re.compile(r"(?<=[a-z])[0134@$!|](?=[a-z])")
_MIN_MASKED_LETTERS = 3  # "c@t" has too many readings; "sc@m", "c0ck" do not
_SPLIT_LETTER = re.compile(r"[a-z0-9@$]")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_INNER_CAPITAL = re.compile(r"[a-z][A-Z]")
_MAX_SPLIT_RUN = 16
# Letters that fold to one Latin letter but are often typed for another: Cyrillic "у"
# looks like "y" yet stands in for "u" ("сунт"). Words holding one get both readings.
_AMBIGUOUS = {"\u0443": "u", "\u0423": "u"}


class Token(NamedTuple):  # a tuple: cheap to make, and posts have many
    start: int
    end: int
    forms: tuple[str, ...]
    sentence: int
    kind: str = WORD


# Unevenly spaced letters ("scu m", "s cum", "fu ck"): short pieces of a word, run together
# again when they make a listed word. Never when every piece is an everyday short word
# ("pen is", "who re-elected"): at least one piece must be a fragment of nothing.
MAX_PIECE = 4
_PIECE_GAP = re.compile(r"[\s.\-_*]{1,2}")
_LINE_BREAK = re.compile(r"[ \t]*-?[ \t]*\r?\n[ \t]*")
_HYPHEN_BREAK = re.compile(r"-[ \t]*\r?\n[ \t]*")
_SHORT_TEXT = """a i o an as at be by do go he if in is it me my no of oh ok on or ox so to up us we
    ye yo mo ma pa re co ex un de pre non sub pro mid ad am eh hi ho ha id la lo mr ms
    ace act add ado aft age ago aid ail aim air ale all and ant any ape apt arc are ark
    arm art ash ask asp ass ate awe axe aye bad bag ban bar bat bay bed bee beg bet bib
    bid big bin bit boa bob bog boo bow box boy bra bud bug bum bun bus but buy bye cab
    cad cam can cap car cat cod cog con cop cot cow coy cry cub cue cup cur cut dab dad
    dam day den dew did die dig dim din dip doe dog don dot dry dub dud due dug dun duo
    dye ear eat ebb eel egg ego elf elk elm emu end era eve ewe eye fab fad fag fan far
    fat fax fed fee fen few fib fig fin fir fit fix flu fly fob foe fog for fox fro fry
    fun fur gag gal gap gas gel gem get gig gin gnu gob god got gum gun gut guy gym had
    hag ham has hat hay hen her hew hid him hip his hit hob hod hoe hog hop hot how hub
    hue hug hum hut ice icy ill imp ink inn ion ire irk its ivy jab jam jar jaw jay jet
    jig job jog jot joy jug jut keg ken key kid kin kit lab lad lag lap law lax lay lea
    led lee leg let lid lie lip lit log lot low mad man map mar mat maw may men met mew
    mid mix mob mod mop mow mud mug mum nab nag nap nay net new nib nil nip nit nod nor
    not now nun nut oaf oak oar oat odd ode off oft ohm oil old one opt orb ore our out
    owe owl own pad pal pan par pat paw pay pea peg pen pep per pet pew pie pig pin pit
    ply pod pop pot pow pry pub pun pup pus put rag ram ran rap rat raw ray red ref rib
    rid rig rim rip rob rod roe rot row rub rue rug rum run rut rye sad sag sap sat saw
    say sea see set sew sex she shy sin sip sir sis sit six ski sky sly sob sod son sop
    sow soy spa spy sty sue sum sun sup tab tad tag tan tap tar tax tea tee ten the thy
    tic tie tin tip toe ton too top tot tow toy try tub tug two urn use van vat vet vex
    via vie vow wad wag war was wax way web wed wee wet who why wig win wit woe wok won
    woo wow yak yam yap yes yet yew you zap zip zoo"""
_SHORT_WORDS = frozenset(_SHORT_TEXT.split())


def join_fragments(
    tokens: list[Token],
    folded: Folded,
    original: str,
    listed: Callable[[str], bool],
    starts: AbstractSet[str],
    known: Callable[[str], bool] | None = None,
) -> list[Token]:
    """Run two or three short pieces back into the listed word they spell ("scu m": scum).
    `starts`: the beginnings of those words, so most words are passed over at once.
    An initial before a name ("C Rap", "P Rick") is left as it is. `known`: the words a
    word hyphenated at a line's end may make (any word of the policy; `listed` if None)."""
    out: list[Token] = []
    i, count = 0, len(tokens)
    merged = 0  # sentence ends undone by words joined over a line break
    while i < count:
        token = tokens[i]
        joined = None
        if token.kind == WORD and i + 1 < count:
            joined = _hyphenated(tokens, i, folded.text, known or listed)
        if joined is None and token.kind == WORD and token.forms[0] in starts and i + 1 < count:
            joined = _joined(tokens, i, folded.text, listed)
            if joined is not None and _initial(token, tokens[i + 1], folded, original):
                joined = None
        if joined is None:
            if token.kind == WORD and len(token.forms[0]) >= _MIN_BACKWARDS:
                token = _backwards(token, listed)
            out.append(token._replace(sentence=token.sentence - merged) if merged else token)
            i += 1
        else:
            last, word = joined
            sentence = token.sentence - merged
            out.append(Token(token.start, tokens[last].end, (word,), sentence))
            # a word broken over two lines is one word of one sentence: "ki-\nll all"
            merged += tokens[last].sentence - token.sentence
            i = last + 1
    return out


def _joined(
    tokens: list[Token], first: int, text: str, listed: Callable[[str], bool]
) -> tuple[int, str] | None:
    sentence = tokens[first].sentence
    pieces = [tokens[first].forms[0]]
    for last in range(first + 1, min(first + 3, len(tokens))):
        token = tokens[last]
        if token.kind != WORD or len(token.forms[0]) > MAX_PIECE:
            return None
        if token.sentence != sentence and not _LINE_BREAK.fullmatch(
            text, tokens[last - 1].end, token.start
        ):
            return None  # a word broken over two lines ("sc\num") is one word
        pieces.append(token.forms[0])
        word = "".join(pieces)
        if len(word) >= 4 and listed(word):  # cheap tests first: this runs on most words
            if (
                word.isalpha()
                and min(map(len, pieces)) <= 3
                and any(len(p) <= 3 and p not in _SHORT_WORDS for p in pieces)
                and all(
                    _PIECE_GAP.fullmatch(text, tokens[k - 1].end, tokens[k].start)
                    for k in range(first + 1, last + 1)
                )
            ):
                return last, word
            return None
    return None


# A block rule's word typed backwards ("mucs", "reknaw") is read both ways. English words
# that are such a word backwards (found with the British and American word lists) stay
# as they are.
_MIN_BACKWARDS = 4
_BACKWARDS_WORDS = frozenset({"gals", "parc", "zaps"})


def _backwards(token: Token, listed: Callable[[str], bool]) -> Token:
    word = token.forms[0]
    back = word[::-1]
    if word in _BACKWARDS_WORDS or not back.isalpha() or not listed(back):
        return token
    return token._replace(forms=(*token.forms, back))


def _hyphenated(
    tokens: list[Token], first: int, text: str, listed: Callable[[str], bool]
) -> tuple[int, str] | None:
    """A word hyphenated at the end of a line ("wan-\nker", "ki-\nll"): its halves run
    together when they spell a word of the policy, whatever their length."""
    after = tokens[first + 1]
    if after.kind != WORD or not _HYPHEN_BREAK.fullmatch(text, tokens[first].end, after.start):
        return None
    word = tokens[first].forms[0] + after.forms[0]
    return (first + 1, word) if word.isalpha() and listed(word) else None


def _initial(token: Token, after: Token, folded: Folded, original: str) -> bool:
    """ "C Rap": a capital letter alone, then a capitalised word."""
    if token.end - token.start != 1:
        return False
    at, _ = folded.span(token.start, token.end)
    name, _ = folded.span(after.start, after.end)
    return (
        original[at].isupper()
        and original[name].isupper()
        and original[name + 1 : name + 2].islower()
    )


def camel_parts(text: str) -> list[str]:
    """ "HuntsTories" -> ["hunts", "tories"]; "reform_uk" -> ["reform", "uk"]."""
    return [part.lower() for part in _CAMEL.findall(text)]


class Vocabulary(Protocol):
    """The policy's words, for joining split letters back into words."""

    def is_word(self, word: str) -> bool: ...

    def is_prefix(self, start: str) -> bool: ...


class NoVocabulary:
    def is_word(self, word: str) -> bool:
        return False

    def is_prefix(self, start: str) -> bool:
        return False


def tokenise(folded: Folded, *, original: str, vocabulary: Vocabulary) -> list[Token]:
    """Tokens of `folded.text` in order; `vocabulary` says which split letters to join."""
    text = folded.text
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    ends.append(len(text) + 1)
    tokens: list[Token] = []
    append, forms_of, make = tokens.append, word_forms, Token  # local names: this loop is hot
    sentence = 0
    next_end = ends[0]
    for match in _MASTER.finditer(text):
        kind = match.lastgroup
        start = match.start()
        while next_end <= start:
            sentence += 1
            next_end = ends[sentence]
        if kind == "word":
            raw = match.group()
            lead, trail, forms, masked = forms_of(raw)
            if not forms:
                continue
            if folded.origin is not None:
                forms = _other_readings(raw, start, folded.origin, original, forms)
            begin, finish = start + lead, start + len(raw) - trail
            # "#ToryScum", and "ToryScum" written without the hash, are read word by word,
            # unless the whole is a listed word itself ("OnlyFans")
            camel = folded.origin is None and _INNER_CAPITAL.search(original, begin, finish)
            if (camel or (begin and text[begin - 1] == "#")) and not any(
                vocabulary.is_word(form) for form in forms
            ):
                parts = _hashtag_parts(folded, original, begin, finish, sentence)
                if parts:
                    tokens.extend(parts)
                    continue
            append(make(begin, finish, forms, sentence, MASKED if masked else WORD))
            continue
        end = match.end()
        if kind == "split":
            _add_split(tokens, match, sentence, vocabulary)
        elif kind == "url":
            url = match.group().rstrip(".,;:!?)]}'\"")
            end = start + len(url)
            host = re.sub(r"^(https?://)?(www\.)?", "", url).split("/", 1)[0]
            forms = ("link", "shortlink") if host in SHORTENERS else ("link",)
            tokens.append(Token(start, end, forms, sentence, LINK))
        elif kind == "email":
            tokens.append(Token(start, end, ("email",), sentence, EMAIL))
        elif kind == "emoji":
            tokens.append(Token(start, end, EMOJI_WORDS.get(match.group(), ("are",)), sentence))
        else:
            handle = match.group()[1:]  # "@rse" may also be "arse" in disguise, "@r3" "are"
            forms = (handle, "a" + handle)
            if any(c in _LEET_CHARS for c in handle) and any(c.isalpha() for c in handle):
                forms += (forms[1].translate(_LEET),)
            tokens.append(Token(start, end, forms, sentence, MENTION))
    return tokens


_CLAUSE_BREAK = re.compile(r"[,;:()\"“”\[\]]|\s[-–—]\s")
# a new clause starts at these words: "I have nothing against them but ..."
_CLAUSE_WORDS = frozenset({"but", "though", "although", "yet", "whereas", "while"})


def clause_numbers(tokens: Sequence[Token], folded: Folded) -> list[int]:
    """Each token's clause, counted from 0: a new one at each sentence, at punctuation
    between words, and at words such as "but"; the reach of a "not" ends at its clause."""
    numbers = []
    clause = 0
    for index, token in enumerate(tokens):
        if index:
            before = tokens[index - 1]
            if (
                token.sentence != before.sentence
                or _CLAUSE_BREAK.search(folded.text, before.end, token.start)
                or (token.forms[:1] and token.forms[0] in _CLAUSE_WORDS)
            ):
                clause += 1
        numbers.append(clause)
    return numbers


def name_positions(tokens: Sequence[Token], folded: Folded, original: str) -> list[int]:
    """Indexes of capitalised words that look like names: "Councillor Brian Hollis".

    A capital at the start of a sentence proves nothing, unless the next word has one too.
    """
    origin = folded.origin
    capital = []
    for token in tokens:
        if token.kind != WORD:
            capital.append(False)
            continue
        at = token.start if origin is None else origin[token.start]
        word = original[at : at + 2]
        capital.append(len(word) == 2 and word[0].isupper() and word[1].islower())
    return [
        i
        for i, token in enumerate(tokens)
        if capital[i]
        and (
            (i and tokens[i - 1].sentence == token.sentence)
            or (i + 1 < len(tokens) and capital[i + 1] and tokens[i + 1].sentence == token.sentence)
        )
    ]


def _add_split(
    tokens: list[Token], match: re.Match[str], sentence: int, vocabulary: Vocabulary
) -> None:
    """A run of single letters ("s c u m"): join the longest stretches that make a word."""
    letters = [(m.group().translate(_LEET), match.start() + m.start()) for m in
               _SPLIT_LETTER.finditer(match.group())]  # fmt: skip
    chars = "".join(ch for ch, _ in letters)
    count = len(chars)
    # letters_before[k]: real letters among the first k, so a stretch of digits alone
    # ("0 1 4 8 0" in a phone number) is never read as a word
    letters_before = [0]
    for at in (position for _, position in letters):
        letters_before.append(letters_before[-1] + match.string[at].isalpha())
    # Cover as many letters as possible with listed words: "t o r y s c u m" is
    # tory + scum, not "torys" + c u m. best[i]: letters covered from i on. Only
    # stretches that begin a listed word are followed, so this stays linear.
    best = [0] * (count + 1)
    step: list[int] = [0] * (count + 1)
    for i in range(count - 3, -1, -1):
        best[i], step[i] = best[i + 1], 0
        top = min(count, i + _MAX_SPLIT_RUN)
        j = i + 1
        while j <= top and vocabulary.is_prefix(chars[i:j]):
            if (
                j - i >= 3
                and (j - i) + best[j] >= best[i]  # a tie goes to the longer word: "wetback"
                and letters_before[j] > letters_before[i]
                and vocabulary.is_word(chars[i:j])
            ):
                best[i], step[i] = (j - i) + best[j], j
            j += 1
    i = 0
    while i < count:
        if step[i]:
            found = step[i]
            joined = chars[i:found]
            tokens.append(Token(letters[i][1], letters[found - 1][1] + 1, (joined,), sentence))
            i = found
        else:
            at = letters[i][1]
            tokens.append(Token(at, at + 1, (match.string[at],), sentence))
            i += 1


def _other_readings(
    raw: str, start: int, origin: tuple[int, ...], original: str, forms: tuple[str, ...]
) -> tuple[str, ...]:
    """Add the forms a word has when its ambiguous look-alike letters are read the other way."""
    chars = [original[origin[start + k]] for k in range(len(raw))]
    if not any(ch in _AMBIGUOUS for ch in chars):
        return forms
    other = "".join(_AMBIGUOUS.get(ch, folded) for ch, folded in zip(chars, raw, strict=True))
    return tuple(dict.fromkeys((*forms, *word_forms(other)[2])))


def _hashtag_parts(
    folded: Folded, original: str, begin: int, finish: int, sentence: int
) -> list[Token]:
    """#ToryScum -> tory, scum (only where the original capitals are known one to one)."""
    if folded.origin is not None:
        return []
    parts = list(_CAMEL.finditer(original[begin:finish]))
    if len(parts) < 2:
        return []
    return [
        Token(begin + p.start(), begin + p.end(), word_forms(p.group().lower())[2], sentence)
        for p in parts
    ]


_MAX_STRETCHED_RUNS = 5
_MAX_EITHER = 4


def _one_letter(body: str) -> bool:
    """A word of one letter among symbols that may be read: "g@$", "@r3" (a symbol that is
    no digit among them), or "7w47", "5h17" (the letter inside; "P155", "A55" are roads)."""
    if len(body) >= 3 and any(c in "@$!|" for c in body):
        return True
    return len(body) >= 4 and not body[0].isalpha() and not body[-1].isalpha()


def _either_il(body: str) -> list[str]:
    spots = [k for k, c in enumerate(body) if c in "|1"]
    out = []
    for choice in range(1 << len(spots)):
        chars = list(body)
        for bit, k in enumerate(spots):
            chars[k] = "l" if choice >> bit & 1 else "i"
        out.append("".join(chars).translate(_LEET))
    return out


def _stretched(form: str) -> list[str]:
    """A word stretched in several places ("nnniiigggggeeerrr"): each repeated letter read
    once or twice, so a listed word with its own double letter is found."""
    runs = list(_RUN2.finditer(form))
    if not 2 <= len(runs) <= _MAX_STRETCHED_RUNS:
        return []
    out = []
    for choice in range(1 << len(runs)):
        pieces, at = [], 0
        for k, run in enumerate(runs):
            pieces.append(form[at : run.start()])
            pieces.append(run.group(1) * (1 + (choice >> k & 1)))
            at = run.end()
        pieces.append(form[at:])
        out.append("".join(pieces))
    return out


@lru_cache(maxsize=65536)
def word_forms(raw: str) -> tuple[int, int, tuple[str, ...], bool]:
    """(characters trimmed at the start, at the end, the forms the word could stand for,
    whether it is masked with stars like "sc*m")."""
    body = raw.lstrip("'!#")
    lead = len(raw) - len(body)
    stripped = body.rstrip("'!#")
    trail = len(body) - len(stripped)
    # "f#ck" and "sc_m" are masked like "f*ck"
    body = _PICTURE.sub("*", stripped.strip("_").replace("#", "*").replace("_", "*"))
    trail += len(stripped) - len(stripped.rstrip("_"))
    lead += len(stripped) - len(stripped.lstrip("_"))
    if body.endswith("'s") and body.count("'") == 1:  # not "k'i'l'l t'o'r'i'e's"
        body = body[:-2]
    if not body or not any(c.isalnum() or c in "*£" for c in body):
        return lead, trail, (), False
    forms = [body]
    if "'" in body:
        forms.append(body.replace("'", ""))
    # Numbers for letters, in words that have letters of their own ("sh1t", not "P155")
    # or one letter inside three symbols or more ("7w47", "5h17"; "P155" is a bus route)
    letters = sum(c.isalpha() for c in body)
    leet = sum(c in _LEET_CHARS for c in body)
    if (letters >= 2 and leet) or (letters == 1 and leet + 1 == len(body) and _one_letter(body)):
        forms.append(body.translate(_LEET))
        forms.append(body.translate(_LEET_L))
        if 2 <= sum(c in "|1" for c in body) <= _MAX_EITHER:  # "k|||": each | an i or an l
            forms.extend(_either_il(body))
    if "*" in body and body.replace("*", ""):
        forms.append(body.replace("*", ""))
    # "vv" drawn for "w" ("vvanker"), "ph" said for "f" ("phuck", "phaggot")
    for pair, letter in (("vv", "w"), ("ph", "f")):
        if pair in body:
            forms.append(body.replace(pair, letter))
    for form in list(forms):
        if _RUN3.search(form):
            forms.append(_RUN3.sub(r"\1", form))
            forms.append(_RUN3.sub(r"\1\1", form))
            forms.append(_RUN2.sub(r"\1", form))
            forms.extend(_stretched(form))
    if (
        "*" not in body
        and sum(c.isalpha() for c in body) >= _MIN_MASKED_LETTERS
        and _INNER_SYMBOL.search(body)
    ):
        # last, where the word index looks for it: each inner symbol hides one letter
        forms.append(_INNER_SYMBOL.sub("*", body).translate(_LEET))
    masked = "*" in body and body[0] != "*" and any(c.isalpha() for c in body)
    return lead, trail, tuple(dict.fromkeys(forms)), masked
