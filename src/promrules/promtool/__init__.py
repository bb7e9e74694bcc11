"""promtool itself: finding, installing and running it, and reading its output."""
