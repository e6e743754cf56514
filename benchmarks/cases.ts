// Benchmark cases: each names its FLOP count, kshot's version, and the
// TensorFlow.js kernel doing the same work (tfjs works in NHWC, its native
// layout; the arithmetic is identical).
import { Rng, engine, randn, tidy, type Tensor } from "../engine/index.js";
import * as K from "../engine/kernel_names.js";
import { conv2d, matmul } from "../autograd/index.js";
import { peerHas, tf } from "./peers.js";

export interface BenchCase {
  name: string;
  flops: number;
  /** Returns the function to time (setup happens before). */
  kshot: () => () => void;
  /** Same for the active tfjs backend; null where that backend lacks the kernel. */
  peer: (() => () => void) | null;
  /** A non-tfjs peer for this case, with its own label. */
  other?: { label: string; setup: () => () => void };
}

const rng = new Rng(0);
export const rand = (shape: number[]) => randn(shape, rng);

export function gemmCases(sizes: number[]): BenchCase[] {
  return sizes.map((n) => ({
    name: `gemm ${n}`,
    flops: 2 * n ** 3,
    kshot: () => {
      const a = rand([n, n]), b = rand([n, n]);
      return () => tidy(() => { matmul(a, b); });
    },
    peer: peerCase(() => {
      const a = tf.randomNormal([n, n]), b = tf.randomNormal([n, n]);
      return () => tf.matMul(a, b).dispose();
    }),
  }));
}

type Pass = "forward" | "backward-input" | "backward-filter";
const passes: Pass[] = ["forward", "backward-input", "backward-filter"];

interface ConvShape { batch: number; c: number; size: number; k: number; depthwise: boolean }

function convCase(s: ConvShape, pass: Pass): BenchCase {
  const { batch, c, size, k, depthwise } = s;
  const pad = (k - 1) / 2;
  const groups = depthwise ? c : 1;
  const flops = 2 * batch * c * size * size * (depthwise ? 1 : c) * k * k;
  const attrs: K.Conv2DAttrs = { stride: [1, 1], pad: [pad, pad], groups };
  const xShape = [batch, c, size, size], wShape = [c, depthwise ? 1 : c, k, k];
  const kshot = () => {
    const x = rand(xShape), w = rand(wShape), dy = rand(xShape);
    const run: Record<Pass, () => Tensor> = {
      forward: () => conv2d(x, w, { padding: pad, groups }),
      "backward-input": () => engine.runKernel(K.Conv2DBackpropInput, [dy, w], { ...attrs, xShape })[0]!,
      "backward-filter": () => engine.runKernel(K.Conv2DBackpropFilter, [x, dy], { ...attrs, wShape })[0]!,
    };
    return () => tidy(() => { run[pass](); });
  };
  const tfKernel = depthwise
    ? { forward: "DepthwiseConv2dNative", "backward-input": "DepthwiseConv2dNativeBackpropInput", "backward-filter": "DepthwiseConv2dNativeBackpropFilter" }[pass]
    : { forward: "Conv2D", "backward-input": "Conv2DBackpropInput", "backward-filter": "Conv2DBackpropFilter" }[pass];
  const peer = () => {
    if (!peerHas(tfKernel)) return null;
    const x = tf.randomNormal([batch, size, size, c]);
    const f = tf.randomNormal([k, k, c, depthwise ? 1 : c]);
    const common = { strides: [1, 1], pad: "same", dataFormat: "NHWC", dilations: [1, 1], dimRoundingMode: undefined };
    const inputs = pass === "forward" ? { x, filter: f } : pass === "backward-input" ? { dy: x, filter: f } : { x, dy: x };
    const kAttrs = pass === "backward-input" ? { ...common, inputShape: x.shape } : pass === "backward-filter" ? { ...common, filterShape: f.shape } : common;
    return () => (tf.engine().runKernel(tfKernel, inputs as never, kAttrs as never) as ReturnType<typeof tf.add>).dispose();
  };
  return {
    name: `${depthwise ? "depthwise" : "conv2d"} ${pass} ${k}x${k} n${batch} c${c} ${size}x${size}`,
    flops, kshot, peer: peerCase(peer),
  };
}

/** Defers the tfjs setup until its backend is active; null means "not implemented there". */
export function peerCase(setup: () => (() => void) | null): () => () => void {
  return () => {
    const fn = setup();
    if (fn === null) throw new NotImplemented();
    return fn;
  };
}

export class NotImplemented extends Error {}

/** NAS-Bench-201 cell convolutions: batch 64, 3x3 and 1x1, (channels, size) = (16, 32), (32, 16), (64, 8). */
export function nb201ConvCases(): BenchCase[] {
  const out: BenchCase[] = [];
  for (const k of [3, 1]) for (const [c, size] of [[16, 32], [32, 16], [64, 8]] as const) {
    for (const pass of passes) out.push(convCase({ batch: 64, c, size, k, depthwise: false }, pass));
  }
  return out;
}

/** MobileNetV2 depthwise layers: batch 32, kernels 3/5/7, (channels, size) = (96, 56), (144, 28), (240, 14). */
export function depthwiseCases(): BenchCase[] {
  const out: BenchCase[] = [];
  for (const k of [3, 5, 7]) for (const [c, size] of [[96, 56], [144, 28], [240, 14]] as const) {
    for (const pass of passes) out.push(convCase({ batch: 32, c, size, k, depthwise: true }, pass));
  }
  return out;
}
