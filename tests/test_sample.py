"""The synthetic demo data: file shapes, determinism, and the stories a coach should be able to see.

Files are read with plain pandas here (not the product's importer), so these tests pin the generator only.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analytics.demo import sample

REPO_SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
FILES = {
    "participants": "participants.csv",
    "dimension_scores": "dimensions_nl.csv",
    "value_reports": "value_reports.csv",
    "ties": "ties.csv",
    "events": "events.csv",
}
ZRL, OZL, HB, REK = sample.ZRL, sample.OZL, sample.HB, sample.REK


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return sample.write_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def people(out: dict[str, Path]) -> pd.DataFrame:
    df = pd.read_csv(out["participants"], dtype=str, keep_default_na=False)
    df["joined"] = pd.to_datetime(df["joined"], format="%Y-%m-%d")
    df["left"] = pd.to_datetime(df["left"].replace("", None), format="%Y-%m-%d")
    return df


@pytest.fixture(scope="module")
def dims(out: dict[str, Path]) -> pd.DataFrame:
    df = pd.read_csv(out["dimension_scores"], sep=";", decimal=",", encoding="cp1252", na_values=["n.v.t."])
    df.columns = [c.split(" ")[0] for c in df.columns]
    df["Datum"] = pd.to_datetime(df["Datum"], format="%d-%m-%Y")
    return df


@pytest.fixture(scope="module")
def ties(out: dict[str, Path]) -> pd.DataFrame:
    return pd.read_csv(out["ties"], dtype={"source": str, "target": str})


@pytest.fixture(scope="module")
def values(out: dict[str, Path]) -> pd.DataFrame:
    df = pd.read_csv(out["value_reports"], sep=";", encoding="utf-8-sig", keep_default_na=False)
    df["datum"] = pd.to_datetime(df["datum"], format="%d-%m-%Y")
    return df


def _in_degrees(people: pd.DataFrame, ties: pd.DataFrame) -> pd.DataFrame:
    """In-degree of every member active on each wave date (isolates count as 0)."""
    counts = ties.groupby(["network", "target", "date"]).size()
    rows = []
    for day in sorted(ties["date"].unique()):
        ts = pd.Timestamp(day)
        active = people[(people["joined"] <= ts) & (people["left"].isna() | (people["left"] > ts))]
        for m in active.itertuples():
            rows.append((m.network, m.role, day, counts.get((m.network, m.participant_id, day), 0)))
    return pd.DataFrame(rows, columns=["network", "role", "date", "in_degree"])


# ------------------------------------------------------------------------------------------ determinism
def test_same_seed_and_scale_give_the_same_bytes(tmp_path: Path, out: dict[str, Path]) -> None:
    again = sample.write_sample(tmp_path / "again")
    assert set(again) == set(FILES)
    for kind, path in again.items():
        assert path.name == FILES[kind]
        assert path.read_bytes() == out[kind].read_bytes(), kind
    other = sample.write_sample(tmp_path / "other", seed=7)
    assert other["ties"].read_bytes() != out["ties"].read_bytes()


def test_committed_sample_data_is_what_the_generator_writes(out: dict[str, Path]) -> None:
    for kind, name in FILES.items():
        committed = REPO_SAMPLE / name
        assert committed.exists(), f"{committed} missing: run write_sample('sample_data')"
        assert committed.read_bytes() == out[kind].read_bytes(), (
            f"{name} is stale: run write_sample('sample_data')"
        )


# ------------------------------------------------------------------------------------------ file shapes
def test_dutch_dimensions_file_is_cp1252_semicolons_and_decimal_commas(out: dict[str, Path]) -> None:
    raw = out["dimension_scores"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "\r\n" in text and "hiërarchisch" in text
    lines = text.split("\r\n")
    header = lines[0].split(";")
    assert header[:4] == ["Netwerk", "Datum", "Deelnemer", "Situatie"]
    assert [h.split(" ")[0] for h in header[4:]] == list(sample.INDICATORS)
    assert all("(0-10)" in h for h in header[4:])
    cells = [c for line in lines[1:] if line for c in line.split(";")[4:]]
    assert all(re.fullmatch(r"\d{1,2},\d", c) or c in ("n.v.t.", "") for c in cells)
    assert "n.v.t." in cells and "" in cells
    assert sum(c == "n.v.t." or c == "" for c in cells) < 0.05 * len(cells)
    assert all(re.fullmatch(r"\d\d-\d\d-\d{4}", line.split(";")[1]) for line in lines[1:] if line)


def test_dimension_scores_are_on_the_scale_with_desired_rows_late(dims: pd.DataFrame) -> None:
    scores = dims[list(sample.INDICATORS)]
    assert scores.min().min() >= 0 and scores.max().max() <= 10
    assert set(dims["Situatie"]) == {"huidig", "gewenst"}
    desired = dims[dims["Situatie"] == "gewenst"]
    assert desired["Netwerk"].nunique() >= 2
    assert set(desired["Datum"].dt.date) == set(sample.WAVE_DATES[-2:])
    assert sorted(dims["Datum"].dt.date.unique()) == list(sample.WAVE_DATES)


def test_participants_file(people: pd.DataFrame, out: dict[str, Path]) -> None:
    assert out["participants"].read_bytes()[:3] != b"\xef\xbb\xbf"
    assert list(people.columns) == list(sample.PARTICIPANT_COLUMNS)
    assert 150 <= len(people) <= 250
    assert people["participant_id"].str.fullmatch(r"P\d{3}").all()
    assert set(people["role"]) == set(sample.ROLES)
    assert set(people["network"]) == set(sample.STORY_NETWORKS)
    assert (people[people["role"] == "coach"].groupby("network").size() == 1).all()
    in_two = people.groupby("participant_id")["network"].nunique()
    assert 2 <= (in_two == 2).sum() <= 3 and in_two.max() == 2
    assert not people.duplicated(["participant_id", "network"]).any()
    names = " ".join(people["name"])
    for ch in ("'t", "é", "ë", "ü", "Ç", "Ö"):
        assert ch in names
    assert people["organisation"].str.contains("Pabo").any()
    assert people["organisation"].str.contains("Universiteit").any()
    assert people["organisation"].nunique() >= 30
    assert people["left"].notna().mean() < 0.5


def test_value_reports_file(out: dict[str, Path], values: pd.DataFrame) -> None:
    raw = out["value_reports"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert (
        raw.decode("utf-8-sig").splitlines()[0]
        == "netwerk;deelnemer;datum;cyclus;indicator;beschrijving;bewijs"
    )
    assert set(values["cyclus"]) == set(sample.CYCLE_NL.values())
    assert values["beschrijving"].nunique() > 0.5 * len(values)
    assert (values["bewijs"] == "").any() and (values["bewijs"] != "").any()
    per_period = values.groupby(["deelnemer", values["datum"].dt.to_period("Q")]).size()
    assert (per_period >= 2).any()


def test_ties_file_rules(ties: pd.DataFrame, people: pd.DataFrame) -> None:
    assert list(ties.columns) == list(sample.TIE_COLUMNS)
    assert not (ties["source"] == ties["target"]).any()
    assert not ties.duplicated(["network", "source", "target", "date"]).any()
    assert sorted(ties["date"].unique()) == [d.isoformat() for d in sample.WAVE_DATES]
    assert ties["weight"].between(1, 5).all()
    assert set(ties["tie_type"]) == set(sample.TIE_TYPES)
    assert set(ties["channel"]) == set(sample.CHANNELS)
    members = set(zip(people["network"], people["participant_id"], strict=True))
    assert all(pair in members for pair in zip(ties["network"], ties["source"], strict=True))
    external = ~ties["target"].str.fullmatch(r"P\d{3}")
    assert 5 <= external.sum() <= 0.03 * len(ties)
    assert "Dr. A. Bakker (lector)" in set(ties.loc[external, "target"])
    inside = ties[~external]
    assert all(pair in members for pair in zip(inside["network"], inside["target"], strict=True))


def test_events_file(out: dict[str, Path]) -> None:
    events = pd.read_csv(out["events"], dtype=str, keep_default_na=False)
    assert list(events.columns) == ["network", "date", "label"]
    rows = set(events.itertuples(index=False, name=None))
    assert (ZRL, "2024-01-17", "Gezamenlijke lunch ingevoerd") in rows
    assert (ZRL, "2026-01-14", "Gezamenlijke lunch gestopt (bezuiniging)") in rows
    assert (OZL, "2024-10-01", "Coaches stimuleren schoolbezoeken") in rows
    assert (OZL, "2025-03-26", "Externe experts uitgenodigd") in rows
    assert ("", "2024-09-02", "Start nieuw schooljaar") in rows
    assert (events["label"] == "Studiedag academische werkplaats").sum() >= 2


# ------------------------------------------------------------------------------------------ stories
def test_story_lunch_stops_and_connectedness_drops(dims: pd.DataFrame, ties: pd.DataFrame,
                                                    people: pd.DataFrame) -> None:  # fmt: skip
    before, after = sample.WAVE_DATES[sample.LUNCH_WAVE - 1], sample.WAVE_DATES[sample.LUNCH_WAVE]
    assert before < sample.LUNCH_STOP < after
    zrl = dims[(dims["Netwerk"] == ZRL) & (dims["Situatie"] == "huidig")]
    mean = zrl.groupby(zrl["Datum"].dt.date)[["3a", "3b", "3c"]].mean()
    assert mean.loc[before].mean() - mean.loc[after].mean() > 1.0
    assert (mean.loc[before, ["3a", "3c"]] - mean.loc[after, ["3a", "3c"]] > 1.5).all()
    # the tie map thins out: fewer ties per active member, and weaker ones
    degrees = _in_degrees(people, ties)
    per_member = degrees[degrees["network"] == ZRL].groupby("date")["in_degree"].mean()
    assert per_member[after.isoformat()] < 0.75 * per_member[before.isoformat()]
    weight = ties[ties["network"] == ZRL].groupby("date")["weight"].mean()
    assert weight[after.isoformat()] < weight[before.isoformat()] - 0.4


def _cross_school_share(ties: pd.DataFrame, people: pd.DataFrame, net: str) -> pd.Series:
    org = people.drop_duplicates("participant_id").set_index("participant_id")["organisation"]
    t = ties[ties["network"] == net].assign(so=lambda t: t["source"].map(org), to=lambda t: t["target"].map(org))
    t = t.dropna(subset=["to"])
    return (t["so"] != t["to"]).groupby(t["date"]).mean().sort_index()


def test_story_lunch_introduced_then_connectedness_rises_and_ties_cross_schools(
    dims: pd.DataFrame, ties: pd.DataFrame, people: pd.DataFrame
) -> None:
    start, stop = sample.LUNCH_START_WAVE, sample.LUNCH_WAVE
    assert sample.WAVE_DATES[start - 1] < sample.LUNCH_START < sample.WAVE_DATES[start] and start < stop - 2
    zrl = dims[(dims["Netwerk"] == ZRL) & (dims["Situatie"] == "huidig")]
    mean = zrl.groupby(zrl["Datum"].dt.date)[["3a", "3c"]].mean().mean(axis=1)
    with_lunch = mean.iloc[start - 1:stop]  # the wave before the lunch up to the last wave with it
    assert with_lunch.is_monotonic_increasing
    assert with_lunch.iloc[-1] - with_lunch.iloc[0] > 2.0
    share = _cross_school_share(ties, people, ZRL)
    assert share.iloc[start:stop].min() > share.iloc[start - 1] + 0.1  # more ties across schools with it
    assert share.iloc[stop] < share.iloc[stop - 1] - 0.1  # and fewer when it stopped


def test_story_outside_experts_and_weak_ties_grow_in_ozl(ties: pd.DataFrame, people: pd.DataFrame) -> None:
    ozl = ties[ties["network"] == OZL]
    outside = (~ozl["target"].isin(set(people["participant_id"]))).groupby(ozl["date"]).mean().sort_index()
    assert outside.iloc[sample.EXPERTS_WAVE:].min() > 2 * outside.iloc[:sample.EXPERTS_WAVE].max()
    weak = (ozl["weight"] < 3).groupby(ozl["date"]).mean().sort_index()
    assert weak.iloc[-2:].mean() > weak.iloc[:2].mean() + 0.15


def test_story_small_network_has_wide_intervals(dims: pd.DataFrame) -> None:
    from analytics.measures.uncertainty import mean_ci

    current = dims[dims["Situatie"] == "huidig"]
    per_wave = current.groupby(["Netwerk", "Datum"])["Deelnemer"].nunique()
    assert per_wave[sample.NKO].between(3, 10).all()  # shown (at least the group threshold), but few
    assert per_wave.drop(sample.NKO).min() > 20
    long = current.assign(position=current["3a"] / 10)[["Netwerk", "Datum", "position"]]
    ci = mean_ci(long, ["Netwerk", "Datum"])
    width = (ci["ci_high"] - ci["ci_low"]).groupby(ci["Netwerk"]).mean()
    assert width[sample.NKO] > 1.8 * width.drop(sample.NKO).max()


def test_participant_ids_are_stable_across_waves(dims: pd.DataFrame, people: pd.DataFrame) -> None:
    current = dims[dims["Situatie"] == "huidig"]
    member = set(zip(people["participant_id"], people["network"], strict=True))
    assert set(zip(current["Deelnemer"], current["Netwerk"], strict=True)) <= member
    waves = current.groupby("Deelnemer")["Datum"].nunique()
    assert (waves >= 4).mean() > 0.4  # many people answer in several waves under the same id


def test_story_school_visits_raise_cross_school_ties(ties: pd.DataFrame, people: pd.DataFrame) -> None:
    org = people.drop_duplicates("participant_id").set_index("participant_id")["organisation"]
    ozl = ties[ties["network"] == OZL].assign(
        so=lambda t: t["source"].map(org), to=lambda t: t["target"].map(org)
    )
    ozl = ozl.dropna(subset=["to"])
    share = (ozl["so"] != ozl["to"]).groupby(ozl["date"]).mean().sort_index()
    assert share.is_monotonic_increasing
    assert share.iloc[-1] - share.iloc[0] > 0.3
    assert share.iloc[0] < 0.5


def test_story_value_potential_in_hb_and_realized_in_rekenen(values: pd.DataFrame) -> None:
    applied = values["cyclus"].isin(["toegepaste waarde", "gerealiseerde waarde"])
    share = applied.groupby(values["netwerk"]).mean()
    assert share[REK] > share[HB] + 0.2
    early = values[values["cyclus"].isin(["directe waarde", "potentiële waarde"])]
    assert (early["netwerk"] == HB).sum() / (values["netwerk"] == HB).sum() > 0.8
    rek = values[values["netwerk"] == REK]
    rek_applied = applied[rek.index].groupby(rek["datum"] >= "2025-02-01").mean()
    assert rek_applied[True] > rek_applied[False] + 0.15
    transformative = rek[rek["cyclus"] == "transformatieve waarde"]
    assert len(transformative) >= 5 and transformative["datum"].min() >= pd.Timestamp("2025-02-01")


def test_story_student_teachers_at_the_edge_except_in_rekenen(
    ties: pd.DataFrame, people: pd.DataFrame
) -> None:
    degrees = _in_degrees(people, ties)
    mean = degrees.groupby(["network", "role"])["in_degree"].mean()
    for net in (ZRL, OZL, HB):
        assert mean[(net, "student_teacher")] < 0.5 * mean[(net, "teacher")], net
    assert mean[(REK, "student_teacher")] >= 0.9 * mean[(REK, "teacher")]


def test_story_participants_disagree_on_4c_in_hb(dims: pd.DataFrame) -> None:
    current = dims[dims["Situatie"] == "huidig"]
    spread = current.groupby("Netwerk")["4c"].std()
    assert spread[HB] > 2.0 and spread[HB] > 1.8 * spread.drop(HB).max()
    hb = current.loc[current["Netwerk"] == HB, "4c"].dropna()
    assert hb.between(4, 6).mean() < 0.2  # two camps, few in the middle


def test_other_scales_keep_the_story_networks(tmp_path: Path) -> None:
    small = pd.read_csv(sample.write_sample(tmp_path / "s", scale=0.3)["participants"], dtype=str)
    big = pd.read_csv(sample.write_sample(tmp_path / "b", scale=2)["participants"], dtype=str)
    assert set(sample.STORY_NETWORKS) == set(small["network"]) < set(big["network"])
    assert len(small) < 100 < 300 < len(big)
    with pytest.raises(ValueError):
        sample.write_sample(tmp_path / "z", scale=0)


# ------------------------------------------------------------------------------------------ benchmarks
def test_write_ties_csv_for_benchmarks(tmp_path: Path) -> None:
    ties_path = sample.write_ties_csv(tmp_path / "ties.csv", n_participants=2_000, n_ties=10_000, seed=1)
    people_path = sample.write_participants_csv(tmp_path / "people.csv", n_participants=2_000, seed=1)
    ties = pd.read_csv(ties_path, dtype=str)
    people = pd.read_csv(people_path, dtype=str, keep_default_na=False)
    assert list(ties.columns) == list(sample.TIE_COLUMNS)
    assert list(people.columns) == list(sample.PARTICIPANT_COLUMNS)
    assert len(ties) == 10_000 and len(people) == 2_000
    assert not (ties["source"] == ties["target"]).any()
    assert not ties.duplicated(["network", "source", "target", "date"]).any()
    network = people.set_index("participant_id")["network"]
    assert (ties["source"].map(network) == ties["network"]).all()
    inside = ties[ties["target"].isin(network.index)]
    assert (inside["target"].map(network) == inside["network"]).all()
    assert len(inside) > 0.99 * len(ties)
    assert set(ties["date"]) <= {d.isoformat() for d in sample.WAVE_DATES}
    assert ties["weight"].astype(int).between(1, 5).all()
    assert (
        ties_path.read_bytes()
        == sample.write_ties_csv(tmp_path / "again.csv", 2_000, 10_000, seed=1).read_bytes()
    )
    with pytest.raises(ValueError):
        sample.write_ties_csv(tmp_path / "dense.csv", n_participants=3, n_ties=1_000)
