"""This action against Aikido's own CLI, side by side, to a sink that only reads and answers.

    .venv/bin/python -m benchmarks.vs_cli [--cli DIR] [--rounds 7] [--sizes 5,50,240] [--uploads-only]

Uploads: a Syft JSON SBOM of each size, sent by the action in `upload-only` mode (it
validates the file completely first) and by the CLI's `upload` command (no validation):
wall time, spawn to the upload's first byte, send time, MB/s, and peak RSS (the process
tree's, sampled, and `ru_maxrss` from `wait4`); then, for this checkout (and `--before`),
its two stages timed apart in a process of their own: validating the file (`collect`) and
escaping it into the body without a socket (iterating `UploadBody`). Start-up: a plain pull_request gate and the
CLI's `scan`: spawn to the first request, and the final poll answer to exit, over plain http
and over https (each program loading its CA roots and making the handshake, as against
Aikido). Then the import breakdown of `entrypoint` and the wiring (`-X importtime`, top 10).

`--before DIR` runs another checkout of this project as a third program, for before/after
figures from the same run. `--floor` adds `benchmarks/floor.py` to the start-up rounds: the
least a program using httpx and pydantic-settings does before its first request, which is
what those libraries alone cost. `--cli DIR` is a copy of Aikido's CLI (github.com/AikidoSec/ci-api-client) with
`npm install --omit=dev` done; the rounds interleave the programs, alternating which goes
first, and each ratio is the median of round-by-round ratios. Without it, the action alone.
The project never depends on the CLI: it is a yardstick.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import certifi

from benchmarks.sink import Sink
from benchmarks.upload import write_sbom
from emulator.runner import ROOT, prepare_run
from emulator.tls import Certificate
from tests.conftest import sample

KEY = "AIK_CI_benchmark"
REPOSITORY_ID = "R_kgDOLrq3yg"
BASE, HEAD = "9049f1265b7d0e5c8d0d6b5a0e6f8a9b1c2d3e4f", "ec26c3e57ca3a959ca5aad62de7213c562f8c821"


# The Dockerfile's ENTRYPOINT is `python -I -u -B -m entrypoint` with /app on sys.path through a
# .pth file; here the checkout given as the first argument stands in for /app, taken off sys.argv
# so the module sees only the arguments that follow (the image's: none for the action's run).
def as_the_image(module: str, directory: Path) -> list[str]:
    """Interpreter arguments that run `module` from `directory` as the image runs the entrypoint; append its own."""
    run = f"import sys, runpy; sys.path.insert(0, sys.argv.pop(1)); runpy._run_module_as_main({module!r})"
    return ["-I", "-u", "-B", "-c", run, str(directory)]


@dataclass
class Measured:
    """One process run: on time.monotonic(), and memory in MB."""

    started: float
    ended: float
    code: int
    out: str
    maxrss_mb: float
    tree_peak_mb: float

    @property
    def wall(self) -> float:
        return self.ended - self.started


def _tree_rss_kb(pid: int) -> int:
    """RSS of `pid` and every descendant, from /proc (0 once it is gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            if resident := re.search(r"VmRSS:\s+(\d+)", status):  # a zombie has no VmRSS line
                total += int(resident.group(1))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def run(argv: list[str], env: dict[str, str], cwd: Path) -> Measured:
    """Run to its end, sampling the process tree's RSS every 5 ms."""
    peak = [0]
    done = threading.Event()
    started = time.monotonic()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def sample_rss() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(process.pid))
            done.wait(0.005)

    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()
    assert process.stdout is not None
    out = process.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    ended = time.monotonic()
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(started, ended, process.returncode, out, usage.ru_maxrss / 1024, peak[0] / 1024)


@dataclass
class Figures:
    """Per program and measure, the values of every round."""

    values: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def add(self, program: str, measure: str, value: float) -> None:
        self.values.setdefault((program, measure), []).append(value)

    def median(self, program: str, measure: str) -> float | None:
        values = self.values.get((program, measure))
        return statistics.median(values) if values else None


