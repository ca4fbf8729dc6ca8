"""The demo's data from the seed documents (DOMAIN.md section 4); ``seed.py`` loads it through the API.

- The City Status bid (seed 000) as a campaign with content in every state of the workflow.
- The corporate plan consultation (seed 002): 612 responses, 499 of them (81.5%) agreeing or
  strongly agreeing with the vision ("over 600 responses, over 80% agreeing"), imported in bulk as
  paper responses would be.
- The logo survey (seed 000): 1,272 responses at first.
- A Place Standard survey opening next week (it shows on the forward plan).
- A closed consultation on library opening hours (illustrative) with its "we asked, you said, we did" outcome
  published (``OUTCOMES``): the decision, who took it and its reference are illustrative.
- Change champions (seed 003, Sept 2020, before the eight sovereign councils became two): 332
  champions across the 8 councils' services; at least one per service means 71 more to recruit for
  the services with none; 8 services (outsourced or shared) still to explore whether they need one.
  The paper gives the totals only: which services, and who, are illustrative (``champions()``).
  ``GET /v1/reports/champion-coverage`` shows ``champions`` 332, ``champions_needed`` 71,
  ``to_explore`` 8 on a fresh stack; each service is registered with its council, so
  ``GET /v1/reports/champion-coverage/by-council`` gives the same per council (the county's 200 champions in its
  20 covered services, one service to recruit for; the districts' 132 spread over their covered services, 15 to
  24 each, ten services each to recruit for). And a media item.

Dates are the loader's (relative to today, so the demo is live): here a consultation says only how many
days from today it opens and closes.
"""

from __future__ import annotations

from typing import Any

CITY_STATUS = {
    "title": "City Status bid",
    "objectives": [
        "Make the case for Northampton as a city in the Platinum Jubilee Civic Honours competition",
        "Gather letters of support from partners, businesses and residents",
        "Show the area's heritage, growth and ambition in the national and local media",
    ],
    "description": "The council's bid for city status: press and media relations, a dedicated web page, "
    "social media (including TikTok and Instagram) and internal channels.",
}

# (key, body, path): path is how far through the workflow the demo takes it
CONTENT: list[tuple[str, dict[str, Any], list[str]]] = [
    (
        "launch",
        {
            "title": "Northampton bids for city status: have your say",
            "body": "We are bidding for city status. Tell us what makes Northampton special and add your "
            "support on the council's website.",
            "channels": ["website", "social:instagram", "social:tiktok"],
            "audience": ["residents"],
        },
        ["in_review", "approved", "published"],
    ),
    (
        "blog",
        {
            "title": "Why we are bidding for city status",
            "body": "The chief executive on what city status would mean for investment, pride and place.",
            "channels": ["chief_executive_blog", "intranet"],
            "audience": ["staff", "residents"],
        },
        ["in_review", "approved", "scheduled"],
    ),
    (
        "letters",
        {
            "title": "City status bid: partners send letters of support",
            "body": "Businesses, the university and community groups have written in support of the bid.",
            "channels": ["press_release", "website"],
            "audience": ["media", "residents"],
        },
        ["in_review", "approved", "scheduled"],
    ),
    (
        "staff",
        {
            "title": "City status bid: how staff can help",
            "body": "Share the campaign on your own channels and tell us your Northampton story.",
            "channels": ["staff_briefing", "teams"],
            "audience": ["staff"],
        },
        ["in_review"],
    ),
    (
        "bulletin",
        {
            "title": "City status: what it would mean for Northampton",
            "body": "A plain-English explainer for the residents' email bulletin.",
            "channels": ["email_bulletin"],
            "audience": ["residents"],
        },
        [],
    ),
]

