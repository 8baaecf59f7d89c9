"""Governance diff: what changed between two versions of a spec, and whether it
loosens governance.

The diff compares *validated* models, never YAML text: comments, key order and
quoting are invisible to it. :func:`structural_diff` walks two models side by
side and yields raw changes, with list items matched by ``id`` (decisions,
controls, runbooks...), by a natural key (a RACI activity, a probe set's attack
class...) or by position, and text steps matched as a sequence (so a reworded
runbook step is one change, not a removal and an addition). Each raw change is
then classified by the first rule of :data:`SPEC_RULES` (or
:data:`PROJECT_RULES`) whose path pattern matches, e.g.
``decisions[*].autonomy`` → *AI autonomy widened* (loosens governance). A change
that loosens governance needs sign-off from the roles the project file names
in ``loosening_signoff``.

Sides are loaded from git revisions (:func:`revision_side`), the working tree
(:func:`worktree_side`) or single files (:func:`file_side`), and compared with
:func:`compare_sides`; :func:`diff_revisions` and :func:`diff_files` do both.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import to_jsonable_python

from specgen import git
from specgen.diagnostics import Diagnostic
from specgen.review.classify import (
    PROJECT_RULES,
    SPEC_RULES,
    ChangeKind,
    Classifier,
    Effect,
    Impact,
    Key,
    PathT,
    RawChange,
    Verdict,
    classify,
    path_pattern,
    path_text,
)
from specgen.spec import schema
from specgen.spec.fingerprint import EXCLUDED
from specgen.spec.loader import (
    PROJECT_FILENAMES,
    SPEC_SUFFIXES,
    LoadedSpec,
    discover_spec_files,
    find_project_file,
    load_spec_text,
    parse_source,
    read_source,
    validation_diagnostics,
)
from specgen.spec.values import Duration, Percent, Ref

__all__ = [
    "PROJECT_RULES",
    "SPEC_RULES",
    "Change",
    "ChangeKind",
    "DiffReport",
    "Effect",
    "Impact",
    "Key",
    "RawChange",
    "Side",
    "SideFile",
    "SpecDiff",
    "SpecStatus",
    "Verdict",
    "classify",
    "compare_sides",
    "diff_files",
    "diff_project",
    "diff_revisions",
    "diff_specs",
    "file_side",
    "path_pattern",
    "path_text",
    "revision_side",
    "structural_diff",
    "worktree_side",
]


# ---------------------------------------------------------------- structural diff


_NATURAL_KEYS: dict[type[BaseModel], Callable[[Any], str]] = {
    schema.RaciEntry: lambda e: e.activity,
    schema.Signature: lambda s: s.role,
    schema.Integration: lambda i: i.system,
    schema.RolloutStep: lambda s: s.name,
    schema.EvalMetric: lambda m: m.name if m.slice == "all" else f"{m.name} ({m.slice})",
    schema.EvalResult: lambda r: f"{r.version} {r.date.isoformat()}",
    schema.ProbeSet: lambda p: p.attack_class.value,
    schema.ResponseSla: lambda s: s.severity.value,
    schema.EscalationStep: lambda s: s.to,
    schema.ChangeRule: lambda r: r.change.value,
    schema.ChangeLogEntry: lambda e: e.version,
    schema.Artifact: lambda a: a.name,
    schema.HandoverMilestone: lambda m: m.name,
    schema.SignoffParty: lambda s: s.area.value,
    schema.Waiver: lambda w: w.rule + (f" ({', '.join(w.specs)})" if w.specs else ""),
}
"""How items of lists of models without an ``id`` are matched across versions."""


def _item_key(item: BaseModel) -> str | None:
    if "id" in type(item).model_fields:
        return str(item.id)  # type: ignore[attr-defined]
    natural = _NATURAL_KEYS.get(type(item))
    return natural(item) if natural else None


def _list_item_type(annotation: Any) -> Any:
    """The item type of a ``list[...]`` annotation (through Optional and Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _list_item_type(typing.get_args(annotation)[0])
    if origin is list:
        return typing.get_args(annotation)[0]
    for arg in typing.get_args(annotation):
        found = _list_item_type(arg)
        if found is not None:
            return found
    return None


def _is_set_like(item_type: Any) -> bool:
    """Lists of references and enum values compare as sets; free text as sequences."""
    if typing.get_origin(item_type) is typing.Annotated:
        if any(isinstance(meta, Ref) for meta in typing.get_args(item_type)[1:]):
            return True
        item_type = typing.get_args(item_type)[0]
    return isinstance(item_type, type) and issubclass(item_type, Enum)


def structural_diff(before: BaseModel, after: BaseModel, *, exclude: frozenset[str] = EXCLUDED) -> list[RawChange]:
    """Every difference between two models of the same type, in schema order.

    Top-level fields in ``exclude`` (the approvals) are left out.
    """
    out: list[RawChange] = []
    for name, info in type(before).model_fields.items():
        if name in exclude:
            continue
        _diff(getattr(before, name), getattr(after, name), (name,), info.annotation, before, after, out)
    return out


def _diff(a: Any, b: Any, path: PathT, annotation: Any, pa: Any, pb: Any, out: list[RawChange]) -> None:
    if a == b:
        return
    if isinstance(a, list) or isinstance(b, list):
        _diff_list(a or [], b or [], path, annotation, pa, pb, out)
    elif a is None:
        out.append(RawChange(path, ChangeKind.added, None, b, pa, pb))
    elif b is None:
        out.append(RawChange(path, ChangeKind.removed, a, None, pa, pb))
    elif isinstance(a, BaseModel) and type(a) is type(b):
        for name, info in type(a).model_fields.items():
            _diff(getattr(a, name), getattr(b, name), (*path, name), info.annotation, a, b, out)
    else:
        out.append(RawChange(path, ChangeKind.changed, a, b, pa, pb))


def _keys(items: list[Any]) -> list[str] | None:
    keys = [_item_key(item) for item in items]
    if any(k is None for k in keys) or len(set(keys)) != len(keys):
        return None
    return typing.cast(list[str], keys)


def _diff_list(
    la: list[Any], lb: list[Any], path: PathT, annotation: Any, pa: Any, pb: Any, out: list[RawChange]
) -> None:
    sample = (la or lb)[0]
    if isinstance(sample, BaseModel):
        keys_a, keys_b = _keys(la), _keys(lb)
        if keys_a is None or keys_b is None:  # no usable key: match by position
            keys_a = [str(i) for i in range(len(la))]
            keys_b = [str(i) for i in range(len(lb))]
        by_b = dict(zip(keys_b, lb, strict=True))
        for key, item in zip(keys_a, la, strict=True):
            if key in by_b:
                _diff(item, by_b[key], (*path, Key(key)), type(item), pa, pb, out)
            else:
                out.append(RawChange((*path, Key(key)), ChangeKind.removed, item, None, pa, pb))
        seen = set(keys_a)
        for key, item in zip(keys_b, lb, strict=True):
            if key not in seen:
                out.append(RawChange((*path, Key(key)), ChangeKind.added, None, item, pa, pb))
    elif _is_set_like(_list_item_type(annotation)):
        values_b = set(lb)
        values_a = set(la)
        for value in la:
            if value not in values_b:
                out.append(RawChange((*path, Key(_plain(value))), ChangeKind.removed, value, None, pa, pb))
        for value in lb:
            if value not in values_a:
                out.append(RawChange((*path, Key(_plain(value))), ChangeKind.added, None, value, pa, pb))
    else:
        _diff_sequence(la, lb, path, pa, pb, out)


def _plain(value: Any) -> str:
    return str(value.value) if isinstance(value, Enum) else str(value)


def _diff_sequence(la: list[Any], lb: list[Any], path: PathT, pa: Any, pb: Any, out: list[RawChange]) -> None:
    """Text steps: a replaced step is 'changed', a step found elsewhere 'moved'."""
    events: list[tuple[ChangeKind, int, int, Any, Any]] = []
    matcher = difflib.SequenceMatcher(a=la, b=lb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            events.append((ChangeKind.changed, i1 + k, j1 + k, la[i1 + k], lb[j1 + k]))
        for i in range(i1 + paired, i2):
            events.append((ChangeKind.removed, i, -1, la[i], None))
        for j in range(j1 + paired, j2):
            events.append((ChangeKind.added, -1, j, None, lb[j]))
    added_at = {value: j for kind, _, j, _, value in events if kind is ChangeKind.added}
    moved = {value for kind, _, _, value, _ in events if kind is ChangeKind.removed and value in added_at}
    for kind, i, j, a, b in events:
        if kind is ChangeKind.added and b in moved:
            continue
        if kind is ChangeKind.removed and a in moved:
            out.append(RawChange((*path, Key(str(i))), ChangeKind.moved, a, f"{a}", pa, pb))
            continue
        index = j if kind is ChangeKind.added else i
        out.append(RawChange((*path, Key(str(index))), kind, a, b, pa, pb))


# ---------------------------------------------------------------- changes and reports


def _json(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, (Duration, Percent)):
        return str(value)
    return to_jsonable_python(value)


@dataclass(frozen=True)
class Change:
    """One classified change of one spec."""

    spec: str
    path: str
    kind: ChangeKind
    before: Any
    """The value before, as JSON-ready data (None when added)."""
    after: Any
    """The value after, as JSON-ready data (None when removed)."""
    impact: Impact
    effect: Effect
    label: str
    signoff: tuple[str, ...] = ()
    """Roles that must sign the change off (only for changes that loosen)."""

    @property
    def needs_signoff(self) -> bool:
        return self.effect is Effect.loosens

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec,
            "path": self.path,
            "kind": self.kind.value,
            "before": self.before,
            "after": self.after,
            "impact": self.impact.value,
            "direction": self.effect.value,
            "label": self.label,
            "needs_signoff": list(self.signoff) if self.needs_signoff else [],
        }


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


def _spec_changes(before: schema.Spec | None, after: schema.Spec | None, signoff: tuple[str, ...]) -> list[Change]:
    if before is None and after is None:
        return []
    if before is None or after is None:
        present = typing.cast(schema.Spec, after or before)
        if before is None:
            return [_whole_spec(present.id, ChangeKind.added, None, present.title, Effect.neutral, "spec added", ())]
        title = present.title
        removed = _whole_spec(present.id, ChangeKind.removed, title, None, Effect.loosens, "spec removed", signoff)
        return [removed]
    return _changes(after.id, structural_diff(before, after), SPEC_RULES, signoff)


def diff_specs(
    before: schema.Spec | None, after: schema.Spec | None, project: schema.Project | None = None
) -> list[Change]:
    """Classified changes from ``before`` to ``after`` (either may be None: an added
    or removed spec); changes that loosen name the project's ``loosening_signoff`` roles."""
    return _spec_changes(before, after, tuple(project.loosening_signoff) if project else ())


def diff_project(before: schema.Project, after: schema.Project, signoff: Sequence[str] = ()) -> list[Change]:
    """Classified changes of the project file (policy, sign-off roles, role holders)."""
    raw = structural_diff(before, after, exclude=frozenset({"site", "schema_version", "organisation", "vendor"}))
    return _changes("specgen.yml", raw, PROJECT_RULES, signoff)


class SpecStatus(str, Enum):
    """What happened to a spec between the two sides."""

    added = "added"
    removed = "removed"
    modified = "modified"
    renamed = "renamed"
    unchanged = "unchanged"
    invalid = "invalid"


@dataclass
class SpecDiff:
    """The changes of one spec (matched by id across the two sides)."""

    id: str
    title: str
    status: SpecStatus
    base_file: str | None
    head_file: str | None
    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Why the spec could not be compared (a side that does not validate)."""

    @property
    def needs_signoff(self) -> bool:
        return any(c.needs_signoff for c in self.changes)

    @property
    def loosening(self) -> list[Change]:
        return [c for c in self.changes if c.needs_signoff]

    def count(self, effect: Effect) -> int:
        return sum(1 for c in self.changes if c.effect is effect)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "base_file": self.base_file,
            "head_file": self.head_file,
            "needs_signoff": self.needs_signoff,
            "problems": list(self.problems),
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass
class DiffReport:
    """Everything :func:`compare_sides` found, ready to render."""

    base: str
    head: str
    specs: list[SpecDiff]
    project: SpecDiff | None = None
    signoff_roles: tuple[str, ...] = ()
    role_titles: dict[str, str] = field(default_factory=dict)

    @property
    def all(self) -> list[SpecDiff]:
        """The spec diffs, then the project file's when it changed."""
        return [*self.specs, *([self.project] if self.project and self.project.changes else [])]

    @property
    def changed(self) -> list[SpecDiff]:
        return [s for s in self.all if s.status is not SpecStatus.unchanged]

    @property
    def needs_signoff(self) -> bool:
        return any(s.needs_signoff for s in self.all)

    @property
    def invalid(self) -> list[SpecDiff]:
        return [s for s in self.specs if s.status is SpecStatus.invalid]

    @property
    def failed(self) -> bool:
        """Something needs sign-off, or a side could not be compared."""
        return self.needs_signoff or bool(self.invalid)

    @property
    def loosening(self) -> list[Change]:
        return [c for s in self.all for c in s.loosening]

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "head": self.head,
            "needs_signoff": self.needs_signoff,
            "signoff_roles": list(self.signoff_roles),
            "specs": [s.to_dict() for s in self.specs],
            "project": self.project.to_dict() if self.project else None,
        }


