"""The warning colour of a supervision item: the pure rule, and the same rule in SQL."""

from __future__ import annotations

import datetime
import itertools

import pytest

from investment.models import SupervisionItem, WarningColour, warning_colour

TODAY = datetime.date(2026, 6, 15)
RED_AFTER = 7


def colour(days_to_deadline: int, **kwargs) -> str:
    kwargs.setdefault("closed", False)
    kwargs.setdefault("red_after_days", RED_AFTER)
    return warning_colour(
        deadline=TODAY + datetime.timedelta(days=days_to_deadline), today=TODAY, **kwargs
    )


@pytest.mark.parametrize(
    ("days_to_deadline", "expected"),
    [
        (30, WarningColour.NONE),
        (4, WarningColour.NONE),  # one day beyond the blue window
        (3, WarningColour.BLUE),  # due within 3 days: blue
        (1, WarningColour.BLUE),
        (0, WarningColour.BLUE),  # the deadline day itself is not overdue
        (-1, WarningColour.YELLOW),  # the day after the deadline: overdue
        (-RED_AFTER, WarningColour.YELLOW),  # overdue by exactly the threshold: still yellow
        (-RED_AFTER - 1, WarningColour.RED),  # overdue by more than the threshold: red
        (-100, WarningColour.RED),
    ],
)
def test_an_ordinary_item_escalates_with_its_deadline(days_to_deadline, expected):
    assert colour(days_to_deadline) == expected


@pytest.mark.parametrize("days_to_deadline", [30, 3, 0, -1, -8])
def test_a_reopened_item_is_red_whatever_its_deadline(days_to_deadline):
    assert colour(days_to_deadline, reopened=1) == WarningColour.RED
    assert colour(days_to_deadline, reopened=3) == WarningColour.RED


@pytest.mark.parametrize(
    ("days_to_deadline", "start", "expected"),
    [
        (30, "yellow", WarningColour.YELLOW),  # starts at yellow although not near its deadline
        (2, "yellow", WarningColour.YELLOW),  # never lower than its start (blue < yellow)
        (-3, "yellow", WarningColour.YELLOW),
        (-RED_AFTER - 1, "yellow", WarningColour.RED),  # still escalates above its start
        (30, "red", WarningColour.RED),
        (2, "red", WarningColour.RED),
        (-1, "red", WarningColour.RED),
        (30, "", WarningColour.NONE),
    ],
)
def test_a_leaders_instruction_starts_at_its_given_colour_and_never_lower(
    days_to_deadline, start, expected
):
    assert colour(days_to_deadline, start_colour=start) == expected


@pytest.mark.parametrize(
    ("days", "reopened", "start"),
    itertools.product([30, 3, 0, -1, -8, -100], [0, 2], ["", "yellow", "red"]),
)
def test_a_closed_item_has_no_colour(days, reopened, start):
    assert colour(days, closed=True, reopened=reopened, start_colour=start) == "closed"


def test_the_red_threshold_is_a_parameter():
    assert colour(-3, red_after_days=2) == WarningColour.RED
    assert colour(-3, red_after_days=3) == WarningColour.YELLOW
    assert colour(-1, red_after_days=0) == WarningColour.RED


def test_every_combination_is_at_least_its_start_and_at_least_the_deadline_rule():
    rank = {"none": 0, "blue": 1, "yellow": 2, "red": 3}
    for days, reopened, start in itertools.product(range(-20, 10), [0, 1], ["", "yellow", "red"]):
        got = colour(days, reopened=reopened, start_colour=start)
        plain = colour(days, reopened=reopened)
        assert rank[got] == max(rank[plain], rank.get(start, 0)), (days, reopened, start)


@pytest.mark.django_db
def test_the_database_computes_the_same_colour_as_the_rule(cast, settings):
    """``with_colour`` (used by filters and counts) agrees with ``warning_colour`` everywhere."""
    settings.DEVZONE_SUPERVISION_RED_AFTER_DAYS = RED_AFTER
    cases = list(
        itertools.product(
            [30, 4, 3, 0, -1, -RED_AFTER, -RED_AFTER - 1],
            [0, 1],
            ["", "yellow", "red"],
            ["in_progress", "closed"],
        )
    )
    items = SupervisionItem.objects.bulk_create(
        SupervisionItem(
            title=f"case {n}",
            description="-",
            zone=cast.zone_a,
            deadline=TODAY + datetime.timedelta(days=days),
            assignee=cast.staff_a,
            start_colour=start,
            source="instruction" if start else "ordinary",
            reopened_count=reopened,
            status=status,
        )
        for n, (days, reopened, start, status) in enumerate(cases)
    )
    annotated = dict(SupervisionItem.objects.with_colour(TODAY).values_list("pk", "colour"))
    for item, (days, reopened, start, status) in zip(items, cases, strict=True):
        expected = colour(days, reopened=reopened, start_colour=start, closed=status == "closed")
        assert annotated[item.pk] == expected, (days, reopened, start, status)
        assert item.colour_on(TODAY) == expected


@pytest.mark.django_db
def test_the_red_threshold_comes_from_settings(cast, settings):
    item = SupervisionItem(deadline=TODAY - datetime.timedelta(days=5), status="in_progress")
    settings.DEVZONE_SUPERVISION_RED_AFTER_DAYS = 7
    assert item.colour_on(TODAY) == WarningColour.YELLOW
    settings.DEVZONE_SUPERVISION_RED_AFTER_DAYS = 4
    assert item.colour_on(TODAY) == WarningColour.RED
