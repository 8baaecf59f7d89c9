"""mkdocs' build, driven from memory and able to skip unchanged pages.

:func:`build_pages` does what ``mkdocs build`` does — the same plugin
events, in the same order, through mkdocs' own page and template functions —
with three differences that cost mkdocs most of a rebuild:

* the configuration is given as data (mkdocs would parse a ``mkdocs.yml``
  whose navigation lists every page);
* the pages are given as text (:class:`SiteFiles`), so no ``docs/`` folder is
  written and walked; only the theme overrides live on disk;
* pages listed in ``reuse`` are not built at all. Their HTML file is already
  in the previous site (:mod:`specgen.site.delta` decides which, and links
  those files into the new one); what other pages need from them — their
  title and metadata for the navigation, their anchors for link checking,
  their search entries — comes from the :class:`PageRecord` an earlier build
  made of them.

Every page built returns its :class:`PageRecord`, so the next build can
reuse it. Nothing here prints: mkdocs' warnings are collected and returned,
and, as ``strict`` mkdocs does, any warning fails the build.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specgen.gcpause import paused_gc
from specgen.parallel import WorkerError, fork_map
from specgen.site.cache import SiteCache
from specgen.site.errors import SiteBuildError
from specgen.site.held import HeldBuild, Structure, refresh
from specgen.site.mkdocs import PythonName, mkdocs_log
from specgen.site.pagememo import PageText
from specgen.site.pagerecord import PageRecord, record_of, restore, search_entries, write_search_index
from specgen.usercache import template_code_cache

__all__ = ["PageRecord", "SiteFiles", "build_pages", "walk_order"]


@dataclass(frozen=True)
class SiteFiles:
    """What ``docs/`` would hold: pages as Markdown text, other files by where they are read from."""

    pages: Mapping[str, PageText]
    """docs-relative path → Markdown (read only for the pages built)."""
    static: Mapping[str, Path] = field(default_factory=dict)
    """docs-relative path → file to copy (assets, the logo, evidence result files)."""


def walk_order(paths: Sequence[str]) -> list[str]:
    """``paths`` in the order mkdocs reads a docs folder holding them: a
    folder's files first (``index``/``README`` leading, then by name), then its
    sub-folders by name, each the same way."""
    from mkdocs.structure.files import _file_sort_key

    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        *folders, name = path.split("/")
        for folder in folders:
            node = node.setdefault(folder + "/", {})
        node[name] = path
    ordered: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        names = sorted((k for k in node if not k.endswith("/")), key=_file_sort_key)
        ordered.extend(node[name] for name in names)
        for folder in sorted(k for k in node if k.endswith("/")):
            walk(node[folder])

    walk(tree)
    return ordered


def _resolve_names(value: Any) -> Any:
    """The configuration with ``!!python/name:`` references replaced by what they name."""
    if isinstance(value, PythonName):
        module, _, attribute = str(value).rpartition(".")
        return getattr(importlib.import_module(module), attribute)
    if isinstance(value, dict):
        return {k: _resolve_names(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_names(v) for v in value]
    return value


def _load_config(config: Mapping[str, Any], root: Path, site_dir: Path) -> Any:
    """mkdocs' configuration object from data, as ``load_config`` makes it from a file."""
    from mkdocs.config.defaults import MkDocsConfig

    settings = MkDocsConfig(config_file_path=str(root.resolve() / "mkdocs.yml"))
    settings.load_dict({**_resolve_names(dict(config)), "site_dir": str(site_dir.resolve())})
    errors, warnings = settings.validate()
    problems = [f"{name}: {message}" for name, message in [*errors, *warnings]]
    if problems:
        raise SiteBuildError("the mkdocs configuration is not valid: " + "; ".join(problems))
    return settings


def build_pages(
    config: Mapping[str, Any],
    root: Path,
    files: SiteFiles,
    site_dir: Path,
    *,
    plugins: Sequence[tuple[str, Any]] = (),
    reuse: Mapping[str, PageRecord] | None = None,
    cache: SiteCache | None = None,
    jobs: int | None = None,
    held: tuple[HeldBuild, str] | None = None,
) -> tuple[list[str], dict[str, PageRecord]]:
    """Build the site of ``config`` (:func:`specgen.site.mkdocs.mkdocs_config`)
    into ``site_dir``; ``root`` holds the ``theme/`` overrides (and an empty
    ``docs/``). ``plugins`` run after those of the configuration.

    With ``reuse`` (docs path → record), those pages are not built and no
    static file is copied: the caller brings them from the previous site.
    Pages are built in ``jobs`` worker processes (None: one per processor;
    see :mod:`specgen.parallel`); ``cache`` is the build cache the
    plugins use, which the workers read and report to. Returns mkdocs'
    warnings and a record of every page. Raises :class:`SiteBuildError` when
    mkdocs fails or warns. The records are in the order of the search index.
    ``held``: where a long-lived process keeps mkdocs' structure of the site
    between builds that keep pages, and this build's site key
    (:mod:`specgen.site.held`)."""
    with mkdocs_log() as log:
        try:
            settings = _load_config(config, root, site_dir)
            for name, plugin in plugins:
                settings.plugins[name] = plugin
            settings.plugins.on_startup(command="build", dirty=False)
            try:
                records = _build(settings, files, reuse or {}, jobs=jobs, cache=cache, log=log, held=held)
            finally:
                settings.plugins.on_shutdown()
        except SiteBuildError as exc:
            raise SiteBuildError(exc.message, log.messages) from exc
        except WorkerError as exc:  # already "TypeName: message"
            raise SiteBuildError(f"mkdocs failed: {exc}", log.messages) from exc
        except Exception as exc:  # mkdocs, a theme or a plugin: any error surfaces as anything
            raise SiteBuildError(f"mkdocs failed: {type(exc).__name__}: {exc}", log.messages) from exc
        if log.messages:
            raise SiteBuildError(f"mkdocs failed: aborted with {len(log.messages)} warnings", log.messages)
    return log.messages, records