# ---------------------------------------------------------------- sides


@dataclass
class SideFile:
    """One spec file on one side: the valid spec, or why it is not valid."""

    name: str
    loaded: LoadedSpec | None
    problems: list[Diagnostic] = field(default_factory=list)


@dataclass
class Side:
    """One side of a comparison: a revision, the working tree or a file."""

    label: str
    files: list[SideFile]
    project: schema.Project | None = None


def _project_from(raw: bytes | None, name: str) -> schema.Project | None:
    if raw is None:
        return None
    source, _ = parse_source(raw, name)
    if source is None:
        return None
    try:
        return schema.Project.model_validate(source.data)
    except ValidationError:
        return None


def _load_file(raw: bytes, name: str) -> SideFile:
    loaded, problems = load_spec_text(raw, name)
    return SideFile(name, loaded, problems)


def _is_spec_name(name: str) -> bool:
    parts = name.split("/")
    base = parts[-1]
    stem, dot, suffix = base.rpartition(".")
    return (
        bool(dot)
        and f".{suffix}" in SPEC_SUFFIXES
        and base not in PROJECT_FILENAMES
        and not stem.endswith(".approvals")
        and not any(p.startswith(".") for p in parts)
    )


def revision_side(rev: str, root: Path, prefixes: Sequence[str] = ("specs",), project_path: str | None = None) -> Side:
    """The specs under ``prefixes`` (repository paths) as they are in revision ``rev``."""
    commit = git.resolve_revision(rev, root)
    wanted = [p for p in prefixes if p]
    whole = not wanted or len(wanted) < len(prefixes)
    names = [n for n in git.list_files(commit, root, [] if whole else wanted) if _is_spec_name(n)]
    blobs = git.read_blobs(commit, names, root)
    files = [_load_file(blob, name) for name, blob in zip(names, blobs, strict=True) if blob is not None]
    project = None
    if project_path:
        project = _project_from(git.read_blob(commit, project_path, root), project_path)
    return Side(rev, files, project)


