"""Reference fixtures for batch norm, resize, Gaussian blur, optimisers and learning-rate schedules.

Writes Tests/Fixtures/nn/*.json from PyTorch (F.batch_norm, F.interpolate, torch.optim) and
anomalib's GaussianBlur2d. Gradients are those of sum(output * upstream) for a random upstream.
"""
import numpy as np
import torch
import torch.nn.functional as F
from anomalib.models.components.filters import GaussianBlur2d

from fixtures import write

torch.set_num_threads(2)
torch.manual_seed(0)
AREA = "nn"


def grads_of(output, upstream, inputs):
    return torch.autograd.grad((output * upstream).sum(), inputs)


def batch_norm():
    x = torch.randn(2, 3, 4, 5, requires_grad=True)
    mean, var = torch.randn(3), torch.rand(3) + 0.5
    scale = torch.randn(3, requires_grad=True)
    shift = torch.randn(3, requires_grad=True)
    y = F.batch_norm(x, mean, var, scale, shift, training=False, eps=1e-5)
    upstream = torch.randn_like(y)
    gx, gs, gb = grads_of(y, upstream, [x, scale, shift])
    write(AREA, "batchnorm_inference", {
        "input": x.detach().numpy(), "mean": mean.numpy(), "variance": var.numpy(), "epsilon": 1e-5,
        "scale": scale.detach().numpy(), "shift": shift.detach().numpy(), "output": y.detach().numpy(),
        "upstream": upstream.numpy(), "grad_input": gx.numpy(), "grad_scale": gs.numpy(), "grad_shift": gb.numpy()})

    x = (torch.randn(3, 4, 5, 6) * 2 + 1).requires_grad_(True)
    scale = torch.randn(4, requires_grad=True)
    shift = torch.randn(4, requires_grad=True)
    running_mean, running_var = torch.zeros(4), torch.ones(4)
    y = F.batch_norm(x, running_mean, running_var, scale, shift, training=True, momentum=0.1, eps=1e-3)
    upstream = torch.randn_like(y)
    gx, gs, gb = grads_of(y, upstream, [x, scale, shift])
    xd = x.detach()
    write(AREA, "batchnorm_training", {
        "input": xd.numpy(), "scale": scale.detach().numpy(), "shift": shift.detach().numpy(), "epsilon": 1e-3,
        "momentum": 0.1, "output": y.detach().numpy(),
        "batch_mean": xd.mean(dim=(0, 2, 3)).numpy(), "batch_variance_unbiased": xd.var(dim=(0, 2, 3)).numpy(),
        "running_mean_after": running_mean.numpy(), "running_variance_after": running_var.numpy(),
        "upstream": upstream.numpy(), "grad_input": gx.numpy(), "grad_scale": gs.numpy(), "grad_shift": gb.numpy()})


def resize():
    cases = [  # (name, input shape, output size, mode)
        ("bilinear_up_fractional", (2, 2, 5, 7), (12, 9), "bilinear"),
        ("bilinear_down", (1, 3, 13, 11), (4, 6), "bilinear"),
        ("bilinear_up_double", (1, 1, 4, 4), (8, 8), "bilinear"),
        ("bilinear_from_one_pixel", (1, 2, 1, 1), (3, 4), "bilinear"),
        ("nearest_up_fractional", (2, 2, 5, 7), (12, 9), "nearest"),
        ("nearest_down", (1, 3, 13, 11), (4, 6), "nearest"),
        ("nearest_up_double", (1, 1, 3, 4), (6, 8), "nearest"),
    ]
    for name, shape, size, mode in cases:
        x = torch.randn(*shape, requires_grad=True)
        y = F.interpolate(x, size=size, mode=mode, **({"align_corners": False} if mode == "bilinear" else {}))
        upstream = torch.randn_like(y)
        (gx,) = grads_of(y, upstream, [x])
        write(AREA, f"resize_{name}", {"mode": mode, "size": list(size), "input": x.detach().numpy(),
                                       "output": y.detach().numpy(), "upstream": upstream.numpy(),
                                       "grad_input": gx.numpy()})


def gaussian_blur():
    cases = [  # (name, input shape, sigma, kernel size or None)
        ("sigma4_default_kernel", (1, 1, 36, 34), 4.0, None),
        ("sigma1_default_kernel", (2, 3, 10, 12), 1.0, None),
        ("sigma1p5_kernel5", (1, 1, 6, 9), 1.5, 5),
    ]
    for name, shape, sigma, kernel_size in cases:
        x = torch.randn(*shape, requires_grad=True)
        blur = GaussianBlur2d(sigma=sigma, channels=shape[1], kernel_size=kernel_size)
        y = blur(x)
        upstream = torch.randn_like(y)
        (gx,) = grads_of(y, upstream, [x])
        write(AREA, f"gaussian_blur_{name}", {"sigma": sigma, "kernel_size": kernel_size,
                                              "input": x.detach().numpy(), "output": y.detach().numpy(),
                                              "upstream": upstream.numpy(), "grad_input": gx.numpy()})


def optimisers():
    steps, size = 6, 5
    start = torch.randn(size)
    gradients = torch.randn(steps, size)
    configs = {
        "sgd_plain": lambda p: torch.optim.SGD([p], lr=0.1),
        "sgd_momentum_weight_decay": lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01),
        "sgd_nesterov": lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.8, weight_decay=0.001, nesterov=True),
        "adam": lambda p: torch.optim.Adam([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8),
        "adam_weight_decay": lambda p: torch.optim.Adam([p], lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        "adamw": lambda p: torch.optim.AdamW([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.05),
    }
    entries = {"start": start.numpy(), "gradients": gradients.numpy(), "cases": list(configs)}
    for name, make in configs.items():
        p = torch.nn.Parameter(start.clone())
        optimiser = make(p)
        trajectory = []
        for g in gradients:
            p.grad = g.clone()
            optimiser.step()
            trajectory.append(p.detach().clone())
        entries[f"{name}.trajectory"] = torch.stack(trajectory).numpy()
    write(AREA, "optimisers", entries)


def schedules():
    def rates(make, count):
        optimiser = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        scheduler = make(optimiser)
        values = []
        for _ in range(count):
            values.append(optimiser.param_groups[0]["lr"])
            optimiser.step()
            scheduler.step()
        return values

    write(AREA, "schedules", {
        "base": 0.1,
        "step_lr": rates(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 10),
        "cosine": rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001), 25),
    })


if __name__ == "__main__":
    batch_norm()
    resize()
    gaussian_blur()
    optimisers()
    schedules()
