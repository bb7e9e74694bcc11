"""Which alerts a real Alertmanager mutes, asked of the Alertmanager itself.

`Inhibitor.observe` posts alerts to a server started from
am_config.inhibition_copy and reads `status.inhibitedBy` back. Alertmanager's
inhibitor learns of posted alerts asynchronously, so an answer read at once
could predate the alerts that should mute: after posting, a probe pair is
posted (a source and a target only the probe rule, placed first, relates),
and the answer is read once the probe target is muted by the probe source.
The inhibitor handles alerts in the order they were posted, so by then it
has seen every alert of the case. Alerts of the previous observation are
resolved first, so cases sharing one server do not mute each other.
"""

from __future__ import annotations

import itertools
import os
import urllib.error
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from promrules.alertmanager.api import alert, get_alerts, poll, post_alerts
from promrules.alertmanager.server import ServerError, ServerProcess

__all__ = ["PROBE_RULE", "Inhibitor", "Muting", "alert_key", "labels_text"]

Labels = tuple[tuple[str, str], ...]

_PROBE = "promrules_probe"
_SIDE = "promrules_probe_side"
PROBE_RULE: dict[str, Any] = {
    "source_matchers": [f'{_SIDE}="source"'],
    "target_matchers": [f'{_SIDE}="target"'],
    "equal": [_PROBE],
}
CATCH_UP_TIMEOUT = 15.0
_PROBES = itertools.count(1)


def labels_text(labels: Labels | Mapping[str, str]) -> str:
    pairs = labels.items() if isinstance(labels, Mapping) else labels
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(pairs)) + "}"


@dataclass(frozen=True)
class Muting:
    """One posted firing alert and the alerts Alertmanager says inhibit it (none: not muted)."""

    labels: Labels
    inhibited_by: tuple[Labels, ...]

    @property
    def muted(self) -> bool:
        return bool(self.inhibited_by)


def alert_key(labels: Mapping[str, str] | Labels) -> Labels:
    """Sorted label pairs without empty values: Alertmanager, like Prometheus, drops those."""
    pairs = labels.items() if isinstance(labels, Mapping) else labels
    return tuple(sorted((name, value) for name, value in pairs if value != ""))


class Inhibitor:
    """Observations of one running Alertmanager, one after another."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self._last_probe: list[dict[str, str]] = []  # resolved by the next probe
        self._firing: list[Labels] = []  # posted by the last observation, still firing

    def observe(
        self, firing: Sequence[Mapping[str, str]], resolved: Sequence[Mapping[str, str]] = ()
    ) -> list[Muting]:
        """Post `resolved` (already ended) and `firing`; which of `firing` are muted, by what."""
        try:
            return self._observe(firing, resolved)
        except urllib.error.HTTPError as exc:
            answer = exc.read().decode("utf-8", errors="replace").strip()
            raise ServerError(f"Alertmanager refused a request ({exc.code}): {answer}") from None
        except OSError as exc:
            raise ServerError(
                f"Alertmanager at {self.server.url} did not answer ({exc}); its log:\n"
                f"{self.server.log_tail()}"
            ) from None

    def _observe(
        self, firing: Sequence[Mapping[str, str]], resolved: Sequence[Mapping[str, str]]
    ) -> list[Muting]:
        wanted = [alert_key(labels) for labels in firing]
        ended = [k for k in self._firing if k not in wanted] + [alert_key(r) for r in resolved]
        post_alerts(
            self.server,
            [alert(dict(key), ended=True) for key in ended] + [alert(dict(key)) for key in wanted],
        )
        self._firing = wanted
        self.catch_up()
        found = {
            alert_key(a["labels"]): a
            for a in get_alerts(self.server)
            if a["labels"].get(_SIDE) is None
        }
        by_fingerprint = {a["fingerprint"]: key for key, a in found.items()}
        missing = [k for k in wanted if k not in found]
        if missing:
            raise ServerError(
                "Alertmanager does not list the posted alert(s) "
                + ", ".join(labels_text(k) for k in missing)
            )
        result = []
        for key in wanted:
            prints = found[key]["status"]["inhibitedBy"] or []
            if any(p not in by_fingerprint for p in prints):
                raise ServerError(
                    f"{labels_text(key)} is muted by promrules' probe alert, not by a case alert: "
                    "an inhibit rule matches alerts with none of its `equal` labels; "
                    "give the case's alerts those labels"
                )
            result.append(Muting(key, tuple(sorted(by_fingerprint[p] for p in prints))))
        return result

    def catch_up(self) -> None:
        """Post a fresh probe pair and wait until the probe source mutes the probe target."""
        number = f"{os.getpid()}-{next(_PROBES)}"  # never reused, even by another Inhibitor
        source = {"alertname": "PromrulesInhibitionProbe", _PROBE: number, _SIDE: "source"}
        target = {**source, _SIDE: "target"}
        post_alerts(
            self.server,
            [alert(probe, ended=True) for probe in self._last_probe]
            + [alert(source), alert(target)],
        )
        self._last_probe = [source, target]

        def probe_status() -> tuple[list[str], list[str]]:
            seen = {a["labels"][_SIDE]: a for a in get_alerts(self.server, **{_PROBE: number})}
            muted_by = list(seen["target"]["status"]["inhibitedBy"]) if "target" in seen else []
            source_print = [seen["source"]["fingerprint"]] if "source" in seen else []
            return muted_by, source_print

        muted_by, source_print = poll(
            probe_status, lambda s: bool(s[1]) and s[0] == s[1], CATCH_UP_TIMEOUT
        )
        if not source_print or muted_by != source_print:
            raise ServerError(
                f"Alertmanager's inhibitor did not mute its probe alert within "
                f"{CATCH_UP_TIMEOUT:g}s; its log:\n{self.server.log_tail()}"
            )
