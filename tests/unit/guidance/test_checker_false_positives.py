"""Posts a party really writes must not be flagged: place and person names, words that
contain rude ones, and hard subjects named respectfully (no warn or block, info is fine)."""

from __future__ import annotations

import pytest

from guidance.checker.checker import Checker
from guidance.checker.report import Severity


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


CLEAN = [
    # places and people whose names contain rude words
    "Great turnout at the Scunthorpe and Penistone joint branch meeting last night.",
    "Cockermouth, Clitheroe and Cockfosters all got new bus routes this year.",
    "Our Essex, Sussex and Middlesex friends sent messages of solidarity.",
    "Twatt in Orkney has better broadband than parts of Huntingdon.",
    "We visited Bitchfield and Shitterton on our tour of village names.",
    "Come and see the Dick Whittington pantomime at the Priory Centre.",
    "Matt Hancock's record on care homes deserves scrutiny.",
    "Reading Dickens with the children at the library's storytime.",
    "Lightwater and Cumbria both sent delegates.",
    "Big thank you to Dick, our oldest member, who turned 90 today.",
    "Scunthorpe United beat Cambridge United 2-1 yesterday.",
    # words that contain rude ones
    "A raccoon, a tycoon and a cocktail walk into our quiz night on Friday.",
    "Our class sizes are too big. We need to assess every option.",
    "The therapist said the analysis of waiting lists is grim.",
    "Grape picking at the community orchard this weekend.",
    "Thank you to the scrutiny committee for their assessment of the plan.",
    # hard subjects, named respectfully
    "Sexual health clinics in Huntingdon face closure. Help us keep them open.",
    "Holocaust Memorial Day: we remember the six million Jews and all victims of Nazi persecution.",
    "We stand with the Jewish community against antisemitism.",
    "Eid Mubarak to all our Muslim neighbours.",
    # a legal status named in policy talk, not a slur
    "The number of illegal immigrants crossing the Channel fell last year.",
    "Gypsy, Roma and Traveller History Month: learn about the communities of Cambridgeshire.",
    "Our Pakistani community centre hosted a brilliant iftar.",
    "We remember the victims of the Manchester Arena bombing.",
    "Gambling harms are devastating families across our county.",
    "Drug and alcohol support services need proper funding.",
    "Drug deaths in Cambridgeshire have doubled. We need proper treatment services.",
    "Crime prevention evening with Cambridgeshire Police at Ramsey town hall on Monday.",
    "Knife crime: we need youth services, not more cuts.",
    "Our thoughts are with everyone affected by the attack.",
    "The sex education curriculum is changing - here's what parents need to know.",
    "Breast cancer screening saves lives. Book your appointment.",
    "Refugees and asylum seekers are welcome here. Our town is stronger for it.",
    "Migrants are not to blame for the housing crisis.",
    "Disabled people face cuts to their benefits again.",
    "Women are leading the fight for better childcare in St Neots.",
    "Young people are taking over the council chamber for Youth Parliament day!",
    # criticism of opponents' record, politely
    "The Conservative council's budget cuts youth services again. Here's our alternative.",
    "The Conservatives have cut police numbers and crime is rising.",
    "Conservative councillors voted against free school meals.",
    "The Lib Dems and the Tories both voted for the cuts.",
    "Reform UK's candidate has not turned up to a single hustings.",
    "Our MP voted against the bill that would have helped renters.",
    "We asked the Mayor to explain the budget. Still no answer.",
    "We don't agree with the Lib Dems on everything, but we welcome their support.",
    # everyday party posts
    "Hell of a day on the doorstep in St Ives - thanks to everyone who came out.",
    "Bloody good turnout today! Thank you all.",
    "We had a cracking day at the Ramsey festival.",
    "We'll keep campaigning for a safe crossing.",
    "We will keep fighting for our NHS.",
    "Labour councillors are committed to tackling the housing crisis.",
    "Labour would give councils the power to build homes.",
    "Please share this with your neighbours so everyone knows about the consultation.",
    "Let's smash our fundraising target this weekend!",
    "Kill the bill that would close our libraries - write to your MP.",
    "Cuts to bus services are killing our villages.",
    "Contact the council on 01480 388388 about missed bins.",
    "Email info@huntingdonlabour.org.uk to volunteer.",
    "Join us for coffee at the Priory Centre, Priory Lane, St Neots PE19 2BH.",
    "Free bike repair workshop this Sunday at the community centre.",
    "Free parking on Saturdays would help the high street. Sign our petition.",
    "Read our blog on affordable housing: https://example.org/housing",
    "Dear residents, the bin collection changes start on Monday.",
    "Personally, I think the new cycle lane is a great idea.",
    "He fought for this town his whole life. Rest in peace, Bill.",
    "She has been a brilliant councillor for twenty years.",
    "Our shops are shut up and down the high street; business rates must be fixed.",
    "The photo shoot at his office went well.",
    "Love from all of us, Jo xxx",
    "The planning committee meets on Tuesday to decide the application.",
    "It's not stupid to ask for help.",
    "Pharmacies are selling out of cold and flu pills.",
    "Free bike repair workshop next to the bookies on the High Street.",
    "The Easter egg hunt is at the office on Sunday.",
    "Get your free flu jab at the pharmacy - book online.",
    "Pensioners shouldn't be allowed to go cold this winter.",
    "Women should go back to work when they are ready, with proper childcare.",
    "We'll never give up on Huntingdon.",
    "Vote for the motion at Thursday's full council.",
    "Report fly-tipping on 01480 388388.",
    "Route P155 is cancelled this weekend.",
    "A chink of light for renters at last.",
    "Thank you pig farmers of Cambridgeshire.",
    "The Mayor's office is lying empty.",
    "Sarah stole the show at the quiz.",
    "Polish families have made St Neots home for decades.",
    "Cuts to bus services are a burden on pensioners.",
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_post_passes(checker: Checker, text: str) -> None:
    report = checker.check(text)
    flagged = [
        (f.rule, text[f.start : f.end]) for f in report.findings if f.severity is not Severity.INFO
    ]
    assert flagged == []


@pytest.mark.parametrize(
    "word",
    ["sexual", "Nazi", "hell", "Conservative", "crime", "Jewish", "Pakistani", "Muslim",
     "Gypsy", "drugs", "gambling", "terrorism", "sex", "bomb", "cult", "bet", "vote"],
)  # fmt: skip
def test_a_sensitive_word_alone_is_not_blocked(checker: Checker, word: str) -> None:
    assert str(checker.check(word).verdict) == "pass"
    assert str(checker.check(f"A post about {word} policy.").verdict) == "pass"


def test_hedged_allegation_is_softened(checker: Checker) -> None:
    stated = checker.check("Councillor Smith fiddled his expenses.")
    hedged = checker.check("Councillor Smith is alleged to have fiddled his expenses.")
    sourced = checker.check("According to the BBC, Councillor Smith fiddled his expenses.")
    assert [str(f.severity) for f in stated.findings if f.rule == "defamation"] == ["warn"]
    assert str(hedged.verdict) == "pass"
    assert str(sourced.verdict) == "pass"
    assert "defamation" in hedged.rules()


def test_imprint_address_is_not_personal_data(checker: Checker) -> None:
    text = (
        "Vote Labour on Thursday! Promoted by A. Jones on behalf of Huntingdon Labour Party, "
        "both at 2 Market Hill, St Ives PE27 5AL. Tel 01480 123456."
    )
    assert str(checker.check(text).verdict) == "pass"
