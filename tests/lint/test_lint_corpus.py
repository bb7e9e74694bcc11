"""Every lint check over real rule files: the corpus projects and this repository's own rules.

Each corpus project is linted as a repository of its own (cross-file checks
such as lint/unique compare a project's files with each other only). The
counts per check are printed (`-s`) for the record; known real problems must
be found, and this repository's rules must stay clean.
"""

from __future__ import annotations

import collections
from pathlib import Path

from promrules.lint import CHECKS, Finding, load_policy
from promrules.lint.base import Policy
from promrules.lint.runner import lint_paths

REPO = Path(__file__).resolve().parent.parent.parent


def corpus_findings(corpus: Path) -> list[Finding]:
    found: list[Finding] = []
    for project in sorted(p for p in corpus.iterdir() if p.is_dir()):
        findings, errors = lint_paths(project, Policy(), [project])
        assert errors == [], errors
        found += [f for f in findings if not f.path.startswith("/")]
    return found


def test_the_checks_find_known_problems_in_the_corpus(corpus: Path) -> None:
    findings = corpus_findings(corpus)
    counts = collections.Counter(f.code for f in findings)
    print("\n".join(f"{code:24} {counts.get(code, 0)}" for code in sorted(CHECKS)))
    seen = {(f.code, f.alert) for f in findings}
    # `sum(...) by (service,group,cluster,env) > 0` with "(instance {{ $labels.instance }})"
    assert ("template-labels", "CassandraNodeDown") in seen
    # "overloaded for more than 15 minutes" on `for: 1h`
    assert ("annotation-threshold", "ThanosQueryOverload") in seen
    # fstype!~"^(fuse.*|tmpfs|cifs|nfs)"
    assert ("regex-anchors", "HostOutOfDiskSpace") in seen
    # `for: 30s` in a group evaluated every minute (Prometheus's default)
    assert ("for-interval", "PostgresqlReplicationLag") in seen
    assert counts["label-replace-regex"] == 0 and counts["value-label"] == 0


def test_this_repositorys_rules_are_clean() -> None:
    policy = load_policy(REPO)
    assert policy is not None
    findings, errors = lint_paths(REPO, policy, [REPO / "rules"])
    assert (errors, [f.render() for f in findings]) == ([], [])