class Programs:
    """How each program is run against the sink, in a scratch directory."""

    def __init__(
        self, sink: Sink, scratch: Path, cli: Path | None, python: Path, before: Path | None, *, ca: Path | None = None
    ) -> None:
        self.sink, self.scratch, self.cli, self.python, self.before = sink, scratch, cli, python, before
        self.home = scratch / "home"
        self.home.mkdir()
        # Over https each program trusts the sink's certificate the way it trusts Aikido's: the
        # Python ones through SSL_CERT_FILE, a bundle of certifi's roots plus the sink's (so
        # loading it costs what loading certifi's does), Node through NODE_EXTRA_CA_CERTS.
        self.python_env: dict[str, str] = {}
        self.node_env: dict[str, str] = {}
        if ca is not None:
            bundle = scratch / "bundle.pem"
            bundle.write_bytes(Path(certifi.where()).read_bytes() + ca.read_bytes())
            self.python_env["SSL_CERT_FILE"] = str(bundle)
            self.node_env["NODE_EXTRA_CA_CERTS"] = str(ca)

    def ours_upload(self, sbom: Path, root: Path = ROOT) -> Measured:
        return self._ours({"upload-only": "true", "sbom-files": f"big-app={sbom.name}"}, root, holding=sbom)

    def cli_upload(self, sbom: Path) -> Measured:
        assert self.cli is not None
        argv = ["node", str(self.cli / "lib" / "index.js"), "upload", "--apikey", KEY, "--repository-id"]
        argv += [REPOSITORY_ID, "--type", "json-sbom", "--container-image", "big-app", "--file", str(sbom)]
        return run(argv, self._cli_env(), self.scratch)

    def ours_gate(self, root: Path = ROOT) -> Measured:
        return self._ours({"poll-interval-seconds": "1"}, root)

    def cli_gate(self) -> Measured:
        assert self.cli is not None
        argv = ["node", str(self.cli / "lib" / "index.js"), "scan", "--apikey", KEY, REPOSITORY_ID, BASE, HEAD]
        return run([*argv, "feature/login-form", "--poll-interval", "1"], self._cli_env(), self.scratch)

    def floor_gate(self) -> Measured:
        return self._ours({}, ROOT / "benchmarks", module="floor")

    def before_upload(self, sbom: Path) -> Measured:
        assert self.before is not None
        return self.ours_upload(sbom, self.before)

    def before_gate(self) -> Measured:
        assert self.before is not None
        return self.ours_gate(self.before)

    def _ours(
        self, inputs: dict[str, str], root: Path, *, module: str = "entrypoint", holding: Path | None = None
    ) -> Measured:
        """`module` from `root`, run as the image runs it, in a runner layout of its own (holding a file, if given)."""
        workdir = Path(tempfile.mkdtemp(dir=self.scratch))
        values = {"secret-key": KEY, "api-base-url": self.sink.url, "repository-id": REPOSITORY_ID, **inputs}
        prepared = prepare_run(
            workdir, event_name="pull_request", payload=sample("pull_request"), inputs=values, extra_env=self.python_env
        )
        prepared.argv[:2] = [str(self.python), *as_the_image(module, root)]
        if holding is not None:
            os.link(holding, prepared.cwd / holding.name)  # the workspace holds the file, as actions/checkout would
        measured = run(prepared.argv, prepared.env, prepared.cwd)
        shutil.rmtree(workdir)
        return measured

    def _cli_env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(self.home),
            "AIKIDO_API": self.sink.url,
            **self.node_env,
        }


def measure_upload(figures: Figures, name: str, go: Callable[[], Measured], sink: Sink, size_mb: float) -> None:
    sink.clear()
    measured = go()
    if measured.code != 0:
        raise SystemExit(f"{name} failed:\n{measured.out}")
    [upload] = [seen for seen in sink.seen if seen.path.endswith("/custom")]
    figures.add(name, "wall s", measured.wall)
    figures.add(name, "spawn → first byte s", upload.first_byte - measured.started)
    figures.add(name, "send s", upload.last_byte - upload.first_byte)
    figures.add(name, "MB/s (wall)", size_mb / measured.wall)
    figures.add(name, "peak RSS MB (tree)", measured.tree_peak_mb)
    figures.add(name, "ru_maxrss MB", measured.maxrss_mb)
    if checked := re.search(r"checked 1 file\(s\) to upload, [\d.]+ MB, in ([\d.]+) s", measured.out):
        figures.add(name, "validation s (log)", float(checked.group(1)))


