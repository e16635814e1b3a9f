"""The command line: in-process through main([...]), plus a subprocess smoke test."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _mini import CODEBOOK, DATA, TEXTS, copy_mini

import influence
from influence.cli import main

MINI = ["--codebook", str(CODEBOOK), "--data", str(DATA)]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_score_csv_has_exactly_the_frame_columns(capsys):
    """--format csv carries the DataFrame's columns and rows."""
    code, out, err = run(capsys, "score", *MINI, "--format", "csv")
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    frame = influence.score(influence.load(CODEBOOK, DATA))
    assert list(rows[0]) == list(frame.columns)
    assert [r["country"] for r in rows] == ["ARM", "BLR", "GEO"]
    assert float(rows[0]["distance"]) == 0.6875


def test_score_json_is_a_list_of_records(capsys):
    """--format json is a list of records with the same columns; NaN becomes null."""
    code, out, _ = run(capsys, "score", *MINI, "--format", "json")
    records = json.loads(out)
    assert code == 0
    assert [r["country"] for r in records] == ["ARM", "BLR", "GEO"]
    assert records[1]["beta"] is None
    assert list(records[0]) == [
        "country",
        "name",
        "distance",
        "rank",
        "coverage",
        "alpha",
        "beta",
        "coverage_alpha",
        "coverage_beta",
    ]


def test_output_is_byte_identical_across_runs(capsys):
    """Two runs print the same bytes."""
    first = run(capsys, "score", *MINI, "--format", "json", "--p", "2")[1]
    second = run(capsys, "score", *MINI, "--format", "json", "--p", "2")[1]
    assert first == second


def test_table_mentions_reference_and_date(capsys):
    """The table format starts with what the numbers mean."""
    code, out, _ = run(capsys, "score", *MINI, "--reference", "geo")
    assert code == 0
    assert out.startswith("distance from GEO at 2021-01-01")
    assert "RUS" in out


def test_weights_file_and_per_dimension_p(tmp_path, capsys):
    """--weights FILE and --p DIM=P reach the model."""
    weights = tmp_path / "w.toml"
    weights.write_text("a2 = 1.0\n")
    code, out, _ = run(
        capsys,
        "score",
        *MINI,
        "--weights",
        str(weights),
        "--format",
        "csv",
        "--p",
        "alpha=1",
        "--p",
        "1",
    )
    assert code == 0
    assert "ARM,Armenia,0.625," in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a2 = -1\n", "w.toml: a2.weight: a weight must be a number >= 0, got -1"),
        (
            "zz = 1\n",
            "w.toml: zz.weight: 'zz' is neither an indicator nor a dimension id",
        ),
        ("a2 = \n", "w.toml: invalid TOML: "),
    ],
)
def test_bad_weights_file(tmp_path, monkeypatch, capsys, content, message):
    """A bad weights file gives one line naming file, entry and field, and exit 2."""
    monkeypatch.chdir(tmp_path)
    Path("w.toml").write_text(content)
    code, out, err = run(capsys, "score", *MINI, "--weights", "w.toml")
    assert (code, out) == (2, "")
    assert err.startswith(f"influence: error: {message}")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["score", "--p", "0.5"],
        ["score", "--as-of", "2020-02-30"],
        ["score", "--format", "xml"],
        ["explain", "XYZ"],
        ["score", "--reference", "XYZ"],
        ["nonsense"],
        ["diff", "--from", "2020-01-01"],
    ],
)
def test_usage_errors_are_one_line_exit_2(capsys, argv):
    """Bad arguments: exit 2, one line on stderr, nothing on stdout."""
    code, out, err = (
        run(capsys, *argv[:1], *MINI, *argv[1:])
        if argv[0] != "nonsense"
        else run(capsys, *argv)
    )
    assert (code, out) == (2, "")
    assert err.startswith("influence: error: ")
    assert err.count("\n") == 1


def test_explain_shows_quotes(capsys):
    """explain prints each indicator's contribution and the verbatim quotes."""
    code, out, _ = run(capsys, "explain", "ARM", *MINI)
    assert code == 0
    assert out.startswith("ARM: distance 0.688 from RUS at 2021-01-01 (coverage 1.00)")
    assert (
        "a1 [memo] \u201cArmenia went half way in 2020, after leaving a2 in 2010.\u201d"
        in out
    )


