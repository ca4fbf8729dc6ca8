"""An API refusal (problem details) becomes the GOV.UK error summary, linked to the fields the problem names."""

from __future__ import annotations

from civic_web.refusals import STALE, refusal_from

FIELDS = {"title": ("title", "Title"), "to_year": ("slipped-to_year", "Year the unmet saving moves to"),
          "profile.0.year": ("profile-2-year", "Year in row 3")}


def on_page(name: str) -> tuple[str, str] | None:
    return FIELDS.get(name)


def test_each_named_field_is_a_linked_line_and_the_fields_own_message() -> None:
    problem = {"status": 422, "detail": "The request does not match what this endpoint accepts.",
               "errors": [{"field": "title", "message": "must not be blank"},
                          {"field": "profile.0.year", "message": "must be a financial year such as 2023/24"}]}
    refusal = refusal_from(problem, on_page)
    assert refusal.status == 422
    assert refusal.items == [
        {"text": "Title must not be blank", "href": "#title"},
        {"text": "Year in row 3 must be a financial year such as 2023/24", "href": "#profile-2-year"},
    ]
    assert refusal.message_for("title") == {"text": "Title must not be blank"}
    assert refusal.message_for("profile-2-year") is not None
    assert refusal.message_for("directorate") is None


def test_a_field_the_form_does_not_show_is_still_said_unlinked() -> None:
    refusal = refusal_from({"status": 422, "errors": [{"field": "building_town", "message": "is required with the other"}]},
                           on_page)
    assert refusal.items == [{"text": "Building town is required with the other"}]
    assert refusal.fields == {}


def test_a_rule_with_no_field_is_the_apis_own_words() -> None:
    problem = {"status": 409, "detail": "An initiative that is proposed cannot become delivered; it can become approved.",
               "current_status": "proposed", "allowed": ["approved"]}
    refusal = refusal_from(problem, on_page)
    assert refusal.status == 409
    assert refusal.items == [{"text": problem["detail"]}]
    assert refusal.fields == {}


def test_someone_elses_change_says_so_and_that_nothing_changed() -> None:
    refusal = refusal_from({"status": 412, "detail": "The initiative has changed.", "current_version": 4}, on_page)
    assert refusal.items == [{"text": STALE}] and "nothing was changed" in STALE


def test_a_create_only_that_finds_the_record_made_meanwhile_says_what_the_api_says() -> None:
    detail = "Waste review already has a target: change that one instead of setting a new one."
    refusal = refusal_from({"status": 412, "detail": detail}, on_page)
    assert refusal.items == [{"text": detail}]


def test_one_message_per_field_the_first_the_api_gave() -> None:
    problem = {"status": 422, "errors": [{"field": "to_year", "message": "is required: the year the unmet saving moves to"},
                                         {"field": "to_year", "message": "must be later"}]}
    refusal = refusal_from(problem, on_page)
    assert len(refusal.items) == 2
    assert refusal.fields == {
        "slipped-to_year": "Year the unmet saving moves to is required: the year the unmet saving moves to"}


def test_pydantics_capitalised_messages_read_as_a_sentence_and_the_status_comes_from_the_answer() -> None:
    refusal = refusal_from({"errors": [{"field": "title", "message": "Field required"}]}, on_page, status=422)
    assert refusal.status == 422
    assert refusal.items[0]["text"] == "Title is required"


def test_a_refusal_with_nothing_to_say_still_says_something() -> None:
    assert refusal_from({}, on_page, status=503).items == [{"text": "The request was refused; nothing was changed."}]
