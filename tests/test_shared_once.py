"""What is computed once and shared by every session (issue 5): frozen figures, the bundle's derived
lists and records, tables as Arrow. Each must show exactly what the uncached path shows, and a
shared object must not leak into another bundle.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import plotly.io as pio
import pyarrow as pa
import pytest
from conftest import dashboard_app, read_company

from earnings.read.bundle import CompanyData
from earnings.render import charts, figures
from earnings.ui import components
from earnings.write import database as build_mod

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shared") / "earnings.duckdb"
    build_mod.build(build_mod.DATA_DIR, path)
    return path


@pytest.fixture
def data(db: Path) -> CompanyData:
    return read_company(db)


@pytest.mark.parametrize("name", ["revenue", "margins", "opex", "guidance"])
def test_a_frozen_figure_serializes_exactly_like_the_figure(data: CompanyData, name: str) -> None:
    fig = getattr(charts, name)(data)
    frozen = figures.freeze(fig)
    # what st.plotly_chart sends: to_json(to_dict()); the copy may order the layout's keys differently
    sent = json.loads(pio.to_json(frozen.to_dict(), validate=False))
    assert sent == json.loads(pio.to_json(fig.to_dict(), validate=False))
    assert json.loads(frozen.to_json()) == json.loads(fig.to_json())
    assert frozen.to_dict() is frozen.to_dict(), "made once, not on every call"


def test_freeze_keeps_no_figure_as_none() -> None:
    assert figures.freeze(None) is None


def test_derived_lists_are_made_once_and_handed_out_as_copies(data: CompanyData) -> None:
    quarters = data.quarters()
    assert quarters == sorted(quarters, key=lambda p: (p[:4], p[4:])) and quarters[-1] == "2024Q4"
    quarters.append("2099Q1")
    data.series("revenue")["2099Q1"] = 1.0
    assert "2099Q1" not in data.quarters(), "a caller's change does not reach the shared list"
    assert "2099Q1" not in data.series("revenue")
    assert data.records("commentary") is data.records("commentary"), "records are made once per bundle"
    assert len(data.records("commentary")) == len(data.commentary)


def test_a_changed_copy_of_a_bundle_does_not_reuse_the_old_ones_derived_values(data: CompanyData) -> None:
    before = data.periods()
    extra = data.commentary.iloc[:1].assign(commentary_id="x", period="2030Q1")
    changed = replace(data, commentary=pd.concat([data.commentary, extra], ignore_index=True))
    assert "2030Q1" in changed.periods() and "2030Q1" not in before
    assert len(changed.records("commentary")) == len(data.records("commentary")) + 1


@pytest.mark.parametrize("page", ["pages/revenue.py", "pages/margins.py", "pages/opex.py", "pages/guidance.py"])
def test_tables_sent_as_arrow_show_what_the_rows_say(db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    monkeypatch.setenv("EARNINGS_DB", str(db))
    at = dashboard_app()
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    tables = at.dataframe if page == "pages/guidance.py" else at.table  # the scorecard's rows are selectable
    frame = tables[0].value
    assert len(frame) > 0 and "—" not in list(frame.columns)
    assert not frame.isna().all(axis=None), "the table has its values"
    again = dashboard_app()
    again.run()
    again.switch_page(page).run()
    again_tables = again.dataframe if page == "pages/guidance.py" else again.table
    pd.testing.assert_frame_equal(again_tables[0].value, frame)  # a second session: the same shared table


def test_arrow_table_is_made_once_and_leaves_what_arrow_cannot_type_to_streamlit(data: CompanyData) -> None:
    ctx = SimpleNamespace(data=data)
    calls = []

    def rows(_data: CompanyData) -> list[dict]:
        calls.append(1)
        return [{"Quarter": "Q4 2024", "Revenue": "$141.1M", "q/q": "—"}, {"Quarter": "Q3 2024", "Revenue": None}]

    table = components.arrow_table(ctx, rows)
    assert isinstance(table, pa.Table)
    assert table.to_pylist() == [
        {"Quarter": "Q4 2024", "Revenue": "$141.1M", "q/q": "—"},
        {"Quarter": "Q3 2024", "Revenue": None, "q/q": None},
    ]
    assert components.arrow_table(ctx, rows) is table and len(calls) == 1, "built once per bundle"

    def mixed_rows(_data: CompanyData) -> list[dict]:
        return [{"a": "text"}, {"a": 1}]

    mixed = components.arrow_table(ctx, mixed_rows)
    assert isinstance(mixed, pd.DataFrame) and list(mixed["a"]) == ["text", 1]
