"""`promrules.series` as users import it; the code lives in `promrules.authoring.series`."""

from promrules.authoring.series import (
    Absent,
    Builder,
    ClassicHistogram,
    Counter,
    Gauge,
    InputSeries,
    absent,
    counter,
    gauge,
    histogram,
)

__all__ = [
    "Absent",
    "Builder",
    "ClassicHistogram",
    "Counter",
    "Gauge",
    "InputSeries",
    "absent",
    "counter",
    "gauge",
    "histogram",
]
