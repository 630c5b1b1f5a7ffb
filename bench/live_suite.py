"""Benchmark: 40 phones answering one live round at once, through a running server on 127.0.0.1.

Each phone is a client of Streamlit's own WebSocket protocol (the messages a browser tab sends and reads,
``streamlit.proto``), not a browser: 40 Chromium pages on this machine's two cores would measure Chromium.
A phone opens its personal link (its session runs the form as a browser's would) and, when all are open,
marks the round's eleven indicators and presses Send in one rerun, all 40 at the same moment. "Open" runs from
the connection to the form's last element; "send" from Send to the rerun's end. Afterwards the store must
hold exactly 40 sent answers with the marks each phone sent.

Baseline, in the same run on the same server: one phone alone doing the same.
``python -m bench live_phones`` (BENCH_SCALE scales the number of phones).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from .timing import table

ROOT = Path(__file__).resolve().parent.parent
PHONES = 40
NET = "Rekenen"
#: Seconds one phone may take to open or send before the run counts it as failed.
PHONE_TIMEOUT_S = 120
FINISHED_EARLY_FOR_RERUN = 2  # ScriptFinishedStatus: the run was replaced by a rerun (app.py routes once)


class Phone:
    """One phone's session: a WebSocket to the server, speaking Streamlit's BackMsg / ForwardMsg."""

    def __init__(self, base_url: str, query: str) -> None:
        self.url = base_url.replace("http://", "ws://") + "/_stcore/stream"
        self.query = query
        self.ws = None
        self.groups: dict[str, list[str]] = {}  # segmented control id -> its options as the wire has them
        self.send_id: str | None = None

    async def _rerun(self, widgets=None) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.page_script_hash = ""
        for w in widgets or []:
            msg.rerun_script.widget_states.widgets.append(w)
        await self.ws.send(msg.SerializeToString())
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await asyncio.wait_for(self.ws.recv(), PHONE_TIMEOUT_S))
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                if el.WhichOneof("type") == "button_group" and ":current:" in el.button_group.id:
                    self.groups[el.button_group.id] = [o.content for o in el.button_group.options]
                elif el.WhichOneof("type") == "button" and el.button.id.endswith("-send"):
                    self.send_id = el.button.id
            elif kind == "script_finished" and fm.script_finished != FINISHED_EARLY_FOR_RERUN:
                return

    async def open(self) -> float:
        import websockets

        t0 = time.perf_counter()
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None)
        await self._rerun()
        if len(self.groups) != 11 or self.send_id is None:
            raise AssertionError(f"the form showed {len(self.groups)} questions and send={self.send_id}")
        return time.perf_counter() - t0

    def marks(self, i: int) -> dict[str, str]:
        """This phone's answer per control id: an option as the form offers it."""
        return {wid: opts[(i + k) % len(opts)] for k, (wid, opts) in enumerate(sorted(self.groups.items()))}

    def marks_by_code(self, i: int) -> dict[str, str]:
        """The same per indicator code (a control's id ends in its key, ``m:current:<code>``)."""
        return {wid.rsplit(":", 1)[1]: v for wid, v in self.marks(i).items()}

    async def send(self, i: int) -> float:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        widgets = []
        for wid, value in self.marks(i).items():
            w = WidgetState(id=wid)
            w.string_array_value.data.append(value)
            widgets.append(w)
        widgets.append(WidgetState(id=self.send_id, trigger_value=True))
        t0 = time.perf_counter()
        await self._rerun(widgets)
        return time.perf_counter() - t0

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


def _setup(db: Path, phones: int) -> tuple[str, dict[str, str]]:
    from analytics.ingest import importer
    from analytics.live import rounds as live_rounds
    from analytics.live import tokens as live_tokens
    from analytics.store import database as store

    con = store.connect(db)
    try:
        lines = ["participant_id,name,network,organisation,role"]
        lines += [f"P{i:03d},Deelnemer {i},{NET},School {i % 4},teacher" for i in range(phones + 1)]
        rep = importer.import_file(con, "\n".join(lines).encode(), file_name="people.csv", kind="participants")
        assert rep.status == "imported", rep.message
        rnd, _ = live_rounds.create_round(con, NET, mode="named", config=live_rounds.RoundConfig(current=True))
        tokens = live_tokens.issue_personal_tokens(con, rnd.round_id, [f"P{i:03d}" for i in range(phones + 1)])
        return rnd.round_id, tokens
    finally:
        con.close()


