"""A file is written whole or not at all."""

import pytest

from utils.files import written_whole


def test_the_file_appears_only_when_the_write_ends(tmp_path):
    path = tmp_path / "out" / "metrics.json"
    with written_whole(path) as partial:
        partial.write_text("{}")
        assert partial.suffix == ".json"
        assert not path.exists()
    assert path.read_text() == "{}"
    assert [p.name for p in path.parent.iterdir()] == ["metrics.json"]


@pytest.mark.parametrize("move_aside", [False, True])
def test_a_failed_write_leaves_the_previous_file_and_no_partial_one(tmp_path, move_aside):
    path = tmp_path / "metrics.json"
    path.write_text("previous")
    with (
        pytest.raises(RuntimeError, match="disk full"),
        written_whole(path, move_aside=move_aside) as partial,
    ):
        partial.write_text("half")
        raise RuntimeError("disk full")
    assert path.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]


def test_moving_aside_replaces_the_file_and_leaves_nothing_else(tmp_path):
    path = tmp_path / "last.ckpt"
    path.write_text("previous")
    with written_whole(path, move_aside=True) as partial:
        partial.write_text("new")
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["last.ckpt"]
