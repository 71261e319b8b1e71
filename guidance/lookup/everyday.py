"""Everyday words for what any party's social media guidance talks about, built in.

The party's own synonyms (`synonyms:` in the policy file) are specific to its
guidance and its area; these are plain English that volunteers use for the
guidance's own words, whatever the party: "my opinion" for "views", "repost
someone else's" for "share content created by others". They are aimed at words a
social media guidance uses; a word a party's guidance lacks finds nothing, so they
cannot make an answer out of nothing. The party's synonyms are applied on top, and
a key the party also lists means what the party says.

Written by kinds of question (personal views and the party line; sharing what
others posted; what is going on in the party; trying new things; local issues
against insiders' news; others being rude to us), never from one question.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

_VIEWS = ["unsolicited views", "political", "non-party related matters"]
_PARTY_LINE = ["party's objectives", "unsolicited views"]
_OTHERS_CONTENT = ["share", "content created by others"]
_HAPPENING = ["insight", "happening", "party"]
_NEW_THINGS = ["inventive", "innovative", "experimentation"]
_BREACH = ["breach", "dealt with", "rules and procedures"]
_DULL = ["inventive", "innovative", "experimentation"]
_IDEAS = ["creating ideas", "campaigns", "steering group"]
_FAITH = ["religious", "non-party related matters"]
_JOKE = ["inappropriate", "offensive", "discrimination"]
_PARTY_EVENT = ["insight", "happening", "party"]
_INSIDERS = ["news for insiders", "issues that affect people", "everyday lives"]
_OUTSIDER = ["members", "approved users", "nominated"]
_PLAIN = ["accessible language", "jargon"]
_WHAT_FOR = ["purposes", "objectives"]
_IN_CHARGE = ["responsible", "responsibilities", "manage"]
_SELLING = ["non-party related matters", "party's objectives"]
_REPORT = ["report", "abusive", "comments"]
_SPAM = ["spam", "junk"]
_RUDE_TO_US = ["comments", "abusive", "report", "escalate"]
_BECOME = ["approved users", "access", "nominated"]
_WHY = ["guidance exist", "benefits"]

EVERYDAY_SYNONYMS: Mapping[str, Sequence[str]] = {
    # Personal views, and keeping to what the party says (the rules: no unsolicited
    # views on non-party matters).
    "opinion": _VIEWS,
    "opinions": _VIEWS,
    "own view": _VIEWS,
    "own views": _VIEWS,
    "personal view": _VIEWS,
    "personal views": _VIEWS,
    "my take": _VIEWS,
    "my thoughts": _VIEWS,
    "i reckon": _VIEWS,
    "what i reckon": _VIEWS,
    "i feel about": _VIEWS,
    "my politics": _VIEWS,
    "views": _VIEWS,
    "rant": _VIEWS,
    "hot take": _VIEWS,
    "party line": _PARTY_LINE,
    "on message": _PARTY_LINE,
    "off message": _PARTY_LINE,
    "off topic": ["non-party related matters", "unsolicited views"],
    # Sharing what someone else posted.
    "reshare": _OTHERS_CONTENT,
    "re share": _OTHERS_CONTENT,
    "re post": _OTHERS_CONTENT,
    "repost": _OTHERS_CONTENT,
    "reposting": _OTHERS_CONTENT,
    "quote tweet": _OTHERS_CONTENT,
    "someone else": _OTHERS_CONTENT,
    "someone elses": _OTHERS_CONTENT,
    "somebody else": _OTHERS_CONTENT,
    "other people": _OTHERS_CONTENT,
    "other peoples": _OTHERS_CONTENT,
    "another page": _OTHERS_CONTENT,
    "another group": _OTHERS_CONTENT,
    "another local group": _OTHERS_CONTENT,
    "another account": _OTHERS_CONTENT,
    "another organisation": _OTHERS_CONTENT,
    "share their": _OTHERS_CONTENT,
    # What is going on in the party.
    "going on": _HAPPENING,
    "what is happening": _HAPPENING,
    "what we are up to": _HAPPENING,
    "what we have been up to": _HAPPENING,
    "behind the scenes": _HAPPENING,
    # Trying new things (the principles: inventive, experimentation).
    "new things": _NEW_THINGS,
    "try new": _NEW_THINGS,
    "try out": _NEW_THINGS,
    "experiment": _NEW_THINGS,
    "experimenting": _NEW_THINGS,
    "creative": _NEW_THINGS,
    "fresh ideas": _NEW_THINGS,
    # Local people's issues against news for insiders (the principles).
    "westminster": _INSIDERS,
    "gossip": _INSIDERS,
    "insiders": _INSIDERS,
    "bubble": _INSIDERS,
    "local issues": _INSIDERS,
    "national politics": _INSIDERS,
    "real people": _INSIDERS,
    # What follows a breach of the code of conduct (the NEC statement).
    "kicked out": _BREACH,
    "thrown out": _BREACH,
    "expelled": _BREACH,
    "suspended": _BREACH,
    "disciplinary": _BREACH,
    # Dull posts, and how to liven them up (the principles).
    "boring": _DULL,
    "dull": _DULL,
    "stale": _DULL,
    "more interesting": _DULL,
    "liven up": _DULL,
    # Who thinks up what to post (who is responsible).
    "come up with": _IDEAS,
    "comes up with": _IDEAS,
    "think up": _IDEAS,
    "thinks up": _IDEAS,
    "ideas for posts": _IDEAS,
    # Places of worship and faith: religious matters (the rules).
    "church": _FAITH,
    "mosque": _FAITH,
    "synagogue": _FAITH,
    "temple": _FAITH,
    "gurdwara": _FAITH,
    "faith": _FAITH,
    # Jokes about a group of people (the rules: inappropriate, offensive).
    "joke about": _JOKE,
    "jokes about": _JOKE,
    "banter about": _JOKE,
    # The party's own social events (what the accounts are for).
    "quiz night": _PARTY_EVENT,
    "coffee morning": _PARTY_EVENT,
    "social evening": _PARTY_EVENT,
    # Someone outside the party posting for it (who may post).
    "not a member": _OUTSIDER,
    "not members": _OUTSIDER,
    "isn't a member": _OUTSIDER,
    "aren't members": _OUTSIDER,
    "non member": _OUTSIDER,
    "non members": _OUTSIDER,
    "nonmember": _OUTSIDER,
    "not in the party": _OUTSIDER,
    "isn't in the party": _OUTSIDER,
    "not even in the party": _OUTSIDER,
    "outside the party": _OUTSIDER,
    "can anyone": _OUTSIDER,
    "can everyone": _OUTSIDER,
    "can any of us": _OUTSIDER,
    "can all members": _OUTSIDER,
    "can members": _OUTSIDER,
    # The local party by other names: where a post goes, like "the CLP".
    "branch": ["party"],
    "local party": ["party"],
    "constituency party": ["party"],
    # Plain words (the rules: accessible language, no jargon).
    "plain english": _PLAIN,
    "plain language": _PLAIN,
    "simple language": _PLAIN,
    "simple words": _PLAIN,
    "everyday language": _PLAIN,
    "everyday words": _PLAIN,
    "easy to understand": _PLAIN,
    "easy to read": _PLAIN,
    "big words": _PLAIN,
    "long words": _PLAIN,
    "posh words": _PLAIN,
    "technical terms": _PLAIN,
    "technical language": _PLAIN,
    "lingo": _PLAIN,
    # What the accounts are meant to carry.
    "meant to post": _WHAT_FOR,
    "supposed to post": _WHAT_FOR,
    "meant to be posting": _WHAT_FOR,
    "supposed to be posting": _WHAT_FOR,
    "what should we post": _WHAT_FOR,
    "what should i post": _WHAT_FOR,
    "what do we post": _WHAT_FOR,
    "what can we post": _WHAT_FOR,
    "what can we put": _WHAT_FOR,
    "what can i put": _WHAT_FOR,
    "what should we put": _WHAT_FOR,
    "what to put": _WHAT_FOR,
    "what can we use": _WHAT_FOR,
    "what can i use": _WHAT_FOR,
    "what do we use": _WHAT_FOR,
    "what kind of stuff": _WHAT_FOR,
    "what sort of stuff": _WHAT_FOR,
    "what type of stuff": _WHAT_FOR,
    "what kind of posts": _WHAT_FOR,
    "what sort of posts": _WHAT_FOR,
    "what type of posts": _WHAT_FOR,
    "what kind of content": _WHAT_FOR,
    "what sort of content": _WHAT_FOR,
    # Who runs or looks after something (who is responsible).
    "who manages": _IN_CHARGE,
    "who runs": _IN_CHARGE,
    "who looks after": _IN_CHARGE,
    "who handles": _IN_CHARGE,
    "who deals with": _IN_CHARGE,
    "who sorts out": _IN_CHARGE,
    "who oversees": _IN_CHARGE,
    # Selling or plugging something of one's own (not party business).
    "plug": _SELLING,
    "my business": _SELLING,
    "my own business": _SELLING,
    "my shop": _SELLING,
    "my company": _SELLING,
    "sell": _SELLING,
    "selling": _SELLING,
    "for sale": _SELLING,
    # Reporting abuse (the principles: abusive comments are reported).
    "report": _REPORT,
    "reporting": _REPORT,
    "reported": _REPORT,
    # Money-making schemes and scams passed round (the rules: spam, junk).
    "crypto": _SPAM,
    "bitcoin": _SPAM,
    "get rich": _SPAM,
    "investment scheme": _SPAM,
    "pyramid scheme": _SPAM,
    "make money fast": _SPAM,
    # Others being rude to us (the principles: abusive comments are reported; the
    # advice: don't escalate).
    "rude to us": _RUDE_TO_US,
    "rude to me": _RUDE_TO_US,
    "rude in the comments": _RUDE_TO_US,
    "rude in the replies": _RUDE_TO_US,
    "rude comment": _RUDE_TO_US,
    "rude comments": _RUDE_TO_US,
    "rude reply": _RUDE_TO_US,
    "rude replies": _RUDE_TO_US,
    "nasty comments": _RUDE_TO_US,
    "nasty replies": _RUDE_TO_US,
    "having a go at us": _RUDE_TO_US,
    "having a go at me": _RUDE_TO_US,
    # Becoming one of those who post (who may post).
    "become an approved": _BECOME,
    "become one of": _BECOME,
    "people who post": _BECOME,
    "person who posts": _BECOME,
    "help with our": _BECOME,
    "help out with": _BECOME,
    "help run": _BECOME,
    "help us run": _BECOME,
    "help manage": _BECOME,
}

# Why there is a guidance at all: "why do we need rules", "what's the point of this
# guidance", "why bother with a social media policy". (Not "why do we need an imprint":
# that asks about the imprint.)
_WHY_ASKED = (
    "why do we need",
    "why do we have",
    "why have",
    "bother with",
    "what's the point of",
    "what is the point of",
    "reason for",
    "reasons for",
    "why are there",
    "why is there",
)
_WHY_OF = ("", "the ", "these ", "this ", "a ", "our ", "any ")
_GUIDANCE_NAMES = ("rules", "guidelines", "guidance", "policy", "policies")
EVERYDAY_SYNONYMS = {
    **EVERYDAY_SYNONYMS,
    **{
        f"{asked} {of}{social}{name}": _WHY
        for asked in _WHY_ASKED
        for of in _WHY_OF
        for social in ("", "social media ")
        for name in _GUIDANCE_NAMES
    },
}
