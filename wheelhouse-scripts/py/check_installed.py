"""Usage: python check_installed.py WHEEL

Run by the venv's interpreter from outside the repository: fails unless `import copium`
finds the package and its compiled extension in this venv's site-packages, at the
version of WHEEL.
"""

import os
import sys
import sysconfig
from importlib.metadata import version

import copium
import copium._copium

wheel_version = os.path.basename(sys.argv[1]).split("-")[1]
site = os.path.realpath(sysconfig.get_paths()["platlib"])
for module in (copium, copium._copium):
    path = os.path.realpath(module.__file__ or "<no file>")
    if not path.startswith(site + os.sep):
        sys.exit(f"{module.__name__} imported from {path}, not from {site}")
if version("copium") != wheel_version:
    sys.exit(f"installed copium {version('copium')} is not the wheel's {wheel_version}")
print(f"installed copium {wheel_version} at {os.path.dirname(copium.__file__ or '')}")
