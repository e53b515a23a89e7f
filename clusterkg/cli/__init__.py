"""The ``clusterkg`` command line: a thin layer over the library.

Commands are loaded lazily (a query must not pay for importing rdflib or
pySHACL). Every library error becomes a one-line ``Error: ...`` message and
the exit code that :mod:`clusterkg.errors` documents. The options that choose
the store (``--store``, ``--endpoint``, ``--update-endpoint``) are accepted
before the command name and after it, on every command.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

import click

from ..errors import ClusterKGError
from ..stores import STORE_ENV, StoreSettings

#: command name -> "module:attribute", relative to this package.
COMMANDS: dict[str, str] = {
    "info": "kb:info",
    "export": "kb:export",
    "load": "data:load",
    "graphs": "data:graphs",
    "drop": "data:drop",
    "update": "data:update",
    "push": "data:push",
    "queries": "query:list_queries",
    "query": "query:query",
    "compare": "query:compare",
    "myths": "query:myths",
    "new-case": "cases:new_case",
    "convert": "cases:convert",
    "validate": "cases:validate",
    "add": "cases:add",
    "remove": "cases:remove",
    "link": "link:link",
    "enrich": "link:enrich",
    "codes": "link:codes",
    "serve": "serve:serve",
    "reason": "reason:reason",
    "report": "reason:report",
    "docs": "reason:docs",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS:
            module_name, attribute = COMMANDS[name].split(":")
            module = importlib.import_module(f"{__name__}.{module_name}")
            return with_store_options(getattr(module, attribute))
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClusterKGError as exc:
            raise CommandError(exc) from None


class CommandError(click.ClickException):
    """A library error shown as ``Error: message`` with its documented exit code."""

    def __init__(self, error: ClusterKGError) -> None:
        super().__init__(" ".join(str(error).split()))
        # click declares exit_code a class variable, but reads it from the instance: one code per error
        self.exit_code = error.exit_code  # type: ignore[misc]


STORE_HELP = f"Directory of the embedded store (default: the user data directory; env {STORE_ENV})."
ENDPOINT_HELP = "Use a SPARQL 1.1 endpoint instead of the embedded store."
UPDATE_HELP = "The endpoint's SPARQL Update URL, if it differs."


def _set_setting(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """A store option given after the command name: it overrides the one given before."""
    if value is not None and param.name:
        settings = ctx.find_object(StoreSettings)
        if settings is not None:
            setattr(settings, param.name, value)


def store_options() -> list[click.Option]:
    """The options that choose the store, as a command takes them after its name."""
    common: dict[str, Any] = {"expose_value": False, "callback": _set_setting, "is_eager": True}
    return [
        click.Option(["--store", "store_dir"], type=click.Path(file_okay=False, readable=False, path_type=Path),
                     help=STORE_HELP, **common),
        click.Option(["--endpoint", "endpoint"], metavar="URL", help=ENDPOINT_HELP, **common),
        click.Option(["--update-endpoint", "update_endpoint"], metavar="URL", help=UPDATE_HELP, **common),
    ]


def with_store_options(command: click.Command) -> click.Command:
    """The command, taking the store options too (those it does not declare itself)."""
    if getattr(command, "_store_options", False):
        return command
    taken = {name for param in command.params for name in param.opts}
    command.params.extend(option for option in store_options() if not set(option.opts) & taken)
    command._store_options = True  # type: ignore[attr-defined]
    return command


def _building(message: str) -> None:
    click.echo(f"Note: {message}", err=True)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clusterkg")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, readable=False, path_type=Path), envvar=STORE_ENV,
              help=STORE_HELP)
@click.option("--endpoint", metavar="URL", help=ENDPOINT_HELP)
@click.option("--update-endpoint", metavar="URL", help=UPDATE_HELP)
@click.pass_context
def cli(ctx: click.Context, store_dir: Path | None, endpoint: str | None, update_endpoint: str | None) -> None:
    """clusterkg: a knowledge graph of industrial clusters with semantic query.

    --store, --endpoint and --update-endpoint may be given before the command
    name or after it. Exit codes: 0 success, 1 a check failed (violations,
    errors found), 2 unusable input or a runtime error.
    """
    ctx.obj = StoreSettings(store_dir=store_dir, endpoint=endpoint, update_endpoint=update_endpoint,
                            notify=_building)


def main() -> None:
    """Entry point of the ``clusterkg`` script."""
    # rdflib logs a literal it cannot read as a number ("many"^^xsd:integer) with a traceback: the
    # validation report says what is wrong with it, in one line
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    cli(prog_name="clusterkg")
