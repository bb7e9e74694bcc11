"""A session's promtool work, planned and run, and every case's verdict."""
