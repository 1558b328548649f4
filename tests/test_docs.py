"""The documentation site builds, and every Python block of it (and of the README) runs.

Each block runs in a subprocess of its own through ``tests/doc_sandbox.py``, which serves the
sandbox where the block addresses the real sites. A comment right before a block says how:

- ``<!-- scenario: NAME -->``: the sandbox's scenario (« demo » otherwise);
- ``<!-- person -->``: a person does the bank step in a window; here the sandbox's person;
- ``<!-- continues -->``: the block goes on from the page's previous Python block;
- ``<!-- expect: TEXT -->``: what the block must print (several allowed);
- ``<!-- exit: CODE -->``: the exit code the block ends with (0 otherwise);
- ``<!-- file: NAME -->``: a file of the page's pytest project (e.g. ``conftest.py``);
- ``<!-- pytest -->``: a test module, run by pytest beside the page's ``file`` blocks;
- ``<!-- not-run: REASON -->``: a fragment that cannot run alone; it must still compile.

A block without any of these runs in the « demo » scenario and must succeed.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import linxo_assoconnect
from linxo_assoconnect.testing import DEMO_SMS_CODE, SCENARIOS

ROOT = Path(__file__).resolve().parent.parent
RUNNER = Path(__file__).resolve().parent / "doc_sandbox.py"
PAGES = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
KEYS = {"scenario", "person", "continues", "expect", "exit", "file", "pytest", "not-run"}
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)")
DIRECTIVE = re.compile(r"^\s*<!--\s*(?P<key>[\w-]+)\s*(?::\s*(?P<value>.*?))?\s*-->\s*$")

# What pytest-playwright needs on a machine where Playwright has no Chromium of its own, for a
# page whose pytest blocks give no conftest.py.
DEFAULT_CONFTEST = """
from typing import Any

import pytest

from linxo_assoconnect import chromium_launch_options


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], playwright: Any) -> dict:
    options = chromium_launch_options(playwright.chromium)
    args = [*browser_type_launch_args.get("args", []), *options.pop("args")]
    return {**browser_type_launch_args, **options, "args": args}
"""


@dataclass
class Block:
    page: Path
    line: int
    source: str
    directives: dict[str, list[str]] = field(default_factory=dict)
    previous: Block | None = None

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    def has(self, key: str) -> bool:
        return key in self.directives

    def value(self, key: str) -> str | None:
        values = self.directives.get(key)
        return values[-1] if values else None

    def program(self) -> str:
        """The block's source, after the blocks it continues."""
        if self.has("continues"):
            assert self.previous is not None, f"{self.name}: nothing to continue"
            return f"{self.previous.program()}\n{self.source}"
        return self.source


def python_blocks(page: Path) -> list[Block]:
    """Every ```python block of ``page``, with the directives written right before it."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].strip().startswith("```"))
        if opening["lang"] in {"python", "py"}:
            indent = len(opening["indent"])
            body = "\n".join(line[indent:] for line in lines[index + 1 : end]) + "\n"
            directives: dict[str, list[str]] = {}
            before = index - 1
            while before >= 0 and (not lines[before].strip() or DIRECTIVE.match(lines[before])):
                found = DIRECTIVE.match(lines[before])
                if found:
                    directives.setdefault(found["key"], []).insert(0, found["value"] or "")
                before -= 1
            previous = blocks[-1] if blocks else None
            blocks.append(Block(page, index + 1, body, directives, previous))
        index = end + 1
    return blocks


BLOCKS = [block for page in PAGES for block in python_blocks(page)]
RUN = [b for b in BLOCKS if not (b.has("not-run") or b.has("file") or b.has("pytest"))]
PYTEST = [b for b in BLOCKS if b.has("pytest")]


def test_the_blocks_are_found_and_their_directives_known() -> None:
    assert len(BLOCKS) >= 15, [b.name for b in BLOCKS]
    for block in BLOCKS:
        unknown = set(block.directives) - KEYS
        assert not unknown, f"{block.name}: unknown directive {unknown}"
        scenario = block.value("scenario")
        assert scenario is None or scenario in SCENARIOS, f"{block.name}: {scenario}"
        if block.has("not-run"):
            assert block.value("not-run"), f"{block.name}: say why it is not run"
        # A test module run as a script would only define its tests: it must be run by pytest.
        if not block.has("not-run"):
            tree = ast.parse(block.source)
            tests = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
            if any(name.startswith("test_") for name in tests):
                assert block.has("pytest"), f"{block.name}: tests, but no <!-- pytest -->"


@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if b.has("not-run") or b.has("file")], ids=lambda b: b.name
)
def test_blocks_not_run_alone_still_compile(block: Block) -> None:
    compile(block.program(), block.name, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def _environment(tmp_path: Path, block: Block) -> dict[str, str]:
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(RUNNER.parent), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        "DOC_SANDBOX_DIR": str(tmp_path),
        "DOC_SANDBOX_SCENARIO": block.value("scenario") or "demo",
        "DOC_SANDBOX_PERSON": "1" if block.has("person") else "0",
        "LINXO_ASSOCONNECT_STATE_DIR": str(tmp_path / "state"),
        "LINXO_ASSOCONNECT_EVIDENCE_DIR": str(tmp_path / "evidence"),
    }
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):  # as under cron: nobody at a window
        environment.pop(name, None)
    return environment


def run(block: Block, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``block`` run as a script against the sandbox (a code asked on the terminal is typed)."""
    script = tmp_path / "block.py"
    script.write_text(block.program(), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(RUNNER), str(script), block.name],
        input=f"{DEMO_SMS_CODE}\n" * 3,
        capture_output=True,
        text=True,
        timeout=240,
        env=_environment(tmp_path, block),
        cwd=tmp_path,
        check=False,
    )


