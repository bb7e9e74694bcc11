"""The real servers for this repository's inhibition, delivery and end-to-end tests.

alertmanager/routing_cases.yml is collected by the plugin itself
(promrules.pytest_plugin.routing_items), as in any repository that installs promrules.

The inhibition, delivery and end-to-end tests share one Alertmanager and one
webhook recorder per session (both on 127.0.0.1, free ports); tests keep out
of each other's way with unique label values, not with restarts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from alertmanager.harness import start_alertmanager, webhook_test_config
from alertmanager.webhook import WebhookRecorder, webhook_receiver
from promrules.alertmanager.server import ServerError, ServerProcess, find_binary
from promrules.pytest_plugin.routing_items import amtool_header

HERE = Path(__file__).resolve().parent
CONFIG_FILE = HERE / "config.yml"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: runs real Prometheus and Alertmanager servers end to end (slow)"
    )


def pytest_report_header(config: pytest.Config) -> str:
    """Which amtool checks routing (shown when alertmanager/ is on the command line)."""
    return amtool_header(config)


# --- the real servers, shared by the inhibition, delivery and end-to-end tests ---


@pytest.fixture(scope="session")
def webhook() -> Iterator[WebhookRecorder]:
    with webhook_receiver() as recorder:
        yield recorder


@pytest.fixture(scope="session")
def alertmanager(
    webhook: WebhookRecorder, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[ServerProcess]:
    """The shipped routing and inhibition, with webhook receivers and 1s group timers."""
    workdir = tmp_path_factory.mktemp("alertmanager")
    config = workdir / "alertmanager.yml"
    config.write_text(yaml.safe_dump(webhook_test_config(CONFIG_FILE, webhook.url)))
    try:
        binary = find_binary(
            "ALERTMANAGER", "prometheus-alertmanager", "alertmanager", rootdir=pytestconfig.rootpath
        )
        with start_alertmanager(binary, config, workdir) as server:
            yield server
    except ServerError as exc:
        pytest.fail(str(exc), pytrace=False)
