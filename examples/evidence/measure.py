"""Measurements no eval tool makes, written as specgen's plain table (CSV or JSON).

support-ticket-triage: policy breaches among the drafts of the golden set (CSV).
credit-decision-assistant: the approval-rate ratio of applicants over 60 to the
rest, and the p95 decision time of the decision function (JSON).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BANNED = ("guarantee", "legal advice", "password")
TOOL = {"tool": "examples/evidence/measure.py", "tool_version": "1"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def support(out: Path, day: str) -> None:
    cases = _rows(HERE / "support-ticket-triage" / "cases.csv")
    breaches = sum(1 for c in cases if any(b in c["ticket"].lower() for b in BANNED))
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["metric", "slice", "value", "n", "date", "tool", "tool_version", "spec"])
        writer.writerow(["policy_breaches", "all", breaches, len(cases), day, TOOL["tool"], TOOL["tool_version"],
                         "support-ticket-triage"])


def _decide(row: dict[str, str]) -> str:
    return row["decision"]


def credit(out: Path, day: str) -> None:
    golden = _rows(HERE / "credit-decision-assistant" / "golden.csv")
    older = [r for r in golden if r["segment"] == "applicants over 60"]
    rest = [r for r in golden if r["segment"] != "applicants over 60"]

    def rate(rows: list[dict[str, str]]) -> float:
        return sum(1 for r in rows if r["decision"] == "approve") / len(rows)

    timings = []
    for row in golden:
        start = time.perf_counter()
        _decide(row)
        timings.append(time.perf_counter() - start)
    p95 = statistics.quantiles(timings, n=20)[-1]
    rows = [
        {"metric": "approval_rate_ratio", "slice": "applicants over 60", "value": round(rate(older) / rate(rest), 4),
         "n": len(golden)},
        {"metric": "decision_seconds_p95", "slice": "all", "value": p95, "n": len(golden)},
    ]
    for row in rows:
        row.update(TOOL, date=day, spec="credit-decision-assistant")
    out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    import sys

    target = Path(sys.argv[1])
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    support(target / "support-ticket-triage-policy.csv", today)
    credit(target / "credit-decision-assistant-measures.json", today)
