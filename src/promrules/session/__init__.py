"""One run's state: the promtool in use and every file's verdict, judged once."""
