"""The demo's data from seed 003 (DOMAIN.md section 4); ``seed.py`` loads it through the API, and says what it
is and which parts are illustrative."""

from __future__ import annotations

from typing import Any

WNC = "West Northamptonshire Council"
NNC = "North Northamptonshire Council"
POLICE = "Northamptonshire Police"
ICB = "NHS Northamptonshire Integrated Care Board"

BOARDS: dict[str, dict[str, Any]] = {
    "adults": {
        "body": {
            "name": "Northamptonshire Safeguarding Adults Board",
            "kind": "adults",
            "area": "North and West Northamptonshire",
            "statutory_partners": [WNC, NNC, POLICE, ICB],
        },
        "members": [
            ("chair", "Independent Chair of the NSAB", "Independent", "independent_chair", False),
            ("wnc-dass", "Director of Adult Social Services, WNC", WNC, "statutory_partner", True),
            ("nnc-dass", "Director of Adult Social Services, NNC", NNC, "statutory_partner", True),
            ("police", "Neighbourhood Policing Unit Commander", POLICE, "statutory_partner", True),
            ("icb", "ICB Chief Nurse", ICB, "statutory_partner", True),
            (
                "vcs",
                "Voluntary Sector Representative",
                "Northamptonshire Voluntary Sector Forum",
                "member",
                False,
            ),
            ("public-health", "Director of Public Health", "Public Health Northamptonshire", "member", False),
            ("healthwatch", "Community Representative", "Healthwatch Northamptonshire", "vice_chair", False),
            (
                "sar-chair",
                "Chair of the SAR Sub-Group",
                "Northamptonshire Healthcare NHS Foundation Trust",
                "sub_group_chair",
                False,
            ),
            ("manager", "NSAB Business Manager (system-wide Chief Officer)", WNC, "business_manager", False),
        ],
    },
    "children": {
        "body": {
            "name": "Northamptonshire Safeguarding Children Partnership",
            "kind": "children",
            "area": "Northamptonshire",
            "statutory_partners": [WNC, NNC, POLICE, ICB],
            # ILLUSTRATIVE: the three safeguarding partners agree which of them leads; the paper does not say
            "lead_partner": "local_authority",
        },
        "members": [
            (
                "chair",
                "Independent Scrutineer of the NSCP",
                "Independent",
                "independent_scrutineer",
                False,
            ),
            ("wnc-dcs", "Director of Children's Services, WNC", WNC, "statutory_partner", True),
            ("nnc-dcs", "Joint Director of Children's Services, NNC", NNC, "statutory_partner", True),
            (
                "police",
                "Detective Chief Superintendent, Protecting Vulnerable People",
                POLICE,
                "statutory_partner",
                True,
            ),
            ("icb", "ICB Director of Nursing", ICB, "statutory_partner", True),
            (
                "trust",
                "Chief Executive, Northamptonshire Children's Trust",
                "Northamptonshire Children's Trust",
                "member",
                False,
            ),
            ("education", "Education Representative", "Northamptonshire Schools Forum", "member", False),
            ("manager", "NSCP Business Office Manager", NNC, "business_manager", False),
        ],
    },
}

GBP = 100  # pence in a pound
BUDGET_2020_21 = {
    "expenditure": [
        {"name": "Salaries - staffing 2 x FT posts including on costs", "amount_pence": 79_800 * GBP},
        {"name": "Independent Chair", "amount_pence": 20_000 * GBP},
        {"name": "Safeguarding Adult Reviews (SARs) - independent authors", "amount_pence": 26_000 * GBP},
        {"name": "Service user engagement & awareness raising", "amount_pence": 500 * GBP},
        {"name": "Marketing campaign(s)", "amount_pence": 5_000 * GBP},
        {"name": "Annual conference(s)", "amount_pence": 4_000 * GBP},
        {"name": "Office costs (postage)", "amount_pence": 40 * GBP},
        {"name": "SAR training for SAR sub-group members", "amount_pence": 2_000 * GBP},
        {"name": "e-Learning for VCS/providers and SAR learning", "amount_pence": 6_000 * GBP},
        {"name": "Estimated legal fees - SAR", "amount_pence": 2_000 * GBP},
    ],
    # "£38,974 per statutory agency (£116,922 combined)": the county council, the police, the CCG
    "contributions": [
        {"organisation": "Northamptonshire County Council", "amount_pence": 38_974 * GBP},
        {"organisation": POLICE, "amount_pence": 38_974 * GBP},
        {"organisation": "NHS Northamptonshire CCG", "amount_pence": 38_974 * GBP},
    ],
}

STANDING = [
    {"title": "Apologies for absence", "kind": "information"},
    {"title": "Minutes of the previous meeting", "kind": "minutes"},
    {"title": "Sub-group reports", "kind": "sub_group_report"},
]
# ILLUSTRATIVE entries in the register of interests (the seeds name none): member key -> the entry
INTERESTS: dict[str, dict[str, Any]] = {
    "vcs": {
        "kind": "non_pecuniary",
        "description": "Trustee of Age UK Northamptonshire (illustrative)",
        "concerns": ["Age UK Northamptonshire", "Advocacy services"],
        "held_from": "2025-04-01",
    },
    "public-health": {
        "kind": "other",
        "description": "Member of the Northamptonshire Carers steering group (illustrative)",
        "concerns": ["Northamptonshire Carers"],
        "held_from": "2024-09-01",
    },
    "sar-chair": {
        "kind": "pecuniary",
        "description": "Employed by Northamptonshire Healthcare NHS Foundation Trust (illustrative)",
        "concerns": ["Northamptonshire Healthcare NHS Foundation Trust"],
        "held_from": "2021-04-01",
    },
}
# ILLUSTRATIVE yearly reviews of the register: member key -> the day reviewed (public health's is overdue)
INTEREST_REVIEWS = {"vcs": "2026-04-16", "sar-chair": "2026-04-16", "public-health": "2025-09-30"}
REVIEWED_BY = "NSAB Business Manager"

