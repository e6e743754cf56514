"""PyTorch peer of `npm run bench:train`: training steps of the same networks,
batch 64, SGD, on the CPU, one at a time on request, so that the benchmark
times them in turns with kshot's. Runs on --threads threads, set once (one
process per thread count: switching PyTorch's count between steps made its
2-thread step as slow as its 1-thread one here). Prints {"ready": ...} once
the networks are built, then reads lines "CASE" and answers each with
{"ms": ...}, the milliseconds of one step (forward, backward, update, loss
read). Optional: the benchmark runs it only where `import torch` works.

  printf 'recipe\nrecipe\n' | python3 benchmarks/peers/torch_train.py --cases recipe --threads 2
"""
import argparse
import json
import random
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
EDGES = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]
RECIPE_ARCH = ["nor_conv_3x3", "nor_conv_3x3", "nor_conv_3x3", "skip_connect", "nor_conv_3x3", "nor_conv_3x3"]


class ReLUConvBN(nn.Sequential):
    def __init__(self, cin, cout, k, stride, pad, affine=True):
        super().__init__(nn.ReLU(), nn.Conv2d(cin, cout, k, stride, pad, bias=False), nn.BatchNorm2d(cout, affine=affine))


class ConvBN(nn.Sequential):
    """A cell's ReLUConvBN without its ReLU, which the cell shares among a node's conv edges (as kshot)."""
    def __init__(self, c, k, pad):
        super().__init__(nn.Conv2d(c, c, k, 1, pad, bias=False), nn.BatchNorm2d(c))


def is_conv(op):
    return op in ("nor_conv_1x1", "nor_conv_3x3")


def shared_relu(relued, nodes, f):
    """Node f's ReLU, computed once for all its conv edges."""
    if f not in relued:
        relued[f] = F.relu(nodes[f])
    return relued[f]


def edge_op(op, c):
    if op == "none":
        return None
    if op == "skip_connect":
        return nn.Identity()
    if op == "nor_conv_1x1":
        return ConvBN(c, 1, 0)
    if op == "nor_conv_3x3":
        return ConvBN(c, 3, 1)
    return nn.AvgPool2d(3, 1, 1, count_include_pad=False)


class Cell(nn.Module):
    def __init__(self, arch, c):
        super().__init__()
        self.arch = arch
        self.ops = nn.ModuleList([edge_op(op, c) or nn.Identity() for op in arch])

    def forward(self, x):
        nodes, relued = [x], {}
        for to in (1, 2, 3):
            s = 0
            for i, (f, t) in enumerate(EDGES):
                if t == to:
                    op = self.arch[i]
                    h = shared_relu(relued, nodes, f) if is_conv(op) else nodes[f]
                    s = s + (h * 0 if op == "none" else self.ops[i](h))
            nodes.append(s)
        return nodes[3]


class Reduction(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.a = ReLUConvBN(cin, cout, 3, 2, 1)
        self.b = ReLUConvBN(cout, cout, 3, 1, 1)
        self.down = nn.Sequential(nn.AvgPool2d(2, 2), nn.Conv2d(cin, cout, 1, bias=False))

    def forward(self, x):
        return self.down(x) + self.b(self.a(x))


class Network(nn.Module):
    """The NAS-Bench-201 network of kshot's nas/nb201/network.ts."""

    def __init__(self, arch, C, N, cin, classes=10):
        super().__init__()
        layers = [nn.Conv2d(cin, C, 3, 1, 1, bias=False), nn.BatchNorm2d(C)]
        prev = C
        for stage, c in enumerate((C, 2 * C, 4 * C)):
            if stage > 0:
                layers.append(Reduction(prev, c))
            layers += [Cell(arch, c) for _ in range(N)]
            prev = c
        layers += [nn.BatchNorm2d(prev), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(prev, classes)]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class KShotConv(nn.Module):
    """K weight copies merged as sum_k lambda_k theta_k, then conv -> BN (no affine) of the cell's shared ReLU."""

    def __init__(self, c, k, K):
        super().__init__()
        self.w = nn.Parameter(torch.randn(K, c, c, k, k) * (2.0 / (c * k * k)) ** 0.5)
        self.bn = nn.BatchNorm2d(c, affine=False)
        self.pad = (k - 1) // 2

    def forward(self, x, lam):
        return self.bn(F.conv2d(x, torch.tensordot(lam, self.w, dims=1), padding=self.pad))


class SuperCell(nn.Module):
    def __init__(self, c, K):
        super().__init__()
        self.c1 = nn.ModuleList([KShotConv(c, 1, K) for _ in EDGES])
        self.c3 = nn.ModuleList([KShotConv(c, 3, K) for _ in EDGES])

    def forward(self, x, genes, lam):
        nodes, relued = [x], {}
        for to in (1, 2, 3):
            s = 0
            for i, (f, t) in enumerate(EDGES):
                if t != to:
                    continue
                op = OPS[genes[i]]
                h = shared_relu(relued, nodes, f) if is_conv(op) else nodes[f]
                if op == "none":
                    y = h * 0
                elif op == "skip_connect":
                    y = h
                elif op == "nor_conv_1x1":
                    y = self.c1[i](h, lam)
                elif op == "nor_conv_3x3":
                    y = self.c3[i](h, lam)
                else:
                    y = F.avg_pool2d(h, 3, 1, 1, count_include_pad=False)
                s = s + y
            nodes.append(s)
        return nodes[3]


class Supernet(nn.Module):
    """kshot's nas/supernet/nb201_supernet.ts: K-shot cells, fixed reduction blocks."""

    def __init__(self, C, N, cin, K, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(cin, C, 3, 1, 1, bias=False), nn.BatchNorm2d(C))
        self.blocks = nn.ModuleList()
        prev = C
        for stage, c in enumerate((C, 2 * C, 4 * C)):
            if stage > 0:
                self.blocks.append(Reduction(prev, c))
            self.blocks.extend(SuperCell(c, K) for _ in range(N))
            prev = c
        self.head = nn.Sequential(nn.BatchNorm2d(prev), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(prev, classes))

    def forward(self, x, genes, lam):
        h = self.stem(x)
        for b in self.blocks:
            h = b(h, genes, lam) if isinstance(b, SuperCell) else b(h)
        return self.head(h)


def make_step(case, rnd, y):
    """One SGD step of `case`, on its own network and batch."""
    if case == "recipe":
        net, x = Network(RECIPE_ARCH, 8, 1, 1), torch.randn(64, 1, 28, 28)
        run = lambda: net(x)
    elif case == "supernet-cifar":
        K = 4
        net, x, lam = Supernet(16, 5, 3, K), torch.randn(64, 3, 32, 32), torch.full((K,), 1.0 / K)
        run = lambda: net(x, [rnd.randrange(len(OPS)) for _ in EDGES], lam)
    else:
        raise SystemExit(f"torch_train.py: unknown case {case}")
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=5e-4)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(run(), y)
        loss.backward()
        opt.step()
        loss.item()

    return step


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cases", default="recipe,supernet-cifar")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    rnd = random.Random(0)
    y = torch.arange(64) % 10
    steps = {case: make_step(case, rnd, y) for case in a.cases.split(",")}
    print(json.dumps({"ready": True, "torch": torch.__version__}), flush=True)
    for line in sys.stdin:
        case = line.strip()
        t0 = time.perf_counter()
        steps[case]()
        print(json.dumps({"ms": (time.perf_counter() - t0) * 1000}), flush=True)


if __name__ == "__main__":
    main()