async def _room(url: str, round_id: str, tokens: dict[str, str], phones: int) -> dict:
    warm = Phone(url, f"round={round_id}&t={tokens['P000']}")  # the server's first run imports the form's modules
    await warm.open()
    await warm.close()
    alone = Phone(url, f"round={round_id}&t={tokens['P000']}")  # the baseline: one phone, nobody else
    base_open = await alone.open()
    base_send = await alone.send(0)
    await alone.close()
    room = [Phone(url, f"round={round_id}&t={tokens[f'P{i:03d}']}") for i in range(1, phones + 1)]
    t0 = time.perf_counter()
    opened = await asyncio.gather(*(p.open() for p in room))
    sent = await asyncio.gather(*(p.send(i) for i, p in enumerate(room, start=1)))
    everyone = time.perf_counter() - t0
    expected = {f"P{i:03d}": p.marks_by_code(i) for i, p in enumerate(room, start=1)}
    await asyncio.gather(*(p.close() for p in room))
    return {"base_open": base_open, "base_send": base_send, "opened": opened, "sent": sent, "all": everyone,
            "expected": expected}


def _stored(db: Path, round_id: str) -> dict[str, dict[str, str]]:
    """What the store holds: per person, the marks of their sent answer per indicator (each once)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        got = con.execute("SELECT participant_id, answers FROM live_responses WHERE round_id = ? "
                          "AND submitted_at IS NOT NULL", [round_id]).fetchall()
    finally:
        con.close()
    assert len({pid for pid, _ in got}) == len(got), "an answer was stored twice"
    return {pid: {code: str(v) for code, v in json.loads(a)["current"].items()} for pid, a in got}


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def bench_live_phones(scale: float = 1.0) -> str:
    sys.path.insert(0, str(ROOT / "tests"))
    import browser as B

    phones = max(2, int(PHONES * scale))
    work = Path(tempfile.mkdtemp(prefix="bench_live_"))
    try:
        db = work / "live.duckdb"
        round_id, tokens = _setup(db, phones)
        with B.streamlit_server(db, env={"NETWERKLEREN_NO_DEMO": "1"}) as url:
            got = asyncio.run(_room(url, round_id, tokens, phones))
        stored = _stored(db, round_id)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lost = [pid for pid, marks in got["expected"].items() if stored.get(pid) != marks]
    assert not lost, f"sent answers missing or different in the store: {lost}"
    opened, sent = got["opened"], got["sent"]
    rows = [["one phone alone: open the form (baseline)", got["base_open"], 1.0],
            ["one phone alone: send (baseline)", got["base_send"], 1.0],
            [f"{phones} phones at once: open, median", statistics.median(opened),
             statistics.median(opened) / got["base_open"]],
            [f"{phones} phones at once: open, p95", _p95(opened), _p95(opened) / got["base_open"]],
            [f"{phones} phones at once: send, median", statistics.median(sent),
             statistics.median(sent) / got["base_send"]],
            [f"{phones} phones at once: send, p95", _p95(sent), _p95(sent) / got["base_send"]],
            [f"all {phones}: from the first connection to the last answer stored", got["all"], "—"]]
    note = f"\nstored: {len(stored) - 1} answers of {phones} phones (+1 baseline), each once and as sent; lost 0"
    return table(f"Live round: {phones} phones at once through `streamlit run` on 127.0.0.1 (Streamlit's WebSocket "
                 "protocol, no browser) — target: p95 under 2 s to open and under 2 s to send, nothing lost",
                 ["what", "seconds", "x one phone"], rows) + note


SUITES = {"live_phones": bench_live_phones}
