"""Demo data from seed 003 (``demo.py``), loaded through the service's own API.

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
- The children's partnership as the law shapes it: its three safeguarding partners (the local authority, here the
  two councils; the police; the ICB), an independent scrutineer and no independent chair; ILLUSTRATIVE: the local
  authority leads, and a practice review of "Child B" notified and its rapid review decided (a local review).
- ILLUSTRATIVE: the Director of Public Health's notice of leaving the adults board at the end of March 2027.

Every create carries a stable Idempotency-Key, and every state change is checked first, so a
second run changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from civic.calendar import today
from civic.cli.seeding import answer

from civic_safeguarding import demo


def _key(*parts: str) -> dict[str, str]:
    return {"Idempotency-Key": "seed-safeguarding-" + "-".join(parts)}


async def seed(client: httpx.AsyncClient) -> None:
    for board_key, spec in demo.BOARDS.items():
        board = answer(await client.post("/v1/boards", json=spec["body"], headers=_key("board", board_key)))
        members: dict[str, dict[str, Any]] = {}
        for key, name, org, role, statutory in spec["members"]:
            created = answer(
                await client.post(
                    f"/v1/boards/{board['id']}/members",
                    json={"name": name, "organisation": org, "role": role, "statutory": statutory}
                    | (
                        {"safeguarding_partner": demo.CHILDREN_PARTNERS[key]}
                        if board_key == "children" and statutory
                        else {}
                    ),
                    headers=_key("member", board_key, key),
                )
            )
            current = answer(await client.get(f"/v1/members/{created['id']}"))
            if current["mou_signed_on"] is None:
                current = answer(await client.post(f"/v1/members/{created['id']}/mou", json={"signed_on": "2021-04-01"}))
            members[key] = current
        if board_key == "adults":
            await _seed_adults_board(client, board, members)
            await _seed_notice(client, members)
        else:
            await _seed_practice_review(client, board)


async def _seed_notice(client: httpx.AsyncClient, members: dict[str, dict[str, Any]]) -> None:
    key, given_on, leaves_on = demo.NOTICE
    if members[key].get("leaves_on") is None:
        answer(
            await client.post(
                f"/v1/members/{members[key]['id']}/notice", json={"given_on": given_on, "leaves_on": leaves_on}
            )
        )


async def _seed_practice_review(client: httpx.AsyncClient, board: dict[str, Any]) -> None:
    review = answer(
        await client.post(
            f"/v1/boards/{board['id']}/practice-reviews",
            json=demo.PRACTICE_REVIEW,
            headers=_key("practice-review", "child-b"),
        )
    )
    # a second run's create answers as the first did: what the review is now is read again
    review = answer(await client.get(f"/v1/practice-reviews/{review['id']}"))
    if review["status"] == "notified":
        answer(await client.post(f"/v1/practice-reviews/{review['id']}/transitions", json=demo.RAPID_REVIEW))


async def _seed_adults_board(client: httpx.AsyncClient, board: dict[str, Any], members: dict[str, dict[str, Any]]) -> None:
    bid = board["id"]
    if (await client.get(f"/v1/boards/{bid}/budget/2020/21")).status_code == 404:
        answer(await client.put(f"/v1/boards/{bid}/budget/2020/21", json=demo.BUDGET_2020_21))

    # the register of interests before the meetings, so their declarations are pre-filled from it
    for key, entry in demo.INTERESTS.items():
        answer(await client.post(f"/v1/members/{members[key]['id']}/interests", json=entry, headers=_key("interest", key)))
    for key, day in demo.INTEREST_REVIEWS.items():
        answer(await client.post(
            f"/v1/members/{members[key]['id']}/interest-reviews", json={"reviewed_on": day, "reviewed_by": demo.REVIEWED_BY},
            headers=_key("interest-review", key),
        ))  # fmt: skip

    planned = answer(await client.get(f"/v1/boards/{bid}/forward-plan", params={"from": "2000-01-01"}))
    titles = {k["title"] for k in planned["key_decisions"]}
    for title, days, entry in demo.KEY_DECISIONS:
        if title not in titles:
            on = (today() + timedelta(days=days)).isoformat()
            answer(await client.post(f"/v1/boards/{bid}/forward-plan", json={"title": title, "to_be_taken_on": on, **entry}))

    meetings: dict[str, dict[str, Any]] = {}
    for key, day, agenda, statuses, deputies in demo.ADULT_MEETINGS:
        meeting = answer(
            await client.post(
                f"/v1/boards/{bid}/meetings",
                json={"scheduled_for": day, "agenda": [*demo.STANDING, *agenda]},
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
            await client.post(f"/v1/meetings/{june['id']}/items/{item['id']}/decision", json={"method": "consensus"})
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
                await client.post(f"/v1/meetings/{mid}/minutes", json={"text": f"Minutes of the board meeting of {key}."})
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
            await client.post(f"/v1/annual-reports/{report['id']}/transitions", json={"to": "published", "on": "2026-07-01"})
        )

    for key, name, chair, plan, reviewed in demo.SUB_GROUPS:
        group = answer(
            await client.post(
                f"/v1/boards/{bid}/sub-groups",
                json={"name": name, "chair_member_id": members[chair]["id"], "work_plan": plan},
                headers=_key("sub-group", key),
            )
        )
        group = answer(await client.get(f"/v1/sub-groups/{group['id']}"))
        if reviewed and group["terms_of_reference"]["status"] != "reviewed":
            answer(await client.post(f"/v1/sub-groups/{group['id']}/tor-reviews", json={"reviewed_on": reviewed}))

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
                "referred_by": demo.POLICE,
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
            "cost_pence": 8_500 * demo.GBP,
        },
    ]
    # ILLUSTRATIVE: the report in and an action plan agreed, one action done with its evidence
    steps += [
        {"to": "report_received", "on": "2026-10-15"},
        {"to": "action_plan", "on": "2026-10-29", "actions": demo.SAR_ACTIONS},
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
                "parties": [demo.POLICE, demo.NNC],
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


async def _seed_interim_decision(
    client: httpx.AsyncClient, board: dict[str, Any], members: dict[str, dict[str, Any]]
) -> None:
    decision = answer(await client.post(
        f"/v1/boards/{board['id']}/decisions",
        json={"item_title": demo.INTERIM_DECISION, "decided_by": members["chair"]["id"], "decided_on": "2026-11-02",
              "consulted": [members[k]["id"] for k in demo.PARTNER_KEYS]},
        headers=_key("decision", "interim-winter"),
    ))  # fmt: skip
    decision = answer(await client.get(f"/v1/decisions/{decision['id']}"))
    for key in demo.PARTNER_KEYS:
        member = members[key]
        if member["organisation"] in decision["awaiting"]:
            decision = answer(await client.post(
                f"/v1/decisions/{decision['id']}/confirmations",
                json={"organisation": member["organisation"], "member_id": member["id"], "confirmed_on": "2026-11-03"},
            ))  # fmt: skip