VISION = "Do you agree with our vision for North Northamptonshire?"
# the corporate plan's six commitments, in its order (seed 002)
COMMITMENTS = [
    "Active, fulfilled lives",
    "Better, brighter futures",
    "Safe and thriving places",
    "Green, sustainable environment",
    "Connected communities",
    "Modern public services",
]
HEARD = ["Council website", "Social media", "Local newspaper", "Libraries", "Word of mouth"]
# 612 responses: 201 + 298 = 499 agree or strongly agree (81.5%)
VISION_COUNTS = {"strongly_agree": 201, "agree": 298, "neutral": 61, "disagree": 32, "strongly_disagree": 20}

LOGO_OPTIONS = ["Design A: the county rose", "Design B: the river Nene", "Design C: the shoe-making heritage"]
# 1,272 responses at first (seed 000)
LOGO_COUNTS = {LOGO_OPTIONS[0]: 402, LOGO_OPTIONS[1]: 583, LOGO_OPTIONS[2]: 287}

PLACE_THEMES = [
    "Moving around",
    "Public transport",
    "Streets and spaces",
    "Work and local economy",
    "Feeling safe",
    "Influence and sense of control",
]

# (key, opens and closes so many days from today, body)
CONSULTATIONS: list[tuple[str, int, int, dict[str, Any]]] = [
    (
        "corporate-plan",
        -30,
        14,
        {
            "title": "Corporate plan 2021-25: our vision and commitments",
            "kind": "consultation",
            "description": "Have your say on the council's first corporate plan: its vision and six commitments.",
            "questions": [
                {"id": "vision", "text": VISION, "kind": "likert", "required": True},
                {
                    "id": "priority",
                    "text": "Which commitment matters most to you?",
                    "kind": "single_choice",
                    "options": COMMITMENTS,
                },
                {
                    "id": "heard",
                    "text": "How did you hear about this consultation?",
                    "kind": "multiple_choice",
                    "options": HEARD,
                },
                {"id": "comments", "text": "Anything else you would like to tell us?", "kind": "free_text"},
            ],
        },
    ),
    (
        "logo",
        -10,
        20,
        {
            "title": "Our new logo: which design do you prefer?",
            "kind": "survey",
            "description": "The new council's identity: three designs from the brand work.",
            "questions": [
                {
                    "id": "design",
                    "text": "Which design do you prefer?",
                    "kind": "single_choice",
                    "options": LOGO_OPTIONS,
                    "required": True,
                },
                {"id": "reflects", "text": "The logo reflects the area", "kind": "likert"},
            ],
        },
    ),
    (
        "place-standard",
        7,
        49,
        {
            "title": "Place Standard: Wellingborough town centre",
            "kind": "place_standard",
            "description": "How good is this place? Score each theme from 1 (lots of room to improve) to 7.",
            "questions": [{"id": f"t{i + 1}", "text": t, "kind": "scale_1_7"} for i, t in enumerate(PLACE_THEMES)],
        },
    ),
]


def corporate_plan_responses() -> list[dict[str, Any]]:
    """The corporate plan's 612 responses (``VISION_COUNTS``), a quarter of them on paper."""
    levels = [level for level, n in VISION_COUNTS.items() for _ in range(n)]
    rows = []
    for i, level in enumerate(levels):
        answers: dict[str, Any] = {
            "vision": level,
            "priority": COMMITMENTS[(i * 7) % 6],
            "heard": sorted({HEARD[i % 5], HEARD[(i * 3) % 5]}),
        }
        if i % 25 == 0:
            answers["comments"] = "Please keep the libraries open." if i % 50 else "More buses between towns."
        rows.append({"answers": answers, "channel": "paper" if i % 4 == 0 else "online"})
    return rows


def logo_responses() -> list[dict[str, Any]]:
    """The logo survey's 1,272 responses at first (``LOGO_COUNTS``), all online."""
    return [
        {
            "answers": {"design": design, "reflects": ("agree", "strongly_agree", "neutral")[i % 3]},
            "channel": "online",
        }
        for design, n in LOGO_COUNTS.items()
        for i in range(n)
    ]


LIBRARY_HOURS = "Libraries: later opening on weekday evenings?"
# 240 responses (illustrative): 168 (70%) agree or strongly agree with later opening
LIBRARY_COUNTS = {"strongly_agree": 72, "agree": 96, "neutral": 34, "disagree": 24, "strongly_disagree": 14}

