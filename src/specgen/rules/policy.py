"""The organisation's policy: recorded waivers and declarative rules from the project file.

A *waiver* switches a rule off, or changes its severity, for some or all
specs, with a reason, an approver and an expiry date; after that date it stops
applying and is reported. A *policy rule* (``policy.rules`` in specgen.yml)
requires a field from a stage on, a minimum number of items or value, or an
exact value, without Python; it becomes a :class:`Rule` like the built-in ones.
"""

from __future__ import annotations

import datetime as dt
import functools
import types
import typing
from collections.abc import Iterator
from enum import Enum
from typing import Any

from pydantic import BaseModel

from specgen.diagnostics import Diagnostic, Level, format_path
from specgen.rules.context import Gap, NotApplicable, RuleContext
from specgen.rules.model import Dimension, Rule, RuleKind
from specgen.spec.loader import Source
from specgen.spec.schema import PolicyRequirement, PolicyRule, Project, Spec, Waiver
from specgen.spec.values import Duration, Percent
from specgen.spec.yamlsrc import Path_

__all__ = [
    "SECTION_DIMENSIONS",
    "policy_diagnostics",
    "policy_rule_problems",
    "policy_rules",
    "waiver_matches",
    "waivers_for",
]

SECTION_DIMENSIONS: dict[str, Dimension] = {
    "ownership": Dimension.workflow_ownership,
    "intent": Dimension.workflow_ownership,
    "scorecard": Dimension.workflow_ownership,
    "decision_records": Dimension.workflow_ownership,
    "integrations": Dimension.workflow_ownership,
    "people": Dimension.workflow_ownership,
    "roles": Dimension.workflow_ownership,
    "runtime": Dimension.runtime_verification,
    "acceptance": Dimension.runtime_verification,
    "observability": Dimension.runtime_verification,
    "runbooks": Dimension.operating_support,
    "exit": Dimension.exit_readiness,
    "dependencies": Dimension.exit_readiness,
}
"""The dimension a policy rule belongs to, by the top-level section of its field
(anything else: governance design)."""


# ---------------------------------------------------------------- waivers


def waiver_matches(waiver: Waiver, spec_id: str) -> bool:
    """Whether the waiver concerns this spec (no ``specs`` means every spec)."""
    return not waiver.specs or spec_id in waiver.specs


def waivers_for(project: Project, spec_id: str, today: dt.date) -> tuple[list[Waiver], list[Waiver]]:
    """The (active, expired) waivers concerning one spec; a waiver is active through its expiry day."""
    active: list[Waiver] = []
    expired: list[Waiver] = []
    for waiver in project.policy.waivers:
        if waiver_matches(waiver, spec_id):
            (active if today <= waiver.expires else expired).append(waiver)
    return active, expired


# ---------------------------------------------------------------- declarative rules


def _models_in(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(model class, whether through a list) an annotation holds, if any."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin is list:
        model, _ = _models_in(typing.get_args(annotation)[0])
        return model, True
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            model, is_list = _models_in(arg)
            if model is not None or is_list:
                return model, is_list
        return None, False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def _field_problem(dotted: str) -> str | None:
    """Why ``dotted`` is not a field path into a spec, or None when it is."""
    model: type[BaseModel] | None = Spec
    walked: list[str] = []
    for part in dotted.split("."):
        if model is None:
            return f"'{'.'.join(walked)}' has no fields, so '{dotted}' is not a spec field"
        if part not in model.model_fields:
            where = ".".join(walked) or "the spec"
            known = ", ".join(sorted(model.model_fields))
            return f"'{part}' is not a field of {where} (fields: {known})"
        model, _ = _models_in(model.model_fields[part].annotation)
        walked.append(part)
    return None


def _target_number(value: Any) -> float | None:
    """The number a ``min_value`` target stands for (durations in seconds, percentages as fractions)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        for parse in (Duration.parse, Percent.parse):
            try:
                parsed = parse(value)
            except ValueError:
                continue
            return parsed.seconds if isinstance(parsed, Duration) else parsed.fraction
    return None


def policy_rule_problems(rule: PolicyRule) -> list[tuple[str, str]]:
    """(field name, message) for each problem that stops a policy rule from being checked."""
    problems: list[tuple[str, str]] = []
    field_problem = _field_problem(rule.field)
    if field_problem:
        problems.append(("field", field_problem))
    if rule.require is PolicyRequirement.min_items and (
        isinstance(rule.value, bool) or not isinstance(rule.value, (int, float)) or rule.value < 0
    ):
        problems.append(("value", f"min_items needs a whole number as 'value'; got {rule.value!r}"))
    if rule.require is PolicyRequirement.min_value and _target_number(rule.value) is None:
        problems.append(
            ("value", f"min_value needs a number, duration ('1y') or percentage as 'value'; got {rule.value!r}")
        )
    if rule.require is PolicyRequirement.equals and rule.value is None:
        problems.append(("value", "equals needs a 'value' to compare with"))
    return problems


_ABSENT = object()


def _values(obj: Any, parts: tuple[str, ...], path: Path_) -> Iterator[tuple[Path_, Any]]:
    """The values at a dotted path, fanning out over lists on the way."""
    if not parts:
        yield path, obj
        return
    if obj is None:
        yield (*path, *parts), _ABSENT
        return
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _values(item, parts, (*path, i))
        return
    yield from _values(getattr(obj, parts[0]), parts[1:], (*path, parts[0]))


def _number(value: Any) -> float | None:
    if isinstance(value, Duration):
        return value.seconds
    if isinstance(value, Percent):
        return value.fraction
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (Duration, Percent)):
        return str(value)
    return value


def _show(value: Any) -> str:
    """A rule's value as written: 500, not 500.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _quoted(value: Any) -> str:
    return repr(value) if isinstance(value, str) else _show(value)


def _equal(actual: Any, expected: Any) -> bool:
    """Whether a field's value equals a rule's value (booleans, numbers, or text)."""
    if isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, (int, float)):
        return _number(actual) == float(expected)
    return str(actual) == str(expected)


