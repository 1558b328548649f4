"""`./dev`'s set-up where `sha256sum` and `apt-get` do not exist (macOS, Fedora, Arch, Alpine).

The script is sourced from a copy in a temporary folder, with a fake `.venv/bin` whose
`linxo-assoconnect` finds no browser and whose `python` installs nothing: nothing is downloaded
or installed, and the project's own `.venv` is not touched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HIDDEN = {"sha256sum", "apt-get"}

# What the real `linxo-assoconnect browser` prints when it finds no browser, or a bad override.
FAKE_CLI = """#!/bin/sh
if [ -n "${LINXO_ASSOCONNECT_BROWSER:-}" ]; then
  echo "linxo-assoconnect: LINXO_ASSOCONNECT_BROWSER='$LINXO_ASSOCONNECT_BROWSER'" \\
    "n’est pas un fichier exécutable." >&2
else
  echo "linxo-assoconnect: Aucun navigateur Chromium n’a été trouvé." >&2
fi
exit 1
"""
# Records its arguments; Playwright's download fails, as it does off the network.
FAKE_PYTHON = """#!/bin/sh
echo "$*" >> "$(dirname "$0")/calls.log"
if [ "$1 $2" = "-m playwright" ]; then exit 1; fi
"""


def write_executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of links to every tool on PATH but `sha256sum` and `apt-get`."""
    folder = tmp_path_factory.mktemp("tools")
    for directory in os.environ["PATH"].split(os.pathsep):
        if not Path(directory).is_dir():
            continue
        for tool in Path(directory).iterdir():
            link = folder / tool.name
            if tool.name in HIDDEN or link.exists() or not os.access(tool, os.X_OK):
                continue
            link.symlink_to(tool)
    for name in ("python3.13", "python3.12", "python3.11", "python3"):  # find_python's names
        (folder / name).unlink(missing_ok=True)
        (folder / name).symlink_to(Path(sys.executable).resolve())  # not a slow pyenv shim
    return folder


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of `./dev` and `pyproject.toml` with a fake, already created `.venv`."""
    shutil.copy(ROOT / "dev", tmp_path / "dev")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    write_executable(bin_dir / "linxo-assoconnect", FAKE_CLI)
    write_executable(bin_dir / "python", FAKE_PYTHON)
    return tmp_path


def run_dev(checkout: Path, tools: Path, call: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Source `./dev` in bash with only `tools` (and `checkout/stubs`) on PATH, then `call`."""
    path = os.pathsep.join([str(checkout / "stubs"), str(tools)])
    return subprocess.run(
        [str(tools / "bash"), "-c", f"source ./dev && {call}"],
        cwd=checkout,
        env={"PATH": path, "HOME": str(checkout), **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def messages(stderr: str) -> list[str]:
    """The lines of stderr that are not `say`'s progress lines."""
    return [line for line in stderr.splitlines() if "==> " not in line]


def test_the_tools_lack_sha256sum_and_apt_get(tools: Path) -> None:
    assert shutil.which("sha256sum", path=str(tools)) is None
    assert shutil.which("apt-get", path=str(tools)) is None
    assert shutil.which("bash", path=str(tools)) is not None


def test_stamp_is_the_sha256_of_the_file(checkout: Path, tools: Path) -> None:
    result = run_dev(checkout, tools, "stamp_of pyproject.toml")
    assert result.returncode == 0, result.stderr
    expected = hashlib.sha256((checkout / "pyproject.toml").read_bytes()).hexdigest()
    assert result.stdout.strip() == expected


def test_setup_venv_installs_once_the_stamp_is_stale(checkout: Path, tools: Path) -> None:
    (checkout / ".venv" / ".installed").write_text("stale\n")
    result = run_dev(checkout, tools, "setup_venv")
    assert result.returncode == 0, result.stderr
    expected = hashlib.sha256((checkout / "pyproject.toml").read_bytes()).hexdigest()
    assert (checkout / ".venv" / ".installed").read_text().strip() == expected
    calls = (checkout / ".venv" / "bin" / "calls.log").read_text()
    assert "-m pip install --quiet -e .[dev]" in calls

    (checkout / ".venv" / "bin" / "calls.log").unlink()
    again = run_dev(checkout, tools, "setup_venv")
    assert again.returncode == 0, again.stderr
    assert not (checkout / ".venv" / "bin" / "calls.log").exists()  # up to date: no pip


@pytest.mark.parametrize(
    ("os_release", "command"),
    [
        ('NAME="Fedora Linux"\nID=fedora\n', "`sudo dnf install chromium`"),
        ('ID="rocky"\nID_LIKE="rhel centos fedora"\n', "`sudo dnf install chromium`"),
        ('NAME="Arch Linux"\nID=arch\n', "`sudo pacman -S chromium`"),
        ("ID=manjaro\nID_LIKE=arch\n", "`sudo pacman -S chromium`"),
        ('NAME="Alpine Linux"\nID=alpine\n', "`apk add chromium`"),
        ('ID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"\n', "`sudo zypper install chromium`"),
    ],
    ids=["fedora", "rocky", "arch", "manjaro", "alpine", "opensuse"],
)
def test_no_chromium_names_the_distributions_package(
    checkout: Path, tools: Path, os_release: str, command: str
) -> None:
    (checkout / "os-release").write_text(os_release)
    result = run_dev(checkout, tools, "setup_browser", DEV_OS_RELEASE=str(checkout / "os-release"))
    assert result.returncode == 1
    assert messages(result.stderr) == [
        f"No Chromium found: run {command}, or set LINXO_ASSOCONNECT_BROWSER to a Chromium or "
        "Chrome executable."
    ]
    calls = (checkout / ".venv" / "bin" / "calls.log").read_text()
    assert "-m playwright install chromium" in calls  # Playwright's own was tried first


def test_no_chromium_on_an_unknown_system(checkout: Path, tools: Path) -> None:
    (checkout / "os-release").write_text("ID=nixos\n")
    result = run_dev(checkout, tools, "setup_browser", DEV_OS_RELEASE=str(checkout / "os-release"))
    assert result.returncode == 1
    assert messages(result.stderr) == [
        "No Chromium found: install your system's chromium package, or set "
        "LINXO_ASSOCONNECT_BROWSER to a Chromium or Chrome executable."
    ]


def test_no_chromium_on_macos(checkout: Path, tools: Path) -> None:
    (checkout / "stubs").mkdir()
    write_executable(checkout / "stubs" / "uname", "#!/bin/sh\necho Darwin\n")
    result = run_dev(checkout, tools, "setup_browser", DEV_OS_RELEASE="/nonexistent")
    assert result.returncode == 1
    [message] = messages(result.stderr)
    assert "`.venv/bin/python -m playwright install chromium`" in message
    assert "Google Chrome" in message
    assert "LINXO_ASSOCONNECT_BROWSER=" in message


def test_a_bad_override_gets_the_packages_own_line(checkout: Path, tools: Path) -> None:
    result = run_dev(checkout, tools, "setup_browser", LINXO_ASSOCONNECT_BROWSER="/nowhere")
    assert result.returncode == 1
    assert messages(result.stderr) == [
        "linxo-assoconnect: LINXO_ASSOCONNECT_BROWSER='/nowhere' n’est pas un fichier exécutable."
    ]
    assert not (checkout / ".venv" / "bin" / "calls.log").exists()  # nothing downloaded
