"""Demo data from the seed documents (DOMAIN.md section 1), loaded through the service's own API by ``seed.py``;
kept apart as comms keeps its own, so the loading stays readable.

How the published figures are reproduced:
- The theme x year table of seed 001 (2021/22 to 2023/24) is the transformation category. The
  2021/22 and 2022/23 figures are *delivered* (actuals equal to plan); 2023/24 is *anticipated*,
  so it is planned with no actuals yet. Every cell and row total matches to the pound. The
  published 2023/24 column total (£24,778,230) is an arithmetic slip in the paper: its own cells,
  its grand total (£45,334,230) and its reconciliation note (-24,788) all give £24,788,230.
- The LGR programme's initiatives are a subset of those cells plus 2024/25 and 2025/26:
  delivered £6,120k + £6,409k, anticipated £13,905k + £5,494k + £2,075k = £34,003k against the
  inherited target of £17,530k, an excess of £16,473k.
- Reconciliation for 2023/24: budget report £35,621k less centrally controlled proposals £5,563k
  and technical adjustments £5,270k gives £24,788k (within £000 rounding of the register).
- Future Northants benefits realisation 2020/21 (seed 003): budget £14,481k, outturn £14,013k,
  variance £468k.
- The Spending Review Panel's £1.7m is cost avoidance, recorded apart from savings.
- Survive to Thrive (seed 001): over 150 in-year proposals worth £10,792k for 2023-24, agreed on top
  of the budget's, by theme (£000): Buying & Commissioning 162, Charging & Income 4,091, Demand &
  Prevention 4,083, Process & Policy 814, Redesign & Reorganisation 1,283, Technology & Innovation
  359. One initiative per theme (the paper gives no split below that) in the ``in_year_recovery``
  category, so the theme table above stays the budget's transformation savings:
  ``GET /v1/reports/themes?years=2023/24&category=in_year_recovery`` shows them.
- The office estate plan names Lodge Road (Daventry), the building it closes: property's closure of
  Lodge Road on 31 March 2023 (£500k a year) realises £500k of the plan's 2023/24 saving (the closure
  rule: nothing of 2022/23 is left after its last day) instead of arriving as a new saving on top, so
  once the demo's events have flowed the table still reads as published. The plan names it by name
  and town: this seed runs before property's, so the building's id does not exist yet.
Extra initiatives in 2024/25 and later (a slip, an undeliverable one, a proposal) show the
lifecycle without touching the published figures.
- Investment (seed 003, Future Northants finance monitoring): the transformation budget of £22,697k for
  2020/21, split £7,802k business rates retention pilots, £4,250k (NCC) transformation, £4,948k other
  programme costs and £5,697k staff costs, as the programme's four investment lines (``INVESTMENT``). The
  paper's budget is the whole Future Northants programme's, for both new councils; setting it against WNC's
  LGR savings above is illustrative. So set, it pays back in 2023/24: cumulative net benefit -£22,697k in
  2020/21, -£16,577k in 2021/22, -£10,168k in 2022/23, +£3,737k in 2023/24.
- Delivery plans (seed 004: "savings … backed up with visible delivery plans"): the seeds give no
  milestones, so the few on the LGR initiatives (``MILESTONES``) are illustrative, and each title says so;
  some are done (with evidence), some still planned and past their date, so the dashboard shows overdue
  milestones.
- Disaggregation (seed 001): the host and lead services shared with North Northamptonshire, their planned dates
  and deferrals, loaded by ``disaggregation/demo.py`` (which says what of it is illustrative).
- RAID log (``RAID``): the seeds score risks (likelihood x impact) but name none of these, so the LGR items are
  illustrative, and each title says so; two ask the board for a decision.
- Highlight report: last month's LGR report is issued as the seed first runs (adult social care amber then),
  and adult social care is red since (``RAG_SINCE_LAST_REPORT``), so this month's report shows LGR's direction
  of travel: amber to red, worsening.
"""

from __future__ import annotations

from typing import Any

from civic_savings.programme.domain import THEMES

K = 100_000  # pence in £1,000: the seed papers' tables are in £000

Y1, Y2, Y3, Y4, Y5 = "2021/22", "2022/23", "2023/24", "2024/25", "2025/26"

LGR = "LGR"
BUDGET = "Budget proposals"


