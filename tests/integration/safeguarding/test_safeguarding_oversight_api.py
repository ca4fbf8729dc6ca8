"""Budget, sub-groups, annual report, disputes and the dashboard summary over HTTP."""

from __future__ import annotations

import pytest

from tests.conftest import first_version

from .conftest import ok, stored, unique

pytestmark = pytest.mark.integration

GBP = 100
BUDGET = {
    "expenditure": [
        {"name": n, "amount_pence": p * GBP}
        for n, p in [
            ("Salaries - staffing", 79_800),
            ("Independent Chair", 20_000),
            ("SAR independent authors", 26_000),
            ("Engagement", 500),
            ("Marketing", 5_000),
            ("Conferences", 4_000),
            ("Postage", 40),
            ("SAR training", 2_000),
            ("e-Learning", 6_000),
            ("Legal fees - SAR", 2_000),
        ]
    ],
    "contributions": [
        {"organisation": o, "amount_pence": 38_974 * GBP}
        for o in ("Northamptonshire County Council", "Northamptonshire Police", "NHS Northamptonshire CCG")
    ],
}


async def test_budget_2020_21_gap_matches_the_seed(api, db, new_board):
    board, _ = await new_board()
    url = f"/v1/boards/{board['id']}/budget/2020/21"
    assert (await api.get(url)).status_code == 404
    budget = first_version(await api.put(url, json=BUDGET))
    assert (budget["total_expenditure_pence"], budget["total_contributions_pence"], budget["gap_pence"]) == (
        14_534_000,
        11_692_200,
        2_841_800,
    )
    assert budget["contributions"][0] == {
        "organisation": "Northamptonshire County Council",
        "amount_pence": 3_897_400,
    }
    stale = await api.put(url, json={**BUDGET, "contributions": []}, headers={"If-Match": '"5"'})
    assert stale.status_code == 412
    bad = await api.put(url, json={**BUDGET, "expenditure": [{"name": "Chair", "amount_pence": -1}]})
    assert bad.status_code == 422
    assert (await ok(await api.get(url)))["gap_pence"] == 2_841_800
    replaced = await ok(await api.put(url, json={**BUDGET, "contributions": []}, headers={"If-Match": '"1"'}))
    assert replaced["gap_pence"] == 14_534_000 and replaced["version"] == 2
    assert (await api.put(f"/v1/boards/{board['id']}/budget/2020-21", json=BUDGET)).json()[
        "year"
    ] == "2020/21"
    assert (await api.put(f"/v1/boards/{board['id']}/budget/2020/22", json=BUDGET)).status_code == 422
    listed = await ok(await api.get(f"/v1/boards/{board['id']}/budgets"))
    assert [b["year"] for b in listed["items"]] == ["2020/21"]


async def test_sub_group_terms_of_reference_overdue(api, new_board, new_meeting):
    board, members = await new_board()
    # the board's first meeting of this financial year has passed (dates relative to today's year)
    from datetime import date

    from civic_safeguarding.domain import financial_year_bounds, financial_year_of

    start, _ = financial_year_bounds(financial_year_of(date.today()))
    await new_meeting(board, members, day=start.isoformat())
    group = await ok(
        await api.post(
            f"/v1/boards/{board['id']}/sub-groups",
            json={
                "name": unique("SAR Sub-Group"),
                "chair_member_id": members["police"]["id"],
                "work_plan": [
                    {"objective": "Decide referrals in 30 days", "business_plan_priority": "Learning"}
                ],
            },
        ),
        201,
    )
    expected = "overdue" if date.today() > start else "due"
    assert group["terms_of_reference"]["status"] == expected
    summary = await ok(await api.get("/v1/summary"))
    assert (group["id"] in [r["sub_group_id"] for r in summary["overdue_reviews"]]) is (expected == "overdue")
    reviewed = await ok(
        await api.post(
            f"/v1/sub-groups/{group['id']}/tor-reviews", json={"reviewed_on": date.today().isoformat()}
        )
    )
    assert reviewed["terms_of_reference"]["status"] == "reviewed"
    again = await api.post(f"/v1/sub-groups/{group['id']}/tor-reviews")
    assert again.status_code == 409
    stranger = await api.post(
        f"/v1/boards/{board['id']}/sub-groups", json={"name": "X", "chair_member_id": "nobody"}
    )
    assert stranger.status_code == 409


