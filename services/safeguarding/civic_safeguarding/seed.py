"""Demo data from seed 003, loaded through the service's own API.

- The Northamptonshire Safeguarding Adults Board (one board for North and West Northamptonshire)
  and the Northamptonshire Safeguarding Children Partnership, with members by organisation:
  the two unitary councils, Northamptonshire Police, the ICB (formerly the CCGs), the voluntary
  sector, public health, Healthwatch; an independent chair and a business manager. MoUs signed.
- The 2020/21 budget: expenditure £145,340 against £38,974 from each of the three statutory
  agencies (£116,922), a gap of £28,418.
- Bi-monthly meetings of 2026/27 with attendance, a decision, approved minutes, two upcoming
  meetings; sub-groups (one terms-of-reference review overdue); a SAR under way (ILLUSTRATIVE: its action
  plan agreed, one action of three done with its evidence); the 2025/26
  annual report approved by a decision and published.
- ILLUSTRATIVE (not from the seeds, which name no interests): a few entries in the members' register of
  interests, one member's yearly review overdue, and a January meeting whose item on advocacy services
  names a matter one of them concerns, so its declaration is pre-filled from the register.
- ILLUSTRATIVE: a forward plan of three key decisions, dated from the day the seed runs (two with 28 clear
  days' notice or more, one urgent under the general exception); every decision recorded publishes its notice.
- ILLUSTRATIVE: an interim decision between meetings by the chair, confirmed electronically by each statutory
  partner (so in effect, its notice published), awaiting ratification at the next meeting scheduled.

Every create carries a stable Idempotency-Key, and every state change is checked first, so a
second run changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from civic.calendar import today
from civic.cli.seeding import answer

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
        },
        "members": [
            (
                "chair",
                "Independent Scrutineer and Chair of the NSCP",
                "Independent",
                "independent_chair",
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
        [{"title": "Advocacy services recommissioning (illustrative)", "kind": "decision",
          "matters": ["Advocacy services"]}],
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
    {"action": "Agree a multi-agency information-sharing protocol for missed visits", "owner": WNC,
     "due_on": "2026-12-31"},
    {"action": "Self-neglect practice guidance refreshed and briefed to staff", "owner": NNC, "due_on": "2027-03-31"},
    {"action": "Welfare checks after repeated no-access visits", "owner": POLICE, "due_on": "2027-02-28"},
]


def _key(*parts: str) -> dict[str, str]:
    return {"Idempotency-Key": "seed-safeguarding-" + "-".join(parts)}


async def seed(client: httpx.AsyncClient) -> None:
    for board_key, spec in BOARDS.items():
        board = answer(
            await client.post("/v1/boards", json=spec["body"], headers=_key("board", board_key))
        )
        members: dict[str, dict[str, Any]] = {}
        for key, name, org, role, statutory in spec["members"]:
            created = answer(
                await client.post(
                    f"/v1/boards/{board['id']}/members",
                    json={"name": name, "organisation": org, "role": role, "statutory": statutory},
                    headers=_key("member", board_key, key),
                )
            )
            current = answer(await client.get(f"/v1/members/{created['id']}"))
            if current["mou_signed_on"] is None:
                current = answer(
                    await client.post(f"/v1/members/{created['id']}/mou", json={"signed_on": "2021-04-01"})
                )
            members[key] = current
        if board_key == "adults":
            await _seed_adults_board(client, board, members)


async def _seed_adults_board(
    client: httpx.AsyncClient, board: dict[str, Any], members: dict[str, dict[str, Any]]
) -> None:
    bid = board["id"]
    if (await client.get(f"/v1/boards/{bid}/budget/2020/21")).status_code == 404:
        answer(await client.put(f"/v1/boards/{bid}/budget/2020/21", json=BUDGET_2020_21))

    # the register of interests before the meetings, so their declarations are pre-filled from it
    for key, entry in INTERESTS.items():
        answer(await client.post(f"/v1/members/{members[key]['id']}/interests", json=entry, headers=_key("interest", key)))
    for key, day in INTEREST_REVIEWS.items():
        answer(await client.post(
            f"/v1/members/{members[key]['id']}/interest-reviews", json={"reviewed_on": day, "reviewed_by": REVIEWED_BY},
            headers=_key("interest-review", key),
        ))  # fmt: skip

    planned = answer(await client.get(f"/v1/boards/{bid}/forward-plan", params={"from": "2000-01-01"}))
    titles = {k["title"] for k in planned["key_decisions"]}
    for title, days, entry in KEY_DECISIONS:
        if title not in titles:
            on = (today() + timedelta(days=days)).isoformat()
            answer(await client.post(f"/v1/boards/{bid}/forward-plan", json={"title": title, "to_be_taken_on": on, **entry}))

    meetings: dict[str, dict[str, Any]] = {}
    for key, day, agenda, statuses, deputies in ADULT_MEETINGS:
        meeting = answer(
            await client.post(
                f"/v1/boards/{bid}/meetings",
                json={"scheduled_for": day, "agenda": [*STANDING, *agenda]},
                headers=_key("meeting", key),
            )
        )
        meeting = answer(await client.get(f"/v1/meetings/{meeting['id']}"))
        if not meeting["attendance"]:
            register = [
                {
                    "member_id": m["id"],
                    "status": statuses.get(k, "present"),
                    **({"deputy_name": deputies[k]} if k in deputies else {}),
                }
                for k, m in members.items()
            ]
            meeting = answer(await client.put(f"/v1/meetings/{meeting['id']}/attendance", json=register))
        meetings[key] = meeting

    # the June meeting approved the 2025/26 annual report by consensus; minutes approved in August
    june = meetings["2026-06"]
    item = next(i for i in june["agenda"] if i["title"] == "Annual report 2025/26")
    if item["decision_id"] is None:
        decision = answer(
            await client.post(
                f"/v1/meetings/{june['id']}/items/{item['id']}/decision", json={"method": "consensus"}
            )
        )
        decision_id = decision["id"]
    else:
        decision_id = item["decision_id"]
    for key in ("2026-04", "2026-06", "2026-08", "2026-10"):
        if meetings[key]["status"] == "scheduled":
            answer(await client.post(f"/v1/meetings/{meetings[key]['id']}/held"))
    for key in ("2026-04", "2026-06", "2026-08"):
        mid = meetings[key]["id"]
        got = await client.get(f"/v1/meetings/{mid}/minutes")
        minutes = (
            got.json()
            if got.status_code == 200
            else answer(
                await client.post(
                    f"/v1/meetings/{mid}/minutes", json={"text": f"Minutes of the board meeting of {key}."}
                )
            )
        )
        if minutes["status"] == "draft":
            minutes = answer(await client.post(f"/v1/meetings/{mid}/minutes/submit"))
        if minutes["status"] == "submitted":
            answer(await client.post(f"/v1/meetings/{mid}/minutes/approve"))

    report = answer(
        await client.post(
            f"/v1/boards/{bid}/annual-reports",
            json={
                "year": "2025/26",
                "title": "NSAB Annual Report 2025/26",
                "summary": "How the board kept adults at risk safe in 2025/26.",
            },
            headers=_key("annual-report", "2025-26"),
        )
    )
    report = answer(await client.get(f"/v1/annual-reports/{report['id']}"))
    if report["status"] == "draft":
        report = answer(
            await client.post(
                f"/v1/annual-reports/{report['id']}/transitions",
                json={"to": "approved", "decision_id": decision_id},
            )
        )
    if report["status"] == "approved":
        answer(
            await client.post(
                f"/v1/annual-reports/{report['id']}/transitions", json={"to": "published", "on": "2026-07-01"}
            )
        )

    for key, name, chair, plan, reviewed in SUB_GROUPS:
        group = answer(
            await client.post(
                f"/v1/boards/{bid}/sub-groups",
                json={"name": name, "chair_member_id": members[chair]["id"], "work_plan": plan},
                headers=_key("sub-group", key),
            )
        )
        group = answer(await client.get(f"/v1/sub-groups/{group['id']}"))
        if reviewed and group["terms_of_reference"]["status"] != "reviewed":
            answer(
                await client.post(f"/v1/sub-groups/{group['id']}/tor-reviews", json={"reviewed_on": reviewed})
            )

    # a review under way: decided and commissioned (the case details are fictitious)
    sar = answer(
        await client.post(
            f"/v1/boards/{bid}/sars",
            json={
                "reference": "Adult A",
                "case_summary": "Fictitious demo case: an older adult living alone died after repeated "
                "missed visits; "
                "several agencies held concerns they did not share.",
                "person": {"name": "Demo Person", "date_of_birth": "1941-02-03"},
                "referred_by": POLICE,
                "referred_on": "2026-07-02",
            },
            headers=_key("sar", "adult-a"),
        )
    )
    sar = answer(await client.get(f"/v1/sars/{sar['id']}"))
    steps: list[dict[str, Any]] = [
        {
            "to": "decision",
            "on": "2026-07-30",
            "criteria_met": True,
            "reasons": "Section 44(1): the adult died, abuse or neglect is suspected, and agencies "
            "could have "
            "worked together more effectively.",
        },
        {
            "to": "commissioned",
            "on": "2026-08-20",
            "author": "Independent reviewer (demo)",
            "author_organisation": "Independent Safeguarding Reviews Ltd",
            "cost_pence": 8_500 * GBP,
        },
    ]
    # ILLUSTRATIVE: the report in and an action plan agreed, one action done with its evidence
    steps += [
        {"to": "report_received", "on": "2026-10-15"},
        {"to": "action_plan", "on": "2026-10-29", "actions": SAR_ACTIONS},
    ]
    order = ["referral", "decision", "commissioned", "report_received", "action_plan"]
    for step in steps:
        if order.index(sar["status"]) < order.index(step["to"]):
            sar = answer(await client.post(f"/v1/sars/{sar['id']}/transitions", json=step))
    if sar["actions"][0]["completed_on"] is None:
        answer(await client.post(f"/v1/sars/{sar['id']}/actions/{sar['actions'][0]['id']}/completion", json={
            "evidence": "Information-sharing protocol signed by all partners (illustrative)",
            "completed_on": "2026-11-20"}))  # fmt: skip

    dispute = answer(
        await client.post(
            f"/v1/boards/{bid}/disputes",
            json={
                "parties": [POLICE, NNC],
                "subject": "Thresholds for referrals from custody suites",
                "determined_on": "2026-09-01",
            },
            headers=_key("dispute", "custody-thresholds"),
        )
    )
    dispute = answer(await client.get(f"/v1/disputes/{dispute['id']}"))
    if dispute["status"] == "open":
        answer(
            await client.post(
                f"/v1/disputes/{dispute['id']}/transitions",
                json={"to": "joint_meeting_held", "on": "2026-09-22"},
            )
        )

    # after the meetings are scheduled, so it waits for the next one (none seeded) to be ratified
    await _seed_interim_decision(client, board, members)


INTERIM_DECISION = "Winter pressures: interim escalation protocol (illustrative)"
PARTNER_KEYS = ("wnc-dass", "nnc-dass", "police", "icb")


async def _seed_interim_decision(
    client: httpx.AsyncClient, board: dict[str, Any], members: dict[str, dict[str, Any]]
) -> None:
    decision = answer(await client.post(
        f"/v1/boards/{board['id']}/decisions",
        json={"item_title": INTERIM_DECISION, "decided_by": members["chair"]["id"], "decided_on": "2026-11-02",
              "consulted": [members[k]["id"] for k in PARTNER_KEYS]},
        headers=_key("decision", "interim-winter"),
    ))  # fmt: skip
    decision = answer(await client.get(f"/v1/decisions/{decision['id']}"))
    for key in PARTNER_KEYS:
        member = members[key]
        if member["organisation"] in decision["awaiting"]:
            decision = answer(await client.post(
                f"/v1/decisions/{decision['id']}/confirmations",
                json={"organisation": member["organisation"], "member_id": member["id"], "confirmed_on": "2026-11-03"},
            ))  # fmt: skip