def initiative(
    key: str,
    title: str,
    *,
    directorate: str,
    theme: str,
    programme: str,
    planned: dict[str, int],
    path: list[str],
    category: str = "transformation",
    owner: str | None = None,
    rag: str | None = None,
    rag_reason: str | None = None,
    actuals: dict[str, int] | None = None,
    **steps: Any,
) -> dict[str, Any]:
    """An entry of the register: the create body (``planned``: pence by year), the actuals to record
    (pence by year), the lifecycle path to walk, and what its steps say (``building``, ``slip``,
    ``undeliverable``, ``approved``)."""
    body: dict[str, Any] = {
        "title": title, "directorate": directorate, "theme": theme, "category": category, "programme": programme,
    }
    if owner is not None:
        body["owner"] = owner
    body["profile"] = [{"year": year, "planned_pence": pence} for year, pence in planned.items()]
    if rag is not None:
        body["rag"] = rag
    if rag_reason is not None:
        body["rag_reason"] = rag_reason
    return {"key": key, "body": body, "actuals": actuals or {}, "path": path, **steps}


# Each entry: the create body, the actuals to record, and the lifecycle path to walk.
INITIATIVES: list[dict[str, Any]] = [
    # ---- LGR programme
    initiative(
        "senior-management", "Senior management restructure after aggregation",
        directorate="Corporate Services", theme="redesign_reorganisation", programme=LGR,
        owner="Chief Executive's Office", rag="green",
        planned={Y1: 830 * K, Y2: 1216 * K, Y3: 4000 * K}, actuals={Y1: 830 * K, Y2: 1216 * K},
        path=["approved", "in_delivery"],
    ),
    initiative(
        "office-estate", "Rationalisation of buildings: office estate plan",
        directorate="Place", theme="redesign_reorganisation", programme=LGR, owner="Assets and Estates",
        rag="amber", rag_reason="Lodge Road disposal depends on market engagement",
        planned={Y2: 1500 * K, Y3: 6000 * K, Y4: 3000 * K}, actuals={Y2: 1500 * K},
        path=["approved", "in_delivery"],
        # the building whose closure is this plan's saving (see the module's docstring)
        building={"building_name": "Lodge Road", "building_town": "Daventry"},
    ),
    initiative(
        "adults-demand", "Adult social care demand management",
        directorate="People", theme="demand_prevention", programme=LGR, owner="Director of Adult Social Services",
        rag="amber", rag_reason="Hospital discharge demand may outstrip the saving",
        planned={Y1: 3744 * K, Y2: 1150 * K, Y3: 1430 * K}, actuals={Y1: 3744 * K, Y2: 1150 * K},
        path=["approved", "in_delivery"],
        # amber in last month's highlight report, red since (see RAG_SINCE_LAST_REPORT)
    ),
    initiative(
        "contract-consolidation", "Contract consolidation across the legacy councils",
        directorate="Corporate Services", theme="buying_commissioning", programme=LGR, owner="Head of Procurement",
        rag="green",
        planned={Y1: 1300 * K, Y2: 1803 * K, Y3: 425 * K, Y4: 1494 * K}, actuals={Y1: 1300 * K, Y2: 1803 * K},
        path=["approved", "in_delivery"],
    ),
    initiative(
        "fees-harmonisation", "Harmonisation of legacy fees and charges",
        directorate="Place", theme="charging_income", programme=LGR,
        planned={Y1: 246 * K, Y2: 551 * K}, actuals={Y1: 246 * K, Y2: 551 * K},
        path=["approved", "in_delivery", "delivered"],
    ),
    initiative(
        "erp-automation", "Automation from the new finance and HR system",
        directorate="Corporate Services", theme="technology_innovation", programme=LGR,
        owner="Digital, Technology and Innovation", rag="green",
        planned={Y2: 189 * K, Y3: 1050 * K, Y4: 1000 * K}, actuals={Y2: 189 * K},
        path=["approved", "in_delivery"],
    ),
    initiative(
        "customer-services", "Customer services centralisation with generic advisors",
        directorate="Corporate Services", theme="process_policy", programme=LGR,
        planned={Y3: 1000 * K, Y5: 2075 * K},
        path=["approved"],
    ),
    # ---- other budget proposals in the theme table
    initiative(
        "parking-charges", "Car parking and permit charges review",
        directorate="Place", theme="charging_income", programme=BUDGET,
        planned={Y1: 153 * K, Y2: 2424 * K, Y3: 140_930_000}, actuals={Y1: 153 * K, Y2: 2424 * K},
        path=["approved", "in_delivery"],
    ),
    initiative(
        "commercial-income", "Commercial income from council assets",
        directorate="Place", theme="charging_income", programme=BUDGET,
        planned={Y2: 5000 * K, Y3: 4000 * K}, actuals={Y2: 5000 * K},
        path=["approved", "in_delivery"],
    ),
    initiative(
        "digital-self-service", "Digital self-service for residents",
        directorate="Corporate Services", theme="technology_innovation", programme=BUDGET,
        planned={Y1: 71 * K}, actuals={Y1: 71 * K},
        path=["approved", "in_delivery", "delivered"],
    ),
    initiative(
        "council-tax-reduction", "Council tax reduction scheme policy review",
        directorate="Finance", theme="process_policy", programme=BUDGET,
        planned={Y1: 263 * K, Y2: 106 * K, Y3: 88_193_000}, actuals={Y1: 263 * K, Y2: 106 * K},
        path=["approved", "in_delivery"],
    ),
    initiative(
        "childrens-model", "Children's services operating model redesign",
        directorate="People", theme="redesign_reorganisation", programme=BUDGET,
        planned={Y3: 3890 * K},
        path=["approved"],
    ),
    initiative(
        "early-help", "Early help and prevention for families",
        directorate="People", theme="demand_prevention", programme=BUDGET,
        planned={Y3: 702 * K},
        path=["approved"],
    ),
    # ---- the reconciliation to the 2023/24 budget report
    initiative(
        "centrally-controlled-2023", "Centrally controlled budget proposals 2023/24",
        directorate="Finance", theme="process_policy", category="centrally_controlled", programme=BUDGET,
        planned={Y3: 5563 * K},
        path=["approved"],
    ),
    initiative(
        "technical-adjustments-2023", "Technical adjustment budget proposals 2023/24",
        directorate="Finance", theme="process_policy", category="technical_adjustment", programme=BUDGET,
        planned={Y3: 5270 * K},
        path=["approved"],
    ),
    # ---- Future Northants benefits realisation 2020/21 (seed 003): budget 14,481, outturn 14,013
    initiative(
        "future-northants-2020", "Future Northants benefits realisation 2020/21",
        directorate="Corporate Services", theme="redesign_reorganisation", programme="Future Northants",
        planned={"2020/21": 14481 * K}, actuals={"2020/21": 14013 * K},
        path=["approved", "in_delivery", "delivered"],
    ),
    # ---- later years: the rest of the lifecycle
    initiative(
        "waste-routes", "Waste collection route optimisation",
        directorate="Place", theme="technology_innovation", programme=BUDGET,
        planned={Y4: 400 * K},
        path=["approved", "in_delivery", "slipped"],
        slip={"to_year": Y5, "reason": "Routing software procurement delayed: a profile issue"},
    ),
    initiative(
        "school-transport", "Home to school transport route review",
        directorate="People", theme="demand_prevention", programme=BUDGET,
        planned={Y4: 300 * K},
        path=["approved", "undeliverable"],
        undeliverable="Demand outstripped the saving: eligible pupil numbers rose by a fifth",
    ),
    initiative(
        "solar-led", "Solar panels and LED lighting in the top ten buildings",
        directorate="Place", theme="technology_innovation", programme="Net zero",
        planned={Y4: 250 * K, Y5: 250 * K},
        path=[],
    ),
]

