"""python -m initcompat.check PATH... --from ENV --to ENV [--format text|json|sarif]
                                     [--data FILE | --results DIR...]
                                     [--verify [--envs DIR] [--measured DIR]]

Which lines of your own Python code change behaviour between two measured environments (names
such as tf-1.15, tf-2.16, keras-3.14-jax), with the code that keeps the old behaviour where one
exists. The files are read with `ast`, never imported. The data is the report's
compat-data.json (default: the published reports/compat-data.json of this checkout), or built
from result files with --results (slow: the report's statistics).

--verify runs every unverified fix in its target environment and compares its draws with the
source's measured ones (docs/check.md).

Exit 0 when nothing changes, 1 when something does, 2 on bad input (a file that does not parse,
an unknown environment, two environments of two lines): one line each, never a traceback.
"""

from __future__ import annotations

import argparse
import io
import sys
import tokenize
from pathlib import Path

from initcompat.check import causes
from initcompat.check import data as data_module
from initcompat.check import output
from initcompat.check.context import Incomparable
from initcompat.check.reader import Unreadable, read
from initcompat.check.run import check_source

PREFIX = "initcompat check:"
ROOT = Path(__file__).resolve().parents[3]  # the checkout: reports/, results/, .nox/, suites/
DEFAULT_DATA = ROOT / "reports" / data_module.FILE_NAME
MAX_SOURCE_BYTES = 32 * 1024 * 1024


class BadInput(Exception):
    """One line that says what input is unusable."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse prints its usage otherwise)
        raise BadInput(f"{message} (usage: python -m initcompat.check PATH... --from ENV --to ENV)")


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = _Parser(prog="python -m initcompat.check", description=__doc__.split("\n")[3])
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                        help="Python files or folders (every *.py below them)")
    parser.add_argument("--from", dest="first", required=True, metavar="ENV",
                        help="the environment the code runs in now, e.g. tf-1.15")
    parser.add_argument("--to", dest="second", required=True, metavar="ENV",
                        help="the environment to move to, e.g. tf-2.0")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", type=Path, help=f"a compat-data.json (default {DEFAULT_DATA})")
    source.add_argument("--results", type=Path, nargs="+", metavar="DIR",
                        help="result folders or files to build the data from")
    parser.add_argument("--verify", action="store_true",
                        help="run every unverified fix in its target environment (built under "
                             "--envs where missing) and compare its draws with the source's "
                             "measured ones")
    parser.add_argument("--measured", type=Path, metavar="DIR",
                        help="--verify: where the source environments' result files are and the "
                             "fix runs' files go (default: the first --results folder, else "
                             f"{ROOT / 'results'})")
    parser.add_argument("--envs", type=Path, default=ROOT / ".nox", metavar="DIR",
                        help=f"where the environments are (default {ROOT / '.nox'})")
    return parser.parse_args(argv)


def python_files(paths: list[Path]) -> list[Path]:
    files = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.py") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise BadInput(f"{path}: no such file or folder")
    if not files:
        raise BadInput(f"{', '.join(str(p) for p in paths)}: no Python file")
    return files


def source_of(path: Path) -> str:
    """The file's text in its declared encoding (PEP 263), or BadInput."""
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise BadInput(f"{path}: larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB")
        raw = path.read_bytes()
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding)
    except OSError as error:
        raise BadInput(f"{path}: {error.strerror or error}") from None
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        raise BadInput(f"{path}: cannot be decoded ({str(error).splitlines()[0][:120]})") from None


def load_data(arguments: argparse.Namespace) -> data_module.CompatData:
    if arguments.results:
        return data_module.from_results(list(arguments.results))
    path = arguments.data or DEFAULT_DATA
    if arguments.data is None and not path.exists():
        raise BadInput(f"no compat data at {path}: pass --data FILE (the report writes "
                       f"{data_module.FILE_NAME} beside its CSVs) or --results DIR")
    return data_module.load(path)


def known_environment(found: data_module.CompatData, name: str) -> None:
    if name not in found.env:
        raise BadInput(f"unknown environment {name!r}; known: {', '.join(found.env)}")


def verified(findings: list, found: data_module.CompatData, arguments) -> list:
    """--verify: the findings with their unverified fixes run in the target environment (the
    report's statistics and the host's runner: imported only here)."""
    try:
        from initcompat.check.verify import verify
        from initcompat.host.matrix import MatrixError, load_matrix
    except ImportError as error:  # numpy/scipy: the report's dependencies
        raise BadInput(f"--verify needs the report's dependencies (pip install -e '.[report]'): "
                       f"{error}") from None
    try:
        matrix = load_matrix(ROOT / "suites" / "matrix.toml")
    except (MatrixError, OSError) as error:
        raise BadInput(f"--verify needs the matrix: {error}") from None
    results = arguments.measured or (arguments.results[0] if arguments.results
                                     else ROOT / matrix.results)
    if results.is_file():
        results = results.parent
    findings, summary = verify(findings, found, matrix=matrix, results=results,
                               envs=arguments.envs, source=ROOT / "src",
                               suite_path=ROOT / matrix.suite,
                               echo=lambda line: print(line, file=sys.stderr))
    for note in summary.notes:
        print(f"{PREFIX} {note}", file=sys.stderr)
    print(summary.line(), file=sys.stderr)
    return findings


def run(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    files = python_files(arguments.paths)
    sources = {}
    for path in files:
        text = source_of(path)
        try:
            read(text)
        except Unreadable as error:
            raise BadInput(f"{path}: does not parse: {error}") from None
        sources[path] = text
    found = load_data(arguments)
    for name in (arguments.first, arguments.second):
        known_environment(found, name)
    if arguments.first == arguments.second:
        return 0  # the same environment: nothing changes, nothing to say
    findings, calls, unmeasured = [], 0, 0
    try:
        for path, text in sources.items():
            result = check_source(found, arguments.first, arguments.second, text, str(path))
            findings.extend(result.findings)
            calls += result.calls
            unmeasured += result.unmeasured
    except Incomparable as error:
        raise BadInput(str(error)) from None
    findings = causes.annotate(findings, found, arguments.first, arguments.second)
    if arguments.verify:
        findings = verified(findings, found, arguments)
    summary = output.summary_line(findings, len(files), calls, unmeasured, arguments.first,
                                  arguments.second)
    envs = {"from": arguments.first, "to": arguments.second}
    if arguments.format == "json":
        print(output.json_document(findings, summary, envs, found.source,
                                   data_module.SCHEMA_VERSION))
    elif arguments.format == "sarif":
        print(output.sarif(findings, summary, envs))
    else:
        print(output.text(findings, summary))
    return 1 if findings else 0


def main(argv: list[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except (BadInput, data_module.DataError) as error:
        print(f"{PREFIX} {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
