"""Markdown generated from the codebook and the file models, so the docs cannot drift.

``python -m influence._docgen`` rewrites docs/codebook.md and docs/formats.md;
tests/test_docs.py checks that the committed files equal what this module renders.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path
from typing import Any

from influence.codebook import Codebook, Indicator, NumericScale, load_codebook
from influence.dataset import Dataset, Observation
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
    >>> sorted(card_blocks())[:3]
    ['annual', 'approximate', 'coverage']
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
        "annual": _annual(ds),
        "moved": _moved(ds),
        "approximate": _approximate(ds),
        "figures": _figures(ds),
    }


def _annual(ds: Dataset) -> str:
    """Render every state's distance (and coverage) each 1 January, and at the end."""
    import datetime as dt

    from influence.timeline import trajectory

    t = trajectory(ds, start=dt.date(2014, 1, 1), end=ds.date, freq="year")
    days = sorted({str(d) for d in t["date"]})
    rows: dict[str, dict[str, str]] = {}
    for rec in t.to_dict("records"):
        dist, cov = float(rec["distance"]), float(rec["coverage"])
        shown = "-" if math.isnan(dist) else f"{dist:.3f} ({cov:.2f})"
        rows.setdefault(str(rec["country"]), {})[str(rec["date"])] = shown
    lines = [
        "Distance from RUS under the default model, with the coverage of the applicable "
        "weight in brackets; `-` where a state has no distance.",
        "",
        "| state | " + " | ".join(days) + " |",
        "| --- | " + " | ".join("---" for _ in days) + " |",
    ]
    for country in sorted(rows):
        lines.append(
            f"| {country} | " + " | ".join(rows[country][d] for d in days) + " |"
        )
    return "\n".join(lines)


def _shown_value(value: object, state: object) -> str:
    return str(value) if state == "coded" else str(state)


def _moved(ds: Dataset) -> str:
    """Render the three largest parts of each state's change since 2014, with a quote."""
    import datetime as dt

    from influence.timeline import diff

    d = diff(ds, start=dt.date(2014, 1, 1), end=ds.date)
    lines = [
        f"`influence diff --from 2014-01-01 --to {ds.date}`: each state's change and "
        "the three cells that moved it most, with the cause of each part and the first "
        "quote behind the cell now in force.",
        "",
    ]
    parts = d.parts.to_dict("records")
    for row in d.summary.to_dict("records"):
        country, change = str(row["country"]), float(row["change"])
        if math.isnan(change):
            lines.append(f"- **{country}** ({row['name']}): no distance at one date.")
            continue
        lines.append(
            f"- **{country}** ({row['name']}): {float(row['distance_from']):.3f} to "
            f"{float(row['distance_to']):.3f} ({change:+.3f})."
        )
        mine = sorted(
            (p for p in parts if p["country"] == country),
            key=lambda p: (-abs(float(p["part"])), str(p["indicator"])),
        )
        for part in mine[:3]:
            evidence: tuple[tuple[str, str, str], ...] = part["evidence"]
            first = next(
                ((src, q) for src, q, st in evidence if st == "supports"), None
            )
            said = f" [{first[0]}] \u201c{_one_line(first[1])}\u201d" if first else ""
            lines.append(
                f"  - `{part['indicator']}` "
                f"{_shown_value(part['from_value'], part['from_state'])} \u2192 "
                f"{_shown_value(part['to_value'], part['to_state'])} "
                f"({float(part['part']):+.3f}, {part['cause']}).{said}"
            )
    return "\n".join(lines)


def _approximate(ds: Dataset) -> str:
    """Render every observation whose date is known only to the month or year, and why."""
    rough = sorted(
        (o for o in ds.observations if o.date_precision != "day"),
        key=lambda o: (o.country, o.indicator, o.valid_from),
    )
    by = {p: sum(1 for o in rough if o.date_precision == p) for p in ("month", "year")}
    lines = [
        f"{len(rough)} of {len(ds.observations)} observations have an approximate "
        f"date: {by['month']} known to the month, {by['year']} to the year (coded on "
        "the 1st of the month or on 1 January).",
        "",
        "| state | indicator | valid_from | known to | why |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {o.country} | `{o.indicator}` | {o.valid_from} | {o.date_precision} | "
        f"{_one_line(o.date_note or '')} |"
        for o in rough
    ]
    return "\n".join(lines)


#: The calendar years whose figures the numeric indicators should carry.
FIGURE_YEARS = range(2012, 2026)


def _figures(ds: Dataset) -> str:
    """Render, per numeric indicator and state, the years no observation gives a figure for."""
    numeric = [i for i in ds.codebook.indicators if isinstance(i.scale, NumericScale)]
    lines = [
        'A figure counts for the year its observation names ("Year covered: 2012" in '
        "its date note or note), else for the calendar year before it took effect (an "
        "annual figure is published after its year ends). Years listed as without have "
        "no figure of their own: the previous figure stays in force, and nothing is "
        "interpolated.",
        "",
        "| indicator | state | years with a figure | years without |",
        "| --- | --- | --- | --- |",
    ]
    for ind in numeric:
        for country in ds.country_ids:
            if country == "RUS":
                continue
            years = sorted(
                {
                    _year_covered(o)
                    for o in ds.observations
                    if o.indicator == ind.id and o.country == country
                }
            )
            missing = [y for y in FIGURE_YEARS if y not in years]
            lines.append(
                f"| `{ind.id}` | {country} | {_years(years)} | {_years(missing)} |"
            )
    return "\n".join(lines)


_COVERED = re.compile(r"[Yy]ear covered:?\s*(\d{4})")


def _year_covered(obs: Observation) -> int:
    """Return the calendar year a numeric observation's figure is for."""
    for text in (obs.date_note, obs.note):
        found = _COVERED.search(text or "")
        if found:
            return int(found.group(1))
    return obs.valid_from.year - 1


def _years(years: list[int]) -> str:
    """Compress years into runs: 2012-2015, 2018."""
    if not years:
        return "none"
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


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
