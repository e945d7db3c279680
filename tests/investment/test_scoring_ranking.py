"""Rankings of scores (investment.ranking): competition ranks with ties, unscored subjects
last, movement against the previous month and the biggest movers."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from investment.ranking import competition_ranks, movers, rank
from investment.scoring import ReportFact, score_month, scores_of

LEAD = 100


def rep(project, due, submitted=None):
    return ReportFact(project, 10, LEAD, due, submitted)


def test_equal_scores_share_a_rank_and_the_next_rank_skips():
    rows = rank({1: Decimal("90"), 2: Decimal("80"), 3: Decimal("80"), 4: Decimal("70")})
    assert [(r.key, r.rank) for r in rows] == [(1, 1), (2, 2), (3, 2), (4, 4)]


def test_unscored_subjects_come_last_unranked_and_ties_list_by_key():
    rows = rank({5: None, 3: Decimal("50"), 1: None, 2: Decimal("50"), 4: Decimal("60")})
    assert [(r.key, r.rank) for r in rows] == [(4, 1), (2, 2), (3, 2), (1, None), (5, None)]


def test_ranking_an_empty_or_one_subject_table():
    assert rank({}) == []
    (only,) = rank({1: Decimal("10")})
    assert only.rank == 1 and only.movement is None and only.previous_rank is None
    assert competition_ranks({1: None}) == {1: None}


def test_movement_is_the_score_change_and_rank_movement_the_places_climbed():
    previous = {1: Decimal("90"), 2: Decimal("60.5"), 3: Decimal("70"), 5: Decimal("99")}
    now = {1: Decimal("80"), 2: Decimal("85.25"), 3: None, 4: Decimal("50")}
    rows = {r.key: r for r in rank(now, previous)}
    assert (rows[2].rank, rows[2].previous_rank, rows[2].rank_movement) == (1, 4, 3)
    assert rows[2].movement == Decimal("24.75")
    assert (rows[1].rank, rows[1].previous_rank, rows[1].rank_movement) == (2, 2, 0)
    assert rows[1].movement == Decimal("-10.00")
    assert rows[3].movement is None and rows[3].rank_movement is None  # no score now
    assert rows[3].previous_rank == 3
    assert rows[4].movement is None and rows[4].previous_rank is None  # new this month
    assert 5 not in rows  # scored last month only


def test_movers_are_the_biggest_risers_and_fallers_with_ties_by_key():
    previous = {k: Decimal("50") for k in range(1, 8)}
    now = {1: Decimal("60"), 2: Decimal("70"), 3: Decimal("60"), 4: Decimal("40"),
           5: Decimal("30"), 6: Decimal("50"), 7: None}  # fmt: skip
    result = movers(rank(now, previous))
    assert [r.key for r in result.best] == [2, 1, 3]
    assert [r.key for r in result.worst] == [5, 4]  # 6 unchanged, 7 unscored: neither
    one = movers(rank(now, previous), n=1)
    assert [r.key for r in one.best] == [2] and [r.key for r in one.worst] == [5]
    assert movers([]).best == () and movers([]).worst == ()
    data = json.loads(json.dumps(result.as_dict()))
    assert data["best"][0] == {
        "key": 2, "score": "70", "rank": 1, "previous_score": "50", "previous_rank": 1,
        "movement": "20", "rank_movement": 0,
    }  # fmt: skip


def test_ranking_the_scores_of_a_month_against_the_previous_month():
    march = score_month(
        datetime.date(2025, 3, 1),
        datetime.date(2025, 3, 31),
        reports=[rep(1, datetime.date(2025, 3, 10), datetime.date(2025, 3, 10))],
    )
    feb = score_month(
        datetime.date(2025, 2, 1),
        datetime.date(2025, 2, 28),
        reports=[rep(1, datetime.date(2025, 2, 10)), rep(2, datetime.date(2025, 2, 10))],
    )
    rows = rank(scores_of(march, "lead"), scores_of(feb, "lead"))
    assert [(r.key, r.score, r.previous_score) for r in rows] == [
        (LEAD, Decimal("100.00"), Decimal("0.00"))
    ]
    assert rows[0].movement == Decimal("100.00") and rows[0].rank_movement == 0