#: closed by the loader once its responses are in, so the demo has a consultation with its outcome published
CLOSED = {"library-hours"}
CONSULTATIONS.append((
    "library-hours",
    -45,
    1,
    {
        "title": "Library opening hours: have your say",
        "kind": "consultation",
        "description": "Should our libraries open later on weekday evenings, and close earlier on Saturdays?",
        "questions": [{"id": "evenings", "text": LIBRARY_HOURS, "kind": "likert", "required": True}],
    },
))

#: "we asked, you said, we did" for the closed consultation (illustrative: decision, date and reference)
OUTCOMES = {
    "library-hours": {
        "you_said": "Seven in ten of you agreed that libraries should open later on weekday evenings; some "
        "asked us to keep Saturday mornings as they are.",
        "we_did": "From next quarter the four main libraries open until 7pm on Tuesdays and Thursdays; "
        "Saturday hours are unchanged.",
        "decided_by": "Cabinet",
        "decision_reference": "CAB-2023-041",
        "decision_url": "https://www.example.gov.uk/cabinet/decisions/CAB-2023-041",
    },
}


def library_hours_responses() -> list[dict[str, Any]]:
    """The library hours consultation's 240 responses (``LIBRARY_COUNTS``), a third of them on paper."""
    levels = [level for level, n in LIBRARY_COUNTS.items() for _ in range(n)]
    return [{"answers": {"evenings": level}, "channel": "paper" if i % 3 == 0 else "online"}
            for i, level in enumerate(levels)]


#: the responses each consultation is loaded with (the Place Standard survey opens next week: none yet)
RESPONSES = {"corporate-plan": corporate_plan_responses, "logo": logo_responses,
             "library-hours": library_hours_responses}

MEDIA = {
    "outlet": "Northampton Chronicle & Echo",
    "headline": "Northampton launches its bid for city status",
    "sentiment": "positive",
    "summary": "Front-page coverage of the bid launch and the council's web page.",
}

# --- change champions (seed 003) -----------------------------------------------------------------
# The eight sovereign councils; the county's services, and each district's or borough's (the same list for
# each: which ones have champions is illustrative, the totals are the paper's).
COUNTY = "Northamptonshire County Council"
DISTRICTS = [
    "Northampton Borough Council",
    "Daventry District Council",
    "South Northamptonshire Council",
    "Corby Borough Council",
    "Kettering Borough Council",
    "East Northamptonshire Council",
    "Borough Council of Wellingborough",
]
COUNTY_SERVICES = [
    ("Adult Social Care", "People"), ("Children's Services", "People"), ("Education and Skills", "People"),
    ("Public Health", "People"), ("Libraries", "People"), ("Registrations", "People"),
    ("Highways", "Place"), ("Transport", "Place"), ("Waste Disposal", "Place"), ("Trading Standards", "Place"),
    ("Planning (Minerals and Waste)", "Place"), ("Country Parks", "Place"), ("Emergency Planning", "Place"),
    ("Property and Facilities", "Corporate"), ("Customer Services", "Corporate"), ("Human Resources", "Corporate"),
    ("Communications", "Corporate"), ("Democratic Services", "Corporate"), ("Finance", "Finance"),
    ("Procurement", "Finance"), ("Audit", "Finance"),
    # shared or outsourced: whether each needs a champion is to be explored
    ("ICT", "Corporate"), ("Legal Services", "Corporate"), ("Payroll and Pensions", "Finance"),
]  # fmt: skip
DISTRICT_SERVICES = [
    ("Housing", "People"), ("Benefits", "People"), ("Community Safety", "People"),
    ("Planning", "Place"), ("Waste Collection", "Place"), ("Street Cleansing", "Place"),
    ("Environmental Health", "Place"), ("Licensing", "Place"), ("Parks and Open Spaces", "Place"),
    ("Revenues", "Finance"), ("Finance", "Finance"), ("Customer Services", "Corporate"),
    ("Democratic Services", "Corporate"), ("Communications", "Corporate"), ("Human Resources", "Corporate"),
    # run by a trust or shared with a neighbour in some councils: see TO_EXPLORE
    ("Leisure Centres", "Place"),
]  # fmt: skip
TO_EXPLORE = {
    (COUNTY, "ICT"), (COUNTY, "Legal Services"), (COUNTY, "Payroll and Pensions"),
    ("Corby Borough Council", "Leisure Centres"), ("Kettering Borough Council", "Leisure Centres"),
    ("East Northamptonshire Council", "Leisure Centres"), ("Borough Council of Wellingborough", "Leisure Centres"),
    ("Daventry District Council", "Leisure Centres"),
}  # fmt: skip
#: the county services with no champion yet
COUNTY_GAPS = {"Country Parks"}
#: each district's services with no champion yet (ten each): 70 + the county's one = the 71 to recruit
DISTRICT_GAPS = {
    "Benefits", "Community Safety", "Street Cleansing", "Environmental Health", "Licensing",
    "Parks and Open Spaces", "Revenues", "Democratic Services", "Communications", "Human Resources",
}  # fmt: skip
#: champions per covered service: ten in each county service, three or four in a district's
COUNTY_CHAMPIONS_EACH = 10
CHAMPIONS_TOTAL = 332  # "a net total of 332 champions across all 8 councils"

