"""Reference fixtures for STFPM: anomalib 2.7's loss and map, and timm's student network.

Writes Tests/Fixtures/stfpm/*.json:
- matching.json: random teacher and student maps at three taps (two images), anomalib's
  `STFPMLoss` (with d loss / d student map of each tap, autograd) and `AnomalyMapGenerator` map
  (product over taps, bilinear upsampling to a 16 x 12 image).
- student.json: timm `efficientnet_lite0(pretrained=False, features_only=True, out_indices=(1,))`,
  anomalib's student, from its own random initialisation: every tensor under XADKit's
  `StudentNetwork` names, a 2 x 3 x 16 x 16 input, the stage1 map in training mode (batch
  statistics; timm keeps later blocks, which do not feed these taps
  and are left out), the running statistics of the stem's batch norm after that step, and
  d sum(stage1 * g) / d stem kernel (autograd).
"""
import timm
import torch

from anomalib.models.image.stfpm.anomaly_map import AnomalyMapGenerator
from anomalib.models.image.stfpm.loss import STFPMLoss
from fixtures import write

torch.set_num_threads(2)
torch.manual_seed(0)
AREA = "stfpm"


def matching():
    shapes = [(2, 6, 8, 6), (2, 5, 4, 3), (2, 4, 2, 2)]
    teacher = {f"t{i}": torch.randn(s) for i, s in enumerate(shapes)}
    student = {f"t{i}": (teacher[f"t{i}"] + 0.7 * torch.randn(s)).requires_grad_(True) for i, s in enumerate(shapes)}
    student["t2"].data[0, :, 0, 0] = 0   # a zero vector: F.normalize's floor
    loss = STFPMLoss()(teacher, student)
    gradients = torch.autograd.grad(loss, [student[k] for k in teacher])
    with torch.no_grad():
        amap = AnomalyMapGenerator()(teacher_features=teacher, student_features=student, image_size=(16, 12))
    entries = {"image_size": [16, 12], "loss": float(loss.detach())}
    for i, key in enumerate(teacher):
        entries[f"teacher{i}"] = teacher[key].numpy()
        entries[f"student{i}"] = student[key].detach().numpy()
        entries[f"dstudent{i}"] = gradients[i].numpy()
    entries["map"] = amap[:, 0].numpy()
    write(AREA, "matching", entries)


def xad_name(timm_name):
    """timm's `efficientnet_lite0` names -> `StudentNetwork`'s (blocks numbered flat)."""
    flat = {(0, 0): 0, (1, 0): 1, (1, 1): 2}
    parts = timm_name.split(".")
    norm = {"weight": "weight", "bias": "bias", "running_mean": "running_mean", "running_var": "running_var"}
    if parts[0] in ("conv_stem", "bn1"):
        return f"stem.{0 if parts[0] == 'conv_stem' else 1}.{norm[parts[1]]}"
    block = flat[(int(parts[1]), int(parts[2]))]
    if block == 0:   # depthwise-separable: conv_dw, bn1, conv_pw, bn2
        table = {"conv_dw": "depthwise.0", "bn1": "depthwise.1", "conv_pw": "project.0", "bn2": "project.1"}
    else:            # inverted residual: conv_pw, bn1, conv_dw, bn2, conv_pwl, bn3
        table = {"conv_pw": "expand.0", "bn1": "expand.1", "conv_dw": "depthwise.0", "bn2": "depthwise.1",
                 "conv_pwl": "project.0", "bn3": "project.1"}
    return f"blocks.{block}.{table[parts[3]]}.{norm[parts[4]]}"


def student():
    network = timm.create_model("efficientnet_lite0", pretrained=False, features_only=True, out_indices=(1,))
    network.train()
    tensors = {xad_name(k): v.detach().clone().numpy() for k, v in network.state_dict().items()
               if not k.endswith("num_batches_tracked") and not (k.startswith("blocks.") and int(k.split(".")[1]) > 1)}
    x = torch.rand(2, 3, 16, 16) * 2 - 1
    (stage1,) = network(x)
    g = torch.randn_like(stage1)
    (dstem,) = torch.autograd.grad((stage1 * g).sum(), [network.conv_stem.weight])
    entries = {"names": sorted(tensors), "x": x.numpy(), "stage1": stage1.detach().numpy(),
               "g": g.numpy(), "dstem": dstem.numpy(),
               "stem_running_mean": network.bn1.running_mean.numpy(), "stem_running_var": network.bn1.running_var.numpy()}
    # Weights at 8 significant digits (float32 needs at most 9; the tolerance is far above): a smaller file.
    entries.update({f"w.{k}": {"shape": list(v.shape), "data": [float(f"{w:.8g}") for w in v.reshape(-1)]}
                    for k, v in tensors.items()})
    write(AREA, "student", entries)


if __name__ == "__main__":
    matching()
    student()
