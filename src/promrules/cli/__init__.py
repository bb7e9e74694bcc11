"""The `promrules` command: subcommands over the library's calls."""

from typing import Any


def __getattr__(name: str) -> Any:
    """`promrules.cli:main`, the entry point of console scripts installed before the move."""
    if name == "main":
        from promrules.cli.command import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
