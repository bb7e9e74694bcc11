"""What a user installing the package sees: license, classifiers, description, types, version."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]


def test_the_license_is_an_spdx_expression_with_its_file() -> None:
    assert PROJECT["license"] == "Apache-2.0"
    assert PROJECT["license-files"] == ["LICENSE"]
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert not [c for c in PROJECT["classifiers"] if c.startswith("License ::")], (
        "license classifiers are superseded by the SPDX expression (PEP 639)"
    )
    assert metadata.metadata("pytest-promrules")["License-Expression"] == "Apache-2.0"


def test_classifiers_name_the_python_versions_and_a_status() -> None:
    classifiers = PROJECT["classifiers"]
    assert "Programming Language :: Python :: 3.11" in classifiers  # requires-python's minimum
    assert PROJECT["requires-python"] == ">=3.11"
    assert [c for c in classifiers if c.startswith("Development Status ::")]
    assert "Typing :: Typed" in classifiers


def test_project_urls_point_at_the_project() -> None:
    urls = PROJECT["urls"]
    assert {"Homepage", "Documentation", "Source", "Issues"} <= set(urls)
    assert all(url.startswith("https://github.com/promrules/promrules") for url in urls.values())


def test_the_description_is_written_for_plugin_users() -> None:
    readme = PROJECT["readme"]
    assert readme == {"file": "docs/pypi.md", "content-type": "text/markdown"}
    text = (REPO / readme["file"]).read_text(encoding="utf-8")
    assert "pip install pytest-promrules" in text
    assert "make " not in text and "Makefile" not in text, "this repository's own set-up"


def test_type_information_is_shipped() -> None:
    assert (REPO / "src" / "promrules" / "py.typed").is_file()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["promrules"]


def test_version_is_the_installed_one() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "promrules.cli.command", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == f"promrules {metadata.version('pytest-promrules')}\n"