SHORT = {
    COUNTY: "NCC",
    "Northampton Borough Council": "NBC",
    "Daventry District Council": "DDC",
    "South Northamptonshire Council": "SNC",
    "Corby Borough Council": "CBC",
    "Kettering Borough Council": "KBC",
    "East Northamptonshire Council": "ENC",
    "Borough Council of Wellingborough": "BCW",
}


def council_services() -> list[dict[str, Any]]:
    """Every service of the eight councils, named with its council: {name, directorate, council, representation,
    gap (whether it has no champion yet)}."""
    out = []
    for council, services in [(COUNTY, COUNTY_SERVICES), *((d, DISTRICT_SERVICES) for d in DISTRICTS)]:
        for name, directorate in services:
            explore = (council, name) in TO_EXPLORE
            out.append({
                "name": f"{name} ({council})", "directorate": directorate, "council": council,
                "representation": "to_explore" if explore else "required",
                "gap": not explore and name in (COUNTY_GAPS if council == COUNTY else DISTRICT_GAPS),
            })  # fmt: skip
    return out


def champions() -> list[dict[str, str]]:
    """The 332 champions: ten in each covered county service, the rest spread over the districts' covered
    services in turn. Named by council and number: the paper names nobody."""
    covered = [s for s in council_services() if not s["gap"] and s["representation"] == "required"]
    county = [s for s in covered if s["council"] == COUNTY]
    districts = [s for s in covered if s["council"] != COUNTY]
    seats = [s for s in county for _ in range(COUNTY_CHAMPIONS_EACH)]
    while len(seats) < CHAMPIONS_TOTAL:
        seats.append(districts[(len(seats) - len(county) * COUNTY_CHAMPIONS_EACH) % len(districts)])
    numbers: dict[str, int] = {}
    out = []
    for service in seats:
        numbers[service["council"]] = numbers.get(service["council"], 0) + 1
        out.append({
            "name": f"Change champion {SHORT[service['council']]}-{numbers[service['council']]:03d}",
            "service": service["name"], "directorate": service["directorate"], "council": service["council"],
        })  # fmt: skip
    return out


# --- the weekly councillor briefing's subscribers (illustrative names and addresses) -----------------

COUNCILLORS = [
    {"name": "Cllr Asha Patel", "email": "asha.patel@example.gov.uk"},
    {"name": "Cllr Tom Hughes", "email": "tom.hughes@example.gov.uk"},
    {"name": "Cllr Megan Lloyd", "email": "megan.lloyd@example.gov.uk"},
]
