"""The meeting loop in the demo: the four story networks described, the agreements their meetings made and
the interventions the coaches started, so the loop (agree, measure again, look back) can be seen on first run.

Written as three small CSV files in ``sample_data/loop/`` (kept apart from the five survey files, which
:mod:`analytics.demo.sample` generates) and loaded as demo imports, so "start empty" removes them too.
The texts follow the stories of the demo numbers (the lunch, the school visits, value that stays potential,
the 4c disagreement); the owners and coaches are the demo's coaches (participant ids, shown as codes).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import duckdb

from analytics.store import agreements as agr
from analytics.store import database as store
from analytics.store import interventions as itv
from analytics.store import networks as netinfo
from analytics.store.db import run

ZRL, OZL, HB, REK = "Zelfregulerend leren", "Onderzoekend leren", "Hoogbegaafdheid", "Rekenen"
FOLDER = "loop"

NETWORK_COLUMNS = ("network", "description", "ambition", "phase", "start_date", "end_date", "coaches",
                   "instruments", "moments_per_year")
NETWORKS = (
    (ZRL, "Leraren, studenten en opleiders onderzoeken hoe leerlingen hun eigen leren leren sturen.",
     "Een gedeelde aanpak voor zelfregulerend leren in groep 5-8, met materiaal dat alle scholen gebruiken.",
     "designing", "2023-09-04", "", "P001", "dimensions", "2"),
    (OZL, "Scholen leren samen onderzoek doen in de klas, met de universiteit als partner.",
     "Elke school voert per jaar één klein praktijkonderzoek uit en deelt de uitkomst met de andere scholen.",
     "trying_out", "2023-09-04", "", "P052", "dimensions", "2"),
    (HB, "Leraren en ouders delen kennis over signaleren en begeleiden van hoogbegaafde leerlingen.",
     "Verrijkingsstof en signaleringslijsten die in de klas gebruikt worden, niet alleen bewaard.",
     "exploring", "2023-09-04", "", "P102", "dimensions", "1"),
    (REK, "Rekendidactiek: leraren, pabostudenten en opleiders ontwerpen en beproeven lessen samen.",
     "Een lessenserie rekenen die studenten en leraren samen geven en verbeteren.",
     "evaluating", "2023-09-04", "2026-07-10", "P154", "dimensions", "4"),
)

AGREEMENT_COLUMNS = ("network", "date", "text", "indicators", "cycles", "measures", "owner", "status")
AGREEMENTS = (
    (OZL, "2024-03-21", "Elkaars scholen bezoeken en een keer per half jaar een externe deskundige uitnodigen",
     "3b;4b", "", "cross_organisation_share", "P052", "done"),
    (HB, "2024-10-17", "Na elke bijeenkomst één ding uitproberen in de eigen klas en erover vertellen",
     "", "potential;applied", "", "P102", "in_progress"),
    (ZRL, "2025-03-20", "De gezamenlijke lunch terugbrengen, eens per maand op wisselende scholen",
     "3a;3c", "", "density", "P001", "open"),
    (HB, "2025-03-20", "In de volgende bijeenkomst bespreken waarom we de organisatie (4c) zo verschillend zien",
     "4c", "", "", "P102", "done"),
    (REK, "2025-10-16", "Studenten presenteren om de beurt hun les, zodat ze niet aan de rand blijven",
     "4c", "", "isolates", "P154", "open"),
)

INTERVENTION_COLUMNS = ("label", "start_date", "end_date", "networks", "indicators", "cycles", "measures",
                        "expected")
INTERVENTIONS = (
    ("Schoolbezoeken", "2024-10-01", "", OZL, "3b;4b", "", "cross_organisation_share",
     "Meer relaties tussen scholen en met mensen van buiten; 3b en 4b richting zwakke relaties en breder."),
    ("Gastsprekers uit de praktijk", "2025-09-01", "2026-07-10", "", "3b", "", "cross_organisation_share",
     "Meer relaties met mensen van buiten het netwerk."),
    ("Coaching op toepassen in de klas", "2025-01-06", "", f"{HB};{REK}", "", "applied;realized", "",
     "Meer verhalen over toegepaste en gerealiseerde waarde."),
)

FILES = {"network_info": ("networks.csv", NETWORK_COLUMNS, NETWORKS),
         "agreements": ("agreements.csv", AGREEMENT_COLUMNS, AGREEMENTS),
         "interventions": ("interventions.csv", INTERVENTION_COLUMNS, INTERVENTIONS)}


def _csv(columns, rows_) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    w.writerows(rows_)
    return buf.getvalue()


def write_loop_sample(out_dir: str | Path) -> dict[str, Path]:
    """Write the three loop files into ``out_dir/loop/`` (always the same bytes)."""
    folder = Path(out_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for kind, (name, columns, data) in FILES.items():
        path = folder / name
        path.write_text(_csv(columns, data), encoding="utf-8")
        out[kind] = path
    return out


def _read(path: Path, columns: tuple[str, ...]) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}: column '{missing[0]}' is missing")
        return [{k: (v or "").strip() for k, v in r.items()} for r in reader]


def load_loop_files(con: duckdb.DuckDBPyConnection, folder: str | Path, source_label: str = "sample") -> list[int]:
    """Store the loop files found in ``folder`` (networks.csv, agreements.csv, interventions.csv), each file as
    one import (so an undo removes its rows), all or nothing per file; a file already imported is skipped.
    A bad row stops its file with a message naming the file, the row and the reason."""
    folder = Path(folder)
    ids = []
    for kind, (name, columns, _) in FILES.items():
        path = folder / name
        if not path.exists():
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if store.find_import_by_hash(con, digest, kind) is not None:
            continue
        records = _read(path, columns)
        import_id = store.new_import_id(con)
        for i, r in enumerate(records, start=2):  # row 1 is the header
            try:
                if kind == "network_info":
                    netinfo.save(con, r["network"], description=r["description"], ambition=r["ambition"],
                                 phase=r["phase"] or None, start_date=r["start_date"], end_date=r["end_date"],
                                 coaches=r["coaches"], instruments=r["instruments"],
                                 moments_per_year=r["moments_per_year"] or netinfo.DEFAULT_MOMENTS,
                                 import_id=import_id)
                elif kind == "agreements":
                    agr.add(con, r["network"], r["date"], r["text"], indicators=r["indicators"], cycles=r["cycles"],
                            measures=r["measures"], owner=r["owner"], status=r["status"] or "open",
                            import_id=import_id)
                else:
                    itv.add(con, r["label"], r["start_date"], end_date=r["end_date"], networks=r["networks"],
                            indicators=r["indicators"], cycles=r["cycles"], measures=r["measures"],
                            expected=r["expected"], import_id=import_id)
            except (ValueError, KeyError) as e:
                with store.transaction(con):
                    for table in store.LOOP_TABLES:
                        run(con, f"DELETE FROM {table} WHERE import_id = ?", [import_id])
                raise ValueError(f"{path.name}, row {i}: {e}") from e
        with store.transaction(con):
            run(con, """INSERT INTO imports (import_id, file_name, content_hash, kind, source, rows_read,
                          rows_imported, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                [import_id, f"{FOLDER}/{name}", digest, kind, source_label, len(records), len(records),
                 json.dumps({"loop": True})])
        ids.append(import_id)
    return ids
