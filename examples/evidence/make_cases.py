"""Write the test cases of the example evaluation harnesses (deterministic).

The cases stand in for a golden set: each row carries what the system under
test answered (the echo provider repeats the prompt, so the answer is part of
the prompt) and what was expected. Run by ``regenerate.sh``.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUEUES = ["billing", "shipping", "returns", "accounts"]


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def support() -> None:
    rng = random.Random(9)
    rows = []
    for i in range(100):
        lang = "en" if i < 60 else "de"
        expected = rng.choice(QUEUES)
        wrong = (lang == "en" and i % 20 == 7) or (lang == "de" and i % 20 == 13)
        answered = next(q for q in QUEUES if q != expected) if wrong else expected
        edit = "light" if i % 10 < 7 else "heavy"
        rows.append([f"ticket {i:03d}", answered, expected, lang, edit])
    _write(HERE / "support-ticket-triage" / "cases.csv", ["ticket", "queue", "expected", "lang", "edit"], rows)


def credit() -> None:
    rows = []
    segments = [("standard", 200, {31, 77, 120, 151, 170, 199}), ("thin-file applicants", 60, {11, 40, 52}),
                ("applicants over 60", 80, {9, 44, 70})]
    n = 0
    for segment, count, disagree in segments:
        for i in range(count):
            decision = "approve" if i % 3 else "refer"
            officer = ("refer" if decision == "approve" else "approve") if i in disagree else decision
            rows.append([f"application {n:03d}", decision, officer, segment, "yes"])
            n += 1
    _write(HERE / "credit-decision-assistant" / "golden.csv", ["application", "decision", "officer", "segment", "grounded"], rows)
    approvals = [[f"approval {i:03d}", "approve" if i not in (17, 95) else "refer"] for i in range(150)]
    _write(HERE / "credit-decision-assistant" / "approvals.csv", ["application", "officer"], approvals)


if __name__ == "__main__":
    support()
    credit()
