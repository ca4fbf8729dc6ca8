"""Who responded to a consultation: the respondent type (kept with the answers), and the equality monitoring
answers and consent to be contacted (kept apart from them, under the response's id, so nothing that reads or
exports answers can carry them; reported only in aggregate, with small numbers suppressed).

The monitoring categories are the broad ones of the ONS / GSS harmonised standards: sex (female, male);
disability (the harmonised standard's long-term condition whose effect limits day-to-day activities a lot,
a little, or not at all / no condition); ethnic group (the five high-level groups for England). Age is asked
as a band (the harmonised standard asks age itself; bands are how the ONS publishes it). Each also takes
"prefer not to say".

Plain Python: stdlib and ``civic.errors`` only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from civic.errors import FieldErrors

# an address to contact a respondent at is checked as the briefing's subscribers' are
from civic_comms.issuing.domain import EMAIL_LENGTH as EMAIL_LENGTH
from civic_comms.issuing.domain import EMAIL_PATTERN as EMAIL_PATTERN

RESPONDENT_TYPES = ("resident", "business", "organisation", "partner")

PREFER_NOT_TO_SAY = "prefer_not_to_say"
AGE_BANDS = ("under_18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_74", "75_and_over", PREFER_NOT_TO_SAY)
SEXES = ("female", "male", PREFER_NOT_TO_SAY)
DISABILITY = ("yes_limited_a_lot", "yes_limited_a_little", "no", PREFER_NOT_TO_SAY)
ETHNIC_GROUPS = (
    "asian_or_asian_british",
    "black_black_british_caribbean_or_african",
    "mixed_or_multiple_ethnic_groups",
    "white",
    "other_ethnic_group",
    PREFER_NOT_TO_SAY,
)
#: each monitoring question and the answers it takes, in the order a report lists them
MONITORING = {"age_band": AGE_BANDS, "sex": SEXES, "disability": DISABILITY, "ethnicity": ETHNIC_GROUPS}



@dataclass(frozen=True)
class RespondentDetails:
    """A response's equality monitoring answers and consent to be contacted (an address only with consent)."""

    monitoring: dict[str, str] = field(default_factory=dict)
    consent_to_contact: bool = False
    contact_email: str | None = None

    @classmethod
    def given(cls, monitoring: Mapping[str, Any] | None, consent_to_contact: bool | None, contact_email: str | None,
              where: str = "") -> RespondentDetails:
        errors = FieldErrors()
        kept: dict[str, str] = {}
        for question, value in (monitoring or {}).items():
            if value is None:
                continue
            if question not in MONITORING:
                errors.add(f"{where}monitoring.{question}", f"not a monitoring question ({', '.join(MONITORING)})")
            elif value not in MONITORING[question]:
                errors.add(f"{where}monitoring.{question}", f"one of {', '.join(MONITORING[question])}")
            else:
                kept[question] = value
        email = (contact_email or "").strip() or None
        if consent_to_contact and email is None:
            errors.add(f"{where}contact_email", "required to be contacted")
        if not consent_to_contact and email is not None:
            # an address is kept only from someone who agreed to be contacted
            errors.add(f"{where}contact_email", "only with consent_to_contact")
        if email is not None and (len(email) > EMAIL_LENGTH or not re.fullmatch(EMAIL_PATTERN, email)):
            errors.add(f"{where}contact_email", "an email address such as name@example.com")
        errors.raise_if_any("Some of the respondent's details are not well formed.")
        return cls(kept, bool(consent_to_contact), email)

    @property
    def anything(self) -> bool:
        """Whether there is anything to keep (most paper responses carry none)."""
        return bool(self.monitoring) or self.consent_to_contact


def check_respondent_type(value: str | None, where: str = "") -> str | None:
    if value is not None and value not in RESPONDENT_TYPES:
        FieldErrors.of(f"{where}respondent_type", f"one of {', '.join(RESPONDENT_TYPES)}").raise_if_any()
    return value