def worktree_side(
    paths: Sequence[Path], project_file: Path | None = None, *, root: Path | None = None, label: str = "working tree"
) -> Side:
    """The specs under ``paths`` as they are on disk (names relative to ``root`` when given)."""
    found, _ = discover_spec_files(paths)
    files = []
    for path in found:
        name = git.relative_to_root(path, root) if root else path.as_posix()
        source, problems = read_source(path, name)
        if source is None:
            files.append(SideFile(name, None, problems))
            continue
        try:
            files.append(SideFile(name, LoadedSpec(schema.Spec.model_validate(source.data), source)))
        except ValidationError as exc:
            files.append(SideFile(name, None, validation_diagnostics(schema.Spec, exc, source)))
    project = None
    if project_file is not None and project_file.is_file():
        project = _project_from(project_file.read_bytes(), str(project_file))
    return Side(label, files, project)


def file_side(path: Path, project_file: Path | None = None) -> Side:
    """One spec file on disk as a side (for ``specgen diff old.yml new.yml``)."""
    return worktree_side([path], project_file, label=path.as_posix())


# ---------------------------------------------------------------- comparing sides


def _by_id(side: Side) -> tuple[dict[str, SideFile], list[str]]:
    found: dict[str, SideFile] = {}
    notes = []
    for f in side.files:
        if f.loaded is None:
            continue
        ident = f.loaded.spec.id
        if ident in found:
            notes.append(f"{side.label}: spec id '{ident}' is used by {found[ident].name} and {f.name}")
            continue
        found[ident] = f
    return found, notes


