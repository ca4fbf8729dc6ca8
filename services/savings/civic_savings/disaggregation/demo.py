"""Demo data for disaggregation, from seed 001 ("Disaggregation of services from North Northants"), loaded through
the API by ``seed.py``; kept apart as comms keeps its own, so the register's seed stays readable.

From the seed: the 12 host services still waiting to be split at the end of October 2022, with their
directorate, their planned date (Mar-23 as 31 March 2023, Mar-24 as 31 March 2024) or their deferral and its
reason as the paper words it; the 16 lead services, each "No change" or "Under review" with the paper's comment
(a lead service stays as it is unless its legal or contract arrangements change, so each is deferred with that
as its reason). The seed names West Northamptonshire as leading DTI (digital, technology and innovation: its
teams, ICT, the ERP behind payroll, pensions and accounts shared with Milton Keynes, Cambridgeshire, North
Northants and the Children's Trust); it does not say which council hosts the others, so those hosts are
illustrative (North Northamptonshire, as the paper's heading has the services split "from North Northants"),
and each such entry's notes say so.

Illustrative, and noted so on each: the Assistive Technology Service's first date (the paper says only that its
Mar-24 was "moved to align to new contract procurement"; the demo plans it for March 2023 first, then moves it,
so the register shows the slip and keeps the first date); Learning and Development Phase 2 disaggregated on
31 March 2023 (the paper was written before); and the cost splits (the paper gives none per service).
"""

from __future__ import annotations

from typing import Any

import httpx
from civic.cli.seeding import answer, every

WNC, NNC = "West Northamptonshire Council", "North Northamptonshire Council"
MARCH_23, MARCH_24 = "2023-03-31", "2024-03-31"
HOST_ILLUSTRATIVE = "Host council illustrative: seed 001 does not say which council hosts it."
ICT_DISCOVERY = "ICT discovery underway on wider service disaggregation"


def hosted(key: str, directorate: str, service: str, *, planned_on: str | None = None, deferred: str | None = None,
           host: str = NNC, notes: str | None = None, cost_split: dict[str, Any] | None = None, **extra: Any,
           ) -> dict[str, Any]:  # fmt: skip
    """A host service of the paper's table: planned for a date, or deferred with the paper's comment."""
    other = WNC if host == NNC else NNC
    illustrative = HOST_ILLUSTRATIVE if host == NNC else None
    body = {"service": service, "directorate": directorate, "kind": "hosted", "host_council": host,
            "other_council": other, "planned_on": planned_on, "deferred_reason": deferred, "cost_split": cost_split,
            "notes": " ".join(n for n in (notes, illustrative) if n) or None}  # fmt: skip
    return {"key": key, "body": body, **extra}


def lead(key: str, directorate: str, service: str, status: str, comment: str, host: str = NNC) -> dict[str, Any]:
    """A lead service of the paper's table: it stays as it is ("No change") or is "Under review"."""
    body = {"service": service, "directorate": directorate, "kind": "lead", "host_council": host,
            "other_council": WNC if host == NNC else NNC, "deferred_reason": f"{status}: {comment}",
            "notes": HOST_ILLUSTRATIVE if host == NNC else None}  # fmt: skip
    return {"key": key, "body": body}


