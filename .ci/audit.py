"""Audit the locked dependencies for known vulnerabilities.

    python .ci/audit.py [requirements.lock]

Runs pip-audit on the lock file first. Where pip-audit cannot reach its services (as on
machines that only see PyPI's project pages), it falls back to PyPI's own advisory data:
the `vulnerabilities` list of each project's JSON page, which describes the project's
latest release. A locked version that is the latest release is checked that way; an older
one is listed as "not checked" with the latest version beside it. Exit status: 1 when a
vulnerability is found, 0 otherwise; everything not checked is printed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

PYPI = "https://pypi.org/pypi/{name}/json"


def locked(path: Path) -> list[tuple[str, str]]:
    pins = []
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins.append((name.strip(), version.split("+")[0].strip()))
    return pins


def pip_audit(path: Path) -> int | None:
    """pip-audit's exit status when it audited every pin; None when it could not."""
    exe = shutil.which("pip-audit") or str(Path(sys.executable).with_name("pip-audit"))
    if not Path(exe).exists():
        print("pip-audit is not installed; using PyPI's pages")
        return None
    run = subprocess.run(
        [exe, "-r", str(path), "--no-deps", "--disable-pip", "--progress-spinner", "off"],
        capture_output=True,
        text=True,
    )
    output = run.stdout + run.stderr
    if "could not be audited" in output or "ConnectionError" in output or run.returncode > 1:
        print("pip-audit could not reach its vulnerability services; using PyPI's pages")
        return None
    print(output)
    return run.returncode


def pypi_pages(pins: list[tuple[str, str]]) -> int:
    found, unchecked = 0, []
    for name, version in pins:
        try:
            with urllib.request.urlopen(PYPI.format(name=name), timeout=30) as response:
                page = json.load(response)
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            unchecked.append(f"{name}=={version}: no PyPI page ({exc})")
            continue
        latest = page["info"]["version"]
        if latest != version:
            unchecked.append(f"{name}=={version}: not checked, latest is {latest}")
            continue
        for vuln in page.get("vulnerabilities") or []:
            found += 1
            ids = ", ".join([vuln.get("id", "?"), *vuln.get("aliases", [])])
            print(f"VULNERABLE {name}=={version}: {ids} (fixed in {vuln.get('fixed_in')})")
    checked = len(pins) - len(unchecked)
    print(f"{checked} of {len(pins)} locked packages checked, {found} known vulnerabilities")
    for line in unchecked:
        print("  " + line)
    return found


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "requirements.lock")
    status = pip_audit(path)
    if status is not None:
        return status
    return 1 if pypi_pages(locked(path)) else 0


if __name__ == "__main__":
    raise SystemExit(main())
