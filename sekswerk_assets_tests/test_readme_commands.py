"""Every command shown in README.md works as written, in a fresh shell after the two set-up commands.

The commands are extracted from the README's ``bash`` blocks and from inline code that starts with a command
word. Each is checked by what it is: a Makefile target must exist and dry-run (``make -n``); a module must be
importable and, for the project's own command lines, answer ``--help``; ``python -c`` snippets and
``dg check defs`` are run; ``dagster`` instance commands name existing jobs and sensors and are run against a
temporary instance, and only after the block (or its paragraph) sets ``DAGSTER_HOME``. The shell starts without
``DAGSTER_HOME`` or any ``SEKSWERK_*`` variable, so a command that needs a hidden variable fails here.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from sekswerk_assets import settings

from .services import REPO

README = REPO / "README.md"
BIN = Path(sys.executable).parent
COMMAND_WORDS = {"make", "python", "dagster", "dg", "pip", "export", "source", "playwright", "apt-get"}
#: dagster subcommands that read or write the instance (they need DAGSTER_HOME)
INSTANCE_COMMANDS = {("job", "backfill"), ("job", "launch"), ("sensor", "start"), ("sensor", "stop"),
                     ("schedule", "start"), ("asset", "materialize"), ("run", "list")}


@dataclass
class Command:
    words: list[str]
    block: int | None  # index of the fenced block; None for inline code
    context: str  # the block, or the paragraph around inline code

    def __str__(self) -> str:
        return shlex.join(self.words)


def readme_commands() -> list[Command]:
    text = README.read_text()
    found: list[Command] = []
    fenced = re.compile(r"^\s*```(\w*)\n(.*?)^\s*```", re.S | re.M)
    for i, m in enumerate(fenced.finditer(text)):
        if m.group(1) not in ("bash", "sh", "shell"):
            continue
        body = m.group(2).replace("\\\n", " ")
        for line in body.splitlines():
            words = shlex.split(line, comments=True)
            if words:
                found.append(Command(words, i, body))
    prose = fenced.sub("", text)
    for paragraph in re.split(r"\n\s*\n", prose):
        for span in re.findall(r"`([^`]+)`", paragraph):
            try:
                words = shlex.split(span.replace("\n", " "))
            except ValueError:
                continue
            if len(words) >= 2 and words[0] in COMMAND_WORDS:
                found.append(Command(words, None, paragraph))
    unique: dict[tuple[str, ...], Command] = {}
    for cmd in found:  # a command shown twice is checked once (where it is first shown)
        unique.setdefault(tuple(cmd.words), cmd)
    return list(unique.values())


COMMANDS = readme_commands()


def fresh_env(tmp_path: Path) -> dict:
    """A new shell after ``make demo``: the venv on PATH, no DAGSTER_HOME, no SEKSWERK_* settings."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME" and not k.startswith("SEKSWERK_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    # isolation only (nothing of the working tree's data folder is touched); no command needs it
    env["SEKSWERK_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONPATH"] = str(REPO)
    return env


def run(args: list[str], env: dict, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z][\w-]*):", (REPO / "Makefile").read_text(), flags=re.M))


def sets_dagster_home(cmd: Command) -> bool:
    if cmd.block is not None:
        before = cmd.context.split(str(cmd.words[0]), 1)[0] if cmd.words[0] == "dagster" else cmd.context
        return "export DAGSTER_HOME=" in before
    return "DAGSTER_HOME" in cmd.context


@pytest.fixture(scope="module")
def definitions():
    from sekswerk_assets.definitions import load_definitions

    defs = load_definitions()
    jobs = {j.name for j in defs.jobs or []}
    sensors = {s.name for s in defs.sensors or []}
    return jobs, sensors


def test_the_readme_shows_the_commands_a_newcomer_needs():
    shown = {" ".join(c.words) for c in COMMANDS}
    for expected in ("make demo", "make test", "make ui", "make backfill YEAR=2021",
                     "export DAGSTER_HOME=$PWD/.dagster_home"):
        assert expected in shown, (expected, sorted(shown))
    assert len(COMMANDS) >= 20


