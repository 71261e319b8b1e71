"""Our own realistic posts, rule by rule, beyond the shared examples (so the policy is
not tuned to one sample): each must get its rule and verdict."""

from __future__ import annotations

import pytest

from guidance.checker.checker import Checker


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


CASES = [
    # abuse
    ("Get stuffed, you pillock.", "abuse", "block"),
    ("The council leader is a moron.", "abuse", "block"),
    ("Piss off back to London.", "abuse", "block"),
    ("What a load of rubbish, you clown.", "abuse", "block"),
    ("You're a pathetic little man.", "abuse", "block"),
    ("Shut the f*** up", "abuse", "block"),
    ("I hope you die.", "abuse", "block"),
    ("What a stupid decision by the council.", "abuse", "block"),
    ("What an @rsehole", "abuse", "block"),
    # opponent
    ("Lib Dem numpties.", "opponent", "block"),
    ("The Tory clown show rolls on.", "opponent", "block"),
    ("Tories are scum, every last one of them.", "opponent", "block"),
    ("The Lib Dem councillors are a bunch of clowns.", "opponent", "block"),
    ("Reform voters are idiots.", "opponent", "block"),
    ("Farage is a fascist.", "opponent", "block"),
    ("Those Tory bastards have ruined this town.", "opponent", "block"),
    ("The Greens are a bunch of hypocrites.", "opponent", "block"),
    ("SNP traitors.", "opponent", "block"),
    # slur
    ("What a bunch of gyppos", "slur", "block"),
    ("Paki shop on the corner", "slur", "block"),
    ("Don't be such a retard.", "slur", "block"),
    # discrimination
    ("Muslims are all terrorists.", "discrimination", "block"),
    ("Immigrants are ruining this country.", "discrimination", "block"),
    ("Go back to your own country.", "discrimination", "block"),
    ("Women shouldn't be allowed to run councils.", "discrimination", "block"),
    ("Girls can't do maths.", "discrimination", "block"),
    ("Gypsies are thieves.", "discrimination", "block"),
    ("Polish workers are stealing our jobs.", "discrimination", "block"),
    ("A woman's place is in the home.", "discrimination", "block"),
    # sexual
    ("Send nudes", "sexual", "block"),
    ("Hot singles in your area, click here", "sexual", "block"),
    ("Check out my OnlyFans.", "sexual", "block"),
    # criminal
    ("Let's burn down the Tory HQ.", "criminal", "block"),
    ("Someone should stab him.", "criminal", "block"),
    ("How to make a pipe bomb.", "criminal", "block"),
    ("Let's smash their windows.", "criminal", "block"),
    ("How to shoplift from Tesco without getting caught.", "criminal", "block"),
    # drugs
    ("Selling weed, DM me", "drugs", "block"),
    ("Who's selling coke round here?", "drugs", "block"),
    ("Buying cocaine? Message me.", "drugs", "block"),
    ("Where can I buy mdma in St Neots?", "drugs", "block"),
    # gambling
    ("Get 50 free spins when you sign up with our code LABOUR", "gambling", "block"),
    ("Grab your free bet now at Paddy Power!", "gambling", "block"),
    ("Bet365 bonus: click the link", "gambling", "block"),
    # cults
    ("Join our cult and find enlightenment.", "cults", "block"),
    ("Surrender your savings to the Master.", "cults", "block"),
    ("Give him your money and leave your family.", "cults", "block"),
    # spam
    ("Copy and paste this to your status or something bad will happen.", "spam", "block"),
    ("You've won a £500 voucher! Claim your prize now: bit.ly/xyz", "spam", "block"),
    ("Forward this message to 10 friends or you will have bad luck.", "spam", "block"),
    ("Like and share to win an iPad!", "spam", "block"),
    ("Bet £10 get £30 with our code", "gambling", "block"),
    ("Congratulations! You've been selected to win an iPhone. Click here", "spam", "block"),
    ("Let's slash their tyres.", "criminal", "block"),
    # defamation
    ("Councillor Smith is a liar and a crook.", "defamation", "warn"),
    ("The mayor has been lining his pockets.", "defamation", "warn"),
    ("Councillor Jones fiddled his expenses.", "defamation", "warn"),
    ("The council leader is corrupt.", "defamation", "warn"),
    ("Cllr Patel took bribes from the developer.", "defamation", "warn"),
    ("Brian Hollis took a bribe from the developers.", "defamation", "warn"),
    ("The council is lying to residents about the closure.", "defamation", "warn"),
    # promise
    ("We pledge to freeze council tax.", "promise", "warn"),
    ("I promise every child a laptop.", "promise", "warn"),
    ("We will build 500 new council homes.", "promise", "warn"),
    ("Labour promises to reopen the library.", "promise", "warn"),
    # jargon
    ("Comrades, the GC meets tonight.", "jargon", "warn"),
    ("Our PPC will speak at the CLP meeting.", "jargon", "warn"),
    ("The NEC ruled on the AGM motion.", "jargon", "warn"),
    # off-topic
    ("In my opinion the royal family should be abolished.", "off-topic", "warn"),
    ("Personally I believe God doesn't exist.", "off-topic", "warn"),
    ("I think the Pope should resign.", "off-topic", "warn"),
    # imprint
    ("Polling day is Thursday 2 May - vote for Sarah Jones!", "imprint", "warn"),
    ("Postal votes go out this week.", "imprint", "warn"),
    ("By-election in Eaton Socon: our candidate needs your help.", "imprint", "warn"),
    ("Vote Sarah Jones on 2 May!", "imprint", "warn"),
    ("#VoteLabour on Thursday", "imprint", "warn"),
    # personal-data
    ("Call Mrs Brown on 07911 123456 to complain.", "personal-data", "warn"),
    ("Ring Jim on 01480 765432 for a lift.", "personal-data", "warn"),
    ("Email jane.bloggs@gmail.com for tickets.", "personal-data", "warn"),
    ("She lives at 14 Mill Road, St Ives.", "personal-data", "warn"),
    ("Text Dave on +44 7700 900123.", "personal-data", "warn"),
    # rival
    ("@Conservatives why did you cut the bus?", "rival", "warn"),
    ("@HuntsTories explain yourselves.", "rival", "warn"),
    ("Hey Tories, explain the cuts.", "rival", "warn"),
    ("@RishiSunak answer the question!", "rival", "warn"),
]


