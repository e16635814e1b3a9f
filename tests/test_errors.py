"""One row per Reason: a minimal bad file, the reason code and the exact one-line message."""

import re
from pathlib import Path

import pytest
from _mini import copy_mini, mini_with_span

import influence
from influence import DataError, Reason
from influence.cli import main


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


# (file relative to the copy, old text, new text, reason, exact message after the path)
CASES = [
    (
        "data/observations/ARM.toml",
        'value = "half"',
        'value = "hlf"',
        Reason.unknown_level,
        "observation[1].value: 'hlf' is not a level of a1 (levels: in, half, out)",
    ),
    (
        "data/observations/ARM.toml",
        'source = "memo"',
        'source = "nemo"',
        Reason.unknown_source,
        "observation[0].evidence[0].source: unknown source 'nemo' (not in data/sources.toml)",
    ),
    (
        "data/observations/ARM.toml",
        'indicator = "a2"',
        'indicator = "a3"',
        Reason.unknown_indicator,
        "observation[2].indicator: unknown indicator 'a3' (indicators: a1, a2, b1)",
    ),
    (
        "data/observations/ARM.toml",
        "value = 25.0",
        'value = "lots"',
        Reason.wrong_value_kind,
        "observation[3].value: b1 is numeric (percent); expected a number",
    ),
    (
        "data/observations/ARM.toml",
        "valid_from = 2010-01-01",
        'valid_from = "2010"',
        Reason.invalid_value,
        "observation[2].valid_from: Input should be a valid date. Got '2010' instead",
    ),
    (
        "data/observations/ARM.toml",
        "confidence = 0.9",
        "confidence = 1.5",
        Reason.invalid_value,
        "observation[0].confidence: Input should be less than or equal to 1. Got 1.5 instead",
    ),
    (
        "data/observations/ARM.toml",
        "confidence = 0.9",
        "confidance = 0.9",
        Reason.unknown_field,
        "observation[0].confidance: unknown field (misspelt?)",
    ),
    (
        "data/observations/GEO.toml",
        'indicator = "b1"\nvalue = 0\nvalid_from = 2000-01-01\n',
        'indicator = "b1"\nvalue = 0\nvalid_from = 2000-01-01\nvalid_until = 1999-01-01\n',
        Reason.invalid_value,
        "observation[1]: valid_until 1999-01-01 must come after valid_from 2000-01-01.",
    ),
    (
        "data/observations/BLR.toml",
        'country = "BLR"',
        'country = "BLZ"',
        Reason.file_country_mismatch,
        "country: country 'BLZ' differs from the file name 'BLR.toml'",
    ),
    (
        "data/observations/BLR.toml",
        '[[observation.evidence]]\nsource = "memo"\nquote = "Belarus is inside."\n\n[[observation]]',
        "[[observation]]",
        Reason.missing_evidence,
        "observation[0].evidence: an observation needs at least one evidence item (source and quote)",
    ),
    (
        "data/observations/BLR.toml",
        'value = "in"',
        'value = "in',
        Reason.toml_syntax,
        "invalid TOML: ",
    ),
    (
        "data/countries.toml",
        '[[country]]\nid = "RUS"',
        '[[country]]\nid = "ARM"\nname = "Armenia again"\n\n[[country]]\nid = "RUS"',
        Reason.duplicate_id,
        "ARM.id: country id 'ARM' is used more than once",
    ),
    (
        "data/sources.toml",
        'kind = "reference"',
        'kind = "blog"',
        Reason.invalid_value,
        "memo.kind: Input should be 'news', 'opinion', 'official', 'dataset', 'reference' or 'analysis'. Got 'blog' instead",
    ),
    (
        "indicators/a1.toml",
        "position = 0.5",
        "position = 1.5",
        Reason.invalid_value,
        "a1.scale.ordinal.levels[1].position: Input should be less than or equal to 1. Got 1.5 instead",
    ),
    (
        "indicators/a2.toml",
        'dimension = "alpha"',
        'dimension = "gamma"',
        Reason.unknown_dimension,
        "a2.dimension: unknown dimension 'gamma' (dimensions: alpha, beta)",
    ),
    (
        "indicators/a1.toml",
        "position = 0.5",
        "position = 0.0",
        Reason.invalid_value,
        "a1.scale.ordinal: level positions must increase strictly, got [0.0, 0.0, 1.0].",
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "reason", "message"),
    CASES,
    ids=[f"{c[3].value}-{i}" for i, c in enumerate(CASES)],
)
def test_bad_file(tmp_path, monkeypatch, capsys, file, old, new, reason, message):
    """A broken file raises DataError with the reason and names file, record and field."""
    monkeypatch.chdir(tmp_path)
    cb, data = copy_mini(tmp_path)
    _edit(tmp_path / file, old, new)
    with pytest.raises(DataError) as info:
        influence.load(cb, data)
    problems = info.value.problems
    assert [p.reason for p in problems] == [reason]
    assert str(problems[0]).startswith(f"{file}: {message}")
    # The CLI prints the same problem as one line and exits 2, with nothing on stdout.
    assert main(["score", "--codebook", str(cb), "--data", str(data)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"influence: error: {file}: {message}")


def test_every_problem_is_reported_at_once(tmp_path, monkeypatch):
    """Two broken files give two problems in one DataError (lazy validation)."""
    monkeypatch.chdir(tmp_path)
    cb, data = copy_mini(tmp_path)
    _edit(data / "observations/ARM.toml", 'value = "half"', 'value = "hlf"')
    _edit(data / "observations/GEO.toml", 'value = "out"', 'value = "ot"')
    with pytest.raises(DataError) as info:
        influence.load(cb, data)
    assert [p.path for p in info.value.problems] == [
        "data/observations/ARM.toml",
        "data/observations/GEO.toml",
    ]


def test_missing_folder(tmp_path, monkeypatch):
    """A data folder without its files names each missing file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(
        DataError, match=re.escape("empty/dataset.toml: file not found")
    ):
        influence.load(data=tmp_path / "empty")


def test_every_reason_has_a_case():
    """Each Reason that a loader can give appears in the table above or its own test."""
    covered = {c[3] for c in CASES} | {
        Reason.missing_file,
        Reason.quote_not_found,
        Reason.overlap,
        Reason.missing_field,
        Reason.unknown_country,
        Reason.not_applicable,
        Reason.after_dataset_date,
    }
    assert covered == set(Reason)


def test_an_observation_where_the_codebook_says_not_applicable(
    tmp_path, monkeypatch, capsys
):
    """Coding a cell the codebook declares not applicable names the record and the reason."""
    monkeypatch.chdir(tmp_path)
    cb, data = mini_with_span(
        tmp_path, "a2", 'countries = ["ARM"]\nreason = "a2 is not open to Armenia"'
    )
    with pytest.raises(DataError) as info:
        influence.load(cb, data)
    assert [str(p) for p in info.value.problems] == [
        "data/observations/ARM.toml: observation[2].valid_from: a2 does not apply"
        " to ARM at any date this observation holds, from 2010-01-01"
        " (codebook: a2 is not open to Armenia)"
    ]
    assert info.value.problems[0].reason is Reason.not_applicable
    assert main(["validate", "--codebook", str(cb), "--data", str(data)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_an_observation_may_start_inside_a_bounded_not_applicable_span(
    tmp_path, monkeypatch
):
    """Starting before the span ends is fine: the cell is masked until the span ends."""
    monkeypatch.chdir(tmp_path)
    cb, data = mini_with_span(
        tmp_path, "a2", 'until = 2012-01-01\nreason = "a2 began in 2012"'
    )
    ds = influence.load(cb, data)
    import datetime as dt

    assert ds.panel(dt.date(2011, 12, 31)).state("ARM", "a2") == "not_applicable"
    assert ds.panel(dt.date(2012, 1, 1)).state("ARM", "a2") == "coded"
    assert ds.panel(dt.date(2012, 1, 1)).state("GEO", "a2") == "not_coded"
    # ... but one that ends before the span does is never used, and rejected.
    _edit(
        data / "observations/ARM.toml",
        "valid_from = 2010-01-01",
        "valid_from = 2010-01-01\nvalid_until = 2011-06-01",
    )
    with pytest.raises(DataError, match="does not apply to ARM at any date"):
        influence.load(cb, data)


def test_validate_warns_about_an_observation_after_the_dataset_date(
    tmp_path, monkeypatch, capsys
):
    """A record dated after the dataset date is named in a warning; validate still passes."""
    monkeypatch.chdir(tmp_path)
    cb, data = copy_mini(tmp_path)
    info = (data / "dataset.toml").read_text()
    date = next(line for line in info.splitlines() if line.startswith("date"))
    _edit(
        data / "observations/ARM.toml",
        "valid_from = 2020-01-01",
        "valid_from = 2999-01-01",
    )
    assert main(["validate", "--codebook", str(cb), "--data", str(data)]) == 0
    out, err = capsys.readouterr()
    assert err == (
        "influence: warning: data/observations/ARM.toml: observation[1].valid_from: "
        f"valid_from 2999-01-01 is after the dataset date {date.split('= ')[1]}"
        " (data/dataset.toml), so it is not used unless as_of is later\n"
    )
    assert out.startswith("ok: ")
