"""What a real Alertmanager sends, to which receiver, grouped how.

The session's Alertmanager runs the shipped routes and inhibitions with every
receiver turned into a webhook to the in-process recorder (URL path = receiver
name) and 1s group timers. Each test tags its alerts with its own `cluster`
value and looks only at notifications carrying it; as inhibition ignores
cluster, instances and alertnames that could inhibit carry that value too.
"""

from __future__ import annotations

from alertmanager.harness import alert, post_alerts
from alertmanager.harness import unique_value as unique
from alertmanager.webhook import Notification, WebhookRecorder
from promrules.alertmanager.server import ServerProcess


def test_each_severity_reaches_its_own_receiver(
    alertmanager: ServerProcess, webhook: WebhookRecorder
) -> None:
    cluster = unique("route")
    severities = {"critical": "critical-alerts", "warning": "warning-alerts", "info": "info-alerts"}
    alerts = [
        alert({"alertname": f"Probe{severity}", "severity": severity, "cluster": cluster})
        for severity in severities
    ]
    alerts.append(alert({"alertname": "ProbeUnlabelled", "cluster": cluster}))
    # Different alertnames, so none of these can inhibit another.
    post_alerts(alertmanager, alerts)

    received = webhook.wait_for(lambda n: n.has_label("cluster", cluster), count=4, timeout=30)

    got = {n.alertnames()[0]: n.receiver for n in received}
    expected = {f"Probe{s}": receiver for s, receiver in severities.items()}
    assert got == {**expected, "ProbeUnlabelled": "default"}
    assert all(n.payload["receiver"] == n.receiver for n in received)


def test_alerts_are_grouped_by_alertname_cluster_and_service(
    alertmanager: ServerProcess, webhook: WebhookRecorder
) -> None:
    cluster = unique("group")
    alertname = f"HighDiskUsage_{cluster.replace('-', '_')}"
    common = {"alertname": alertname, "severity": "warning", "cluster": cluster}
    post_alerts(
        alertmanager,
        [
            alert({**common, "service": "api", "instance": "host-1"}),
            alert({**common, "service": "api", "instance": "host-2"}),
            alert({**common, "service": "api", "instance": "host-3"}),
            alert({**common, "service": "audit", "instance": "host-1"}),
        ],
    )

    received = webhook.wait_for(lambda n: n.has_label("cluster", cluster), count=2, timeout=30)

    by_service = {n.payload["groupLabels"]["service"]: n for n in received}
    assert set(by_service) == {"api", "audit"}
    assert len(by_service["api"].alerts) == 3
    assert len(by_service["audit"].alerts) == 1
    assert by_service["api"].payload["groupLabels"] == {
        "alertname": alertname,
        "cluster": cluster,
        "service": "api",
    }
    assert {n.receiver for n in received} == {"warning-alerts"}


def test_an_inhibited_warning_is_never_sent(
    alertmanager: ServerProcess, webhook: WebhookRecorder
) -> None:
    cluster = unique("mute")
    alertname = f"DiskFull_{cluster.replace('-', '_')}"
    labels = {"alertname": alertname, "cluster": cluster, "instance": f"{cluster}-1"}
    post_alerts(
        alertmanager,
        [
            alert({**labels, "severity": "critical"}),
            alert({**labels, "severity": "warning"}),
            alert({**labels, "severity": "warning", "instance": f"{cluster}-2"}),
        ],
    )

    def mine(n: Notification) -> bool:
        return n.has_label("cluster", cluster)

    webhook.wait_for(lambda n: mine(n) and n.receiver == "critical-alerts", timeout=30)
    webhook.wait_for(lambda n: mine(n) and n.receiver == "warning-alerts", timeout=30)
    # Instead of waiting a while for a wrongly un-muted warning: a third warning joins
    # the same group, and the group's next notification lists every firing alert of
    # the group that is not muted, so a wrongly un-muted one would be in it.
    third = {**labels, "severity": "warning", "instance": f"{cluster}-3"}
    post_alerts(alertmanager, [alert(third)])

    def mentions_third(n: Notification) -> bool:
        return any(a["labels"].get("instance") == f"{cluster}-3" for a in n.alerts)

    webhook.wait_for(lambda n: mine(n) and mentions_third(n), timeout=30)

    sent = [
        sorted(a["labels"]["instance"] for a in n.alerts)
        for n in webhook.notifications(mine)
        if n.receiver == "warning-alerts"
    ]
    assert sent == [[f"{cluster}-2"], [f"{cluster}-2", f"{cluster}-3"]], (
        f"warning notifications for {sent}; {cluster}-1 is muted"
    )
    critical = [n for n in webhook.notifications(mine) if n.receiver == "critical-alerts"]
    assert [n.alertnames() for n in critical] == [[alertname]]
