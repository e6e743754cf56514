"""PyTorch reference for test/nas/mbv2_network.test.ts (not run by the tests).

Builds the stand-alone MobileNetV2-space network of nas/mbv2/network.ts in
PyTorch, from a layout (the JSON of Mbv2Space.layout, on stdin), with the
same module names, fills every tensor of the state dict with the test's
deterministic pattern, and prints the parameter count and the logits of the
test's input, in training mode (batch statistics) and in evaluation mode
(running statistics), as JSON. The test holds the printed numbers.

    npx tsx test/reference/mbv2_layout.ts ARCH | python3 test/reference/mbv2_torch.py
"""
import json
import math
import sys

import torch
from torch import nn
import torch.nn.functional as F


def se_channels(hidden):
    return max(1, math.floor(0.25 * hidden))


class ConvBn(nn.Module):
    def __init__(self, cin, cout, k, stride=1, groups=1, relu6=False):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.relu6 = relu6

    def forward(self, x):
        y = self.bn(self.conv(x))
        return F.relu6(y) if self.relu6 else y


class SqueezeExcite(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        r = se_channels(hidden)
        self.reduce = nn.Linear(hidden, r)
        self.expand = nn.Linear(r, hidden)

    def forward(self, x):
        s = x.mean(dim=(2, 3))
        gate = F.hardsigmoid(self.expand(F.relu6(self.reduce(s))))
        return x * gate[:, :, None, None]


class Block(nn.Module):
    def __init__(self, l, residual):
        super().__init__()
        self.body = []
        self.residual = False
        if l["kind"] == "identity":
            if l["stride"] != 1 or l["cin"] != l["cout"]:
                self.project = ConvBn(l["cin"], l["cout"], 1, l["stride"])
                self.body.append(self.project)
            return
        if l["hidden"] != l["cin"]:
            self.expand = ConvBn(l["cin"], l["hidden"], 1, relu6=True)
            self.body.append(self.expand)
        self.depthwise = ConvBn(l["hidden"], l["hidden"], l["kernel"], l["stride"], l["hidden"], relu6=True)
        self.body.append(self.depthwise)
        if l["se"]:
            self.se = SqueezeExcite(l["hidden"])
            self.body.append(self.se)
        self.project = ConvBn(l["hidden"], l["cout"], 1)
        self.body.append(self.project)
        self.residual = residual and l["stride"] == 1 and l["cin"] == l["cout"]

    def forward(self, x):
        y = x
        for m in self.body:
            y = m(y)
        return x + y if self.residual else y


class Network(nn.Module):
    def __init__(self, layout):
        super().__init__()
        self.stem = ConvBn(layout["inChannels"], layout["stem"], 3, layout["stemStride"], relu6=True)
        self.blocks = nn.ModuleList([Block(l, i > 0) for i, l in enumerate(layout["layers"])])
        top = layout["layers"][-1]["cout"]
        self.last = ConvBn(top, layout["last"], 1, relu6=True)
        self.classifier = nn.Linear(layout["last"], layout["classes"])

    def forward(self, x):
        h = self.stem(x)
        for b in self.blocks:
            h = b(h)
        return self.classifier(self.last(h).mean(dim=(2, 3)))


def name_code(name):
    return sum((i + 1) * ord(c) for i, c in enumerate(name)) % 1009


def noise(n, seed):
    """Values in [-1, 1) from the shader hash frac(43758.5453 * sin(12.9898 * j + seed)), in float64."""
    j = torch.arange(n, dtype=torch.float64)
    v = torch.sin(12.9898 * j + seed) * 43758.5453
    return 2 * (v - torch.floor(v)) - 1


def pattern(name, shape):
    """The test's fill: hashed noise over the flat index, seeded by the name, scaled by the tensor's role."""
    s = noise(math.prod(shape), name_code(name))
    if name.endswith("running_var"):
        v = 1 + 0.3 * s
    elif name.endswith("running_mean") or name.endswith("bias"):
        v = 0.1 * s
    elif len(shape) == 1:  # BN gamma
        v = 1 + 0.2 * s
    else:
        v = 2.5 * s / math.sqrt(math.prod(shape[1:]))
    return v.reshape(shape).float()


def main():
    layout = json.load(sys.stdin)
    net = Network(layout)
    params = sum(p.numel() for p in net.parameters())
    with torch.no_grad():
        for name, t in net.state_dict().items():
            if t.dtype == torch.float32:
                t.copy_(pattern(name, list(t.shape)))
    h, w = layout["height"], layout["width"]
    x = noise(2 * layout["inChannels"] * h * w, 0).reshape(2, layout["inChannels"], h, w).float()
    with torch.no_grad():
        net.train()
        train_logits = net(x)
        net.eval()
        # the train-mode pass moved the running statistics: refill them for the eval pass
        for name, t in net.state_dict().items():
            if t.dtype == torch.float32:
                t.copy_(pattern(name, list(t.shape)))
        eval_logits = net(x)
    print(json.dumps({
        "params": params,
        "names": [n for n, t in net.state_dict().items() if t.dtype == torch.float32],
        "train": [float("%.8g" % v) for v in train_logits.flatten().tolist()],
        "eval": [float("%.8g" % v) for v in eval_logits.flatten().tolist()],
    }))


main()