# A checkout's two upload stages, timed apart: what `collect` takes, then what producing the body takes.
STAGES = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from gate.uploads.body import UploadBody
from gate.uploads.files import collect
path = Path(sys.argv[2])
started = time.perf_counter()
files, _ = collect("big-app=" + path.name, "", path.parent)
checked = time.perf_counter()
for _ in UploadBody(files[0], {"payload_type": "json-sbom"}):
    pass
print(checked - started, time.perf_counter() - checked)
"""


def measure_stages(figures: Figures, name: str, python: Path, root: Path, sbom: Path) -> None:
    done = subprocess.run(
        [python, "-I", "-c", STAGES, str(root), str(sbom)], capture_output=True, text=True, check=True
    )
    validation, escaping = map(float, done.stdout.split())
    figures.add(name, "stage: validation s", validation)
    figures.add(name, "stage: escape, no socket s", escaping)


def measure_gate(figures: Figures, name: str, go: Callable[[], Measured], sink: Sink) -> None:
    sink.clear()
    measured = go()
    if measured.code != 0:
        raise SystemExit(f"{name} failed:\n{measured.out}")
    figures.add(name, "spawn → first request ms", (sink.seen[0].first_byte - measured.started) * 1000)
    figures.add(name, "final answer → exit ms", (measured.ended - sink.seen[-1].answered) * 1000)


def start_up(programs: Programs, sink: Sink, names: list[str], rounds: int) -> Figures:
    """Each program's plain gate, `rounds` times, interleaved, alternating the order."""
    figures = Figures()
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else names[::-1]:
            measure_gate(figures, name, getattr(programs, f"{name if name != 'action' else 'ours'}_gate"), sink)
    return figures


def paired(figures: Figures, program: str, yardstick: str, measure: str) -> list[float]:
    """Round by round, `program`'s value over the yardstick's, sorted.

    The rounds interleave the programs, so a ratio within one round cancels the shared machine's
    slow drifts, which a ratio of two medians keeps.
    """
    mine, theirs = figures.values.get((program, measure), []), figures.values.get((yardstick, measure), [])
    if len(mine) != len(theirs):
        return []
    return sorted(value / base for value, base in zip(mine, theirs, strict=True) if base)


def table(title: str, figures: Figures, programs: list[str]) -> str:
    """Medians per program; each program's ratio to the last one (the CLI, when it ran), and this
    action's to the checkout before it, as medians of round-by-round ratios; then how much the
    before/after ratio of the first measure varied (its middle half of rounds)."""
    measures = list(dict.fromkeys(measure for _, measure in figures.values))
    yardstick = programs[-1] if len(programs) > 1 else None
    pairs = [(program, yardstick) for program in programs if yardstick and program != yardstick]
    if "before" in programs and yardstick != "before":
        pairs.append(("action", "before"))
    head = "".join(f"{program:>12}" for program in programs)
    head += "".join(f"{mine + '/' + theirs:>15}" for mine, theirs in pairs)
    lines = [f"\n{title}", f"{'':28}{head}"]
    for measure in measures:
        medians = [figures.median(program, measure) for program in programs]
        cells = "".join(f"{m:>12.3f}" if m is not None else f"{'–':>12}" for m in medians)
        for mine, theirs in pairs:
            ratios = paired(figures, mine, theirs, measure)
            cells += f"{statistics.median(ratios):>14.2f}×" if ratios else f"{'–':>15}"
        lines.append(f"{measure:28}{cells}")
    spread = paired(figures, "action", "before", measures[0]) if "before" in programs and measures else []
    if len(spread) >= 4:
        low, _, high = statistics.quantiles(spread, n=4)
        lines.append(f"{'':28}action/before, {measures[0]}: middle half of rounds {low:.2f}–{high:.2f}×")
    return "\n".join(lines)


RUN_MODULES = "entrypoint, gate.boot.wiring"


