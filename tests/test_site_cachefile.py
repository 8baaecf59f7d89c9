"""How a row of the build cache holds its value: what goes in comes out, and
damage is an error, never another value (site/cachefile.py)."""

from __future__ import annotations

from typing import Any

import pytest

from specgen.site import cachefile
from specgen.site.cachefile import decode_value, encode_value

PAGE = "<article>\n<h1>Credit decision — Überblick</h1>\n" + "<p>Approve under 10,000 €.</p>\n" * 40 + "</article>\n"


@pytest.mark.parametrize(
    "value",
    [
        PAGE,
        "",
        "a lone surrogate \udcff kept as it was",
        {"html": PAGE, "toc": [{"level": 1, "id": "x", "children": []}], "title": None},
        [["workflows/a/index.md", [1, 2.5, True, None]]],
        b"\x00 raw bytes, \xff as they are",
    ],
    ids=["page", "empty text", "surrogate", "step", "records", "bytes"],
)
def test_every_kind_of_value_comes_back_as_it_went_in(value: Any) -> None:
    back = decode_value(encode_value(value))
    assert back == value and type(back) is type(value)


def test_a_page_is_stored_compressed() -> None:
    assert len(encode_value(PAGE)) < len(PAGE.encode("utf-8")) // 4


@pytest.mark.parametrize("value", [PAGE, {"html": PAGE, "anchors": ["a", "b"]}, PAGE.encode("utf-8")])
def test_any_byte_changed_is_an_error_never_another_value(value: Any) -> None:
    stored = encode_value(value)
    for at in range(len(stored)):
        for flip in (0x01, 0x80):
            damaged = stored[:at] + bytes([stored[at] ^ flip]) + stored[at + 1 :]
            try:
                back = decode_value(damaged)
            except ValueError:
                continue
            assert back == value, f"byte {at} ^ {flip:#x} gave another value"


@pytest.mark.parametrize("cut", [1, 5, 12])
def test_a_cut_off_value_is_an_error(cut: int) -> None:
    for value in (PAGE, {"html": PAGE}, PAGE.encode("utf-8")):
        with pytest.raises(ValueError):
            decode_value(encode_value(value)[:-cut])


@pytest.mark.parametrize("data", [b"", b"\x03abc", b"x\x9c compressed by zlib, an older cache"])
def test_a_value_of_no_known_kind_is_an_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        decode_value(data)


def test_a_value_claiming_more_than_the_largest_size_is_not_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    stored = encode_value(PAGE)
    monkeypatch.setattr(cachefile, "MAX_VALUE", len(PAGE.encode("utf-8")) - 1)
    with pytest.raises(ValueError, match="too large"):
        decode_value(stored)
