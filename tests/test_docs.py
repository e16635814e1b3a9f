"""Docs that cannot drift: generated pages equal their sources; CLI examples run."""

import shlex
from pathlib import Path

import pytest

from influence import _docgen
from influence.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("page", "render"),
    [
        ("codebook.md", _docgen.codebook_markdown),
        ("formats.md", _docgen.formats_markdown),
        ("cli.md", _docgen.cli_markdown),
    ],
)
def test_generated_page_is_current(page, render):
    """docs/<page> equals what `python -m influence._docgen` renders now."""
    assert (ROOT / "docs" / page).read_text() == render(), (
        "run: python -m influence._docgen"
    )


@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_cli_example_runs(command, monkeypatch, capsys):
    """Each subcommand's documented example exits 0 (from the repository root)."""
    name, _, example, _ = command
    argv = shlex.split(example)
    assert argv[:2] == ["influence", name]
    if "--texts" in argv and not (ROOT / argv[argv.index("--texts") + 1]).is_dir():
        pytest.skip("the seed texts are not beside this checkout")
    monkeypatch.chdir(ROOT)
    assert main(argv[1:]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out


def test_readme_commands():
    """The README shows the two set-up commands and a test command that .ci/run runs."""
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install -e ".[test]" && pytest' in readme
    assert "pip install . && influence score" in readme
    assert 'pip install --quiet -e ".[test]" && pytest' in ci


def test_readme_output_is_current():
    """The README's sample output is what `influence score` and `influence explain AZE` print now."""
    readme = (ROOT / "README.md").read_text()
    assert "<!-- begin score -->" in readme
    assert _docgen.fill_blocks(readme, _docgen.readme_blocks()) == readme, (
        "run: python -m influence._docgen"
    )


def test_data_card_tables_are_current():
    """The data card's generated tables (coverage, sources, distances at three dates)
    equal what the bundled data and `influence score --as-of DATE` give now."""
    card = (ROOT / "docs" / "data-card.md").read_text()
    for name in _docgen.card_blocks():
        assert f"<!-- begin {name} -->" in card
    assert _docgen.fill_blocks(card, _docgen.card_blocks()) == card, (
        "run: python -m influence._docgen"
    )
