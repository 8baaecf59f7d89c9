"""Written values (``15m``, ``2%``) validate the same however often a text recurs (:mod:`specgen.spec.values`)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from specgen.spec import values
from specgen.spec.values import Duration, Percent


class _Timed(BaseModel):
    durations: list[Duration]
    shares: list[Percent] = []


def test_a_text_written_many_times_gives_one_frozen_value() -> None:
    made = _Timed.model_validate({"durations": ["15m", "4h", "15m", " 15m "], "shares": ["2%", "2%"]})
    first, hours, again, spaced = made.durations
    assert (first.seconds, first.text, hours.seconds) == (900, "15m", 14400)
    assert again is first  # remembered, not parsed again
    assert spaced == first and spaced is not first  # another text, the same length of time
    assert made.shares[0] is made.shares[1] and made.shares[0].fraction == 0.02
    with pytest.raises(AttributeError):
        first.seconds = 1  # type: ignore[misc]  # frozen: sharing one object is safe
    assert _Timed.model_validate_json(made.model_dump_json()) == made


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("durations", "15 minutes", "'15 minutes' is not a duration"),
        ("shares", "200%", "between 0% and 100%"),
    ],
)
def test_a_text_refused_once_is_refused_every_time(field: str, text: str, message: str) -> None:
    data = {"durations": ["15m"], field: [text]}
    for _ in range(3):
        with pytest.raises(ValidationError, match=message):
            _Timed.model_validate(data)
    assert _Timed.model_validate({"durations": ["15m"]}).durations[0].text == "15m"


def test_values_past_the_remembered_ones_still_validate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(values, "_SEEN_MOST", 2)

    class Few(BaseModel):
        durations: list[Duration]

    texts = [f"{n}s" for n in range(1, 6)] * 2
    made = Few.model_validate({"durations": texts}).durations
    assert [d.seconds for d in made] == [float(n) for n in range(1, 6)] * 2
    assert made[5] is made[0] and made[6] is made[1]  # the first two are remembered
    assert made[7] is not made[2] and made[7] == made[2]  # the rest are parsed each time, alike
    assert Few.model_validate({"durations": [Duration.parse("3d")]}).durations[0].text == "3d"
