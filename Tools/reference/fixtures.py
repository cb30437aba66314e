"""Shared helpers for the reference generators: where fixtures live and how they are written."""
import json
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "Fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"


def tensor(array):
    """A JSON-ready {"shape", "data"} entry (float32 values, row-major)."""
    array = np.asarray(array, dtype=np.float32)
    return {"shape": list(array.shape), "data": [float(v) for v in array.reshape(-1)]}


def write(area, name, entries):
    """Writes Tests/Fixtures/<area>/<name>.json; numpy arrays become tensor entries."""
    folder = FIXTURES / area
    folder.mkdir(parents=True, exist_ok=True)
    converted = {k: tensor(v) if isinstance(v, np.ndarray) else v for k, v in entries.items()}
    path = folder / f"{name}.json"
    path.write_text(json.dumps(converted, separators=(",", ":")))
    return path
