"""Reference fixtures for FastFlow: PyTorch's LayerNorm and anomalib 2.7's FastFlow flow blocks.

Writes Tests/Fixtures/fastflow/*.json:
- layernorm.json: nn.LayerNorm([C, H, W]) output and gradients (the `fixtureMismatch` layout:
  inputs x, weight, bias; output y; upstream g; gradients dx, dweight, dbias).
- network.json: two scales of anomalib's `create_fast_flow_block` (AllInOneBlock, 3x3 then 1x1
  subnets, clamp 2) behind LayerNorms, with randomised weights (named as XADKit's
  `FastFlowNetwork` names them), their inputs, hidden variables z, log-determinants, the
  FastflowLoss and the AnomalyMapGenerator map.
"""
import torch

from anomalib.models.image.fastflow.anomaly_map import AnomalyMapGenerator
from anomalib.models.image.fastflow.loss import FastflowLoss
from anomalib.models.image.fastflow.torch_model import create_fast_flow_block
from fixtures import write

torch.set_num_threads(2)
torch.manual_seed(0)
AREA = "fastflow"


def layer_norm():
    x = (torch.randn(2, 3, 4, 5) * 2 + 0.5).requires_grad_(True)
    norm = torch.nn.LayerNorm([3, 4, 5])
    with torch.no_grad():
        norm.weight.normal_()
        norm.bias.normal_()
    y = norm(x)
    g = torch.randn_like(y)
    dx, dw, db = torch.autograd.grad((y * g).sum(), [x, norm.weight, norm.bias])
    write(AREA, "layernorm", {"x": x.detach().numpy(), "weight": norm.weight.detach().numpy(),
                              "bias": norm.bias.detach().numpy(), "y": y.detach().numpy(), "g": g.numpy(),
                              "dx": dx.numpy(), "dweight": dw.numpy(), "dbias": db.numpy()})


@torch.no_grad()
def network():
    shapes = [(5, 6, 6), (6, 3, 3)]
    entries = {"shapes": [list(s) for s in shapes], "steps": 2, "image_size": [12, 12]}
    hidden, jacobians = [], []
    for scale, shape in enumerate(shapes):
        norm = torch.nn.LayerNorm(list(shape))
        norm.weight.normal_(1, 0.2)
        norm.bias.normal_(0, 0.2)
        flow = create_fast_flow_block(list(shape), conv3x3_only=False, hidden_ratio=1.0, flow_steps=2)
        x = torch.randn(2, *shape) * 3 + 1
        entries[f"input.{scale}"] = x.numpy()
        entries[f"norms.{scale}.weight"] = norm.weight.numpy()
        entries[f"norms.{scale}.bias"] = norm.bias.numpy()
        for step, block in enumerate(flow.module_list):
            for p in block.subnet.parameters():
                p.mul_(4)   # larger than at initialisation, so the couplings do something
            block.global_scale.add_(torch.randn_like(block.global_scale))
            block.global_offset.normal_(0, 0.3)
            prefix = f"flows.{scale}.{step}"
            for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
                entries[f"{prefix}.subnet.{name}"] = block.subnet.state_dict()[name].numpy()
            entries[f"{prefix}.global_scale"] = block.global_scale.numpy()
            entries[f"{prefix}.global_offset"] = block.global_offset.numpy()
            entries[f"{prefix}.permutation"] = block.w_perm.numpy()
        z, log_det = flow(norm(x))
        entries[f"z.{scale}"] = z.numpy()
        entries[f"log_det.{scale}"] = log_det.numpy()
        hidden.append(z)
        jacobians.append(log_det)
    entries["loss"] = float(FastflowLoss()(hidden, jacobians))
    entries["map"] = AnomalyMapGenerator(input_size=(12, 12))(hidden).numpy()
    write(AREA, "network", entries)


if __name__ == "__main__":
    layer_norm()
    network()