# ILLUSTRATIVE key decisions in the forward plan: (title, days from the seed's run, the rest of the entry).
# Dated from the day it runs, so each keeps its notice; one already in the plan (by title) is not added again.
KEY_DECISIONS: list[tuple[str, int, dict[str, Any]]] = [
    ("Business plan 2027/28 (illustrative)", 42, {
        "decision_maker": "The board at its meeting",
        "documents": ["Draft business plan 2027/28", "Budget 2027/28 and partner contributions"]}),
    ("Self-neglect and hoarding policy (illustrative)", 70, {
        "decision_maker": "The board at its meeting", "documents": ["Policy draft", "Consultation responses"]}),
    ("Winter pressures escalation protocol (illustrative)", 10, {
        "decision_maker": "The independent chair with the statutory partners", "urgent": True,
        "urgency_reason": "The ICB's winter funding must be committed before the quarter ends (illustrative)"}),
]  # fmt: skip

# (key, date, extra agenda, statuses by member key (others present), deputies)
ADULT_MEETINGS: list[tuple[str, str, list[dict[str, Any]], dict[str, str], dict[str, str]]] = [
    (
        "2026-04",
        "2026-04-16",
        [
            {"title": "Strategic plan 2026-29", "kind": "decision"},
            {"title": "Sub-group terms of reference", "kind": "decision"},
        ],
        {"vcs": "apologies"},
        {},
    ),
    (
        "2026-06",
        "2026-06-11",
        [{"title": "Annual report 2025/26", "kind": "decision"}],
        {"police": "deputy", "public-health": "absent"},
        {"police": "Inspector, Vulnerability Hub"},
    ),
    (
        "2026-08",
        "2026-08-13",
        [{"title": "SAR Adult A: terms of reference for the review", "kind": "decision"}],
        {"public-health": "apologies", "vcs": "apologies"},
        {},
    ),
    (
        "2026-10",
        "2026-10-08",
        [{"title": "Self-neglect policy refresh", "kind": "decision"}],
        {"public-health": "absent"},
        {},
    ),
    (
        "2026-12",
        "2026-12-10",
        [{"title": "Budget 2027/28 and partner contributions", "kind": "decision"}],
        {"icb": "apologies"},
        {},
    ),
    (
        "2027-01",
        "2027-01-14",
        # ILLUSTRATIVE: the item names a matter the voluntary sector member's registered interest concerns
        [
            {
                "title": "Advocacy services recommissioning (illustrative)",
                "kind": "decision",
                "matters": ["Advocacy services"],
            }
        ],
        {},
        {},
    ),
    ("2027-02", "2027-02-11", [{"title": "Business plan 2027/28", "kind": "decision"}], {}, {}),
]
SUB_GROUPS = [
    (
        "sar",
        "Safeguarding Adults Review Sub-Group",
        "sar-chair",
        [
            {
                "objective": "Decide on referrals within 30 days",
                "business_plan_priority": "Learning from reviews",
            }
        ],
        "2026-04-16",
    ),
    (
        "qa",
        "Quality Assurance and Performance Sub-Group",
        "public-health",
        [
            {
                "objective": "Multi-agency audit of self-neglect cases",
                "business_plan_priority": "Assurance of safeguarding practice",
            }
        ],
        None,
    ),
    (
        "training",
        "Learning and Development Sub-Group",
        "vcs",
        [
            {
                "objective": "e-Learning for VCS and providers",
                "business_plan_priority": "Prevention and awareness",
            }
        ],
        "2026-04-16",
    ),
]


# ILLUSTRATIVE: Adult A's action plan (the owners are the board's partners)
SAR_ACTIONS = [
    {"action": "Agree a multi-agency information-sharing protocol for missed visits", "owner": WNC, "due_on": "2026-12-31"},
    {"action": "Self-neglect practice guidance refreshed and briefed to staff", "owner": NNC, "due_on": "2027-03-31"},
    {"action": "Welfare checks after repeated no-access visits", "owner": POLICE, "due_on": "2027-02-28"},
]

INTERIM_DECISION = "Winter pressures: interim escalation protocol (illustrative)"
PARTNER_KEYS = ("wnc-dass", "nnc-dass", "police", "icb")

#: the children's partnership's statutory members: the safeguarding partner each represents (Children Act 2004 s16E)
CHILDREN_PARTNERS = {"wnc-dcs": "local_authority", "nnc-dcs": "local_authority", "police": "police", "icb": "health"}

#: ILLUSTRATIVE: a member's notice of leaving (seed 003, "Notice of Leaving"): the adults board's key and the days
NOTICE = ("public-health", "2026-10-01", "2027-03-31")

#: ILLUSTRATIVE: a serious child safeguarding incident notified and its rapid review's decision (no case in the seeds)
PRACTICE_REVIEW = {
    "reference": "Child B",
    "case_summary": "Illustrative: an infant seriously harmed at home; several agencies were involved with the family.",
    "child": {"name": "Bea Example"},
    "incident_known_on": "2026-09-01",
    "notified_on": "2026-09-03",
}
RAPID_REVIEW = {
    "to": "rapid_review",
    "on": "2026-09-21",
    "local_review": True,
    "reasons": "Illustrative: learning for the partnership on information sharing between agencies.",
}
