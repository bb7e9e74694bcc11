"""The upgrade guard: which cases change verdict between two promtool versions, and why.

`compare` runs a suite under both promtools with the session's batched,
parallel engine and lists the cases whose outcome differs; `causes` re-runs
each such case on one-case copies, each with one change, to find the change
that removes the difference; `report` renders the result as text, Markdown
or JSON; `command` is the `promrules upgrade-check` subcommand.
"""
