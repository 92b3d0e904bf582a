"""Command line: ``python -m freelancer_emulator {start,stop,status,serve} [--port N]``."""

from __future__ import annotations

import argparse
import os
import sys

from freelancer_emulator import settings


def _non_negative(value: str) -> float:
    number = float(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m freelancer_emulator",
        description=(
            "Local AWS emulator (moto server mode, patched) on 127.0.0.1. "
            f"Port: --port, else ${settings.PORT_ENV}, else {settings.DEFAULT_PORT}. "
            f"State (pid and log files): ${settings.STATE_DIR_ENV}, else ./.emulator/."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{start,stop,status,serve}")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--port", type=int, default=None, help="TCP port on 127.0.0.1")
        return sub

    start = add("start", "start in the background and wait until it answers (idempotent)")
    start.add_argument(
        "--timeout",
        type=_non_negative,
        default=settings.DEFAULT_START_TIMEOUT,
        help="seconds to wait for the emulator to answer (default %(default)s)",
    )
    add("stop", "stop the background emulator (idempotent)")
    add("status", "exit 0 when running and answering, 3 when not running, 1 when running but not answering")
    serve = add("serve", "run in the foreground until SIGTERM/SIGINT")
    for sub in (start, serve):
        sub.add_argument(
            "--create-delay",
            type=_non_negative,
            default=None,
            help=(
                "seconds that new RDS clusters/instances and ElastiCache replication groups stay 'creating' and "
                f"CloudFront distributions 'InProgress' (default ${settings.CREATE_DELAY_ENV}, else 0)"
            ),
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    port = args.port if args.port is not None else settings.default_port()

    from freelancer_emulator import launcher

    if args.command == "start":
        return launcher.start(port, timeout=args.timeout, create_delay=args.create_delay)
    if args.command == "stop":
        return launcher.stop(port)
    if args.command == "status":
        return launcher.status(port)

    from freelancer_emulator import server

    code = server.serve(port, create_delay=args.create_delay)
    # All state is in memory: exit now rather than wait for worker threads (running executions, requests).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