LGSS = "Part of old LGSS shared service contract/system with Milton Keynes, Cambridge CC, North Northants, NCT and WNC"
SHARED_SERVICES: list[dict[str, Any]] = [
    hosted("send-iass", "People - Education", "SEND (IASS)", planned_on=MARCH_23),
    hosted("assistive-technology", "People - Adults", "Assistive Technology Service", planned_on=MARCH_23,
           moved_to=MARCH_24, notes="Moved to align to new contract procurement. First date (March 2023) "
           "illustrative."),
    hosted("visual-impairment", "People - Adults", "Visual Impairment Service",
           deferred="Deferred until safe & legal & more staff trained - 2 staff only"),
    hosted("shared-lives", "People - Adults", "Shared Lives", planned_on=MARCH_23,
           cost_split={"basis": "pence", "annual_cost_pence": 120_000_000, "host_pence": 54_000_000,
                       "other_pence": 66_000_000}, notes="Cost split illustrative."),
    hosted("amhps", "People - Adults", "Adult Mental Health Practioner Service AMHPS",
           deferred="Deferred until safe & legal - team of 7 - National shortage of trained staff"),
    hosted("libraries-support", "People - Adults", "Libraries support services",
           deferred="£90k additional cost to WNC to split - requested deferred"),
    hosted("pbss", "People - Adults", "Personal Budgets (PBSS)", planned_on=MARCH_23),
    hosted("learning-development", "Corporate Services - HR", "Learning and Development Phase 2",
           planned_on=MARCH_23, done_on=MARCH_23, notes="Disaggregated on 31 March 2023: illustrative."),
    hosted("it-programme", "Corporate Services - IT", "Programme Team", planned_on=MARCH_23, host=WNC,
           notes=ICT_DISCOVERY),
    hosted("it-strategy", "Corporate Services - IT", "Strategy Team", planned_on=MARCH_23, host=WNC,
           notes=ICT_DISCOVERY),
    hosted("it-digital", "Corporate Services - IT", "Digital Team", host=WNC,
           deferred="£150k additional cost to WNC to split - requested deferred"),
    hosted("hwrc", "Place", "Household Waste Recycling Centres HWRC", planned_on=MARCH_23,
           cost_split={"basis": "percent", "host_percent": 50, "other_percent": 50, "annual_cost_pence": 300_000_000},
           notes="Cost split illustrative."),
    lead("adult-learning", "People - Adults", "Adult Learning", "No change",
         "The EFSA contract is commissioned by DFE as a county wide one."),
    lead("public-health-intelligence", "People - Adults", "Public Health Intelligence and STP", "No change",
         "Team part of system plans for intelligence and population health unit"),
    lead("archives", "Place", "Archives and Heritage incl PAS HER", "No change", "County wide team - 1 member of staff"),
    lead("narc", "Place", "Northamptonshire Archaeological Resource Centre NARC", "No change",
         "County wide team - 1 member of staff"),
    lead("minerals-waste", "Place", "Minerals and Waste Planning", "No change", "County wide team - 1 member of staff"),
    lead("digital-infrastructure", "Place", "Digital Infrastructure (Place and Economy)", "No change",
         "County wide team - 1 member of staff"),
    lead("traveller-unit", "Place", "County Traveller Unit", "No change", "County wide team - 1 member of staff"),
    lead("street-lighting", "Place", "Street Lighting", "No change", "PFI contract county wide - await contract expiry"),
    lead("childrens-trust-icf", "People - Childrens", "Childrens Trust Intelligent Client Function", "Under review",
         "Childrens Trust contract requires variation to be agreed to split"),
    lead("virtual-school", "People - Education", "Virtual School", "No change",
         "County wide small team working across schools base with NCT"),
    lead("coroner", "Corporate - legal", "Coroner Service", "No change", "County wide function legally"),
    lead("payroll-hr", "Corporate Services - HR", "Payroll and HR Transactions", "No change", LGSS, host=WNC),
    lead("pensions", "Finance & Resources", "Pensions", "No change", LGSS, host=WNC),
    lead("ap-ar", "Finance & Resources", "Accounts Payable and Receivable AP/AR", "No change", LGSS, host=WNC),
    lead("ict-operations", "Corporate Services - IT", "ICT Operations and Infrastructure", "Under review",
         "ICT discovery underway on wider service disaggregation likely to have significant cost to split", host=WNC),
    lead("ict-service-delivery", "Corporate Services - IT", "ICT Service Delivery (former NCC systems)",
         "Under review", "ICT discovery underway on wider service disaggregation likely to have significant cost to "
         "split", host=WNC),
]


async def seed_shared_services(client: httpx.AsyncClient) -> None:
    """Each shared service once (found by its name), its planned date moved and its split recorded as the demo
    says, whichever of those steps an earlier run already took."""
    existing = {item["service"]: item for item in await every(client, "/v1/shared-services")}
    for entry in SHARED_SERVICES:
        body = {name: value for name, value in entry["body"].items() if value is not None}
        current = existing.get(body["service"])
        if current is None:
            headers = {"Idempotency-Key": f"seed-savings-shared-service-{entry['key']}"}
            current = answer(await client.post("/v1/shared-services", json=body, headers=headers))
        url = f"/v1/shared-services/{current['id']}"
        moved_to = entry.get("moved_to")
        if moved_to and current["status"] == "planned" and current["planned_on"] != moved_to:
            current = answer(await client.patch(url, json={"planned_on": moved_to}))
        done_on = entry.get("done_on")
        if done_on and current["status"] == "planned":
            answer(await client.post(f"{url}/transitions", json={"to": "disaggregated", "on": done_on}))
