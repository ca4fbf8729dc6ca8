"""Consultations: questions, the response window, answers that fit, and results by hand count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from civic.errors import Invalid, Refused
from civic_comms.consultations.domain import Consultation, build_questions, closing_instant, opening_instant
from civic_comms.consultations.figures import headline, responses_csv, results_csv, tally

QUESTIONS = [
    {"id": "vision", "text": "Do you agree with the vision?", "kind": "likert", "required": True},
    {
        "id": "priority",
        "text": "Top priority?",
        "kind": "single_choice",
        "options": ["Active communities", "Thriving places", "Safe homes"],
    },
    {
        "id": "channels",
        "text": "How do you hear from us?",
        "kind": "multiple_choice",
        "options": ["website", "social", "newspaper"],
    },
    {"id": "place", "text": "Moving around", "kind": "scale_1_7"},
    {"text": "Anything else?", "kind": "free_text"},
]


def consultation(**overrides: object) -> Consultation:
    fields: dict[str, object] = {
        "id": "k1",
        "title": "Corporate plan 2021-25",
        "questions": QUESTIONS,
        "owner": "amira",
        "opens_on": date(2021, 6, 1),
        "closes_on": date(2021, 7, 31),
    }
    fields.update(overrides)
    return Consultation.plan(**fields)  # type: ignore[arg-type]


OPEN = datetime(2021, 7, 1, 12, tzinfo=UTC)


def test_questions_are_numbered_when_no_id_is_given() -> None:
    assert [q.id for q in consultation().questions] == ["vision", "priority", "channels", "place", "q5"]


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ({"text": "x", "kind": "essay"}, "questions.0.kind"),
        ({"text": "", "kind": "likert"}, "questions.0.text"),
        ({"text": "x", "kind": "single_choice", "options": ["only one"]}, "questions.0.options"),
        ({"text": "x", "kind": "multiple_choice", "options": ["a", "a"]}, "questions.0.options"),
        ({"text": "x", "kind": "likert", "options": ["a", "b"]}, "questions.0.options"),
        ({"id": "bad id!", "text": "x", "kind": "free_text"}, "questions.0.id"),
    ],
)
def test_malformed_questions(question: dict[str, object], field: str) -> None:
    with pytest.raises(Invalid) as refusal:
        build_questions([question])
    assert refusal.value.errors[0]["field"] == field


def test_repeated_question_ids_and_no_questions() -> None:
    with pytest.raises(Invalid):
        build_questions(
            [{"id": "a", "text": "x", "kind": "free_text"}, {"id": "a", "text": "y", "kind": "likert"}]
        )
    with pytest.raises(Invalid):
        build_questions([])


def test_window_from_dates_is_whole_days_in_council_time() -> None:
    k = consultation()
    # 1 June 2021 is in British Summer Time: midnight in Northampton is 23:00 UTC the day before
    assert k.opens_at == datetime(2021, 5, 31, 23, tzinfo=UTC) == opening_instant(date(2021, 6, 1))
    assert k.closes_at == datetime(2021, 7, 31, 23, tzinfo=UTC) == closing_instant(date(2021, 7, 31))
    assert (k.opens_on, k.closes_on) == (date(2021, 6, 1), date(2021, 7, 31))
    winter = consultation(opens_on=date(2021, 12, 1), closes_on=date(2021, 12, 31))
    assert winter.closes_at == datetime(2022, 1, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "overrides",
    [
        {"closes_on": date(2021, 5, 1)},
        {"opens_on": None, "closes_on": date(2021, 7, 1)},
        {"opens_at": datetime(2021, 6, 1, 9, tzinfo=UTC)},  # both opens_on and opens_at
        {"opens_on": None, "opens_at": datetime(2021, 6, 1, 9)},  # no time zone
        {"kind": "poll"},
    ],
)
def test_bad_windows(overrides: dict[str, object]) -> None:
    with pytest.raises(Invalid):
        consultation(**overrides)


@pytest.mark.parametrize(
    ("moment", "state"),
    [
        (datetime(2021, 5, 31, 22, 59, tzinfo=UTC), "upcoming"),
        (datetime(2021, 5, 31, 23, 0, tzinfo=UTC), "open"),
        (datetime(2021, 7, 31, 22, 59, tzinfo=UTC), "open"),
        (datetime(2021, 7, 31, 23, 0, tzinfo=UTC), "closed"),
    ],
)
def test_state_at_the_edges(moment: datetime, state: str) -> None:
    assert consultation().state(moment) == state


@pytest.mark.parametrize("moment", [datetime(2021, 5, 1, tzinfo=UTC), datetime(2021, 8, 1, tzinfo=UTC)])
def test_responses_refused_outside_the_window_even_when_they_fit(moment: datetime) -> None:
    with pytest.raises(Refused):
        consultation().accept({"vision": "agree"}, moment)


def test_a_full_response_is_accepted_and_normalised() -> None:
    clean = consultation().accept(
        {
            "vision": "strongly_agree",
            "priority": "Safe homes",
            "channels": ["website", "social"],
            "place": 5,
            "q5": "  More buses please  ",
        },
        OPEN,
    )
    assert clean["q5"] == "More buses please"


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"vision": "kind of"}, "answers.vision"),
        ({"vision": 4}, "answers.vision"),
        ({"vision": "agree", "priority": "Free parking"}, "answers.priority"),
        ({"vision": "agree", "channels": "website"}, "answers.channels"),
        ({"vision": "agree", "channels": []}, "answers.channels"),
        ({"vision": "agree", "channels": ["website", "website"]}, "answers.channels"),
        ({"vision": "agree", "channels": ["pigeon"]}, "answers.channels"),
        ({"vision": "agree", "place": 8}, "answers.place"),
        ({"vision": "agree", "place": 0}, "answers.place"),
        ({"vision": "agree", "place": 3.5}, "answers.place"),
        ({"vision": "agree", "place": True}, "answers.place"),
        ({"vision": "agree", "place": "5"}, "answers.place"),
        ({"vision": "agree", "q5": "   "}, "answers.q5"),
        ({"vision": "agree", "q5": "x" * 5001}, "answers.q5"),
        ({"vision": "agree", "nope": "x"}, "answers.nope"),
        ({"priority": "Safe homes"}, "answers.vision"),  # required question left out
    ],
)
def test_answers_that_do_not_fit(answers: dict[str, object], field: str) -> None:
    with pytest.raises(Invalid) as refusal:
        consultation().accept(answers, OPEN)
    assert field in [e["field"] for e in refusal.value.errors]


def test_empty_response_and_early_close() -> None:
    k = consultation()
    with pytest.raises(Invalid):
        k.accept({}, OPEN)
    k.close_now(OPEN)
    assert k.state(OPEN) == "closed"
    with pytest.raises(Refused):
        k.close_now(OPEN)


# --- results against hand counts --------------------------------------------------------------


def seed_like_responses() -> list[dict[str, object]]:
    """612 responses to the corporate plan: 499 agree or strongly agree with the vision (81.5%)."""
    likert = (
        ["strongly_agree"] * 201
        + ["agree"] * 298
        + ["neutral"] * 61
        + ["disagree"] * 32
        + ["strongly_disagree"] * 20
    )
    rows: list[dict[str, object]] = []
    for i, level in enumerate(likert):
        answers: dict[str, object] = {"vision": level}
        if i % 2 == 0:
            answers["priority"] = ["Active communities", "Thriving places", "Safe homes"][i % 3]
        if i < 10:
            answers["channels"] = ["website", "social"] if i < 4 else ["newspaper"]
            answers["place"] = (i % 7) + 1
            answers["q5"] = "comment"
        rows.append(answers)
    return rows


def test_corporate_plan_results_by_hand_count() -> None:
    results = tally(consultation().questions, seed_like_responses())
    assert results["responses"] == 612
    vision = results["questions"][0]
    assert vision["answered"] == 612 and vision["skipped"] == 0
    assert {o["value"]: o["count"] for o in vision["options"]} == {
        "strongly_disagree": 20,
        "disagree": 32,
        "neutral": 61,
        "agree": 298,
        "strongly_agree": 201,
    }
    assert vision["agreeing"] == 499
    assert vision["agreement_percentage"] == 81.5  # 499 / 612 = 81.54%: "over 80% agreeing"
    assert vision["disagreeing"] == 52 and vision["disagreement_percentage"] == 8.5


def test_choice_percentages_are_of_those_who_answered() -> None:
    questions = consultation().questions
    results = tally(questions, seed_like_responses())
    priority = results["questions"][1]
    assert priority["answered"] == 306 and priority["skipped"] == 306
    # even rows i=0,2,4,...: i%3 cycles 0,2,1 → 102 each
    assert [o["count"] for o in priority["options"]] == [102, 102, 102]
    assert [o["percentage"] for o in priority["options"]] == [33.3, 33.3, 33.3]
    channels = results["questions"][2]
    assert channels["answered"] == 10
    assert {o["value"]: (o["count"], o["percentage"]) for o in channels["options"]} == {
        "website": (4, 40.0),
        "social": (4, 40.0),
        "newspaper": (6, 60.0),
    }
    place = results["questions"][3]
    # scores 1..7 then 1,2,3: mean 34/10, median of 1,1,2,2,3,3,4,5,6,7
    assert place["mean"] == 3.4 and place["median"] == 3.0
    assert results["questions"][4] == {
        "question_id": "q5",
        "text": "Anything else?",
        "kind": "free_text",
        "answered": 10,
        "skipped": 602,
    }


def test_no_responses_gives_zeros_not_errors() -> None:
    results = tally(consultation().questions, [])
    assert results["responses"] == 0
    assert results["questions"][0]["agreement_percentage"] == 0.0
    assert results["questions"][3]["mean"] is None


def test_headline_and_csv() -> None:
    results = tally(consultation().questions, seed_like_responses())
    lines = {h["question_id"]: h for h in headline(results)}
    assert lines["vision"]["agreement_percentage"] == 81.5
    assert lines["priority"]["top_option"] == "Active communities"
    assert lines["place"]["mean"] == 3.4
    text = results_csv(results)
    assert text.splitlines()[0] == "question_id,question,kind,value,count,percentage,answered"
    assert "vision,Do you agree with the vision?,likert,agree,298,48.7,612" in text
    rows = [
        {
            "id": "r1",
            "received_at": "2021-07-01T12:00:00Z",
            "answers": {"vision": "agree", "channels": ["website", "social"], "q5": 'He said "yes", twice'},
        }
    ]
    exported = "".join(responses_csv(consultation().questions, rows))
    assert exported.splitlines() == [
        "response_id,received_at,channel,vision,priority,channels,place,q5,respondent_type",
        'r1,2021-07-01T12:00:00Z,online,agree,,website; social,,"He said ""yes"", twice",',
    ]


def test_window_is_checked_before_answers() -> None:
    # a response outside the window is a 409 even when its answers are also wrong
    with pytest.raises(Refused):
        consultation().accept({"vision": "??"}, OPEN + timedelta(days=90))
