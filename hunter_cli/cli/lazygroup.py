"""The `hunter` command tree, built as far as the command line needs it.

Typer turns every registered command into a Click command, with all its options, before it
looks at the command line: 32 commands and about 180 options, a third of the time `hunter
--help` takes. :func:`click_command` builds the root group with its own options only; each
subcommand (and each sub-group, the same way) is built the first time Click asks for it, by
Typer's own functions, so what runs is exactly what ``typer.main.get_command`` would have built.
The root's command list in ``hunter --help`` needs only each command's name, short help and
``hidden``/``deprecated`` flags: :meth:`LazyCommands.listing` hands out stand-ins carrying just
those. ``tests/test_startup.py`` holds the output byte-identical to Typer's eager build.
"""

from __future__ import annotations

import copy
import gc
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import typer
from typer import main as typer_main
from typer.core import TyperCommand, TyperGroup

# -- garbage collection while a short command starts ------------------------------------------------
# Start-up makes a few hundred thousand objects (modules, classes, Typer's and pydantic's tables) and no
# garbage cycles, yet the cyclic collector walked them again and again while they were made: about a
# tenth of `sales-summary`'s time (docs/performance.md). `hunter`'s entry point turns it off; a command
# with bounded work and nothing but stdout and stderr to write keeps it off to the end, every other
# command gets it back before it runs (`scan` tunes it further: services/scan.py run_async). `prep` starts
# and prints its brief without it too (bounded work: one domain); its rescan has it back while the event
# loop runs, as a scan's (run_async). Its imports had triggered about 80 collections, 5 % of its CPU.
SHORT_COMMANDS = frozenset({"sales-summary", "leads", "prep"})  # `leads` itself hands it back for long lists


def start_without_collector() -> None:
    """Turn the cyclic garbage collector off for start-up (the entry point, before its imports)."""
    gc.disable()


def collect_garbage() -> None:
    """Turn the collector back on: the command about to run may make garbage cycles for a long time."""
    gc.enable()


def end_without_collector() -> None:
    """At the end of a short command that ran without the collector: freeze what exists, so that the
    interpreter's collection at exit has nothing to walk (the process is ending; nothing to free)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


class LazyCommands(MutableMapping[str, Any]):
    """A group's subcommands by name, in Typer's order; each built on first access and kept."""

    def __init__(self) -> None:
        self._build: dict[str, Callable[[], Any]] = {}
        self._light: dict[str, Callable[[], Any]] = {}
        self._built: dict[str, Any] = {}
        self._listing = False

    def add(self, name: str, build: Callable[[], Any], light: Callable[[], Any]) -> None:
        """Register ``name``: ``build()`` makes the real command, ``light()`` the stand-in for listings."""
        self._build[name] = build
        self._light[name] = light

    @contextmanager
    def listing(self) -> Iterator[None]:
        """While active, commands not built yet are handed out as stand-ins (for a help listing)."""
        self._listing = True
        try:
            yield
        finally:
            self._listing = False

    def __getitem__(self, name: str) -> Any:
        if name in self._built:
            return self._built[name]
        if name not in self._build:
            raise KeyError(name)
        if self._listing:
            return self._light[name]()
        command = self._built[name] = self._build[name]()
        return command

    def __setitem__(self, name: str, command: Any) -> None:
        if name not in self._build:
            self._build[name] = self._light[name] = lambda: command
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._build[name]
        del self._light[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._build)

    def __len__(self) -> int:
        return len(self._build)


class LazyGroup(TyperGroup):
    """A Typer group whose help listing does not build the commands it lists."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        commands = self.commands
        if isinstance(commands, LazyCommands):
            with commands.listing():
                super().format_commands(ctx, formatter)
        else:
            super().format_commands(ctx, formatter)


class ShowHintGroup(TyperGroup):
    """A group (``hunter leads``) that, given a domain where a command name is expected, says which
    command takes one: ``No such command 'acme.com'; to see one lead: hunter leads show acme.com``."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        from typer._click.exceptions import UsageError  # Typer 0.29 carries its own click

        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            name = args[0] if args else ""
            if "." in name and not name.startswith("-") and "show" in self.commands:
                exc.message += f" To see one lead: {ctx.command_path} show {name}"
            raise


def _settings(app: typer.Typer) -> dict[str, Any]:
    return {
        "pretty_exceptions_short": app.pretty_exceptions_short,
        "rich_markup_mode": app.rich_markup_mode,
    }


def _command_help(info: Any) -> str | None:
    """The help text ``typer.main.get_command_from_info`` gives a command."""
    import inspect

    return inspect.getdoc(info.callback) if info.help is None else inspect.cleandoc(info.help)


def _group(info: Any, settings: dict[str, Any], suggest: bool) -> TyperGroup:
    """``typer.main.get_group_from_info(info)``, its subcommands left to build on first use."""
    instance = info.typer_instance
    shell = copy.copy(instance)  # the group itself: its callback and options, no subcommands
    shell.registered_commands = []
    shell.registered_groups = []
    shell_info = copy.copy(info)
    shell_info.typer_instance = shell
    group = typer_main.get_group_from_info(shell_info, suggest_commands=suggest, **settings)
    lazy = LazyCommands()
    for command_info in instance.registered_commands:
        name = command_info.name or typer_main.get_command_name(command_info.callback.__name__)

        def build(command_info: Any = command_info) -> Any:
            return typer_main.get_command_from_info(command_info, **settings)

        def light(command_info: Any = command_info, name: str = name) -> Any:
            cls = command_info.cls or TyperCommand
            return cls(
                name=name,
                help=_command_help(command_info),
                short_help=command_info.short_help,
                hidden=command_info.hidden,
                deprecated=command_info.deprecated,
            )

        if name:
            lazy.add(name, build, light)
    for sub_info in instance.registered_groups:
        solved = typer_main.solve_typer_info_defaults(sub_info)
        if not solved.name:  # a nameless sub-app lends its commands to this group: build it now
            for sub_name, sub_command in _group(sub_info, settings, suggest).commands.items():
                lazy[sub_name] = sub_command
            continue

        def build_group(sub_info: Any = sub_info) -> Any:
            return _group(sub_info, settings, suggest)

        def light_group(solved: Any = solved) -> Any:
            return TyperGroup(
                name=solved.name,
                help=solved.help,
                short_help=solved.short_help,
                hidden=solved.hidden,
                deprecated=solved.deprecated,
            )

        lazy.add(solved.name, build_group, light_group)
    group.commands = lazy
    return group


def click_command(app: typer.Typer) -> TyperGroup:
    """The Click group ``typer.main.get_command(app)`` returns, for an app with subcommands, built lazily.

    The root gets Typer's completion options (``--install-completion``, ``--show-completion``) when
    the app asks for them, as Typer gives them."""
    group = _group(typer_main.TyperInfo(app), _settings(app), app.suggest_commands)
    if app._add_completion:
        install, show = typer_main.get_install_completion_arguments()
        group.params.append(install)
        group.params.append(show)
    return group