@pytest.mark.parametrize(("text", "rule", "verdict"), CASES)
def test_rule_and_verdict(checker: Checker, text: str, rule: str, verdict: str) -> None:
    report = checker.check(text)
    found = [(f.rule, str(f.severity), text[f.start : f.end]) for f in report.findings]
    assert rule in report.rules(), found
    assert str(report.verdict) == verdict, found


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("This is a very long post. " * 12, "length"),
        ("THIS IS ABSOLUTELY DISGRACEFUL AND EVERYONE SHOULD BE ANGRY", "shouting"),
        ("Great!!!! Amazing!!!!", "exclamations"),
        (" ".join(["word"] * 45) + ".", "long-sentence"),
    ],
)
def test_advice_never_changes_the_verdict(checker: Checker, text: str, rule: str) -> None:
    report = checker.check(text)
    assert rule in report.rules()
    assert str(report.verdict) == "pass"


def test_imprint_advice_is_for_a_volunteer_not_a_policy_setting(checker: Checker) -> None:
    """A member cannot "set imprint_in_bio": the advice names the bio and who to ask."""
    imprint = [f for f in checker.check("Get the Tories out.").findings if f.rule == "imprint"]
    assert imprint
    assert "imprint_in_bio" not in imprint[0].suggestion
    assert "bio" in imprint[0].suggestion and "IT officer" in imprint[0].suggestion
