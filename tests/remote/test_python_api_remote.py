"""The Python API on a SPARQL server (``paradiplo.open(store=URL)``) answers as on the
embedded build of the same content."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import paradiplo

from .servers import Server

pytestmark = pytest.mark.remote


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    text = frame.astype("string").fillna("")
    return text.sort_values(list(text.columns)).reset_index(drop=True)


def test_ready_functions_answer_as_on_the_embedded_build(
    loaded: Server, embedded_dir: Path
) -> None:
    with (
        paradiplo.open(embedded_dir) as local,
        paradiplo.open(store=loaded.query, user=loaded.user, password=loaded.password) as kg,
    ):
        for call in (
            lambda g: g.ties("cn", "ru"),
            lambda g: g.figures(measures=["TieCount", "AgreementCount"]),
            lambda g: g.disagreements(),
        ):
            expected, got = call(local), call(kg)
            assert len(expected) > 0
            pd.testing.assert_frame_equal(_sorted(got), _sorted(expected))
