"""The ``influence`` command: parse, call the public API, print. No logic of its own."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from influence import _files, _output
from influence._ensemble import SOURCES
from influence.checks import check_conflicts, check_texts, future_observations
from influence.compare import compare
from influence.dataset import Dataset, load
from influence.errors import DataError, InfluenceError, Problem, Reason
from influence.explain import explain
from influence.model import Model, model_from_args
from influence.schema import FILE_KINDS, json_schema
from influence.scoring import score
from influence.sensitivity import sensitivity
from influence.timeline import diff, trajectory
from influence.uncertainty import uncertainty

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"influence: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = f"not a date (YYYY-MM-DD): {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


def _iso3(text: str) -> str:
    return text.upper()


def _p_value(text: str) -> tuple[str, float]:
    name, _, value = text.rpartition("=")
    try:
        return (name or "overall", float(value))
    except ValueError:
        msg = f"expected P or DIMENSION=P with P a number, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


def _add_data_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--codebook", metavar="DIR", help="indicator folder (default: bundled)"
    )
    cmd.add_argument("--data", metavar="DIR", help="data folder (default: bundled)")


def _add_model_options(
    cmd: argparse.ArgumentParser, *, formats: bool = True, as_of: bool = True
) -> None:
    _add_data_options(cmd)
    if as_of:
        cmd.add_argument(
            "--as-of",
            type=_date,
            metavar="DATE",
            help="panel date (default: the dataset's declared date)",
        )
    cmd.add_argument(
        "--reference",
        type=_iso3,
        default="RUS",
        metavar="ISO3",
        help="reference country (default: RUS)",
    )
    cmd.add_argument(
        "--weights",
        type=Path,
        metavar="FILE",
        help="TOML file of id = weight (indicator or dimension ids)",
    )
    cmd.add_argument(
        "--p",
        type=_p_value,
        action="append",
        metavar="P",
        help="aggregation exponent >= 1; DIMENSION=P sets one dimension's "
        "(repeatable; default 1)",
    )
    cmd.add_argument(
        "--missing",
        default="redistribute",
        choices=["redistribute", "as_reference", "as_farthest"],
        help="missing-cell policy (default: redistribute)",
    )
    cmd.add_argument(
        "--min-coverage",
        type=float,
        default=0.5,
        metavar="X",
        help="minimum weighted coverage for a distance (default: 0.5)",
    )
    cmd.add_argument(
        "--min-dimension-coverage",
        type=float,
        default=0.5,
        metavar="X",
        help="a dimension with less than this share of its applicable weight coded "
        "is not counted and its weight goes to the others; 0 turns the rule off "
        "(default: 0.5)",
    )
    if formats:
        cmd.add_argument(
            "--format",
            choices=_output.FORMATS,
            default="table",
            help="output format (default: table)",
        )
        cmd.add_argument(
            "--output",
            "-o",
            type=Path,
            metavar="FILE",
            help="write to FILE (whole or not at all) instead of stdout",
        )


def _dataset(args: argparse.Namespace) -> Dataset:
    return load(args.codebook, args.data)


def model_of(args: argparse.Namespace, ds: Dataset) -> Model:
    """Build the model that the shared model options describe."""
    weights = None
    if args.weights is not None:
        weights = _files.read_weights(args.weights)
        known = set(ds.codebook.indicator_ids) | set(ds.codebook.dimension_ids)
        bad = [
            Problem(
                _files.display(args.weights),
                key,
                "weight",
                Reason.unknown_indicator,
                f"{key!r} is neither an indicator nor a dimension id",
            )
            for key in sorted(set(weights) - known)
        ]
        if bad:
            raise DataError(bad)
    p: float | dict[str, float] = dict(args.p) if args.p else 1.0
    return model_from_args(
        args.command,
        None,
        reference=args.reference,
        weights=weights,
        p=p,
        missing=args.missing,
        min_coverage=args.min_coverage,
        min_dimension_coverage=args.min_dimension_coverage,
    )


def emit(args: argparse.Namespace, text: str) -> None:
    """Print a command's output, or write it whole to ``--output``."""
    if getattr(args, "output", None) is not None:
        _output.write_atomic(args.output, text)
    else:
        sys.stdout.write(text)


