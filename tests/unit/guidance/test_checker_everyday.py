"""Everyday posts that share words with the policy's lists must pass (no warn or block),
while the harmful phrasing those words were listed for is still caught. Each pair below
was a false positive once: the narrowing that fixed it must not let the real thing through."""

from __future__ import annotations

import pytest

from guidance.checker.checker import Checker
from guidance.checker.report import Severity


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


EVERYDAY = [
    # violence and damage words in ordinary use
    "Burn calories at home with free online fitness classes.",
    "Pick up trash in the car park on Saturday's litter pick.",
    "Labour would slash car park charges at the hospital.",
    "New brick homes on Ramsey Road are finally finished.",
    "St Neots smash it at home again!",
    "Let's kill their plan for the car park.",
    "The key to the car park problem is a better bus service.",
    "Help us hang the bunting at the town hall on Saturday.",
    "Raise a glass to him: 40 years a member.",
    "We beat them at the charity quiz!",
    "Police warn pubs about fake IDs. Here's how to spot them.",
    "Crime gangs launder money through car washes, police say.",
    # opponents' words used of other people, or history
    "Our MP's grandfather fought the fascists at Cable Street.",
    "Councillor Jones spoke about her grandfather fighting the Nazis in 1944.",
    "Local councillors condemned the thugs who attacked a family in St Neots.",
    "Tory councillors called the vandals mindless thugs, and we agree.",
    "Voters told us the councillor was a sheep farmer for 30 years.",
    "Councillors want action on vermin in the town centre.",
    # promises that are not the party's commitments
    "We were promised a new hospital. Where is it?",
    "We'll cut the cake at 3pm - come along!",
    "We will double-check the venue and let you know.",
    "Labour will deliver leaflets in Oxmoor this weekend.",
    "We'll deliver your poster this week.",
    # drugs words with other meanings
    "Molly's menu for the summer barbecue: burgers, salads and cake. DM us to book.",
    "Weed the community garden with us on Saturday, DM for details.",
    "Where can I get help for cocaine addiction? Here's a list of local services.",
    "Get your free naloxone kit - it reverses heroin overdoses.",
    "We're selling Coke and crisps at the fun day.",
    "Coke and crisps for sale at the fun day, DM us to book a stall.",
    "Got any pills left over? Take them back to the pharmacy.",
    # health, nature, food, film
    "Free finger prick test for diabetes at the Ramsey pharmacy this week.",
    "Blue-green algae scum on the Great Ouse: keep dogs out of the water.",
    "Thai green curry with kaffir lime leaves at our curry night!",
    "Join us for cult film night at the Ramsey Rural Museum.",
    "Faggots and peas on the menu at the St Ives Legion fundraiser tonight.",
    "The drainage board is clearing the dyke behind Ramsey Forty Foot this week.",
    "Blue tits and great tits were the stars of the Paxton Pits bird count.",
    "Check your boobs once a month - CoppaFeel has the guide.",
    "Men are bad at asking for help. Talk to someone.",
    "Comrades in arms: remembering the Huntingdonshire men who served in WW1.",
    # campaigning language that looks like spam or gambling
    "We won't shut up until the 66 bus is saved.",
    "That derelict car park is a waste of space. Turn it into homes.",
    "Citizens Advice help is 100% free and confidential.",
    "Limited time only: early bird tickets for our gala dinner.",
    "Claim your free bus pass if you're over 66.",
    "Apprentices earn £7.55 an hour. It's not enough.",
    "We'd like to win this seat back, and we need your help.",
    "Break the chain of abuse: support is available 24/7.",
    "Copy and paste this link into your browser to sign the petition.",
    "Share this before midnight - consultation closes tonight!",
    "You've won our hearts, St Neots! Thanks for a great fun day.",
    "Read our response to the casino planning application: link in bio.",
    "Huntingdon hit the jackpot: £2m for the high street. Details at the link.",
    "Alconbury Weald is a huge investment opportunity for the region.",
    "Start a business and be your own boss: free workshop at the library.",
    # naming the bait in a post about harm, scams or regulation
    "Online casino ads should be banned, says our MP.",
    "Free bets and free spins lure young people into gambling debt. Regulate them.",
    "Hot singles and OnlyFans scams target lonely people online. Here's how to stay safe.",
    "Sign up bonus for new volunteers: a free T-shirt!",
    "Congratulations, you've been selected for our youth panel!",
    # reporting or condemning a crime
    "A petrol bomb was thrown at the St Neots mosque last night. We stand with our neighbours.",
    "The man who made a pipe bomb in Huntingdon has been jailed for 12 years.",
    "County lines gangs are selling crack and heroin to children, police warn.",
    "Two men were jailed for supplying cocaine in Huntingdon.",
    # idioms next to newly listed harms
    "Good childcare shouldn't cost a bomb. Free breakfast clubs are a start.",
    "Screw the lid on tight and bring your jam to the fete!",
    "We beat them up the league table this season!",
    "We bet on you. Use our online form to volunteer.",
    "Tag a friend who'd love our quiz night.",
    # numbers and votes
    "Call 0 1 4 8 0 3 8 8 3 8 8 for the council.",
    "Call Hunts Community Transport on 01480 455123 to book a ride.",
    "Vote of thanks to our outgoing treasurer.",
    "The Ramsey library is a candidate for closure, according to leaked plans.",
    "St Neots Primary is closed on Thursday because it's used as a polling station.",
    "The government misled voters about the NHS, says the IFS.",
    # victims, not allegations
    "She was cheated out of her pension by a scam, and now she helps others.",
    "Mrs Green was conned by rogue traders. Here's how to protect yourself.",
    "Cllr Sam Green cheated death in a car crash last year and is back at work.",
    # hardship, not a generalisation
    "Pensioners can't drive to the hospital now the bus has been cut.",
    "Disabled people can't do their shopping since the 66 was cut.",
    "Old people should be at home, warm and safe, not stuck in hospital corridors.",
    "Pensioners should stay at home during the heatwave if they can, the NHS says.",
    # handles that contain a rival's word
    "Read the @PrisonReformTrust report on women in prison.",
    "Thanks @ReformJudaism for hosting the interfaith evening.",
    # brand names in CamelCase and flag emoji are read part by part, harmlessly
    "PayPal donations welcome; the YouTube video of our launch is up.",
    "Proud of \U0001f1ec\U0001f1e7 and standing with \U0001f1fa\U0001f1e6.",
    "JobCentre Plus opens in Huntingdon; see the GoFundMe for the food bank.",
    # near the insults, drug, sport, address and bait phrasings regression set E added
    "Thank you Dick for the lift to Sawtry.",
    "Got weed-free compost for the allotments, DM for prices.",
    "I think Everton Road in St Neots needs resurfacing.",
    "In my view the referee decision at the Ramsey charity match was spot on!",
    "I think Sawtry has the best fans of the Christmas lights switch-on!",
    "Mr Smith of 3 Station Road Garage has sponsored our raffle.",
    "Our member Mrs Ali at 12 Church Street surgery sees patients Mondays.",
    "Spicy pics from our curry night in Ramsey!",
    "DM me for spicy chilli recipes.",
    "Copy and paste this link into your browser to sign the petition.",
    "Council tenants: no deposit needed for the new scheme.",
    "Rail travellers faced flooding in the underpass at St Neots.",
    "Our candidate selection meeting is open to all members.",
    "Bake-off final - vote for your favourite cake at the fete!",
    "On Monday, vote for the park name in the council survey.",
    "Reminder: vote in our members' survey by Friday.",
    "Our MP wants a crackdown on tax dodgers.",
    "The prick of a nettle is nothing compared to the cuts to parks.",
    "The council leader dodged tax questions at the meeting.",
]

