"""Approvals tied to git: who recorded an approval (the commit that wrote its
lines), and the project policy that only approvals in signed commits count.

Real repositories in tmp_path; signed commits use a throwaway SSH key made in
the test (``ssh-keygen``, ``gpg.format=ssh``, an allowed-signers file).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from specgen import load_portfolio
from specgen.site.render import render_pages
from tests.review_helpers import GitRepo, credit, credit_repo

SPEC = "specs/credit-decision-assistant.yml"
SIDECAR = "specs/credit-decision-assistant.approvals.yml"
HANNAH = ("Hannah Schmidt", "hannah.schmidt@northbank.example")
SARA = ("Sara Nilsson", "author@example.invalid")
KEY = ("ed25519", "sign", "never")
"""Algorithm, usage and expiry of the throwaway OpenPGP key."""


def commit_as(repo: GitRepo, message: str, who: tuple[str, str], *, sign: bool = False) -> str:
    """Commit everything as ``who`` (name, e-mail), signed with the repository's key when asked."""
    env = repo.env(who[0])
    env.update(GIT_AUTHOR_EMAIL=who[1], GIT_COMMITTER_EMAIL=who[1])
    subprocess.run(["git", "add", "-A"], cwd=repo.root, env=env, check=True)
    sign_flag = ["-S"] if sign else ["--no-gpg-sign"]
    subprocess.run(["git", "commit", "-q", *sign_flag, "-m", message], cwd=repo.root, env=env, check=True)
    return repo.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return credit_repo(tmp_path)


def _approve(run: Callable[..., Any], repo: GitRepo) -> None:
    result = run(
        "approve", SPEC, "--role", "model-risk-lead", "--by", "hannah-schmidt", "--date", "2026-01-02", cwd=repo.root
    )
    assert result.exit_code == 0, result.output


def _require_signed(repo: GitRepo) -> None:
    project = yaml.safe_load((repo.root / "specgen.yml").read_text(encoding="utf-8"))
    project.setdefault("policy", {})["approvals"] = {"signed_commits": True}
    (repo.root / "specgen.yml").write_text(yaml.safe_dump(project, sort_keys=False), encoding="utf-8")
    commit_as(repo, "require signed approvals", SARA)


def _signing_key(repo: GitRepo, tmp_path: Path) -> list[tuple[str, str]]:
    """A throwaway SSH signing key for the repository, trusted through an
    allowed-signers file; returns the git configuration that sets it up."""
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed (Debian package openssh-client)")
    key = tmp_path / "signing-key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", str(key)], check=True)
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f'{HANNAH[1]} namespaces="git" {key.with_suffix(".pub").read_text().strip()}\n')
    config = [("gpg.format", "ssh"), ("user.signingkey", str(key)), ("gpg.ssh.allowedSignersFile", str(allowed))]
    for name, value in config:
        repo.git("config", name, value)
    return config