# Delivery plans: illustrative milestones (the seeds give none), by initiative key: (title, owner, due, evidence
# when done). Those still planned and due before today show as overdue.
ILLUSTRATIVE = " (illustrative)"
MILESTONES: dict[str, list[tuple[str, str, str, str | None]]] = {
    "senior-management": [
        ("Consultation on the senior management structure closes", "Chief Executive's Office", "2023-06-30",
         "Consultation closed; outcome reported to the Employment Committee"),
        ("Second-tier appointments confirmed", "Chief Executive's Office", "2023-12-31", None),
    ],
    "office-estate": [
        ("Lodge Road, Daventry vacated", "Assets and Estates", "2023-03-31", "Building closed on 31 March 2023"),
        ("Market engagement for the Lodge Road disposal reported to Cabinet", "Assets and Estates", "2024-03-31", None),
    ],
    "adults-demand": [
        ("Hospital discharge pathway redesigned with the ICB", "Director of Adult Social Services", "2024-01-31", None),
    ],
    "customer-services": [
        ("Generic advisor roles recruited", "Corporate Services", "2025-09-30", None),
    ],
}

# The programme board's RAID log: illustrative (the seeds score risks but name none of these), each title says so.
# (programme, kind, title, owner, likelihood, impact, mitigation, the decision the board is asked for)
RAID: list[tuple[str, str, str, str, int, int, str, str | None]] = [
    (LGR, "risk", "Hospital discharge demand outstrips the adult social care saving",
     "Director of Adult Social Services", 4, 4, "Discharge pathway redesigned with the ICB", None),
    (LGR, "risk", "Lodge Road disposal delayed by market conditions", "Assets and Estates", 3, 4,
     "Market engagement before a disposal decision", "Agree to market Lodge Road for sale or rent"),
    (LGR, "risk", "Staff consultation on the senior management structure extends the timetable",
     "Chief Executive's Office", 2, 3, "Consultation plan agreed with the unions", None),
    (LGR, "issue", "Legacy councils' contracts end on different dates", "Head of Procurement", 4, 3,
     "Contracts consolidated as each ends", "Approve extending two legacy contracts to align their end dates"),
    (LGR, "dependency", "The new finance and HR system goes live before automation savings start",
     "Digital, Technology and Innovation", 2, 4, "Go-live tracked by the ERP project board", None),
]
# Last month's highlight report for LGR is issued (so this month's shows a direction of travel); then, as in seed
# 003 ("Adults has moved from green to amber during the last period"), adult social care moves on: red since.
RAG_SINCE_LAST_REPORT = {"adults-demand": ("red", "Hospital discharge demand is outstripping the saving")}