def emit_frame(args: argparse.Namespace, frame: pd.DataFrame, head: str) -> None:
    """Print a frame in ``--format``; the table format starts with ``head``."""
    text = _output.render(frame, args.format)
    emit(args, f"{head}\n\n{text}" if args.format == "table" else text)


def _footnotes(df: pd.DataFrame) -> str:
    reasons = df.attrs.get("reasons", {})
    lines = [f"{c}: no distance, {r}" for c, r in sorted(reasons.items())]
    head = (
        f"distance from {df.attrs.get('reference')} at {df.attrs.get('as_of')} "
        "(0 = the reference's position, 1 = farthest; rank 1 = farthest)"
    )
    return "\n".join([head, *lines]) + "\n"


def cmd_score(args: argparse.Namespace) -> int:
    """Print every country's distance from the reference."""
    ds = _dataset(args)
    model = model_of(args, ds)
    df = score(ds, as_of=args.as_of, model=model)
    if args.format != "table":
        emit(args, _output.render(df, args.format))
        return 0
    cov = [c for c in df.columns if c.startswith("coverage_")]
    main = _output.to_table(df.drop(columns=cov)).rstrip("\n")
    dims = df[["country", *cov]].rename(
        columns={c: c.removeprefix("coverage_") for c in cov}
    )
    note = (
        "coverage of each dimension (share of its applicable weight coded; below "
        f"{model.min_dimension_coverage:g} the dimension is not counted):"
    )
    text = f"{_footnotes(df)}\n{main}\n\n{note}\n\n{_output.to_table(dims)}"
    emit(args, text)
    return 0


def _explain_text(df: pd.DataFrame) -> str:
    a = df.attrs
    dist = "no distance" if pd.isna(a["distance"]) else f"distance {a['distance']:.3f}"
    shares = ", ".join(
        f"{d} {v:.2f}" if not np.isnan(v) else f"{d} n/a"
        for d, v in a["dimension_coverage"].items()
    )
    lines = [
        f"{a['country']}: {dist} from {a['reference']} at {a['as_of']} "
        f"(coverage {a['coverage']:.2f})",
        f"dimension coverage: {shares}",
        "",
    ]
    shown = df.copy()
    shown["value"] = [
        "n/a" if st == "not_applicable" else v
        for v, st in zip(df["value"], df["state"], strict=True)
    ]
    shown["dimension"] = [
        d if counted else f"{d} (not counted)"
        for d, counted in zip(df["dimension"], df["dimension_counted"], strict=True)
    ]
    cols = [
        "dimension",
        "indicator",
        "value",
        "position",
        "gap",
        "weight",
        "contribution",
    ]
    lines.append(_output.to_table(shown[cols]).rstrip("\n"))
    lines.append("")
    lines.append("evidence:")
    evidence: list[tuple[tuple[str, str], ...]] = list(df["evidence"])
    stances: list[tuple[str, ...]] = list(df["stances"])
    for indicator, items, marks in zip(df["indicator"], evidence, stances, strict=True):
        for (src, quote), stance in zip(items, marks, strict=True):
            flag = " (contradicts)" if stance == "contradicts" else ""
            lines.append(f"  {indicator} [{src}]{flag} \u201c{quote}\u201d")
    return "\n".join(lines) + "\n"


def cmd_explain(args: argparse.Namespace) -> int:
    """Print how one country's distance comes about, with its evidence."""
    ds = _dataset(args)
    df = explain(args.country, ds, as_of=args.as_of, model=model_of(args, ds))
    emit(
        args,
        _explain_text(df)
        if args.format == "table"
        else _output.render(df, args.format),
    )
    return 0


