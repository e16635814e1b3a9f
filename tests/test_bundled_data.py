"""Integrity of the bundled dataset: quotes, evidence, conflicts, coverage, seed signals."""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

import influence
from influence.checks import check_conflicts, check_texts

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_IDS = (
    "000_8b6a6d5680e702d1",
    "001_01cdb717fd660f1c",
    "002_3b0d6d751b272cc1",
    "003_cadb4e14f1105db8",
    "004_5789262eef704622",
)
STATES = (
    "ARM",
    "AZE",
    "BLR",
    "EST",
    "GEO",
    "KAZ",
    "KGZ",
    "LTU",
    "LVA",
    "MDA",
    "RUS",
    "TJK",
    "TKM",
    "UKR",
    "UZB",
)

# The signals the five texts carry, as (text, state, indicator): each must be coded with
# a quote from that text. Read off the texts by hand; see docs/data-card.md.
SEED_SIGNALS = [
    ("000_8b6a6d5680e702d1", "AZE", "bilateral_relations"),
    ("000_8b6a6d5680e702d1", "AZE", "ukraine_war_stance"),
    ("000_8b6a6d5680e702d1", "AZE", "russian_state_media"),
    ("000_8b6a6d5680e702d1", "ARM", "icc_rome_statute"),
    ("000_8b6a6d5680e702d1", "KAZ", "ukraine_war_stance"),
    ("000_8b6a6d5680e702d1", "KAZ", "russian_language_status"),
    ("000_8b6a6d5680e702d1", "KAZ", "brics_stance"),
    ("000_8b6a6d5680e702d1", "KAZ", "energy_export_routes"),
    ("000_8b6a6d5680e702d1", "GEO", "foreign_agent_law"),
    ("000_8b6a6d5680e702d1", "MDA", "euro_atlantic_path"),
    ("001_01cdb717fd660f1c", "AZE", "bilateral_relations"),
    ("001_01cdb717fd660f1c", "AZE", "russian_state_media"),
    ("001_01cdb717fd660f1c", "AZE", "turkic_states"),
    ("002_3b0d6d751b272cc1", "AZE", "bilateral_relations"),
    ("003_cadb4e14f1105db8", "GEO", "cis_participation"),
    ("003_cadb4e14f1105db8", "UKR", "cis_participation"),
    ("003_cadb4e14f1105db8", "MDA", "cis_participation"),
    ("003_cadb4e14f1105db8", "ARM", "russian_military_presence"),
    ("003_cadb4e14f1105db8", "AZE", "moscow_summits"),
    ("003_cadb4e14f1105db8", "AZE", "bilateral_relations"),
    ("004_5789262eef704622", "AZE", "energy_export_routes"),
    ("004_5789262eef704622", "AZE", "defence_partners"),
]


@pytest.fixture(scope="module")
def ds():
    return influence.load()


def test_all_fifteen_states(ds):
    """The dataset codes exactly the fifteen post-Soviet states."""
    assert ds.country_ids == STATES


@pytest.mark.skipif(
    not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout"
)
def test_seed_quotes_are_verbatim(ds):
    """Every quote citing a seed text is in it, word for word (white space folded)."""
    assert check_texts(ds, SEEDS) == []


def test_every_seed_text_is_a_source_and_cited(ds):
    """The five texts are sources, each cited at least once."""
    cited = {e.source for o in ds.observations for e in o.evidence}
    assert set(SEED_IDS) <= {s.id for s in ds.sources}
    assert set(SEED_IDS) <= cited


def test_every_source_is_cited_and_described(ds):
    """No orphan source; every source outside the seeds has a URL and a date."""
    cited = {e.source for o in ds.observations for e in o.evidence}
    assert {s.id for s in ds.sources} - cited == set()
    for s in ds.sources:
        assert s.reliability_note.strip(), s.id
        if s.id not in (*SEED_IDS, "influence_codebook"):
            assert s.url, s.id
            assert s.url.startswith("http"), s.id


def test_codebook_quotes_are_in_the_codebook(ds):
    """Quotes citing the codebook (RUS conventions) are verbatim in indicators/*.toml."""
    text = " ".join(
        " ".join(p.read_text().split()) for p in (ROOT / "indicators").glob("*.toml")
    )
    quotes = [
        e.quote
        for o in ds.observations
        for e in o.evidence
        if e.source == "influence_codebook"
    ]
    for quote in quotes:
        assert " ".join(quote.split()) in text, quote


