"""Pupil labels: initials + group for primary and secondary schools, never a first name."""

from __future__ import annotations

import pytest

from flows.values import ValueProblem, parse_pupil


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("AB 5b", "AB 5b"),
        ("ab 5", "AB 5"),
        ("A.B. groep 5", "AB 5"),
        ("S K 7a", "SK 7a"),
        ("s.k. 3", "SK 3"),
        ("SK 2havo", "SK 2havo"),
        ("SK 2 havo", "SK 2 havo"),
        ("SK h2a", "SK h2a"),
        ("SK 3V", "SK 3V"),  # vwo 3: the capital is kept
        ("SK 4 vwo", "SK 4 vwo"),
        ("SK mavo 3", "SK mavo 3"),
        ("SK klas 2A", "SK 2A"),
        ("JDV 3hv1", "JDV 3hv1"),
    ],
)
def test_primary_and_secondary_labels_are_accepted(typed: str, label: str) -> None:
    assert parse_pupil(typed)["label"] == label


def test_the_pupil_number_is_kept_apart() -> None:
    assert parse_pupil("AB 5b 12345") == {"label": "AB 5b", "number": "12345", "id": None}


@pytest.mark.parametrize(
    "typed",
    [
        "Daan 5b",
        "Sem 4a",
        "Noah 7",
        "Fatima 6",
        "Daan de Vries",
        "Jantje Jansen 5",
        "sem 4a",
        "Lotte 2havo",
        "AB",
    ],
)
def test_first_names_and_other_text_are_refused(typed: str) -> None:
    with pytest.raises(ValueProblem) as refused:
        parse_pupil(typed)
    assert refused.value.message == "input.pupil_invalid"