def _empty(value: Any) -> bool:
    return value is _ABSENT or value is None or value == [] or value == ""


def _check_policy_rule(rule: PolicyRule, ctx: RuleContext) -> Iterator[Gap | NotApplicable]:
    for path, value in _values(ctx.spec, tuple(rule.field.split(".")), ()):
        where = format_path(path)
        if rule.require is PolicyRequirement.present:
            if _empty(value):
                yield Gap(path, f"{where} is not set")
        elif rule.require is PolicyRequirement.min_items:
            count = 0 if _empty(value) else len(value) if isinstance(value, list) else 1
            if count < float(rule.value or 0):
                yield Gap(path, f"{where} has {count} item(s); the policy asks for at least {_show(rule.value)}")
        elif rule.require is PolicyRequirement.min_value:
            number, target = _number(None if value is _ABSENT else value), _target_number(rule.value)
            if number is None or target is None or number < target:
                shown = "nothing" if _empty(value) else _plain(value)
                yield Gap(path, f"{where} is {_show(shown)}; the policy asks for at least {_show(rule.value)}")
        elif rule.require is PolicyRequirement.equals:
            actual = None if value is _ABSENT else _plain(value)
            if not _equal(actual, rule.value):
                yield Gap(path, f"{where} is {_quoted(actual)}; the policy asks for {_quoted(rule.value)}")


def _policy_rule(rule: PolicyRule) -> Rule:
    section = rule.field.split(".", 1)[0]
    return Rule(
        id=rule.id,
        title=rule.title,
        severity=Level(rule.severity.value),
        from_stage=rule.from_stage,
        dimension=SECTION_DIMENSIONS.get(section, Dimension.governance_design),
        rationale=rule.rationale,
        source=f"organisation policy (project file, policy.rules {rule.id})",
        kind=RuleKind.policy,
        check=functools.partial(_check_policy_rule, rule),
    )


def policy_rules(project: Project, taken: frozenset[str] = frozenset()) -> list[Rule]:
    """The project's declarative rules that can be checked (ids in ``taken`` are skipped)."""
    seen = set(taken)
    rules = []
    for rule in project.policy.rules:
        if rule.id in seen or policy_rule_problems(rule):
            continue
        seen.add(rule.id)
        rules.append(_policy_rule(rule))
    return rules


# ---------------------------------------------------------------- problems in the policy


def _diagnostic(source: Source | None, path: Path_, message: str, level: Level) -> Diagnostic:
    if source is not None:
        return source.diagnostic(path, message, level=level, code="policy")
    return Diagnostic("specgen.yml", 1, 1, format_path(path), message, level, "policy")


def policy_diagnostics(
    project: Project, source: Source | None, today: dt.date, builtin_ids: frozenset[str]
) -> list[Diagnostic]:
    """Problems in the policy: unusable rules (errors), unknown or expired waivers (warnings)."""
    out: list[Diagnostic] = []
    seen = set(builtin_ids)
    for i, rule in enumerate(project.policy.rules):
        if rule.id in seen:
            kind = "a built-in rule" if rule.id in builtin_ids else "another policy rule"
            out.append(_diagnostic(source, ("policy", "rules", i, "id"), f"{rule.id} is already {kind}", Level.error))
        seen.add(rule.id)
        for name, message in policy_rule_problems(rule):
            out.append(_diagnostic(source, ("policy", "rules", i, name), message, Level.error))
    known = seen
    for i, waiver in enumerate(project.policy.waivers):
        if waiver.rule not in known:
            out.append(
                _diagnostic(
                    source,
                    ("policy", "waivers", i, "rule"),
                    f"waiver names unknown rule '{waiver.rule}' (see: specgen rules)",
                    Level.warning,
                )
            )
        if today > waiver.expires:
            out.append(
                _diagnostic(
                    source,
                    ("policy", "waivers", i, "expires"),
                    f"the waiver of {waiver.rule} expired on {waiver.expires}; the rule applies again",
                    Level.warning,
                )
            )
    return out
