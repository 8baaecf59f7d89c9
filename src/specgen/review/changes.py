"""The classified changes of one spec, or of the project file, between two versions.

:func:`structural_diff` (:mod:`.structural`) yields the raw changes of two
validated models; each is classified by its rule in :data:`SPEC_RULES` or
:data:`PROJECT_RULES` (:mod:`.classify`), and a change that loosens governance
names the sign-off roles. :mod:`.diff` matches specs across two sides and
calls these.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from specgen.review.classifiers import ChangeKind, Classifier, Effect, Impact, RawChange, path_text
from specgen.review.classify import PROJECT_RULES, SPEC_RULES, classify
from specgen.review.report import Change
from specgen.review.structural import structural_diff
from specgen.spec import schema
from specgen.spec.values import Duration, Percent

__all__ = ["diff_project", "diff_specs", "spec_changes"]


def _json(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, (Duration, Percent)):
        return str(value)
    return to_jsonable_python(value)


def _changes(
    spec_id: str, raw: Sequence[RawChange], rules: Mapping[str, Classifier], signoff: Sequence[str]
) -> list[Change]:
    out = []
    for item in raw:
        verdict = classify(item, rules)
        out.append(
            Change(
                spec_id,
                path_text(item.path),
                item.kind,
                _json(item.before),
                _json(item.after),
                verdict.impact,
                verdict.effect,
                verdict.label,
                tuple(signoff) if verdict.effect is Effect.loosens else (),
            )
        )
    return out


def _whole_spec(
    spec_id: str, kind: ChangeKind, before: Any, after: Any, effect: Effect, label: str, signoff: tuple[str, ...]
) -> Change:
    return Change(spec_id, "", kind, before, after, Impact.identity, effect, label, signoff)


def spec_changes(before: schema.Spec | None, after: schema.Spec | None, signoff: tuple[str, ...]) -> list[Change]:
    """Classified changes of a spec (either side None: added or removed); loosening ones name ``signoff``."""
    if before is None and after is None:
        return []
    if before is None or after is None:
        present = typing.cast(schema.Spec, after or before)
        if before is None:
            return [_whole_spec(present.id, ChangeKind.added, None, present.title, Effect.neutral, "spec added", ())]
        title = present.title
        removed = _whole_spec(present.id, ChangeKind.removed, title, None, Effect.loosens, "spec removed", signoff)
        return [removed]
    raw = structural_diff(before, after)
    changes = _changes(after.id, raw, SPEC_RULES, signoff)
    return [_who_signs_off(change, item, signoff) for change, item in zip(changes, raw, strict=True)]


def diff_specs(
    before: schema.Spec | None, after: schema.Spec | None, project: schema.Project | None = None
) -> list[Change]:
    """Classified changes from ``before`` to ``after`` (either may be None: an added
    or removed spec); changes that loosen name the project's ``loosening_signoff`` roles."""
    return spec_changes(before, after, tuple(project.loosening_signoff) if project else ())


def diff_project(before: schema.Project, after: schema.Project, signoff: Sequence[str] = ()) -> list[Change]:
    """Classified changes of the project file (policy, sign-off roles, role
    holders, people, the parties); only the site's look is left out.

    Two changes decide who can give the sign-off itself, so they loosen
    whatever the general rule says: a new holder of a role in ``signoff``
    (the base's sign-off roles), and a person's e-mail changed or added (it
    decides whose signed approvals count as theirs)."""
    raw = structural_diff(before, after, exclude=frozenset({"site", "schema_version"}))
    changes = _changes("specgen.yml", raw, PROJECT_RULES, signoff)
    return [_who_signs_off(change, item, signoff) for change, item in zip(changes, raw, strict=True)]


def _who_signs_off(change: Change, item: RawChange, signoff: Sequence[str]) -> Change:
    """``change``, loosening when it hands someone the sign-off (see
    :func:`diff_project`; a spec's own people have e-mails too)."""
    if item.kind is ChangeKind.removed or change.effect is Effect.loosens:
        return change
    parent = item.parent_after or item.parent_before
    if item.pattern == "roles[*].holder" and getattr(parent, "id", None) in signoff:
        label = (
            "holder of a sign-off role changed" if item.kind is ChangeKind.changed else "sign-off role given a holder"
        )
    elif item.pattern == "people[*].email":
        label = "e-mail changed: it decides whose signed approvals count as this person's"
    else:
        return change
    return dataclasses.replace(change, effect=Effect.loosens, label=label, signoff=tuple(signoff))
