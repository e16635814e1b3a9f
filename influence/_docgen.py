"""Markdown generated from the codebook and the file models, so the docs cannot drift.

``python -m influence._docgen`` rewrites docs/codebook.md and docs/formats.md;
tests/test_docs.py checks that the committed files equal what this module renders.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from influence.codebook import Codebook, Indicator, NumericScale, load_codebook
from influence.schema import FILE_KINDS, json_schema

__all__ = ["cli_markdown", "codebook_markdown", "formats_markdown"]


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _indicator(ind: Indicator) -> list[str]:
    lines = [
        f"### `{ind.id}`: {ind.name}",
        "",
        f"Dimension `{ind.dimension}`, default weight {ind.default_weight:g}.",
        _one_line(ind.measures),
        "",
        "Coding:",
        "",
        *[f"> {line}".rstrip() for line in ind.coding.strip().splitlines()],
        "",
    ]
    if isinstance(ind.scale, NumericScale):
        s = ind.scale
        lines += [
            f"Numeric, in {s.unit}: {s.at_zero:g} maps to position 0, {s.at_one:g} to 1.",
            f"Goalposts: {_one_line(s.goalposts_note)}",
            f"Reference: {_one_line(s.reference_value_note)}",
        ]
    else:
        lines += [
            "| level | position | definition | why this position |",
            "| --- | --- | --- | --- |",
        ]
        lines += [
            f"| `{lv.id}` | {lv.position:g} | {_one_line(lv.definition)} | "
            f"{_one_line(lv.rationale)} |"
            for lv in ind.scale.levels
        ]
    for na in ind.not_applicable:
        who = ", ".join(na.countries) if na.countries else "every state"
        span = " ".join(
            part
            for part in (
                f"from {na.since}" if na.since else "",
                f"before {na.until}" if na.until else "",
            )
            if part
        )
        lines += [
            "",
            f"Not applicable to {who}{' ' + span if span else ''}: {_one_line(na.reason)}",
        ]
    if ind.cues:
        lines += ["", "Cue words: " + ", ".join(f"`{c}`" for c in ind.cues) + "."]
    return [*lines, ""]


def codebook_markdown(codebook: Codebook | None = None) -> str:
    """Render the codebook as Markdown: dimensions, then each indicator and its levels.

    Examples
    --------
    >>> codebook_markdown().splitlines()[0]
    '# Codebook'
    """
    cb = codebook if codebook is not None else load_codebook()
    lines = [
        "# Codebook",
        "",
        "Generated from `indicators/` by `python -m influence._docgen`; do not edit by hand.",
        "Position 0 is Moscow's own position on an indicator, 1 the farthest from it.",
        "",
        "| dimension | weight | indicators |",
        "| --- | --- | --- |",
    ]
    for dim in cb.dimensions:
        members = ", ".join(f"`{i.id}`" for i in cb.indicators if i.dimension == dim.id)
        lines.append(f"| {dim.name} (`{dim.id}`) | {dim.weight:g} | {members} |")
    lines.append("")
    for dim in cb.dimensions:
        lines += [f"## {dim.name}", "", _one_line(dim.description), ""]
        for ind in cb.indicators:
            if ind.dimension == dim.id:
                lines += _indicator(ind)
    return "\n".join(lines).rstrip("\n") + "\n"


def _type(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        return str(spec["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in spec:
        return " or ".join(_type(s) for s in spec["anyOf"])
    if "enum" in spec:
        return " / ".join(f"`{v}`" for v in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    if spec.get("type") == "array":
        return f"list of {_type(spec.get('items', {}))}"
    kind = str(spec.get("type", "any"))
    return f"{kind} ({spec['format']})" if "format" in spec else kind


def _table(title: str, schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    lines = [f"#### {title}", "", "| field | type | required |", "| --- | --- | --- |"]
    for name, spec in schema.get("properties", {}).items():
        lines.append(
            f"| `{name}` | {_type(spec)} | {'yes' if name in required else 'no'} |"
        )
    return [*lines, ""]


def formats_markdown() -> str:
    """Render a field table for every file kind, from the pydantic models' JSON Schema.

    Examples
    --------
    >>> "| `valid_from` | string (date) | yes |" in formats_markdown()
    True
    """
    lines = [
        "# File formats",
        "",
        "Generated from the pydantic models by `python -m influence._docgen`; do not edit.",
        "`influence schema` prints the same formats as JSON Schema for editors.",
        "Unknown fields are errors, so a misspelt key never passes silently.",
        "",
    ]
    for kind in sorted(FILE_KINDS):
        where = FILE_KINDS[kind][0]
        schema = json_schema(kind)
        lines += [f"## {kind}: `{where}`", ""]
        lines += _table(schema["title"], schema)
        for name, sub in sorted(schema.get("$defs", {}).items()):
            lines += _table(name, sub)
    return "\n".join(lines).rstrip("\n") + "\n"


def cli_markdown() -> str:
    """Render the command-line reference: each subcommand's purpose, example and help.

    Examples
    --------
    >>> "## influence score" in cli_markdown()
    True
    """
    import os

    from influence.cli import COMMANDS, parser

    os.environ["COLUMNS"] = "88"  # argparse wraps help to the terminal width
    top = parser()
    lines = [
        "# Command line",
        "",
        "Generated from `influence/cli.py` by `python -m influence._docgen`; do not edit.",
        "Every command exits 0 on success and 2 on bad input (data problems and usage",
        "errors alike), with one line per problem on stderr and nothing half-written.",
        "",
        "```text",
        top.format_help().rstrip(),
        "```",
        "",
    ]
    subs = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    for name, run, example, _ in COMMANDS:
        lines += [
            f"## influence {name}",
            "",
            (run.__doc__ or "").strip(),
            "",
            "Example:",
            "",
            "```sh",
            example,
            "```",
            "",
            "```text",
            subs.choices[name].format_help().rstrip(),
            "```",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


#: The dates of the data card's distance tables (the dataset's own date is added).
CARD_DATES = ("2014-01-01", "2020-01-01")


def _cli_text(argv: list[str]) -> str:
    import contextlib
    import io

    from influence.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    if code != 0:  # pragma: no cover - the bundled data is validated by the tests
        msg = f"influence {' '.join(argv)} exited {code}"
        raise RuntimeError(msg)
    return out.getvalue()


def card_blocks() -> dict[str, str]:
    """Render the generated blocks of docs/data-card.md from the bundled data.

    Examples
    --------
    >>> sorted(card_blocks())[:2]
    ['coverage', 'distances']
    """
    from influence.dataset import load

    ds = load()
    panel = ds.panel()
    inds = ds.codebook.indicator_ids
    mask = panel.applicable_mask()
    lines = [
        f"Coded cells at {ds.date}: {int(panel.positions.notna().to_numpy().sum())} of "
        f"{int(mask.sum())} applicable ({panel.coverage:.1%}); "
        f"{int((~mask).sum())} cells are not applicable by design.",
        "Each cell shows the number of evidence items behind the observation in force;",
        "`-` is a missing cell, `n/a` one the codebook declares not applicable. "
        "Columns, in order: "
        + ", ".join(f"{n + 1} `{i}`" for n, i in enumerate(inds))
        + ".",
        "",
        "| state | " + " | ".join(str(n + 1) for n in range(len(inds))) + " |",
        "| --- | " + " | ".join("---" for _ in inds) + " |",
    ]
    for country in panel.positions.index:
        cells = []
        for ind in inds:
            obs = panel.observation(country, ind)
            if panel.state(country, ind) == "not_applicable":
                cells.append("n/a")
            else:
                cells.append(str(len(obs.evidence)) if obs else "-")
        lines.append(f"| {country} | " + " | ".join(cells) + " |")
    coverage = "\n".join(lines)
    kinds: dict[tuple[str, str], int] = {}
    for s in ds.sources:
        kinds[(s.reliability, s.kind)] = kinds.get((s.reliability, s.kind), 0) + 1
    src = ["| reliability | kind | sources |", "| --- | --- | --- |"]
    src += [f"| {r} | {k} | {n} |" for (r, k), n in sorted(kinds.items())]
    evidence = sum(len(o.evidence) for o in ds.observations)
    src += [
        "",
        f"{len(ds.sources)} sources, {len(ds.observations)} observations, "
        f"{evidence} evidence items.",
    ]
    dates = [*CARD_DATES, ds.date.isoformat()]
    tables = []
    for day in dates:
        tables += [
            f"`influence score --as-of {day}`:",
            "",
            "```text",
            _cli_text(["score", "--as-of", day]).rstrip("\n"),
            "```",
            "",
        ]
    return {
        "coverage": coverage,
        "sources": "\n".join(src),
        "distances": "\n".join(tables).rstrip("\n"),
    }


def readme_blocks() -> dict[str, str]:
    """Render the README's real command output from the bundled data.

    Examples
    --------
    >>> sorted(readme_blocks())
    ['explain', 'score']
    """
    explain = _cli_text(["explain", "AZE"]).splitlines()
    cut = explain.index("evidence:") + 6
    shown = [*explain[:cut], f"  ... ({len(explain) - cut} more quotes)"]
    return {
        "score": "```text\n" + _cli_text(["score"]).rstrip("\n") + "\n```",
        "explain": "```text\n" + "\n".join(shown) + "\n```",
    }


def fill_blocks(text: str, blocks: dict[str, str]) -> str:
    """Replace each ``<!-- begin NAME -->...<!-- end NAME -->`` block with its content."""
    for name, body in blocks.items():
        begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
        head, found, rest = text.partition(begin)
        if not found:
            continue
        _, _, tail = rest.partition(end)
        text = f"{head}{begin}\n{body}\n{end}{tail}"
    return text


def write(root: Path) -> None:
    """Rewrite the generated documents under ``root / "docs"``."""
    readme = root / "README.md"
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        readme.write_text(fill_blocks(text, readme_blocks()), encoding="utf-8")
    card = root / "docs" / "data-card.md"
    if card.exists():
        text = card.read_text(encoding="utf-8")
        card.write_text(fill_blocks(text, card_blocks()), encoding="utf-8")
    (root / "docs" / "cli.md").write_text(cli_markdown(), encoding="utf-8")
    (root / "docs" / "codebook.md").write_text(codebook_markdown(), encoding="utf-8")
    (root / "docs" / "formats.md").write_text(formats_markdown(), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
