"""Building the handover site: the CLI, atomicity, determinism, safety, preview.

Each test runs the real mkdocs-material build (about a second each).
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from specgen import load_portfolio
from specgen.rules import check_portfolio
from specgen.site.build import MARKER, build_site
from specgen.site.errors import OutputNotOurs
from specgen.site.mkdocs import run_mkdocs
from specgen.site.serve import Preview
from specgen.spec.schema import Project, Spec
from tests.paths import spec_files
from tests.site_support import PAYLOAD, PROBE, broken_links, inject_markup, scan_site


def _digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (dot files included) and the hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def built(run, example_tree: Path) -> Path:
    """The examples built with the CLI into example_tree/site."""
    result = run("build", "specs", "-o", "site", cwd=example_tree)
    assert result.exit_code == 0, result.output
    return example_tree / "site"


def test_build_writes_a_site_for_every_workflow(run, example_tree: Path) -> None:
    result = run("build", "specs", "-o", "site", cwd=example_tree)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("built site: ")
    site = example_tree / "site"
    for spec in spec_files(example_tree / "specs"):
        ident = yaml.safe_load(spec.read_text(encoding="utf-8"))["id"]
        for page in ("index", "decisions", "controls", "acceptance", "exit", "definition", "history"):
            assert (site / "workflows" / ident / f"{page}.html").is_file(), (ident, page)
        for runbook in yaml.safe_load(spec.read_text(encoding="utf-8"))["runbooks"]:
            assert (site / "workflows" / ident / "runbooks" / f"{runbook['id']}.html").is_file(), runbook["id"]
    assert (site / "reference.html").is_file()
    assert (site / MARKER).is_file()
    assert (site / "assets/vendor/mermaid/mermaid.min.js").stat().st_size > 1_000_000
    assert (site / "assets/vendor/iframe-worker/shim.js").is_file()
    assert (site / "search/search_index.js").is_file(), "the offline plugin inlines the search index"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Credit-decision assistant for personal loans" in home
    assert "Ready for system of record" in home


def test_nothing_is_loaded_from_another_host(built: Path) -> None:
    scan = scan_site(built)
    assert scan.foreign == []
    for page in built.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "unpkg.com" not in text and "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text


def test_every_link_between_pages_resolves(built: Path) -> None:
    broken, checked = broken_links(built)
    assert broken == []
    assert checked > 300


def test_the_build_is_deterministic(run, example_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    for name in ("one", "two"):
        result = run("build", "-o", f"site-{name}", "--keep-sources", f"src-{name}", cwd=example_tree)
        assert result.exit_code == 0, result.output
    sources = _digest(example_tree / "src-one")
    assert any(name.endswith(".md") for name in sources) and "mkdocs.yml" in sources
    assert sources == _digest(example_tree / "src-two")
    assert _digest(example_tree / "site-one") == _digest(example_tree / "site-two")
    mkdocs_yml = (example_tree / "src-one" / "mkdocs.yml").read_text(encoding="utf-8")
    assert "font: false" in mkdocs_yml and "- offline" in mkdocs_yml and "navigation.prune" in mkdocs_yml
    # the kept sources are an mkdocs project of their own
    run_mkdocs(example_tree / "src-one", example_tree / "rebuilt")
    assert (example_tree / "rebuilt" / "index.html").is_file()


def test_invalid_specs_stop_the_build_with_the_messages_of_validate(run, built: Path, example_tree: Path) -> None:
    before = _digest(built)
    spec = example_tree / "specs" / "credit-decision-assistant.yml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("autonomy: ai_alone", "autonomy: ai_alon"), "utf-8")
    validate = run("validate", "specs", cwd=example_tree)
    result = run("build", "specs", "-o", "site", cwd=example_tree)
    assert result.exit_code == 1
    assert validate.exit_code == 1
    assert result.output == validate.output
    assert "did you mean 'ai_alone'?" in result.output
    assert _digest(built) == before


def test_a_failing_build_leaves_the_previous_site_untouched(run, built: Path, example_tree: Path) -> None:
    before = _digest(built)
    broken = example_tree / "templates" / "site" / "workflow" / "exit.md.j2"
    broken.parent.mkdir(parents=True)
    broken.write_text("# {{ spec.no_such_field }}\n", encoding="utf-8")
    result = run("build", "specs", "-o", "site", cwd=example_tree)
    assert result.exit_code == 1
    assert "site/workflow/exit.md.j2" in result.output
    assert "the previous site in site was left as it was" in result.output
    assert _digest(built) == before
    assert [p.name for p in example_tree.iterdir() if p.name.startswith(".")] == [".specgen-cache"]


def test_a_user_template_changes_the_site(run, example_tree: Path) -> None:
    page = example_tree / "templates" / "site" / "workflow" / "exit.md.j2"
    page.parent.mkdir(parents=True)
    page.write_text("# Leaving {{ spec.title }}\n\nOur own words.\n", encoding="utf-8")
    style = example_tree / "templates" / "site" / "assets" / "stylesheets" / "specgen.css"
    style.parent.mkdir(parents=True)
    style.write_text("/* ours */\n", encoding="utf-8")
    result = run("build", "specs", "-o", "site", cwd=example_tree)
    assert result.exit_code == 0, result.output
    exit_page = (example_tree / "site/workflows/credit-decision-assistant/exit.html").read_text(encoding="utf-8")
    assert "Our own words." in exit_page
    assert (example_tree / "site/assets/stylesheets/specgen.css").read_text(encoding="utf-8") == "/* ours */\n"


def test_hidden_files_and_folders_among_the_templates_are_not_published(run, example_tree: Path) -> None:
    """An editor's swap file or a tool's cache beside a template is not part of
    the site (and the preview, which does not watch hidden folders, would not
    notice it change)."""
    site = example_tree / "templates" / "site"
    for hidden in ["assets/.sass-cache/specgen.css", "assets/stylesheets/.specgen.css.swp", "theme/.idea/main.html"]:
        (site / hidden).parent.mkdir(parents=True, exist_ok=True)
        (site / hidden).write_text("/* not for the site */\n", encoding="utf-8")
    (site / "assets/stylesheets").mkdir(parents=True, exist_ok=True)
    (site / "assets/stylesheets/ours.css").write_text("/* ours */\n", encoding="utf-8")
    result = run("build", "specs", "-o", "site", "--keep-sources", "sources", cwd=example_tree)
    assert result.exit_code == 0, result.output
    built = example_tree / "site"
    assert (built / "assets/stylesheets/ours.css").is_file()
    published = [
        p for p in [*built.rglob("*"), *(example_tree / "sources").rglob("*")] if "not for the site" in _text(p)
    ]
    assert published == []
    assert not list(built.rglob(".sass-cache")) and not list((example_tree / "sources").rglob(".idea"))


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""


def test_a_folder_specgen_did_not_build_is_not_replaced(run, example_tree: Path) -> None:
    mine = example_tree / "docs"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("build", "specs", "-o", "docs", cwd=example_tree)
    assert result.exit_code == 2
    assert "docs exists and was not built by specgen" in result.output
    assert "--force" in result.output
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "mine"
    result = run("build", "specs", "-o", "docs", "--force", cwd=example_tree)
    assert result.exit_code == 0, result.output
    assert not (mine / "notes.txt").exists()
    with pytest.raises(OutputNotOurs):
        portfolio = load_portfolio([example_tree / "specs"], project_file=example_tree / "specgen.yml")
        (example_tree / "file.txt").write_text("x", encoding="utf-8")
        build_site(portfolio, example_tree / "file.txt")


@pytest.mark.parametrize("output", [".", "specs"])
def test_the_site_never_replaces_the_inputs_even_with_force(run, example_tree: Path, output: str) -> None:
    before = _digest(example_tree)
    result = run("build", "specs", "-o", output, "--force", cwd=example_tree)
    assert result.exit_code == 2
    assert "an input of the build; choose another folder" in result.output
    assert _digest(example_tree) == before


def test_the_project_file_sets_name_logo_and_colours(run, example_tree: Path) -> None:
    project = yaml.safe_load((example_tree / "specgen.yml").read_text(encoding="utf-8"))
    project["site"] = {"name": "Acme <AI> handover", "logo": "brand/logo.svg", "primary_color": "teal"}
    project["site"]["accent_color"] = "amber"
    (example_tree / "specgen.yml").write_text(yaml.safe_dump(project, sort_keys=False), encoding="utf-8")
    (example_tree / "brand").mkdir()
    (example_tree / "brand" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', "utf-8")
    result = run("build", "specs", "-o", "site", cwd=example_tree)
    assert result.exit_code == 0, result.output
    home = (example_tree / "site" / "index.html").read_text(encoding="utf-8")
    assert "<title>Acme &lt;AI&gt; handover</title>" in home
    assert 'data-md-color-primary="teal"' in home and 'data-md-color-accent="amber"' in home
    assert 'src="assets/logo.svg"' in home
    assert (example_tree / "site" / "assets" / "logo.svg").is_file()


@pytest.mark.parametrize(
    ("site", "message"),
    [
        ({"primary_color": "chartreuse"}, "site.primary_color 'chartreuse' is not a colour of the material theme"),
        ({"logo": "missing.png"}, "site.logo 'missing.png' not found"),
        ({"logo": "../outside.png"}, "is outside the project folder"),
    ],
)
def test_bad_site_settings_are_clear_errors(run, example_tree: Path, site: dict, message: str) -> None:
    project = yaml.safe_load((example_tree / "specgen.yml").read_text(encoding="utf-8"))
    project["site"] = {**project.get("site", {}), **site}
    (example_tree / "specgen.yml").write_text(yaml.safe_dump(project, sort_keys=False), encoding="utf-8")
    result = run("build", "specs", "-o", "site", cwd=example_tree)
    assert result.exit_code == 1
    assert message in result.output
    assert not (example_tree / "site").exists()


def test_markup_in_every_string_field_stays_text(tmp_path: Path, credit_data: dict) -> None:
    project = yaml.safe_load((Path(__file__).parent.parent / "specgen.yml").read_text(encoding="utf-8"))
    assert inject_markup(project, Project) > 20
    assert inject_markup(credit_data, Spec) > 150
    (tmp_path / "specs").mkdir()
    (tmp_path / "specgen.yml").write_text(yaml.safe_dump(project, sort_keys=False), encoding="utf-8")
    spec_file = tmp_path / "specs" / "credit.yml"
    spec_file.write_text(yaml.safe_dump(credit_data, sort_keys=False), encoding="utf-8")
    portfolio = load_portfolio([tmp_path / "specs"], project_file=tmp_path / "specgen.yml")
    assert portfolio.ok, portfolio.diagnostics[:3]
    build_site(portfolio, tmp_path / "site", report=check_portfolio(portfolio))
    scan = scan_site(tmp_path / "site")
    assert scan.probes == []
    assert scan.handlers == []
    assert scan.inline_scripts == []
    assert scan.foreign == []
    shown = "".join(scan.text)
    assert shown.count("<script>window.__xss=1</script>") > 100, "the markup is shown as text"
    assert f'class="{PROBE}"' in shown
    assert PAYLOAD.strip()[:20] in shown


# ---------------------------------------------------------------- live preview


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # the preview, on 127.0.0.1
        return response.read().decode("utf-8")


def _wait_for(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:  # not listening yet
            pass
        time.sleep(0.2)
    return False


@contextlib.contextmanager
def _serving(preview: Preview):
    """Build ``preview`` once (it must succeed) and serve it until the block ends; yields the serving thread."""
    first = preview.build()
    assert first.ok, first.error
    thread = threading.Thread(target=preview.run, daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        preview.shutdown()
        thread.join(timeout=10)


def test_serve_rebuilds_when_a_spec_changes(example_tree: Path) -> None:
    specs, project_file = example_tree / "specs", example_tree / "specgen.yml"
    outcomes = []

    def load(memo=None):
        portfolio = load_portfolio([specs], project_file=project_file, memo=memo)
        return portfolio, None

    preview = Preview(load, watch=[specs, project_file], port=_free_port(), on_build=outcomes.append)
    with _serving(preview) as thread:
        page = f"{preview.url}workflows/credit-decision-assistant/index.html"
        assert _wait_for(lambda: "Credit-decision assistant" in _get(page))
        spec = specs / "credit-decision-assistant.yml"
        text = spec.read_text(encoding="utf-8")
        spec.write_text(text.replace("title: Credit-decision assistant", "title: Loan-decision assistant"), "utf-8")
        assert _wait_for(lambda: "Loan-decision assistant" in _get(page)), "the preview did not rebuild"
        spec.write_text(text.replace("autonomy: ai_alone", "autonomy: nobody"), "utf-8")
        assert _wait_for(lambda: any(o.diagnostics for o in outcomes)), "an invalid spec is reported"
        assert "Loan-decision assistant" in _get(page), "the last good site is still served"
    assert not thread.is_alive()
    assert not preview.site_dir.exists()
    shutil.rmtree(example_tree / "site", ignore_errors=True)


def test_serve_builds_a_save_made_during_its_first_build(example_tree: Path) -> None:
    """The first build of a large portfolio takes a minute; a spec saved
    meanwhile must be built next, not wait for another save."""
    specs, project_file = example_tree / "specs", example_tree / "specgen.yml"
    spec = specs / "credit-decision-assistant.yml"
    text = spec.read_text(encoding="utf-8")
    saves = []

    def load(memo=None):
        portfolio = load_portfolio([specs], project_file=project_file, memo=memo)
        if not saves:  # the first build has read the specs; the user saves one
            time.sleep(0.5)  # the watcher's threads are running by now
            spec.write_text(text.replace("title: Credit-decision assistant", "title: Loan-decision assistant"), "utf-8")
            saves.append(spec)
        return portfolio, None

    preview = Preview(load, watch=[specs, project_file], port=_free_port())
    with _serving(preview):
        page = f"{preview.url}workflows/credit-decision-assistant/index.html"
        assert _wait_for(lambda: "Loan-decision assistant" in _get(page), 15), "the save was not built"


def test_serve_does_not_rebuild_for_its_own_build_cache(example_tree: Path) -> None:
    """The project file among the specs puts the build cache in the watched
    folder: every build writes it, which must not count as a change (it made
    the preview rebuild for ever), while a saved spec still does."""
    from specgen.site.cache import CACHE_DIR

    specs = example_tree / "specs"
    project_file = specs / "specgen.yml"
    shutil.move(example_tree / "specgen.yml", project_file)
    outcomes = []

    def load(memo=None):
        return load_portfolio([specs], project_file=project_file, memo=memo), None

    preview = Preview(load, watch=[specs], port=_free_port(), on_build=outcomes.append, cache=specs / CACHE_DIR)
    with _serving(preview):
        page = f"{preview.url}workflows/credit-decision-assistant/index.html"
        assert _wait_for(lambda: "Credit-decision assistant" in _get(page))
        spec = specs / "credit-decision-assistant.yml"
        text = spec.read_text(encoding="utf-8")
        spec.write_text(text.replace("title: Credit-decision assistant", "title: Loan-decision assistant"), "utf-8")
        assert _wait_for(lambda: "Loan-decision assistant" in _get(page), 15), "the saved spec was not built"
        time.sleep(2)  # eight looks at the files, each after the cache was written
        assert len(outcomes) == 2, f"{len(outcomes)} builds for one save"
        assert (specs / CACHE_DIR).is_dir()


def test_serve_on_a_busy_port_is_a_usage_error(run, example_tree: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "specs", "--port", str(port), cwd=example_tree)
    assert result.exit_code == 2
    assert f"cannot serve on 127.0.0.1:{port}" in result.output
