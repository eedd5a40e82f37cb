"""The report templates ship compiled (auditor/report/compiled/, auditor/report/precompile.py): the
shipped modules are today's, the environments load them, they render exactly what the sources
render, and a template edited since (or another Jinja2) is compiled from its source instead."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from auditor.cli import main
from auditor.report import environment, precompile

ROOT = Path(__file__).resolve().parents[2]
COMPILED = ROOT / "auditor" / "report" / "compiled"
RUN = "run: python -m auditor.report.precompile"


def test_the_shipped_modules_are_compiled_from_todays_templates() -> None:
    for kind in environment.SUFFIXES:
        on_disk = {p.name: p.read_text(encoding="utf-8") for p in (COMPILED / kind).glob("tmpl_*.py")}
        assert on_disk == precompile.compiled(kind), RUN
        assert (COMPILED / kind / "__init__.py").is_file()
    assert (COMPILED / environment.MANIFEST).read_text(encoding="utf-8") == precompile.manifest(), RUN


def test_the_environments_load_the_compiled_modules() -> None:
    for kind in environment.SUFFIXES:
        assert isinstance(environment._loader(kind), jinja2.ModuleLoader), kind


@pytest.mark.parametrize("locale", ["en", "tr"])
def test_compiled_and_source_templates_render_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             locale: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")

    def written(out: Path) -> dict[str, bytes]:
        environment.html_environment.cache_clear()
        environment.markdown_environment.cache_clear()
        code = main(["audit", "--snapshot", str(ROOT / "auditor" / "sample" / "sample-tenant.json"), "--policies",
                     str(ROOT / "policies" / "example.yaml"), "--as-of", "2026-11-01T06:00:00Z", "--output-dir",
                     str(out), "--format", "html,md", "--locale", locale, "--fail-on", "never"])
        assert code == 0
        return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    try:
        compiled = written(tmp_path / "compiled")
        assert isinstance(environment.html_environment().loader, jinja2.ModuleLoader)
        monkeypatch.setattr(environment, "_loader", lambda kind: environment.source_loader())
        from_source = written(tmp_path / "source")
        assert isinstance(environment.html_environment().loader, jinja2.PackageLoader)
    finally:
        environment.html_environment.cache_clear()
        environment.markdown_environment.cache_clear()
    assert set(compiled) == {"report.html", "report.md"}
    assert compiled == from_source


def test_an_edited_template_or_another_jinja2_compiles_the_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    real = environment.sources
    monkeypatch.setattr(environment, "sources", lambda kind: {**real(kind), "summary.md.j2": "0" * 64})
    assert isinstance(environment._loader("md"), jinja2.PackageLoader)
    monkeypatch.setattr(environment, "sources", real)
    monkeypatch.setattr(jinja2, "__version__", "0.0")
    assert isinstance(environment._loader("html"), jinja2.PackageLoader)