async def test_annual_report_needs_a_decision_then_publishes(
    api, db, new_board, new_meeting, outbox, broker_events
):
    board, members = await new_board()
    report = await ok(
        await api.post(
            f"/v1/boards/{board['id']}/annual-reports",
            json={"year": "2025/26", "title": "Annual Report 2025/26"},
        ),
        201,
    )
    url = f"/v1/annual-reports/{report['id']}/transitions"
    early = await api.post(url, json={"to": "published"})
    assert early.status_code == 409 and "approved by a board decision" in early.json()["detail"]
    assert (await api.post(url, json={"to": "approved"})).status_code == 422
    meeting = await new_meeting(board, members, statuses={})
    votes = [{"member_id": members["council"]["id"], "vote": "against"}]
    item = meeting["agenda"][2]
    rejected = await ok(
        await api.post(
            f"/v1/meetings/{meeting['id']}/items/{item['id']}/decision",
            json={"method": "vote", "votes": votes},
        ),
        201,
    )
    refused = await api.post(url, json={"to": "approved", "decision_id": rejected["id"]})
    assert refused.status_code == 409 and "not carried" in refused.json()["detail"]
    assert (await stored(db, "annual_reports", report["id"]))["status"] == "draft"
    agreed = await ok(
        await api.post(
            f"/v1/meetings/{meeting['id']}/items/{meeting['agenda'][1]['id']}/decision",
            json={"method": "consensus"},
        ),
        201,
    )
    approved = await ok(await api.post(url, json={"to": "approved", "decision_id": agreed["id"]}))
    assert approved["approved_by_decision_id"] == agreed["id"]
    published = await ok(await api.post(url, json={"to": "published", "on": "2026-07-01"}))
    assert published["status"] == "published"
    [event] = await outbox(report["id"])
    assert event["data"] == {
        "annual_report_id": report["id"],
        "board_id": board["id"],
        "board_name": board["name"],
        "year": "2025/26",
        "title": "Annual Report 2025/26",
        "published_on": "2026-07-01",
    }
    assert await broker_events("safeguarding.annual_report.published", report["id"])
    twice = await api.post(url, json={"to": "published"})
    assert twice.status_code == 409 and len(await outbox(report["id"])) == 1


async def test_disputes_joint_meeting_within_28_days(api, db, new_board):
    board, _ = await new_board()
    url = f"/v1/boards/{board['id']}/disputes"
    stranger = await api.post(url, json={"parties": ["Northamptonshire Police", "Acme Ltd"], "subject": "x"})
    assert stranger.status_code == 409
    dispute = await ok(
        await api.post(
            url,
            json={
                "parties": ["Northamptonshire Police", "West Northamptonshire Council"],
                "subject": "Referral thresholds",
                "determined_on": "2026-01-05",
            },
        ),
        201,
    )
    assert dispute["joint_meeting_due_on"] == "2026-02-02" and dispute["overdue"] is True
    resolve_first = await api.post(
        f"/v1/disputes/{dispute['id']}/transitions", json={"to": "resolved", "resolution": "x"}
    )
    assert resolve_first.status_code == 409
    held = await ok(
        await api.post(
            f"/v1/disputes/{dispute['id']}/transitions", json={"to": "joint_meeting_held", "on": "2026-02-10"}
        )
    )
    assert held["overdue"] is False and held["status"] == "joint_meeting_held"
    listed = await ok(await api.get(url))
    assert [d["id"] for d in listed["items"]] == [dispute["id"]]


async def test_summary_shape(api, new_board, new_meeting):
    board, members = await new_board()
    meeting = await new_meeting(board, members, day="2099-01-15", statuses={"police": "apologies"})
    summary = await ok(await api.get("/v1/summary"))
    assert set(summary) >= {"next_meetings", "quorum_risks", "overdue_reviews"}
    risk = next(r for r in summary["quorum_risks"] if r["meeting_id"] == meeting["id"])
    assert risk["board_name"] == board["name"] and "Northamptonshire Police" in risk["missing"][0]
    for entry in summary["next_meetings"]:
        assert set(entry) == {"meeting_id", "board_id", "board_name", "scheduled_for"}