def _problem_text(side: Side, f: SideFile) -> str:
    first = f.problems[0] if f.problems else None
    detail = f" (line {first.line}: {first.path + ': ' if first.path else ''}{first.message})" if first else ""
    more = f" and {len(f.problems) - 1} more problem(s)" if len(f.problems) > 1 else ""
    return f"{f.name} does not validate in {side.label}{detail}{more}"


def compare_sides(base: Side, head: Side, *, single: bool = False) -> DiffReport:
    """Match the specs of two sides by id (file renames are followed) and diff them.

    With ``single`` the two sides hold one file each and are compared whatever
    their ids (``specgen diff old.yml new.yml``).
    """
    signoff_project = base.project or head.project or schema.Project()
    signoff = tuple(signoff_project.loosening_signoff)
    titles = {r.id: r.title for p in (head.project, base.project) if p for r in p.roles}
    base_ids, base_notes = _by_id(base)
    head_ids, head_notes = _by_id(head)
    if single and len(base_ids) == 1 and len(head_ids) == 1:
        (only_base,), (only_head,) = base_ids.values(), head_ids.values()
        head_ids = {only_base.loaded.spec.id: only_head}  # type: ignore[union-attr]
    results: list[SpecDiff] = []
    matched_base: set[str] = set()
    matched_head: set[str] = set()

    def add(b: SideFile | None, h: SideFile | None) -> None:
        old = b.loaded.spec if b and b.loaded else None
        new = h.loaded.spec if h and h.loaded else None
        changes = _spec_changes(old, new, signoff)
        present = typing.cast(schema.Spec, new or old)
        if old and new:
            moved = b is not None and h is not None and b.name != h.name and not single
            status = SpecStatus.renamed if moved else SpecStatus.modified if changes else SpecStatus.unchanged
        else:
            status = SpecStatus.added if new else SpecStatus.removed
        results.append(
            SpecDiff(present.id, present.title, status, b.name if b else None, h.name if h else None, changes)
        )

    for ident, b in base_ids.items():
        if ident in head_ids:
            add(b, head_ids[ident])
            matched_base.add(ident)
            matched_head.add(ident)
    # a spec whose id changed but whose file stayed: compare them as one spec
    head_by_name = {f.name: (i, f) for i, f in head_ids.items() if i not in matched_head}
    for ident, b in base_ids.items():
        if ident not in matched_base and b.name in head_by_name:
            new_id, h = head_by_name[b.name]
            add(b, h)
            matched_base.add(ident)
            matched_head.add(new_id)
    # files that do not validate on one side
    invalid_names: set[str] = set()
    for side, other in ((base, head), (head, base)):
        for f in side.files:
            if f.loaded is not None or f.name in invalid_names:
                continue
            invalid_names.add(f.name)
            counterpart = next((o for o in other.files if o.name == f.name or single), None)
            problems = [_problem_text(side, f)]
            if counterpart is not None and counterpart.loaded is None:
                invalid_names.add(counterpart.name)
                problems.append(_problem_text(other, counterpart))
            other_matched = matched_head if other is head else matched_base
            known = counterpart.loaded.spec if counterpart and counterpart.loaded else None
            if known is not None and known.id in other_matched:  # already compared with another file
                known, counterpart = None, None
            if known is not None:
                other_matched.add(known.id)
            b_name = f.name if side is base else (counterpart.name if counterpart else None)
            h_name = f.name if side is head else (counterpart.name if counterpart else None)
            results.append(
                SpecDiff(
                    known.id if known else Path(f.name).stem,
                    known.title if known else f.name,
                    SpecStatus.invalid,
                    b_name,
                    h_name,
                    problems=problems,
                )
            )
    for ident, b in base_ids.items():
        if ident not in matched_base:
            add(b, None)
    for ident, h in head_ids.items():
        if ident not in matched_head:
            add(None, h)
    results.sort(key=lambda s: (s.id, s.base_file or "", s.head_file or ""))
    for note in base_notes + head_notes:
        results.append(SpecDiff("(duplicate id)", note, SpecStatus.invalid, None, None, problems=[note]))
    project = None
    if base.project is not None and head.project is not None:
        project_changes = diff_project(base.project, head.project, signoff)
        project = SpecDiff(
            "specgen.yml",
            "Project file",
            SpecStatus.modified if project_changes else SpecStatus.unchanged,
            "specgen.yml",
            "specgen.yml",
            project_changes,
        )
    return DiffReport(base.label, head.label, results, project, signoff, titles)


