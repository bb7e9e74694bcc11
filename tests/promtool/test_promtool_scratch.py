"""Where promtool's test storage goes: a TMPDIR the user set, else /dev/shm when it has room.

promtool creates an on-disk TSDB for every test group; in memory that is
15-20 % faster. Each run gets a private folder below, removed afterwards.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.promtool import binary as promtool_module
from promrules.promtool.binary import Promtool, scratch_parent

RECORDING = '#!/bin/sh\necho "$TMPDIR" >> {log}\nexec {real} "$@"\n'


def test_a_tmpdir_the_user_set_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", "/somewhere/else")
    assert scratch_parent() is None  # tempfile then uses TMPDIR


def test_memory_is_used_only_with_room_to_spare(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setattr(promtool_module, "_MEMORY_TMP", tmp_path)
    assert scratch_parent() == str(tmp_path)
    monkeypatch.setattr(promtool_module, "_MEMORY_TMP_MIN_FREE", 1 << 62)
    assert scratch_parent() is None
    monkeypatch.setattr(promtool_module, "_MEMORY_TMP", tmp_path / "missing")
    assert scratch_parent() is None


def test_each_run_gets_a_private_folder_that_is_removed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, promtool: Promtool
) -> None:
    log = tmp_path / "tmpdirs.log"
    wrapper = tmp_path / "recording-promtool"
    wrapper.write_text(RECORDING.format(log=log, real=promtool.path))
    wrapper.chmod(0o755)
    memory = tmp_path / "memory"
    memory.mkdir()
    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setattr(promtool_module, "_MEMORY_TMP", memory)
    recording = Promtool(str(wrapper), promtool.version, "test")
    for _ in range(2):
        assert recording.run("--version").returncode == 0
    folders = log.read_text().split()
    assert len(set(folders)) == 2
    assert all(Path(f).parent == memory and not Path(f).exists() for f in folders)
    assert list(memory.iterdir()) == []