def import_breakdown(python: Path, top: int = 10) -> str:
    done = subprocess.run(
        # As the action starts: the entry point, then the wiring (the rest loads as the clients are made).
        [str(python), "-X", "importtime", "-c", f"import {RUN_MODULES}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        if match := re.match(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)", line):
            rows.append((int(match.group(2)), int(match.group(1)), len(match.group(3)) // 2, match.group(4)))
    total = sum(self_us for _, self_us, _, _ in rows)
    # Our modules and top-level packages, at whatever depth they were first imported.
    wanted = sorted(
        (row for row in rows if row[2] >= 1 and ("." not in row[3] or row[3].startswith("gate."))), reverse=True
    )[:top]
    lines = [f"\nimport {RUN_MODULES}: {total / 1000:.0f} ms in {len(rows)} modules; top {top} by cumulative time"]
    lines += [f"  {cumulative / 1000:7.1f} ms  {name} (level {level})" for cumulative, _, level, name in wanted]
    return "\n".join(lines)


def compile_checkout(python: Path, root: Path) -> None:
    """Bytecode for every module the runs import, as the image has: `-B` runs never write any."""
    sources = [root / "gate", root / "entrypoint.py", root / "benchmarks" / "floor.py"]
    subprocess.run([python, "-m", "compileall", "-q", *(str(path) for path in sources if path.exists())], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", type=Path, help="a copy of Aikido's CLI with `npm install --omit=dev` done")
    parser.add_argument("--before", type=Path, help="another checkout of this project (say, a git worktree of main)")
    parser.add_argument("--floor", action="store_true", help="add the libraries' floor to the start-up rounds")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sizes", default="5,50,240", help="SBOM sizes in MB, comma-separated (none: start-up only)")
    parser.add_argument("--uploads-only", action="store_true", help="skip the start-up rounds and the import breakdown")
    parser.add_argument(
        "--python",
        type=Path,
        default=Path(sys.executable),
        help="the interpreter that runs the action: best a venv with only requirements.txt installed, as in the "
        "image (the dev venv's extras, such as click, make `import httpx` slower), of an optimised build as the "
        "image's is (pyenv's default build, without PGO or LTO, starts ~10%% slower than Debian's python3)",
    )
    args = parser.parse_args()
    if args.cli and not (args.cli / "lib" / "index.js").is_file():
        raise SystemExit(f"--cli {args.cli}: no lib/index.js there")
    names = ["action", *(["before"] if args.before else []), *(["cli"] if args.cli else [])]
    version = subprocess.run([args.python, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    print(f"{version} ({args.python}), {os.cpu_count()} CPUs; {args.rounds} interleaved rounds, medians")
    for root in (ROOT, *([args.before] if args.before else [])):
        compile_checkout(args.python, root)
    sink = Sink()
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        programs = Programs(sink, scratch, args.cli, args.python, args.before)
        # The CLI stays last: it is the yardstick of the ratios.
        if not args.uploads_only:
            start_ups(programs, scratch, names, args)
        for size in (int(text) for text in args.sizes.split(",") if text):
            sbom = scratch / f"sbom-{size}mb.json"
            write_sbom(sbom, size * 1_000_000)
            size_mb = sbom.stat().st_size / 1e6
            uploads = Figures()
            for round_ in range(args.rounds):
                order = names if round_ % 2 == 0 else names[::-1]
                for name in order:
                    upload = getattr(programs, f"{name if name != 'action' else 'ours'}_upload")
                    go = functools.partial(upload, sbom)
                    measure_upload(uploads, name, go, sink, size_mb)
                for name, root in (("action", ROOT), *((("before", args.before),) if args.before else ())):
                    measure_stages(uploads, name, args.python, root, sbom)
            print(table(f"upload {size_mb:.0f} MB (upload-only vs `upload`)", uploads, names), flush=True)
            sbom.unlink()
    if not args.uploads_only:
        print(import_breakdown(args.python))
    sink.close()


def start_ups(programs: Programs, scratch: Path, names: list[str], args: argparse.Namespace) -> None:
    """The start-up rounds, over plain http and over https."""
    sink = programs.sink
    starters = [name for name in names if name != "cli"] + ["floor"] * args.floor + ["cli"] * bool(args.cli)
    gates = start_up(programs, sink, starters, args.rounds)
    print(table("start-up and exit, plain http (plain gate vs `scan`)", gates, starters), flush=True)
    certificate = Certificate.make(scratch)
    secure_sink = Sink(certificate.server())
    (scratch / "https").mkdir()
    secure = Programs(secure_sink, scratch / "https", args.cli, args.python, args.before, ca=certificate.ca)
    gates = start_up(secure, secure_sink, starters, args.rounds)
    print(table("start-up and exit over https, as against Aikido", gates, starters), flush=True)
    secure_sink.close()


if __name__ == "__main__":
    main()