@pytest.mark.parametrize("block", RUN, ids=lambda b: b.name)
def test_block_runs_against_the_sandbox(block: Block, tmp_path: Path) -> None:
    result = run(block, tmp_path)
    output = f"{result.stdout}\n{result.stderr}"
    assert result.returncode == int(block.value("exit") or 0), output
    assert "Traceback" not in output, output
    assert "doc-sandbox: " in result.stderr, output
    for expected in block.directives.get("expect", []):
        assert expected in result.stdout, f"{block.name} should print {expected!r}:\n{output}"


@pytest.mark.parametrize("block", PYTEST, ids=lambda b: b.name)
def test_pytest_block_passes(block: Block, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    files = [b for b in BLOCKS if b.page == block.page and b.has("file")]
    for other in files:
        (project / str(other.value("file"))).write_text(other.source, encoding="utf-8")
    if not (project / "conftest.py").exists():
        (project / "conftest.py").write_text(DEFAULT_CONFTEST, encoding="utf-8")
    (project / "test_from_the_docs.py").write_text(block.source, encoding="utf-8")
    environment = _environment(tmp_path, block)
    environment.pop("PYTHONPATH")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--strict-markers"],
        capture_output=True,
        text=True,
        timeout=240,
        env=environment,
        cwd=project,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b\d+ passed\b", result.stdout), result.stdout
    assert "failed" not in result.stdout and "skipped" not in result.stdout, result.stdout


def test_a_failing_block_fails(tmp_path: Path) -> None:
    """The runner hides nothing: a block the sandbox refuses fails, with its traceback."""
    source = (
        "from linxo_assoconnect import Credentials, Session\n"
        "linxo = Credentials(username='tresorier@association-exemple.fr', password='faux')\n"
        "with Session() as session:\n"
        "    session.linxo(linxo)\n"
    )
    result = run(Block(ROOT / "README.md", 0, source), tmp_path)
    assert result.returncode == 1
    assert "linxo_assoconnect.LoginFailed:" in result.stderr  # the public name, not a module
    assert 'File "README.md:0", line 4' in result.stderr


def test_the_site_builds_strictly_with_the_api_reference(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    reference = (site / "reference" / "index.html").read_text(encoding="utf-8")
    rendered = set(re.findall(r'id="(linxo_assoconnect[\w.]*)"', reference))
    expected = {
        "linxo_assoconnect.LinxoSettings",
        "linxo_assoconnect.LinxoSettings.reauthenticate",
        "linxo_assoconnect.RapprochementPage",
        "linxo_assoconnect.RapprochementPage.force_sync",
        "linxo_assoconnect.BankAuthPage.complete",
        "linxo_assoconnect.Session.restore",
        "linxo_assoconnect.SyncResult.used_fallback",
        "linxo_assoconnect.PageChanged",
        "linxo_assoconnect.aio.LinxoSettings.reauthenticate",
        "linxo_assoconnect.aio.Session.restore",
        "linxo_assoconnect.testing.Sandbox.attach",
        "linxo_assoconnect.testing.Scenario.broken_banks",
        "linxo_assoconnect.testing.SCENARIOS",
        "linxo_assoconnect.testing.plugin.linxo_sandbox",
    }
    assert expected <= rendered, expected - rendered
    # Every public name is documented, each from its real module behind the lazy imports.
    public = {n for n in linxo_assoconnect.__all__ if not n.startswith("_")}
    assert {f"linxo_assoconnect.{n}" for n in public} <= rendered
    assert (site / "guides" / "capture" / "index.html").exists()