def _build(
    config: Any,
    site: SiteFiles,
    reuse: Mapping[str, PageRecord],
    *,
    jobs: int | None,
    cache: SiteCache | None,
    log: Any,
    held: tuple[HeldBuild, str] | None = None,
) -> dict[str, PageRecord]:
    """``mkdocs.commands.build.build``, step for step, skipping what ``reuse``
    covers, and with ``held`` (a build keeping pages) the making of the
    files and the navigation when the last build of the same site left them."""
    from mkdocs.commands.build import _build_page, _build_theme_template, _populate_page
    from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions
    from mkdocs.structure.nav import get_navigation
    from mkdocs.structure.pages import Page

    from specgen.site import headershare, mdreuse, navshare
    from specgen.site.searchparse import use_fast_parser

    try:
        _compiled_once(config.theme)
        config = config.plugins.on_config(config)
        use_fast_parser(config)  # the search index parses pages with a faster tokenizer, same entries
        config.plugins.on_pre_build(config=config)
        os.makedirs(config.site_dir, exist_ok=True)
        with paused_gc(freeze=True):  # tens of thousands of long-lived objects: no collector pass over them
            taken = held[0].take(held[1]) if held is not None else None  # nothing stays held meanwhile
            taken = taken if reuse else None
            env = config.theme.get_env()
            navshare.install(env)  # the navigation rendered once for the pages sharing it, same bytes
            headershare.install(env)  # the header bar rendered once per folder, same bytes
            if taken is not None:  # the last build's objects, as mkdocs would make them afresh
                refresh(taken, config, site.pages, reuse)
                files = config.plugins.on_files(taken.files, config=config)
                nav = config.plugins.on_nav(taken.nav, config=config, files=files)
                doc_files = taken.doc_files
            else:
                order = walk_order([*site.pages, *site.static])
                page_file = _page_file_class(File)
                files = _files_class(Files)(
                    [
                        page_file.generated(config, path, content=site.pages[path])  # type: ignore[arg-type]
                        if path in site.pages
                        else File.generated(config, path, abs_src_path=str(site.static[path]))
                        for path in order
                    ]
                )
                for file in files:
                    file.generated_by = None  # as if read from docs/, where mkdocs would have found them
                set_exclusions(files, config)
                if not reuse:  # the theme's own files are copied (a reusing build links them from the previous site)
                    files.add_files_from_theme(env, config)
                files = config.plugins.on_files(files, config=config)
                set_exclusions(files, config)
                nav = get_navigation(files, config)
                nav = config.plugins.on_nav(nav, config=config, files=files)
                doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
            converter = mdreuse.Converter()  # one Markdown instance for every page, same bytes
            for file in doc_files:
                if file.page is None:
                    Page(None, file, config)
                if file.src_uri not in reuse:
                    converter.install(file.page)
                elif taken is None:
                    restore(file.page, reuse[file.src_uri], files)
            # Pages whose title or metadata other pages show (in the navigation)
            # are read first; every other page is read, built and let go of in one go.
            own_theme = _theme_is_bundled(config.theme.custom_dir)
            early = {
                f.src_uri for f in doc_files if f.src_uri not in reuse and _shown_elsewhere(f.page, site, own_theme)
            }
        for file in doc_files:  # converting pages makes short-lived cycles: the collector runs again
            if file.src_uri in early:
                _populate_page(file.page, config, files)
        env = config.plugins.on_env(env, config=config, files=files)
        if not reuse:
            files.copy_static_files()
        for template in config.theme.static_templates:
            _build_theme_template(template, env, files, config, nav)

        entries = search_entries(config)
        todo = [f for f in doc_files if f.src_uri not in reuse]

        def build_one(index: int) -> PageRecord:
            file = todo[index]
            page = file.page
            if file.src_uri not in early:
                _populate_page(page, config, files)
            before = len(entries) if entries is not None else 0
            _build_page(page, config, doc_files, nav, env)
            record = record_of(page, entries[before:] if entries is not None else [])
            if entries is not None:
                del entries[before:]
            if file.src_uri not in early:  # nothing reads it again
                page.content = page.markdown = ""
                site.pages[file.src_uri].release()
            return record

        folders = ["/".join(f.src_uri.split("/")[:2]) for f in todo]  # a workflow's pages stay together
        built = fork_map(len(todo), build_one, jobs=jobs, groups=folders, **_worker_hooks(cache, log))
        with paused_gc():
            records: dict[str, PageRecord] = {}
            for file, record in zip(todo, built, strict=True):
                records[file.src_uri] = record
                if file.page.content is None:  # built in a worker: what the checks below read of it
                    restore(file.page, record, files)
            # in the order of the search index, however and whenever each page was built
            records = {f.src_uri: reuse[f.src_uri] if f.src_uri in reuse else records[f.src_uri] for f in doc_files}
            chunks = [record.search_chunk for record in records.values()]
            for file in doc_files:
                file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
            write_search_index(config, entries, chunks)
        if held is not None and reuse:  # for the next build of the same site
            held[0].hold(Structure(held[1], files, nav, doc_files, records))
    except Exception as exc:
        config.plugins.on_build_error(error=exc)
        raise
    return records


