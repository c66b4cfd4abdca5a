"""Hunter: lead discovery from public DNS for a Microsoft cloud partner's sales team."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # The version lives in pyproject.toml only; read it from the installed metadata on demand,
    # so importing the package for `hunter --help` costs nothing.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("hunter-cli")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
