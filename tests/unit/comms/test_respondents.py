"""Who responded: small numbers suppressed in the monitoring report, and the consent rule for an address."""

from __future__ import annotations

import pytest
from civic.errors import Invalid
from civic_comms.respondents.domain import MONITORING, PREFER_NOT_TO_SAY, RespondentDetails, check_respondent_type
from civic_comms.respondents.figures import FEWER_THAN, NOT_ANSWERED, monitoring_counts, suppressed


def test_counts_below_five_are_fewer_than_5_and_five_is_shown():
    assert suppressed([("a", 12), ("b", 4), ("c", 5), ("d", 3)]) == [
        {"value": "a", "count": 12}, {"value": "b", "count": FEWER_THAN},
        {"value": "c", "count": 5}, {"value": "d", "count": FEWER_THAN},
    ]


def test_zero_is_below_five_too():
    assert suppressed([("a", 0), ("b", 9), ("c", 2)])[0]["count"] == FEWER_THAN


def test_one_suppressed_count_alone_takes_the_next_smallest_with_it():
    # 20 responses published: with 3 alone hidden, 20 - 10 - 7 would give it away
    assert suppressed([("a", 10), ("b", 3), ("c", 7)]) == [
        {"value": "a", "count": 10}, {"value": "b", "count": FEWER_THAN}, {"value": "c", "count": FEWER_THAN},
    ]


def test_nothing_small_nothing_suppressed():
    assert suppressed([("a", 10), ("b", 5)]) == [{"value": "a", "count": 10}, {"value": "b", "count": 5}]


def test_monitoring_counts_every_category_and_those_not_answering():
    details = [{"sex": "female"}] * 6 + [{"sex": "male", "age_band": "25_34"}] * 7 + [{}] * 2
    report = monitoring_counts(20, details)
    assert set(report) == set(MONITORING)
    sex = {c["value"]: c["count"] for c in report["sex"]}
    # 20 responses, 13 answered the question: 7 did not (five with no monitoring at all); nobody preferred not
    # to say, hidden alone it could be worked out, so the smallest other (six women) is hidden with it
    assert sex == {"female": FEWER_THAN, "male": 7, PREFER_NOT_TO_SAY: FEWER_THAN, NOT_ANSWERED: 7}
    age = {c["value"]: c["count"] for c in report["age_band"]}
    assert age["25_34"] == 7 and age[NOT_ANSWERED] == 13 and age["18_24"] == FEWER_THAN
    assert all(c["count"] == FEWER_THAN or c["count"] >= 5 for cells in report.values() for c in cells)


def test_an_address_only_with_consent_and_consent_needs_one():
    assert RespondentDetails.given(None, True, " a.resident@example.com ").contact_email == "a.resident@example.com"
    with pytest.raises(Invalid) as no_consent:
        RespondentDetails.given(None, False, "a.resident@example.com")
    assert no_consent.value.errors[0]["field"] == "contact_email"
    with pytest.raises(Invalid):
        RespondentDetails.given(None, True, None)
    with pytest.raises(Invalid):
        RespondentDetails.given(None, True, "not an address")


def test_monitoring_answers_are_the_standards_categories():
    kept = RespondentDetails.given({"ethnicity": "white", "sex": None}, None, None)
    assert kept.monitoring == {"ethnicity": "white"} and kept.anything and not kept.consent_to_contact
    assert not RespondentDetails.given({}, False, None).anything
    with pytest.raises(Invalid) as invalid:
        RespondentDetails.given({"sex": "other", "religion": "none"}, None, None, "responses.3.")
    assert {e["field"] for e in invalid.value.errors} == {"responses.3.monitoring.sex", "responses.3.monitoring.religion"}
    assert all(PREFER_NOT_TO_SAY in values for values in MONITORING.values())


def test_respondent_type_is_one_of_the_four():
    assert check_respondent_type("business") == "business" and check_respondent_type(None) is None
    with pytest.raises(Invalid):
        check_respondent_type("tourist")