@pytest.mark.parametrize("cmd", COMMANDS, ids=str)
def test_readme_command_works_as_written(cmd: Command, tmp_path, request):
    env = fresh_env(tmp_path)
    head, args = cmd.words[0], cmd.words[1:]
    if head == "make":
        target = next(a for a in args if "=" not in a)
        assert target in makefile_targets(), f"{cmd}: no Makefile target {target!r}"
        out = run(["make", "-n", *args], env, timeout=120)
        assert out.returncode == 0, (str(cmd), out.stderr[-2000:])
    elif head == "export":
        name = args[0].split("=", 1)[0]
        assert name == "DAGSTER_HOME" or name in settings.SETTINGS, f"{cmd}: unknown variable {name}"
        if name == "DAGSTER_HOME":  # the folder `make dagster-home` creates
            assert args[0] == "DAGSTER_HOME=$PWD/.dagster_home"
            assert "$(CURDIR)/.dagster_home" in (REPO / "Makefile").read_text()
    elif head == "source":
        assert args == [".venv/bin/activate"] and "VENV := .venv" in (REPO / "Makefile").read_text()
    elif head == "python" and args[0] == "-c":
        out = run([sys.executable, *args], env, timeout=300)
        assert out.returncode == 0, (str(cmd), out.stderr[-2000:])
    elif head == "python" and args[0] == "-m":
        module = args[1]
        assert importlib.util.find_spec(module) is not None, f"{cmd}: no module {module}"
        if module.startswith("sekswerk_assets"):
            sub = [a for a in args[2:3] if not a.startswith("-")]  # a subcommand, then its --help
            out = run([sys.executable, "-m", module, *sub, "--help"], env, timeout=300)
            assert out.returncode == 0 and "usage" in out.stdout, (str(cmd), out.stdout[-1000:], out.stderr[-2000:])
    elif head == "dg":
        if args[:2] == ["check", "defs"]:
            out = run([str(BIN / "dg"), "check", "defs"], env, timeout=900)
        else:
            out = run([str(BIN / "dg"), *[a for a in args if not a.startswith("-")], "--help"], env, timeout=300)
        assert out.returncode == 0, (str(cmd), out.stdout[-2000:], out.stderr[-2000:])
    elif head == "dagster":
        subcommand = tuple(args[:2])
        if subcommand in INSTANCE_COMMANDS:
            assert sets_dagster_home(cmd), f"{cmd}: needs DAGSTER_HOME, which the README does not set there"
            jobs, sensors = request.getfixturevalue("definitions")
            if "-j" in args:
                assert args[args.index("-j") + 1] in jobs, cmd
            if subcommand[0] == "sensor":
                assert args[2] in sensors, cmd
        if subcommand == ("job", "backfill"):  # recorded in a temporary instance; no daemon picks it up
            home = tmp_path / "dagster_home"
            home.mkdir()
            (home / "dagster.yaml").write_text((REPO / "deploy" / "local" / "dagster.yaml").read_text())
            out = run([str(BIN / "dagster"), *args], {**env, "DAGSTER_HOME": str(home)}, timeout=900)
            assert out.returncode == 0, (str(cmd), out.stdout[-2000:], out.stderr[-2000:])
            assert "Launched backfill" in out.stdout or "backfill" in out.stdout.lower(), out.stdout[-2000:]
        else:
            positional = [a for a in args[:2] if not a.startswith("-")]
            out = run([str(BIN / "dagster"), *positional, "--help"], env, timeout=300)
            assert out.returncode == 0, (str(cmd), out.stderr[-2000:])
    elif head == "pip":
        assert args[:2] == ["install", "-e"], cmd
        extra = re.fullmatch(r"\.\[(\w+)\]", args[2]).group(1)
        assert extra in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    elif head == "playwright":
        out = run([str(BIN / "playwright"), *args[:1], "--help"], env, timeout=120)
        assert out.returncode == 0, (str(cmd), out.stderr[-2000:])
    elif head == "apt-get":
        # only packages that CI itself installs (.ci/run), so the command is tried on every CI run
        ci_packages = set(re.findall(r"missing\+=\(([\w.+-]+)\)", (REPO / ".ci" / "run").read_text()))
        assert args[0] == "install" and args[1:] and set(args[1:]) <= ci_packages, (cmd, ci_packages)
    else:
        pytest.fail(f"{cmd}: no check for this kind of command; add one")
