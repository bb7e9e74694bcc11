"""The upgrade guard: which cases change verdict between two promtool versions, and why."""
