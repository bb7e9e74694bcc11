"""Rule and test files: reading, writing, YAML as promtool reads it, notation."""