def cmd_panel(args: argparse.Namespace) -> int:
    """Print the country x indicator panel of positions (or coded values)."""
    panel = _dataset(args).panel(args.as_of)
    frame = panel.coded_values() if args.coded else panel.positions
    emit(args, _output.render(frame.reset_index(), args.format))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Load everything, check quotes and conflicts, print a summary."""
    ds = _dataset(args)
    problems = check_conflicts(ds)
    if args.texts is not None:
        problems += check_texts(ds, args.texts)
    if problems:
        raise DataError(problems)
    for warning in future_observations(ds):
        print(f"influence: warning: {warning}", file=sys.stderr)
    panel = ds.panel()
    evidence = sum(len(o.evidence) for o in ds.observations)
    print(
        f"ok: {len(ds.codebook.indicators)} indicators in {len(ds.codebook.dimensions)} "
        f"dimensions, {len(ds.countries)} countries, {len(ds.sources)} sources, "
        f"{len(ds.observations)} observations with {evidence} evidence items"
    )
    print(
        f"panel at {panel.as_of}: {panel.coverage:.1%} of applicable cells coded, "
        f"{int((~panel.applicable_mask()).sum())} not applicable by design, "
        f"{len(panel.conflicts)} conflicts resolved, {len(panel.gaps)} gaps"
    )
    if args.texts is not None:
        print(f"every quote found verbatim in its text under {args.texts}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of the file formats."""
    print(json.dumps(json_schema(args.kind), indent=2, sort_keys=True))
    return 0


def cmd_trajectory(args: argparse.Namespace) -> int:
    """Print every state's distance at regular dates."""
    ds = _dataset(args)
    df = trajectory(
        ds,
        start=args.start,
        end=args.end,
        freq=args.freq,
        balanced=args.balanced,
        model=model_of(args, ds),
    )
    emit(args, _output.render(df, args.format))
    return 0


def _shown(value: object, state: str) -> str:
    return {"not_applicable": "n/a", "not_coded": "-"}.get(state, str(value))


def _diff_text(summary: pd.DataFrame, parts: pd.DataFrame) -> str:
    lines = [
        _output.to_table(summary).rstrip("\n"),
        "",
        "parts of each change (cause: changed_value, newly_coded, no_longer_coded or"
        " applicability):",
    ]
    for rec in parts.to_dict("records"):
        evidence: tuple[tuple[str, str, str], ...] = rec["evidence"]
        against = sum(1 for *_, stance in evidence if stance == "contradicts")
        flag = f", {against} contradicting" if against else ""
        lines.append(
            f"  {rec['country']} {rec['indicator']}: "
            f"{_shown(rec['from_value'], rec['from_state'])} -> "
            f"{_shown(rec['to_value'], rec['to_state'])} ({rec['part']:+.4f}, "
            f"{rec['cause']}{flag}) {rec['observation']}"
        )
    return "\n".join(lines) + "\n"


def cmd_diff(args: argparse.Namespace) -> int:
    """Print each state's change in distance between two dates and the cells behind it."""
    ds = _dataset(args)
    d = diff(ds, start=args.start, end=args.end, model=model_of(args, ds))
    if args.format == "table":
        text = _diff_text(d.summary, d.parts)
    else:
        # One row per part, with its state's summary columns: the parts add up to change.
        merged = d.summary.merge(d.parts, on="country", how="left")
        text = _output.render(merged, args.format)
    emit(args, text)
    return 0


Command = tuple[str, Callable[[argparse.Namespace], int], str, Callable[[Any], None]]


def _score_args(cmd: argparse.ArgumentParser) -> None:
    _add_model_options(cmd)