def test_explain_json(capsys):
    """explain --format json lists evidence as [source, quote] pairs."""
    code, out, _ = run(capsys, "explain", "ARM", *MINI, "--format", "json")
    rows = {r["indicator"]: r for r in json.loads(out)}
    assert code == 0
    assert rows["a2"]["contribution"] == 0.375
    assert rows["a2"]["evidence"] == [["memo", "after leaving a2 in 2010"]]


def test_validate_with_texts(capsys):
    """validate summarises and checks quotes against the texts."""
    code, out, _ = run(capsys, "validate", *MINI, "--texts", str(TEXTS))
    assert code == 0
    assert out.splitlines()[0] == (
        "ok: 3 indicators in 2 dimensions, 4 countries, 1 sources, "
        "11 observations with 11 evidence items"
    )
    assert "every quote found verbatim" in out


def test_validate_reports_a_misquote(tmp_path, monkeypatch, capsys):
    """A quote not in its text is named with file, record and field."""
    monkeypatch.chdir(tmp_path)
    cb, data = copy_mini(tmp_path)
    path = data / "observations" / "GEO.toml"
    path.write_text(
        path.read_text().replace("Georgia is outside.", "Georgia is out.", 1)
    )
    code, out, err = run(
        capsys,
        "validate",
        "--codebook",
        str(cb),
        "--data",
        str(data),
        "--texts",
        str(TEXTS),
    )
    assert (code, out) == (2, "")
    assert err == (
        "influence: error: data/observations/GEO.toml: observation[0].evidence[0].quote: "
        "quote 'Georgia is out.' is not in the text of memo\n"
    )


def test_output_file_written_whole(tmp_path, capsys):
    """--output writes the file; a failing run leaves no file behind."""
    target = tmp_path / "scores.csv"
    assert main(["score", *MINI, "--format", "csv", "--output", str(target)]) == 0
    assert target.read_text().startswith("country,name,distance")
    bad = tmp_path / "bad.csv"
    assert main(["score", *MINI, "--p", "0.1", "--output", str(bad)]) == 2
    assert not bad.exists()
    assert list(tmp_path.iterdir()) == [target]
    capsys.readouterr()


def test_schema_is_json_schema(capsys):
    """schema prints the JSON Schema of every file kind."""
    code, out, _ = run(capsys, "schema")
    schemas = json.loads(out)
    assert code == 0
    assert sorted(schemas) == [
        "countries",
        "dataset",
        "dimensions",
        "indicator",
        "observations",
        "sources",
    ]
    assert "country" not in schemas["observations"]["$defs"]["Observation"]["required"]
    assert schemas["indicator"]["additionalProperties"] is False


def test_trajectory_and_diff(capsys):
    """trajectory and diff run and print CSV whose numbers match the API."""
    code, out, _ = run(
        capsys,
        "trajectory",
        *MINI,
        "--from",
        "2019-01-01",
        "--to",
        "2021-01-01",
        "--format",
        "csv",
    )
    assert code == 0
    assert out.count("\n") == 1 + 3 * 3
    code, out, _ = run(
        capsys, "diff", *MINI, "--from", "2015-01-01", "--to", "2021-01-01"
    )
    assert code == 0
    assert "ARM a1: in -> half (+0.0625, changed_value)" in out


def test_subprocess_from_another_directory(tmp_path):
    """The installed command works from any directory on the bundled data."""
    env = {**os.environ, "PYTHONHASHSEED": "7"}
    done = subprocess.run(
        [sys.executable, "-m", "influence", "score", "--format", "csv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 14
    assert all(0.0 <= float(r["distance"]) <= 1.0 for r in rows if r["distance"])
    broken = tmp_path / "data"
    _, data = copy_mini(tmp_path)
    (data / "observations" / "ARM.toml").write_text("country = \n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "influence",
            "validate",
            "--codebook",
            str(CODEBOOK),
            "--data",
            str(broken),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(
        "influence: error: data/observations/ARM.toml: invalid TOML"
    )
    assert done.stderr.count("\n") == 1