STILL_CAUGHT = [
    ("Smash their windows, that'll teach them.", "criminal"),
    ("Key his car and see how he likes it.", "criminal"),
    ("Someone should shoot the lot of them.", "criminal"),
    ("Slash the tyres on every car parked in the disabled bays.", "criminal"),
    ("Get your fake IDs here, DM me.", "criminal"),
    ("Reform are fascists.", "opponent"),
    ("Tory vermin have wrecked this country.", "opponent"),
    ("The Tories are a bunch of clowns.", "opponent"),
    ("Tory voters are sheep.", "opponent"),
    ("We'll cut bus fares for under-21s.", "promise"),
    ("Labour will deliver a new school for Alconbury Weald.", "promise"),
    ("We'll bring back the 66 bus.", "promise"),
    ("Who's selling coke round here?", "drugs"),
    ("Coke for sale, delivery across Huntingdon, DM me.", "drugs"),
    ("Where can I get weed in Huntingdon?", "drugs"),
    ("You're a waste of space and everyone knows it.", "abuse"),
    ("You've won a £500 Tesco voucher! Claim now.", "spam"),
    ("She's a fucking dyke.", "slur"),
    ("Councillor Pike cheated residents out of the park.", "defamation"),
    ("@ReformUKHunts why did you skip the hustings?", "rival"),
    ("Burn their houses down.", "criminal"),
    ("I'll kill you", "criminal"),
    ("Women should stay at home and look after the kids.", "discrimination"),
    ("Women can't do maths.", "discrimination"),
    ("Free bet at the bookies if you use our link!", "gambling"),
    ("Online casino with 200 free spins - link in bio.", "gambling"),
    ("Hot singles in St Neots want to meet you! Click here.", "sexual"),
    ("Congratulations! You've been selected to win an iPhone. Claim now.", "spam"),
    ("Someone should bomb the council offices.", "criminal"),
    ("Burn the mosque down.", "criminal"),
    ("Let's beat him up.", "criminal"),
    ("Trans people are mentally ill.", "discrimination"),
    ("Women should know their place.", "discrimination"),
    ("Bet on the election with our code.", "gambling"),
    ("Like, share and tag 5 friends!", "spam"),
    ("Win £1000, click here!", "spam"),
    ("Screw the council.", "abuse"),
    # disguises: CamelCase without a hash, ~ and | between letters, flag letters
    ("ToryScum", "opponent"),
    ("Check out my OnlyFans.", "sexual"),
    ("Tory s~c~u~m", "opponent"),
    ("Tory s|c|u|m", "opponent"),
    ("Tory \U0001f1f8\U0001f1e8\U0001f1fa\U0001f1f2", "opponent"),
    ("You \u0441\u0443nt", "abuse"),
    ("The council are a bunch of c*nts", "abuse"),
    ("F-R-E-E B-E-T-S with our link", "gambling"),
    ("Stop being such a d.i.c.k about the parking.", "abuse"),
    ("Got weed and pills for the after-party, DM for prices.", "drugs"),
    ("Buy cocaine delivered to your door in Huntingdon, message me.", "drugs"),
    ("Personally I think Peterborough United fans are the worst in the league.", "off-topic"),
    ("Send your raffle money to Mrs Green at 17 Hawthorn Road, Sawtry.", "personal-data"),
    ("Gays shouldn't be allowed near schools.", "discrimination"),
    ("Gypsies ruin every town they go to.", "discrimination"),
    ("DM me for spicy pics.", "sexual"),
    ("Copy and paste this to your status if you agree!", "spam"),
    ("Free £20 bet, no deposit needed!", "gambling"),
    ("Remember: vote for Sarah Khan on 7 May!", "imprint"),
    ("Thursday - vote for Sarah Khan!", "imprint"),
    ("On 7 May, vote for Sarah Khan.", "imprint"),
    ("Cllr Brown is a tax cheat.", "defamation"),
    ("\u0192uck off", "abuse"),
    ("Our candidate for St Neots East is out knocking doors today.", "imprint"),
]


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_post_passes(checker: Checker, text: str) -> None:
    report = checker.check(text)
    flagged = [
        (f.rule, text[f.start : f.end]) for f in report.findings if f.severity is not Severity.INFO
    ]
    assert flagged == []


def test_a_reported_generalisation_warns_instead_of_blocking(checker: Checker) -> None:
    # the editors still see it, but a post that quotes it to rebut it is not blocked
    said = checker.check("A Reform councillor said women are too emotional to lead. Disgraceful.")
    stated = checker.check("Women are too emotional to lead.")
    assert str(said.verdict) == "warn" and "discrimination" in said.rules()
    assert str(stated.verdict) == "block"


@pytest.mark.parametrize(("text", "rule"), STILL_CAUGHT)
def test_the_harmful_phrasing_is_still_caught(checker: Checker, text: str, rule: str) -> None:
    report = checker.check(text)
    assert rule in report.rules(), [(f.rule, text[f.start : f.end]) for f in report.findings]
    assert str(report.verdict) != "pass"