@pytest.mark.parametrize(("text", "country", "indicator"), SEED_SIGNALS)
def test_seed_signal_is_coded(ds, text, country, indicator):
    """Each signal read off the texts is an observation quoting that text."""
    found = [
        o
        for o in ds.observations
        if (o.country, o.indicator) == (country, indicator)
        and any(e.source == text for e in o.evidence)
    ]
    assert found, f"{country}/{indicator} has no evidence from {text}"


def test_no_unresolved_conflicts(ds):
    """No two observations of a cell overlap in time without a resolution."""
    assert check_conflicts(ds) == []


def test_every_state_has_a_score_at_the_dataset_date(ds):
    """At the declared date every non-reference state has a distance in [0, 1]."""
    df = influence.score(ds)
    assert len(df) == 14
    assert df["distance"].notna().all(), df.attrs["reasons"]
    assert df["distance"].between(0, 1).all()


def test_coverage_at_the_dataset_date(ds):
    """Every applicable (state x indicator) cell is coded at the declared date."""
    panel = ds.panel()
    assert panel.coverage == 1.0, [(g.country, g.indicator) for g in panel.gaps]


def test_reference_sits_at_zero(ds):
    """At the dataset's date Russia is at position 0 on every indicator, fully coded.

    (Earlier it may not be: Russia had signed the Rome Statute until 2016, and the data
    says so rather than forcing a convention onto the record.)
    """
    row = ds.panel().positions.loc["RUS"].to_numpy()
    assert not np.isnan(row).any()
    assert np.max(row) == 0.0


@pytest.mark.parametrize("day", [dt.date(2014, 1, 1), dt.date(2020, 1, 1)])
def test_history_is_coded(ds, day):
    """The earlier panels hold evidence for every state (their coverage is in the data card)."""
    counts = ds.panel(day).positions.notna().sum(axis=1)
    assert (counts >= 5).all(), counts.to_dict()


@pytest.fixture(scope="module")
def half_years(ds):
    return influence.trajectory(ds, start=dt.date(2014, 1, 1), end=ds.date, freq="half")


def test_every_state_is_scored_every_half_year_since_2014(ds, half_years):
    """Each 1 January and 1 July from 2014, and the dataset date: 14 states, all scored."""
    t = half_years
    days = sorted(set(t["date"]))
    assert days[0] == dt.date(2014, 1, 1)
    assert days[-1] == ds.date
    assert len(days) == 2 * (ds.date.year - 2014) + 1 + (ds.date.month > 1)
    assert (t.groupby("date").size() == 14).all()
    assert t["distance"].notna().all(), t.loc[t["distance"].isna(), ["date", "country"]]


def test_coverage_is_high_at_every_half_year(half_years):
    """Coverage of the applicable weight: at least 0.85 for each state, 0.9 on average."""
    t = half_years
    low = t.loc[t["coverage"] < 0.85, ["date", "country", "coverage"]]
    assert low.empty, low.to_string()
    assert t.groupby("date")["coverage"].mean().min() >= 0.9


def test_newly_coded_cells_are_a_small_part_of_each_change(ds):
    """Under 5 % of each state's 2014-to-dataset-date change comes from newly coded cells.

    The share is the sum of the absolute newly_coded parts over the sum of all
    absolute parts, so that parts of opposite sign cannot hide each other.
    """
    d = influence.diff(ds, start=dt.date(2014, 1, 1), end=ds.date)
    size = d.parts.assign(size=d.parts["part"].abs())
    total = size.groupby("country")["size"].sum()
    new = size[size["cause"] == "newly_coded"].groupby("country")["size"].sum()
    share = (new.reindex(total.index, fill_value=0.0) / total).round(4)
    # Known shortfalls, each with the cell no source was found for; when one is
    # coded, this test fails until the state leaves the list.
    known = {
        "UZB": "Karimov's attendance at the Minsk CIS summit of 25 October 2013 is"
        " not sourced, so moscow_summits is coded only from October 2014",
    }
    over = share[share >= 0.05]
    assert set(over.index) == set(known), over.to_dict()
