"""What members actually type, and the section each question must get first.

Typos, synonyms and whole sentences, against the shipped guidance and the
synonyms in the shipped policy, through the same index `/guidance` uses.
"""

from __future__ import annotations

import pytest

from tests.unit.guidance.guidance_index import shipped_index

QUESTIONS: list[tuple[str, str]] = [
    # whole sentences
    ("can I reply to a Tory councillor?", "rules"),
    ("who can post?", "who-can-post"),
    ("what counts as inappropriate", "rules"),
    ("can we promise free parking", "general-advice"),
    ("is it ok to share a news article", "what-accounts-are-for"),
    ("what do the IT officers do", "responsibilities"),
    ("why do we even have this guidance?", "why"),
    ("what are the accounts actually for", "what-accounts-are-for"),
    ("who is responsible for our social media?", "responsibilities"),
    ("I'm not sure if my post is ok, should I post it anyway?", "general-advice"),
    ("can I be rude to the lib dems", "rules"),
    ("someone asked for help in the comments, can I answer?", "what-accounts-are-for"),
    ("who keeps an eye on security threats?", "responsibilities"),
    ("who comes up with campaign ideas?", "responsibilities"),
    ("should I argue back with a troll", "general-advice"),
    ("a voter sent a complicated question", "general-advice"),
    ("who do I ask for advice?", "general-advice"),
    ("can I share a video made by someone else", "what-accounts-are-for"),
    # Promoting an election campaign is election material: the imprint section says
    # what it needs (the accounts' purposes list it too, second).
    ("can we promote the election campaign", "imprint"),
    ("what's happening in the party, can I post about it?", "what-accounts-are-for"),
    ("can I post my views on religion?", "rules"),
    ("is online abuse as bad as face to face?", "nec-statement"),
    ("is discrimination ever acceptable", "nec-statement"),
    ("what if comments on our page become abusive", "principles"),
    ("we should experiment with new formats", "principles"),
    ("can I call them Tory scum", "rules"),
    ("could a post get us sued for libel?", "rules"),
    ("how do we track KPIs", "responsibilities"),
    ("should we welcome constructive criticism", "principles"),
    ("treat people with dignity and respect", "nec-statement"),
    # a newcomer's first questions (issue 16)
    ("what's an imprint", "imprint"),
    ("who can post on the facebook page", "who-can-post"),
    ("how formal should we sound", "principles"),
    ("a betting night", "rules"),
    ("a forwarded message", "rules"),
    ("someone is being nasty in the comments", "principles"),
    ("do I need promoted by on an election post", "imprint"),
    # single words and short phrases
    ("swearing", "rules"),
    ("profanity", "rules"),
    ("jargon", "rules"),
    ("spam", "rules"),
    ("chain messages", "rules"),
    ("porn", "rules"),
    ("gambling", "rules"),
    ("racist comments", "rules"),
    ("be polite", "general-advice"),
    ("phone or email", "general-advice"),
    ("five principles", "principles"),
    ("conservatives", "rules"),
    # typos
    ("oponents", "rules"),
    ("gudiance", "why"),
    ("defamtory", "rules"),
    ("harrassment and bulying", "nec-statement"),
    ("respnsibilities", "responsibilities"),
    ("innapropriate content", "rules"),
    ("who can psot", "who-can-post"),
    ("promisses", "general-advice"),
    # ids and titles
    ("nec statement", "nec-statement"),
    ("nec-statement", "nec-statement"),
    ("rules", "rules"),
    ("#general-advice", "general-advice"),
    ("Who is responsible", "responsibilities"),
    ("Put simply: what the accounts are for", "what-accounts-are-for"),
]


def test_the_table_is_big_enough_and_names_real_sections() -> None:
    ids = shipped_index().guidance.ids
    assert len(QUESTIONS) >= 40
    assert {expected for _, expected in QUESTIONS} <= ids
    assert {expected for _, expected in QUESTIONS} == ids  # every section is reachable


@pytest.mark.parametrize("platform", ["facebook", "twitter", "instagram", "tiktok", "whatsapp"])
def test_a_platform_name_finds_the_accounts(platform: str) -> None:
    hits = shipped_index().search(platform, limit=3)
    assert hits, f"{platform!r} found nothing"
    assert {"who-can-post", "what-accounts-are-for", "rules"} & {h.section.id for h in hits[:2]}


@pytest.mark.parametrize(("question", "expected"), QUESTIONS)
def test_question_finds_its_section_first(question: str, expected: str) -> None:
    hits = shipped_index().search(question, limit=3)
    assert hits, f"{question!r} found nothing"
    assert hits[0].section.id == expected, [(h.section.id, h.score) for h in hits]
