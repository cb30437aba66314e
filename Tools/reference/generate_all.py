"""Regenerates every committed reference fixture: runs each Tools/reference/gen_*.py in turn.

Each generator writes small JSON (or .npy / .safetensors) files under Tests/Fixtures/<area>/.
Run through `make references` (which first creates Tools/reference/.venv).
"""
import pathlib
import runpy
import sys

here = pathlib.Path(__file__).resolve().parent
for script in sorted(here.glob("gen_*.py")):
    print(f"reference: {script.name}", file=sys.stderr)
    runpy.run_path(str(script), run_name="__main__")
