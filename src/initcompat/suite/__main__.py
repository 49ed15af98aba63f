"""python -m initcompat.suite check SUITE.json [SUITE.json ...]

Checks each suite as the nox sessions do before building anything: prints one line per suite,
`FILE: ok (sha256 …)` or the problem (`my.json: layers[1].kind 'conv2dd' is not a layer kind
(known: …)`), and exits 0 when every suite is usable, 1 when one is not, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import sys

from initcompat.suite import SuiteError, check_file


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m initcompat.suite",
                                     description="Check measurement suites before running them.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check suite files (one line each)")
    check.add_argument("suites", nargs="+", help="suite JSON files")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    failed = False
    for path in arguments.suites:
        try:
            identity = check_file(path)
        except SuiteError as error:
            print(f"initcompat suite: {error}", file=sys.stderr)
            failed = True
            continue
        print(f"{path}: ok (sha256 {identity['sha256'][:12]})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
