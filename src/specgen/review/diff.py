"""Governance diff: what changed between two versions of a spec, and whether it
loosens governance.

The diff compares *validated* models, never YAML text: comments, key order and
quoting are invisible to it. :func:`structural_diff` (:mod:`.structural`)
walks two models side by side and yields raw changes; each is then classified
by the first rule of :data:`SPEC_RULES` (or :data:`PROJECT_RULES`) whose path
pattern matches, e.g. ``decisions[*].autonomy`` → *AI autonomy widened*
(loosens governance). A change that loosens governance needs sign-off from the
roles the project file names in ``loosening_signoff``.

Sides are loaded (:mod:`.sides`) from git revisions (:func:`revision_side`),
the working tree (:func:`worktree_side`) or single files (:func:`file_side`),
and compared here with :func:`compare_sides` into a :class:`DiffReport`
(:mod:`.report`); :func:`diff_revisions` and :func:`diff_files` do both. The
changes of one spec or of the project file are classified in
:mod:`.changes`. Every
name this module exported before the split is still importable from it.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from pathlib import Path

from specgen import git
from specgen.diagnostics import Diagnostic
from specgen.errors import ExitCode
from specgen.evidence.store import evidence_path
from specgen.review.changes import diff_project, diff_specs, spec_changes
from specgen.review.classifiers import ChangeKind, Effect, Impact, Key, RawChange, Verdict, path_pattern, path_text
from specgen.review.classify import PROJECT_RULES, SPEC_RULES, classify
from specgen.review.evidence_diff import evidence_changes
from specgen.review.report import Change, DiffReport, SpecDiff, SpecStatus
from specgen.review.sides import Side, SideFile, file_side, revision_side, worktree_side
from specgen.review.structural import structural_diff
from specgen.spec import schema
from specgen.spec.loader import PROJECT_FILENAMES, find_project_file
from specgen.text import terminal

__all__ = [
    "PROJECT_RULES",
    "SPEC_RULES",
    "Change",
    "ChangeKind",
    "DiffReport",
    "Effect",
    "Impact",
    "Key",
    "PathError",
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
    return _problems_text(f.name, side.label, f.problems)


def _problems_text(name: str, label: str, problems: Sequence[Diagnostic]) -> str:
    first = problems[0] if problems else None
    if first is not None and first.code == "name":
        return f"{name} is refused in {label}: {first.message}"
    where = f"line {first.line}: " if first and first.line > 0 else ""
    detail = f" ({where}{first.path + ': ' if first.path else ''}{first.message})" if first else ""
    more = f" and {len(problems) - 1} more problem(s)" if len(problems) > 1 else ""
    return f"{name} does not validate in {label}{detail}{more}"


def _evidence_problems(side: Side, f: SideFile) -> list[str]:
    """Why the evidence file beside ``f`` cannot be compared: it does not
    validate, or it is another spec's."""
    name = evidence_path(Path(f.name)).as_posix()
    if f.evidence_problems:
        return [_problems_text(name, side.label, f.evidence_problems)]
    if f.evidence is not None and f.loaded is not None and f.evidence.spec != f.loaded.spec.id:
        return [f"{name} in {side.label} is the evidence of spec '{f.evidence.spec}', not '{f.loaded.spec.id}'"]
    return []


_PROJECT = "specgen.yml"


def _project_diff(base: Side, head: Side, signoff: Sequence[str]) -> SpecDiff | None:
    """The project file's changes; fails closed: a side whose project file
    does not validate cannot be compared, and a project file added or removed
    is compared with the defaults a missing one means."""
    base_file, head_file = (_PROJECT if s.has_project else None for s in (base, head))
    problems = [_problems_text(_PROJECT, s.label, s.project_problems) for s in (base, head) if s.project_problems]
    if problems:
        return SpecDiff(_PROJECT, "Project file", SpecStatus.invalid, base_file, head_file, problems=problems)
    if base.project is None and head.project is None:
        return None
    changes = diff_project(base.project or schema.Project(), head.project or schema.Project(), signoff)
    if base.project is None:
        status = SpecStatus.added
    elif head.project is None:
        status = SpecStatus.removed
    else:
        status = SpecStatus.modified if changes else SpecStatus.unchanged
    return SpecDiff(_PROJECT, "Project file", status, base_file, head_file, changes)


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
        changes = spec_changes(old, new, signoff)
        # an evidence file that does not validate, or is another spec's: what it proves cannot be compared
        problems = [p for side, f in ((base, b), (head, h)) if f is not None for p in _evidence_problems(side, f)]
        if old and new and b is not None and h is not None and not single and not problems:
            changes += evidence_changes((old, b.evidence), (new, h.evidence), signoff_project, signoff)  # new runs...
        present = typing.cast(schema.Spec, new or old)
        if problems:
            status = SpecStatus.invalid
        elif old and new:
            moved = b is not None and h is not None and b.name != h.name and not single
            status = SpecStatus.renamed if moved else SpecStatus.modified if changes else SpecStatus.unchanged
        else:
            status = SpecStatus.added if new else SpecStatus.removed
        results.append(
            SpecDiff(present.id, present.title, status, b.name if b else None, h.name if h else None, changes, problems)
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
    return DiffReport(base.label, head.label, results, _project_diff(base, head, signoff), signoff, titles)


# ---------------------------------------------------------------- entry points


class PathError(git.GitError):
    """A path to compare is neither a file or folder nor holds a spec file."""

    exit_code = ExitCode.USAGE


def _under(name: str, prefix: str) -> bool:
    return not prefix or name == prefix or name.startswith(prefix + "/")


def _check_paths(
    given: Sequence[Path | str], as_paths: Sequence[Path], prefixes: Sequence[str], sides: Sequence[Side], root: Path
) -> None:
    """Fail closed: every path must name a file or folder (on disk or in a compared
    revision) that holds at least one spec file on one side; a typo for a branch
    must not compare nothing and report that nothing changed."""
    revisions = [s.label for s in sides if s.label != "working tree"]
    where = ", ".join([*(["the working tree"] if len(revisions) < len(sides) else []), *revisions])
    for arg, path, prefix in zip(given, as_paths, prefixes, strict=True):
        if any(_under(f.name, prefix) for side in sides for f in side.files):
            continue
        shown = terminal(str(arg))
        exists = path.exists() or any(git.list_tree(rev, root, [prefix]) for rev in revisions)
        if not exists:
            raise PathError(f"'{shown}' is neither a revision nor a file or folder (in {where})")
        raise PathError(f"'{shown}' holds no spec file (*.yml, *.yaml) in {where}")


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
    folder outside git or an unknown revision, and :class:`PathError` for a path
    that exists on neither side or holds no spec file on either; never for specs
    that do not validate.

    Sign-off roles come from the *base* revision's project file, so a change
    cannot choose who signs it off.
    """
    here = (cwd or Path.cwd()).resolve()
    root = git.repo_root(here)
    if root is None:
        raise git.GitError(f"{here} is not inside a git repository")
    given = list(paths) or [here]
    as_paths = [p if p.is_absolute() else here / p for p in map(Path, given)]
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
    _check_paths(given, as_paths, prefixes, (base_side, head_side), root)
    return compare_sides(base_side, head_side)


def diff_files(before: Path, after: Path, *, project_file: Path | None = None) -> DiffReport:
    """Compare two spec files on disk, whatever their ids."""
    project = project_file or find_project_file(after)
    return compare_sides(file_side(before, project), file_side(after, project), single=True)