_OWN_META = frozenset({"search"})
"""Front matter only the page itself reads (``search: exclude`` keeps it out of the index)."""


def _compiled_once(theme: Any) -> None:
    """Every Jinja environment ``theme`` makes loads its templates compiled
    once, from the user's template cache (:mod:`specgen.usercache`): the
    build's own, and the three mkdocs-material's search plugin makes to look
    up its language's settings in ``on_config``, which mkdocs makes without
    one and so compiles those templates again on every build."""
    if "get_env" in vars(theme):  # this theme's already
        return
    made = theme.get_env

    def get_env() -> Any:
        env = made()
        env.bytecode_cache = template_code_cache()
        return env

    theme.get_env = get_env


def _shown_elsewhere(page: Any, site: SiteFiles, own_theme: bool) -> bool:
    """Whether other pages show something only reading this page tells: its
    title (a navigation entry without one) or its metadata (front matter).

    With specgen's own theme files (``own_theme``), the index page of a
    section (a workflow's overview) is titled by its section wherever
    material shows it (``navigation.indexes``), so only its metadata counts;
    a theme file of the user's might show its title anywhere."""
    from mkdocs.utils.meta import get_data

    section_index = own_theme and page.is_index and page.parent is not None and not page.parent.is_page
    if "title" not in page.__dict__ and not section_index:
        return True
    meta = get_data(site.pages[page.file.src_uri].text[:4096])[1]
    return bool(set(meta) - _OWN_META)


def _theme_is_bundled(custom_dir: str | None) -> bool:
    """Whether the theme overrides are exactly specgen's bundled ones (``templates/site/theme``)."""
    from specgen.resources import bundled_templates

    bundled = bundled_templates() / "site" / "theme"
    if custom_dir is None:
        return False
    ours = {p.relative_to(custom_dir): p for p in Path(custom_dir).rglob("*") if p.is_file()}
    theirs = {p.relative_to(bundled): p for p in bundled.rglob("*") if p.is_file()}
    return ours.keys() == theirs.keys() and all(ours[n].read_bytes() == theirs[n].read_bytes() for n in ours)


def _worker_hooks(cache: SiteCache | None, log: Any) -> dict[str, Any]:
    """What a worker process does besides building: use the build cache
    without the parent's connection, and hand back the cache entries and
    mkdocs warnings of each chunk."""
    start = len(log.messages)

    def child_start() -> None:
        log.messages[:] = log.messages[:start]
        if cache is not None:
            cache.detach()

    def collect() -> tuple[Any, list[str]]:
        messages = log.messages[start:]
        del log.messages[start:]
        return (cache.take() if cache is not None else None), messages

    def absorb(left: tuple[Any, list[str]]) -> None:
        taken, messages = left
        if cache is not None and taken is not None:
            cache.absorb(taken)
        log.messages.extend(messages)

    hooks = {"child_start": child_start, "collect": collect, "absorb": absorb}
    if cache is not None:
        hooks.update(before_fork=cache.suspend, after_pool=cache.resume)
    return hooks


def _files_class(files_class: type) -> type:
    """mkdocs' ``Files`` that finds a file by a path already in its normal
    form without making a ``PurePath`` of it (the navigation and every page
    kept from the previous site look up a file per entry: 24,000 look-ups at
    1,000 specs). The keys of ``src_uris`` are normal POSIX paths, so a path
    equal to one is its own normal form; any other path goes through mkdocs."""

    class PathFiles(files_class):  # type: ignore[valid-type, misc]
        def get_file_from_path(self, path: str) -> Any:
            found = self.src_uris.get(path) if isinstance(path, str) else None
            return found if found is not None else super().get_file_from_path(path)

    return PathFiles


def _page_file_class(file_class: type) -> type:
    """mkdocs' ``File`` whose content is a :class:`PageText`, read when mkdocs reads it."""

    class PageFile(file_class):  # type: ignore[valid-type, misc]
        @property
        def _content(self) -> Any:
            held = self.__dict__.get("_held")
            return held.text if isinstance(held, PageText) else held

        @_content.setter
        def _content(self, value: Any) -> None:
            self.__dict__["_held"] = value

    return PageFile