# ---------------------------------------------------------------- entry points


def _repo_paths(paths: Sequence[Path], root: Path) -> list[str]:
    out = []
    for p in paths:
        rel = git.relative_to_root(p, root)
        if rel.startswith(".."):
            raise git.GitError(f"{p} is outside the git repository at {root}")
        out.append(rel)
    return out


def diff_revisions(
    base: str,
    head: str | None = None,
    paths: Sequence[Path | str] = ("specs",),
    *,
    project_file: Path | str | None = None,
    cwd: Path | None = None,
) -> DiffReport:
    """Compare the specs under ``paths`` in revision ``base`` with revision ``head``
    (the working tree when None). Raises :class:`specgen.git.GitError` for a
    folder outside git or an unknown revision; never for specs that do not validate.

    Sign-off roles come from the *base* revision's project file, so a change
    cannot choose who signs it off.
    """
    here = (cwd or Path.cwd()).resolve()
    root = git.repo_root(here)
    if root is None:
        raise git.GitError(f"{here} is not inside a git repository")
    as_paths = [p if p.is_absolute() else here / p for p in map(Path, paths)] or [here]
    prefixes = _repo_paths(as_paths, root)
    if project_file is not None:
        project = Path(project_file) if Path(project_file).is_absolute() else here / project_file
    else:
        project = find_project_file(as_paths[0]) or root / PROJECT_FILENAMES[0]
    project_rel = git.relative_to_root(project, root)
    base_side = revision_side(base, root, prefixes, project_rel)
    if head is None:
        head_side = worktree_side([p for p in as_paths if p.exists()], project, root=root)
    else:
        head_side = revision_side(head, root, prefixes, project_rel)
    return compare_sides(base_side, head_side)


def diff_files(before: Path, after: Path, *, project_file: Path | None = None) -> DiffReport:
    """Compare two spec files on disk, whatever their ids."""
    project = project_file or find_project_file(after)
    return compare_sides(file_side(before, project), file_side(after, project), single=True)
