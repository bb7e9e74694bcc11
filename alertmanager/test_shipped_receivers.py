"""The shipped receivers themselves (Slack, email, PagerDuty), with secrets read from files.

The other delivery tests swap every receiver for a webhook; this one keeps
them, to prove that Alertmanager 0.25 reads the webhook URLs, the PagerDuty key
and the SMTP password from the files docs/alertmanager.md lists, and that each
severity reaches its own Slack channel. The secret files hold URLs of the local
recorder (the path is the file's name), PagerDuty posts to the recorder, and
email goes to a local SMTP sink.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from alertmanager.harness import (
    alert,
    deployed_test_config,
    poll,
    post_alerts,
    secret_files,
    start_alertmanager,
    unique_value,
)
from alertmanager.smtp_sink import SmtpSink, smtp_sink
from alertmanager.webhook import WebhookRecorder
from promrules.alertmanager.server import ServerError, ServerProcess, find_binary

SHIPPED = Path(__file__).resolve().parent / "config.yml"
ROUTING_KEY = "0123456789abcdef0123456789abcdef"


@dataclass(frozen=True)
class Deployment:
    server: ServerProcess
    smtp: SmtpSink


@pytest.fixture(scope="module")
def deployed(
    webhook: WebhookRecorder, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[Deployment]:
    workdir = tmp_path_factory.mktemp("deployed")
    secrets = workdir / "secrets"
    secrets.mkdir()
    for name in secret_files(SHIPPED):
        value = webhook.url_for(name) if name.startswith("slack") else ROUTING_KEY
        (secrets / name).write_text(value + "\n")  # a trailing newline, as editors leave
    with smtp_sink() as smtp:
        config = workdir / "alertmanager.yml"
        derived = deployed_test_config(
            SHIPPED, secrets, smtp.smarthost, webhook.url_for("pagerduty")
        )
        config.write_text(yaml.safe_dump(derived))
        try:
            binary = find_binary(
                "ALERTMANAGER",
                "prometheus-alertmanager",
                "alertmanager",
                rootdir=pytestconfig.rootpath,
            )
            with start_alertmanager(binary, config, workdir) as server:
                yield Deployment(server, smtp)
        except ServerError as exc:
            pytest.fail(str(exc), pytrace=False)


@pytest.mark.parametrize(
    ("severity", "secret", "channel"),
    [
        ("critical", "slack-critical-webhook-url", "#alerts-critical"),
        ("warning", "slack-warning-webhook-url", "#alerts-warning"),
        ("info", "slack-info-webhook-url", "#alerts-info"),
        ("unknown", "slack-default-webhook-url", "#alerts"),
    ],
)
def test_each_severity_posts_to_its_slack_channel(
    deployed: Deployment, webhook: WebhookRecorder, severity: str, secret: str, channel: str
) -> None:
    alertname = unique_value(f"Slack_{severity}").replace("-", "_")
    post_alerts(deployed.server, [alert({"alertname": alertname, "severity": severity})])

    posted = webhook.wait_for(
        lambda n: n.receiver.startswith("slack") and n.mentions(alertname), timeout=30
    )

    assert [(n.receiver, n.payload.get("channel")) for n in posted] == [(secret, channel)]


def test_critical_also_emails_and_pages(deployed: Deployment, webhook: WebhookRecorder) -> None:
    alertname = unique_value("Page").replace("-", "_")
    post_alerts(deployed.server, [alert({"alertname": alertname, "severity": "critical"})])

    paged = webhook.wait_for(
        lambda n: n.receiver == "pagerduty" and n.mentions(alertname), timeout=30
    )
    mails = poll(
        lambda: [m for m in deployed.smtp.mails() if alertname in m.data],
        bool,
        timeout=30,
    )

    assert paged[0].payload["routing_key"] == ROUTING_KEY  # read from the file, newline trimmed
    assert paged[0].payload["event_action"] == "trigger"
    assert [m.recipients for m in mails] == [["oncall@example.com"]]
    assert mails[0].sender == "alertmanager@example.com"