def _explain_args(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("country", type=_iso3, metavar="ISO3", help="country to explain")
    _add_model_options(cmd)


def _span_args(cmd: argparse.ArgumentParser, *, freq: bool) -> None:
    cmd.add_argument("--from", dest="start", type=_date, required=True, metavar="DATE")
    cmd.add_argument("--to", dest="end", type=_date, required=True, metavar="DATE")
    if freq:
        cmd.add_argument(
            "--freq",
            choices=["year", "half", "quarter", "month"],
            default="year",
            help="step between dates; the --to date is always included (default: year)",
        )
        cmd.add_argument(
            "--balanced",
            action="store_true",
            help="score every date on the cells coded at all dates, so that coverage "
            "changes cannot move the line",
        )
    _add_model_options(cmd, as_of=False)


def _trajectory_args(cmd: argparse.ArgumentParser) -> None:
    _span_args(cmd, freq=True)


def _diff_args(cmd: argparse.ArgumentParser) -> None:
    _span_args(cmd, freq=False)


def _panel_args(cmd: argparse.ArgumentParser) -> None:
    _add_data_options(cmd)
    cmd.add_argument("--as-of", type=_date, metavar="DATE", help="panel date")
    cmd.add_argument(
        "--values",
        dest="coded",
        action="store_true",
        help="coded values, not positions",
    )
    cmd.add_argument("--format", choices=_output.FORMATS, default="table")
    cmd.add_argument("--output", "-o", type=Path, metavar="FILE")


def _validate_args(cmd: argparse.ArgumentParser) -> None:
    _add_data_options(cmd)
    cmd.add_argument(
        "--texts",
        type=Path,
        metavar="DIR",
        help="folder of source texts (<source id>.txt) to check quotes against",
    )


def _schema_args(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--kind", choices=sorted(FILE_KINDS), help="one file kind (default: all)"
    )


def _perturb(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    return () if names == ("none",) else names


def _ensemble_args(cmd: argparse.ArgumentParser, *, draws: int, level: float) -> None:
    _add_model_options(cmd)
    cmd.add_argument(
        "--draws",
        type=int,
        default=draws,
        metavar="N",
        help=f"draws (default: {draws})",
    )
    cmd.add_argument(
        "--seed", type=int, default=0, metavar="S", help="random seed (default: 0)"
    )
    cmd.add_argument(
        "--level",
        type=float,
        default=level,
        metavar="X",
        help=f"probability of the intervals (default: {level})",
    )


def _source_args(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--perturb",
        type=_perturb,
        default=SOURCES,
        metavar="LIST",
        help="comma-separated sources to perturb, or 'none' "
        f"(default: {','.join(SOURCES)})",
    )
    cmd.add_argument(
        "--concentration",
        type=float,
        default=20.0,
        metavar="X",
        help="Dirichlet concentration of the weights (default: 20)",
    )
    cmd.add_argument(
        "--max-p",
        type=float,
        default=2.0,
        metavar="P",
        help="largest exponent drawn (default: 2)",
    )


def _ensemble_options(args: argparse.Namespace, ds: Dataset) -> dict[str, Any]:
    """Collect the keyword arguments that uncertainty and sensitivity share."""
    return {
        "draws": args.draws,
        "seed": args.seed,
        "as_of": args.as_of,
        "model": model_of(args, ds),
        "level": args.level,
        "concentration": args.concentration,
        "max_p": args.max_p,
        "perturb": args.perturb,
    }


def cmd_uncertainty(args: argparse.Namespace) -> int:
    """Print each country's distance interval and rank interval from an ensemble."""
    ds = _dataset(args)
    res = uncertainty(ds, **_ensemble_options(args, ds))
    frame = res.rank_probabilities.reset_index() if args.ranks else res.summary
    head = (
        f"{res.n_draws} draws (seed {res.seed}) perturbing "
        f"{', '.join(res.perturb) or 'nothing'}; distance from "
        f"{res.model.reference} at {res.as_of}; central {res.level:.0%} intervals"
    )
    emit_frame(args, frame, head)
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Print Sobol first-order and total indices of each group of inputs."""
    ds = _dataset(args)
    res = sensitivity(ds, **_ensemble_options(args, ds))
    frame = res.indices
    if args.output_name is not None:
        wanted = frame["output"].str.upper() == args.output_name.upper()
        frame = frame[wanted]
    head = (
        f"Sobol indices from {res.n_draws} base draws ({res.evaluations} model "
        f"runs, seed {res.seed}); bounds: {res.level:.0%} bootstrap intervals"
    )
    emit_frame(args, frame, head)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Print rank correlations between the distance and an external measure."""
    ds = _dataset(args)
    res = compare(
        args.file,
        column=args.column,
        dataset=ds,
        as_of=args.as_of,
        model=model_of(args, ds),
        draws=args.draws,
        seed=args.seed,
        level=args.level,
    )
    skipped = ", ".join(res.unmatched) or "none"
    head = (
        f"{res.column!r} against the distance at {res.as_of} for "
        f"{len(res.data)} countries (not matched: {skipped})"
    )
    emit_frame(args, res.statistics, head)
    return 0


def _uncertainty_args(cmd: argparse.ArgumentParser) -> None:
    _ensemble_args(cmd, draws=10_000, level=0.9)
    _source_args(cmd)
    cmd.add_argument(
        "--ranks",
        action="store_true",
        help="print the probability of each rank instead of the intervals",
    )


def _sensitivity_args(cmd: argparse.ArgumentParser) -> None:
    _ensemble_args(cmd, draws=1024, level=0.95)
    _source_args(cmd)
    cmd.add_argument(
        "--for",
        dest="output_name",
        metavar="OUTPUT",
        help="only one output: a country (ISO3) or rank_shift",
    )


def _compare_args(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("file", type=Path, metavar="FILE.csv", help="country + measure")
    cmd.add_argument("--column", required=True, metavar="NAME", help="the measure")
    _ensemble_args(cmd, draws=2000, level=0.9)


COMMANDS: list[Command] = [
    (
        "score",
        cmd_score,
        "influence score --as-of 2020-01-01 --format csv",
        _score_args,
    ),
    ("explain", cmd_explain, "influence explain AZE --reference RUS", _explain_args),
    (
        "trajectory",
        cmd_trajectory,
        "influence trajectory --from 2014-01-01 --to 2026-03-01 --freq half --format csv",
        _trajectory_args,
    ),
    ("diff", cmd_diff, "influence diff --from 2014-01-01 --to 2026-03-01", _diff_args),
    ("panel", cmd_panel, "influence panel --values --as-of 2014-01-01", _panel_args),
    (
        "validate",
        cmd_validate,
        "influence validate --texts ../shared/seeds",
        _validate_args,
    ),
    ("schema", cmd_schema, "influence schema --kind observations", _schema_args),
    (
        "uncertainty",
        cmd_uncertainty,
        "influence uncertainty --draws 100000 --seed 1 --perturb weights,positions",
        _uncertainty_args,
    ),
    (
        "sensitivity",
        cmd_sensitivity,
        "influence sensitivity --draws 4096 --for rank_shift",
        _sensitivity_args,
    ),
    (
        "compare",
        cmd_compare,
        "influence compare benchmarks/illustrative_measure.csv --column illustrative",
        _compare_args,
    ),
]


def parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``influence`` command."""
    from influence import __version__

    top = _Parser(
        prog="influence", description="Distance-from-Moscow scores from evidence."
    )
    top.add_argument("--version", action="version", version=f"influence {__version__}")
    subs = top.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    for name, run, example, add_args in COMMANDS:
        doc = (run.__doc__ or "").strip()
        cmd = subs.add_parser(
            name, help=doc, description=doc, epilog=f"example: {example}"
        )
        add_args(cmd)
        cmd.set_defaults(run=run)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 bad input).

    Examples
    --------
    >>> main(["schema", "--kind", "dataset"])  # doctest: +ELLIPSIS
    {
    ...
    0
    """
    try:
        args = parser().parse_args(argv)
        return int(args.run(args))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    except DataError as err:
        for problem in err.problems:
            sys.stderr.write(f"influence: error: {problem}\n")
        return 2
    except InfluenceError as err:
        sys.stderr.write(f"influence: error: {err}\n")
        return 2