@pytest.fixture
def gpg_key(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A throwaway OpenPGP key (no passphrase) in a temporary GnuPG home, set as the repository's signing key."""
    if shutil.which("gpg") is None or shutil.which("gpgconf") is None:
        pytest.skip("gpg is not installed (Debian package gnupg)")
    home = Path(tempfile.mkdtemp(prefix="sg-gpg-"))  # short: gpg-agent's socket path has a length limit
    home.chmod(0o700)
    monkeypatch.setenv("GNUPGHOME", str(home))
    try:
        subprocess.run(
            ["gpg", "--batch", "--quiet", "--passphrase", "", "--quick-gen-key", f"{HANNAH[0]} <{HANNAH[1]}>", *KEY],
            check=True,
            capture_output=True,
        )
        repo.git("config", "user.signingkey", HANNAH[1])
        yield
    finally:
        subprocess.run(["gpgconf", "--kill", "all"], check=False, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def _sidecar_line(repo: GitRepo, text: str) -> int:
    lines = (repo.root / SIDECAR).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


# ---------------------------------------------------------------- recorded by


def test_history_and_site_say_who_recorded_an_approval_for_someone_else(repo: GitRepo, run: Callable[..., Any]) -> None:
    _approve(run, repo)
    commit_as(repo, "approve", SARA)

    page = run("history", SPEC, cwd=repo.root)
    assert page.exit_code == 0, page.output
    assert "Hannah Schmidt (2026-01-02, recorded by Sara Nilsson)" in page.output
    data = json.loads(run("history", SPEC, "--format", "json", cwd=repo.root).output)
    assert data["versions"][0]["approvals"][0]["recorded_by"] == "Sara Nilsson"

    pages = render_pages(load_portfolio([repo.specs], project_file=repo.root / "specgen.yml"))
    overview = pages["workflows/credit-decision-assistant/index.md"]
    assert re.search(r"Approved by Hannah Schmidt .* \(recorded by Sara Nilsson\)", overview), overview


def test_an_approval_the_approver_committed_says_nothing_more(repo: GitRepo, run: Callable[..., Any]) -> None:
    _approve(run, repo)
    commit_as(repo, "approve", HANNAH)
    page = run("history", SPEC, cwd=repo.root)
    assert page.exit_code == 0, page.output
    assert "Hannah Schmidt (2026-01-02)" in page.output
    assert "recorded by" not in page.output
    pages = render_pages(load_portfolio([repo.specs], project_file=repo.root / "specgen.yml"))
    assert "recorded by" not in pages["workflows/credit-decision-assistant/index.md"]


def test_editing_the_approver_of_a_committed_approval_is_recorded_by_the_editor(
    repo: GitRepo, run: Callable[..., Any]
) -> None:
    """Hannah commits her approval; someone else later rewrites a line of it: they recorded it as it stands."""
    _approve(run, repo)
    commit_as(repo, "approve", HANNAH)
    sidecar = repo.root / SIDECAR
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("2026-01-02", "2026-01-03"), encoding="utf-8")
    commit_as(repo, "touch up", SARA)
    assert "Hannah Schmidt (2026-01-03, recorded by Sara Nilsson)" in run("history", SPEC, cwd=repo.root).output


# ---------------------------------------------------------------- signed commits


def test_an_unsigned_approval_commit_is_an_error_and_does_not_count(repo: GitRepo, run: Callable[..., Any]) -> None:
    _require_signed(repo)
    _approve(run, repo)
    sha = commit_as(repo, "approve", HANNAH)

    result = run("validate", cwd=repo.root)
    assert result.exit_code == 1, result.output
    line = _sidecar_line(repo, "role: model-risk-lead")
    expected = (
        f"{SIDECAR}:{line}:3: approvals[0]: approval by model-risk-lead, given by hannah-schmidt on "
        f"2026-01-02, is not counted: the commit that recorded it, {sha[:7]} by Hannah Schmidt <{HANNAH[1]}>, "
        "has no good signature (git verify-commit), and the project requires signed commits "
        "(policy.approvals.signed_commits)"
    )
    assert expected in result.output
    check = run("check", cwd=repo.root)
    assert check.exit_code == 1 and expected in check.output
    page = run("history", SPEC, cwd=repo.root).output
    assert "Approved by Model Risk" not in page and "**not approved**" in page


def test_a_signed_approval_commit_counts(repo: GitRepo, tmp_path: Path, run: Callable[..., Any]) -> None:
    _signing_key(repo, tmp_path)
    _require_signed(repo)
    _approve(run, repo)
    commit_as(repo, "approve", HANNAH, sign=True)

    result = run("validate", cwd=repo.root)
    assert result.exit_code == 0, result.output
    assert "approval" not in result.output
    page = run("history", SPEC, cwd=repo.root).output
    assert "Model Risk Management Lead: Hannah Schmidt (2026-01-02)" in page


@pytest.mark.usefixtures("gpg_key")
def test_an_approval_commit_signed_with_gpg_counts(repo: GitRepo, run: Callable[..., Any]) -> None:
    _require_signed(repo)
    _approve(run, repo)
    commit_as(repo, "approve", HANNAH, sign=True)
    result = run("validate", cwd=repo.root)
    assert result.exit_code == 0, result.output
    assert "approval" not in result.output
    assert "Model Risk Management Lead: Hannah Schmidt (2026-01-02)" in run("history", SPEC, cwd=repo.root).output


def test_an_unsigned_edit_of_a_signed_approval_does_not_count(
    repo: GitRepo, tmp_path: Path, run: Callable[..., Any]
) -> None:
    _signing_key(repo, tmp_path)
    _require_signed(repo)
    _approve(run, repo)
    signed = commit_as(repo, "approve", HANNAH, sign=True)
    sidecar = repo.root / SIDECAR
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("2026-01-02", "2026-01-03"), encoding="utf-8")
    unsigned = commit_as(repo, "touch up", SARA)

    result = run("validate", cwd=repo.root)
    assert result.exit_code == 1, result.output
    shas = ", ".join(sorted([signed[:7], unsigned[:7]]))
    assert f"one of the commits that wrote it ({shas}; newest by Sara Nilsson <{SARA[1]}>) has no good signature" in (
        result.output
    )


