"""Rankings of scored subjects: competition ranks (1, 2, 2, 4), movement against the previous
period and the biggest movers. Pure functions over plain data (no Django), used by the
accountability scores (``investment.scoring`` re-exports them) and usable for any score table
keyed by orderable ids.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _number(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class RankRow:
    key: Hashable
    score: Decimal | None
    rank: int | None  # competition ranking (1, 2, 2, 4); None without a score
    previous_score: Decimal | None = None
    previous_rank: int | None = None
    movement: Decimal | None = None  # score − previous score
    rank_movement: int | None = None  # previous rank − rank: positive climbed

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": _plain(self.key),
            "score": _plain(self.score),
            "rank": self.rank,
            "previous_score": _plain(self.previous_score),
            "previous_rank": self.previous_rank,
            "movement": _plain(self.movement),
            "rank_movement": self.rank_movement,
        }


@dataclass(frozen=True)
class Movers:
    best: tuple[RankRow, ...]  # rose most first
    worst: tuple[RankRow, ...]  # fell most first

    def as_dict(self) -> dict[str, Any]:
        return {
            "best": [r.as_dict() for r in self.best],
            "worst": [r.as_dict() for r in self.worst],
        }


def competition_ranks(scores: Mapping[Hashable, Any]) -> dict[Hashable, int | None]:
    """Highest score first; equal scores share a rank and the next rank skips (1, 2, 2, 4);
    ``None`` scores are unranked. Keys must be mutually orderable (ties list by key)."""
    ranked = sorted((k for k, s in scores.items() if s is not None), key=lambda k: (-scores[k], k))
    ranks: dict[Hashable, int | None] = {}
    last_score, last_rank = None, 0
    for position, key in enumerate(ranked, start=1):
        if position == 1 or scores[key] != last_score:
            last_score, last_rank = scores[key], position
        ranks[key] = last_rank
    for key, score in scores.items():
        if score is None:
            ranks[key] = None
    return ranks


def rank(
    scores: Mapping[Hashable, Decimal | None],
    previous: Mapping[Hashable, Decimal | None] | None = None,
) -> list[RankRow]:
    """One row per key of ``scores``, best first, ties by key, unscored last (by key). The
    previous rank is the key's rank among ``previous`` (ranked the same way)."""
    previous = previous or {}
    now, before = competition_ranks(scores), competition_ranks(previous)
    rows = []
    for key, score in scores.items():
        prev_score, prev_rank = previous.get(key), before.get(key)
        movement = None
        if score is not None and prev_score is not None:
            movement = _q(_number(score) - _number(prev_score))
        rank_movement = None
        if now[key] is not None and prev_rank is not None:
            rank_movement = prev_rank - now[key]
        rows.append(RankRow(key, score, now[key], prev_score, prev_rank, movement, rank_movement))
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.key))
    return rows


def movers(rows: Iterable[RankRow], n: int = 3) -> Movers:
    """The ``n`` rows that rose most (movement > 0) and the ``n`` that fell most (movement < 0);
    equal movements list by key. Rows without a movement, or unchanged, are in neither."""
    rows = [r for r in rows if r.movement is not None]
    best = sorted((r for r in rows if r.movement > 0), key=lambda r: (-r.movement, r.key))
    worst = sorted((r for r in rows if r.movement < 0), key=lambda r: (r.movement, r.key))
    return Movers(tuple(best[:n]), tuple(worst[:n]))