# Survive to Thrive (seed 001): in-year proposals for 2023-24 by theme, in £000 (total 10,792)
SURVIVE_TO_THRIVE = {
    "buying_commissioning": 162,
    "charging_income": 4091,
    "demand_prevention": 4083,
    "process_policy": 814,
    "redesign_reorganisation": 1283,
    "technology_innovation": 359,
}
INITIATIVES += [
    initiative(
        f"survive-to-thrive-{theme}", f"Survive to Thrive in-year proposals 2023-24: {THEMES[theme]}",
        directorate="All directorates", theme=theme, category="in_year_recovery", programme="Survive to Thrive",
        owner="Management team and Cabinet",
        planned={Y3: amount * K},
        path=["approved"],
        approved="Agreed by services at the Survive to Thrive budget sessions",
    )
    for theme, amount in SURVIVE_TO_THRIVE.items()
]

TARGETS = [
    {
        "name": LGR,
        "amount_pence": 17_530 * K,
        "description": "WNC's half of the £35m LGR savings still to deliver at vesting day (1 April 2021)",
    },
]

COST_AVOIDANCE: list[dict[str, Any]] = [
    {
        "key": "spending-review-panel",
        "body": {
            "title": "Spending Review Panel: agency staff and spend review",
            "directorate": "Corporate Services",
            "programme": "Survive to Thrive",
            "year": Y2,
            "amount_pence": 1700 * K,
            "description": "Council-wide panel reviewing all agency staff; avoided about £1.7m to date",
        },
    },
]

# Seed 003's 2020/21 transformation budget (£000), as the LGR programme's investment (see the module's docstring)
INVESTMENT: list[dict[str, Any]] = [
    {"category": category, "year": "2020/21", "amount_pence": amount * K, "description": description}
    for category, amount, description in (
        ("pilots", 7802, "Business Rates Retention Pilots (seed 003, 2020/21 budget)"),
        ("transformation", 4250, "NCC Transformation (seed 003, 2020/21 budget)"),
        ("other", 4948, "Other Programme Costs (seed 003, 2020/21 budget)"),
        ("staff", 5697, "Staff Costs (seed 003, 2020/21 budget)"),
    )
]