def test_an_uncommitted_approval_is_a_warning_under_the_policy(repo: GitRepo, run: Callable[..., Any]) -> None:
    """A pre-commit hook runs before the approval is committed: it warns, the approval does not count yet."""
    _require_signed(repo)
    _approve(run, repo)
    result = run("validate", cwd=repo.root)
    assert result.exit_code == 0, result.output
    assert "warning: approvals[0]: approval by model-risk-lead" in result.output
    assert "is not counted: it is not committed yet, and the project requires signed commits" in result.output


def test_without_the_policy_an_unsigned_approval_counts(repo: GitRepo, run: Callable[..., Any]) -> None:
    _approve(run, repo)
    commit_as(repo, "approve", HANNAH)
    result = run("validate", cwd=repo.root)
    assert result.exit_code == 0, result.output
    assert "approval" not in result.output


def test_an_inline_approval_in_an_unsigned_commit_is_reported_at_the_spec_line(
    repo: GitRepo, run: Callable[..., Any]
) -> None:
    from specgen.spec.fingerprint import fingerprint
    from specgen.spec.schema import Spec

    _require_signed(repo)
    data = credit()
    data["approvals"] = [
        {
            "role": "ciso",
            "by": "marcus-lee",
            "date": "2026-01-02",
            "fingerprint": fingerprint(Spec.model_validate(data)),
        }
    ]
    path = repo.write(data)
    commit_as(repo, "approve inline", SARA)
    result = run("validate", cwd=repo.root)
    assert result.exit_code == 1, result.output
    lines = path.read_text(encoding="utf-8").splitlines()
    line = lines.index("approvals:") + 2  # the entry's first line, under the top-level key
    assert "role: ciso" in lines[line - 1]
    assert f"{SPEC}:{line}:" in result.output
    assert "approval by ciso, given by marcus-lee on 2026-01-02, is not counted" in result.output


def test_a_hostile_author_name_is_shown_as_text(repo: GitRepo, run: Callable[..., Any]) -> None:
    _approve(run, repo)
    commit_as(repo, "approve", ("<img src=x onerror=alert(1)> **Mallory** [x](http://evil.example)", SARA[1]))
    page = run("history", SPEC, cwd=repo.root).output
    assert "recorded by " in page
    assert "<img" not in page and "**Mallory**" not in page and "](http" not in page
    overview = render_pages(load_portfolio([repo.specs], project_file=repo.root / "specgen.yml"))[
        "workflows/credit-decision-assistant/index.md"
    ]
    assert "recorded by " in overview
    assert "<img" not in overview and "**Mallory**" not in overview


def test_a_shallow_clone_cannot_vouch_for_an_approval_older_than_its_cut_off(
    repo: GitRepo, tmp_path: Path, run: Callable[..., Any]
) -> None:
    """git blames the cut-off commit for every older line: a signed commit on top must not sign for them."""
    config = _signing_key(repo, tmp_path)
    _require_signed(repo)
    _approve(run, repo)
    commit_as(repo, "approve, unsigned", SARA)
    (repo.root / "NOTES.md").write_text("notes\n", encoding="utf-8")
    commit_as(repo, "a signed commit on top", HANNAH, sign=True)
    assert run("validate", cwd=repo.root).exit_code == 1  # the full history shows the unsigned commit

    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    for name, value in config:
        subprocess.run(["git", "config", name, value], cwd=clone, check=True, env=repo.env())
    result = run("validate", cwd=clone)
    assert result.exit_code == 1, result.output
    assert "is older than this shallow clone's history, so its signature cannot be checked" in result.output
    assert "recorded by" not in run("history", SPEC, cwd=clone).output


