"""The resolver behind the project's confinement: ``Path.resolve()``, a folder at a time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from specgen.confine import Resolver, is_within


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with links of every kind, and a folder outside it; the working folder is the project."""
    project = tmp_path / "project"
    specs = project / "specs"
    specs.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yml").write_text("secret: 1\n", encoding="utf-8")
    (specs / "plain.yml").write_text("id: plain\n", encoding="utf-8")
    (specs / "out.yml").symlink_to(outside / "secret.yml")  # a link out of the project
    (specs / "in.yml").symlink_to(specs / "plain.yml")  # a link within it
    (specs / "chain.yml").symlink_to(specs / "in.yml")  # a link to a link
    (specs / "dangling.yml").symlink_to(specs / "nothing.yml")
    (specs / "loop-a.yml").symlink_to(specs / "loop-b.yml")
    (specs / "loop-b.yml").symlink_to(specs / "loop-a.yml")
    (project / "linked").symlink_to(outside, target_is_directory=True)  # a folder out of the project
    (specs / "nested").mkdir()
    (specs / "nested" / "deep.yml").write_text("id: deep\n", encoding="utf-8")
    monkeypatch.chdir(project)
    return project


CASES = [
    "specs/plain.yml",
    "specs/out.yml",
    "specs/in.yml",
    "specs/chain.yml",
    "specs/dangling.yml",
    "specs/missing.yml",
    "specs/nested/deep.yml",
    "specs/nested/../plain.yml",
    "specs/nested/..",
    "specs/.",
    "specs",
    ".",
    "linked/secret.yml",
    "linked/../specs/plain.yml",
    "specs/plain.yml/inside",
]


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("absolute", [False, True], ids=["relative", "absolute"])
def test_the_resolver_resolves_as_path_resolve_does(tree: Path, name: str, absolute: bool) -> None:
    path = (tree / name) if absolute else Path(name)
    resolve = Resolver()
    resolve(tree / "specs" / "plain.yml")  # the folder remembered before, as in a pass over many files
    assert resolve(path) == path.resolve()
    assert resolve(path) == path.resolve()  # and again, from what it remembered


def test_a_link_loop_fails_as_path_resolve_does(tree: Path) -> None:
    loop = Path("specs/loop-a.yml")
    with pytest.raises(RuntimeError):
        loop.resolve()
    with pytest.raises(RuntimeError):
        Resolver()(loop)


def test_a_file_is_looked_at_once_and_its_folder_resolved_once(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    resolved: list[Path] = []
    real = Path.resolve

    def counted(self: Path, strict: bool = False) -> Path:
        resolved.append(self)
        return real(self, strict)

    monkeypatch.setattr(Path, "resolve", counted)
    names = [f"specs/spec-{i}.yml" for i in range(20)]
    for name in names:
        (tree / name).write_text("id: x\n", encoding="utf-8")
    resolve = Resolver()
    found = [resolve(Path(name)) for name in names]
    assert found == [real(Path(name)) for name in names]
    assert resolved == [Path("specs")]  # the folder, once; no file of it resolved in full


def test_is_within_follows_every_link(tree: Path) -> None:
    roots = [tree, Path("specs")]
    resolve = Resolver()
    assert is_within(Path("specs/plain.yml"), roots, resolve)
    assert is_within(Path("specs/chain.yml"), roots, resolve)
    assert is_within(Path("specs/nested/deep.yml"), roots, resolve)
    assert not is_within(Path("specs/out.yml"), roots, resolve)  # a link out
    assert not is_within(Path("linked/secret.yml"), roots, resolve)  # through a folder that leads out
    assert not is_within(Path("specs/loop-a.yml"), roots, resolve)  # a loop is no project file
    assert is_within(Path("specs/plain.yml"), roots)  # without a resolver of the caller's: one of its own
    assert not is_within(Path("specs/out.yml"), [Path("specs")])


def test_a_name_the_system_refuses_is_resolved_in_full(tree: Path) -> None:
    odd = Path("specs/bad\0name.yml")  # os.lstat refuses a NUL; resolve() decides what it is
    try:
        expected: Path | type[BaseException] = odd.resolve()
    except ValueError:
        expected = ValueError
    if expected is ValueError:
        with pytest.raises(ValueError):
            Resolver()(odd)
    else:
        assert Resolver()(odd) == expected
    assert os.sep == "/"  # these cases are POSIX paths