# ---------------------------------------------------------------- whose signature
#
# Under the policy an approval counts only if the approver signed it: git
# verify-commit says a key is trusted, not whose it is.


@pytest.fixture
def keys(repo: GitRepo, tmp_path: Path) -> dict[str, Path]:
    """Throwaway SSH keys of Hannah and Sara, each listed under their own
    e-mail in one allowed-signers file: both verify, as any trusted key does."""
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed (Debian package openssh-client)")
    made = {}
    lines = []
    for who, email in (("hannah", HANNAH[1]), ("sara", SARA[1])):
        key = tmp_path / f"{who}-key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", who, "-f", str(key)], check=True)
        lines.append(f'{email} namespaces="git" {key.with_suffix(".pub").read_text().strip()}')
        made[who] = key
    allowed = tmp_path / "allowed_signers"
    allowed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    repo.git("config", "gpg.format", "ssh")
    repo.git("config", "gpg.ssh.allowedSignersFile", str(allowed))
    return made


def _sign_with(repo: GitRepo, key: Path) -> None:
    repo.git("config", "user.signingkey", str(key))


def test_an_approval_signed_by_someone_else_does_not_count(
    repo: GitRepo,
    keys: dict[str, Path],
    run: Callable[..., Any],
) -> None:
    _require_signed(repo)
    _approve(run, repo)  # Hannah's approval, written and signed by Sara
    _sign_with(repo, keys["sara"])
    sha = commit_as(repo, "approve for Hannah", SARA, sign=True)
    assert subprocess.run(["git", "verify-commit", sha], cwd=repo.root, capture_output=True).returncode == 0

    result = run("validate", cwd=repo.root)
    assert result.exit_code == 1, result.output
    assert (
        f"is not counted: the commit that recorded it, {sha[:7]} by Sara Nilsson <{SARA[1]}>, is signed by "
        f"{SARA[1]}, and the signature must be the approver's, with the approver's e-mail, {HANNAH[1]}"
    ) in result.output
    history = json.loads(run("history", SPEC, "--format", "json", cwd=repo.root).output)
    assert history["versions"][0]["approvals"] == [], "the site and history leave it out"


def _hannah_signs_her_approval(repo: GitRepo, keys: dict[str, Path], run: Callable[..., Any]) -> None:
    _require_signed(repo)
    _approve(run, repo)
    _sign_with(repo, keys["hannah"])
    commit_as(repo, "approve", HANNAH, sign=True)


def test_the_approvers_own_signature_counts(
    repo: GitRepo,
    keys: dict[str, Path],
    run: Callable[..., Any],
) -> None:
    _hannah_signs_her_approval(repo, keys, run)
    result = run("validate", cwd=repo.root)
    assert result.exit_code == 0, result.output
    assert "Model Risk Management Lead: Hannah Schmidt (2026-01-02)" in run("history", SPEC, cwd=repo.root).output


def test_a_signed_edit_by_someone_else_of_a_signed_approval_does_not_count(
    repo: GitRepo,
    keys: dict[str, Path],
    run: Callable[..., Any],
) -> None:
    _hannah_signs_her_approval(repo, keys, run)
    sidecar = repo.root / SIDECAR
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("2026-01-02", "2026-01-03"), encoding="utf-8")
    _sign_with(repo, keys["sara"])
    commit_as(repo, "move the date", SARA, sign=True)

    result = run("validate", cwd=repo.root)
    assert result.exit_code == 1, result.output
    assert f"is signed by {SARA[1]}, {HANNAH[1]}, and the signature must be the approver's" in result.output
