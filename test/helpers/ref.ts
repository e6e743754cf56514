// Plain float64 reference implementations: naive loops written for clarity,
// against which the engine's kernels are checked, and whose finite
// differences check the engine's gradients.

export interface Arr { shape: number[]; data: Float64Array }

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
export const arr = (shape: number[], data?: ArrayLike<number>): Arr =>
  ({ shape, data: data ? Float64Array.from(data) : new Float64Array(size(shape)) });

function strides(shape: readonly number[]): number[] {
  const s = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) { idx[a] = i % shape[a]!; i = Math.floor(i / shape[a]!); }
  return idx;
}

function at(x: Arr, idx: number[]): number {
  const st = strides(x.shape);
  return x.data[idx.reduce((s, v, i) => s + v * st[i]!, 0)]!;
}

export function matmul(a: Arr, b: Arr, tA: boolean, tB: boolean): Arr {
  const batched = a.shape.length === 3 || b.shape.length === 3;
  const get = (x: Arr, bi: number, i: number, j: number, t: boolean) => {
    const [r, c] = x.shape.slice(-2) as [number, number];
    const off = x.shape.length === 3 ? bi * r * c : 0;
    return t ? x.data[off + j * c + i]! : x.data[off + i * c + j]!;
  };
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const m = tA ? ac : ar, k = tA ? ar : ac, n = tB ? br : bc;
  const batch = Math.max(a.shape.length === 3 ? a.shape[0]! : 1, b.shape.length === 3 ? b.shape[0]! : 1);
  const out = arr(batched ? [batch, m, n] : [m, n]);
  for (let bi = 0; bi < batch; bi++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += get(a, bi, i, p, tA) * get(b, bi, p, j, tB);
        out.data[(bi * m + i) * n + j] = s;
      }
  return out;
}

export function conv2d(x: Arr, w: Arr, stride: [number, number], pad: [number, number], groups: number): Arr {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [co, cg, kh, kw] = w.shape as [number, number, number, number];
  const oh = Math.floor((h + 2 * pad[0] - kh) / stride[0]) + 1, ow = Math.floor((wd + 2 * pad[1] - kw) / stride[1]) + 1;
  const out = arr([n, co, oh, ow]);
  const cog = co / groups;
  for (let b = 0; b < n; b++)
    for (let o = 0; o < co; o++) {
      const g = Math.floor(o / cog);
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          let s = 0;
          for (let ci = 0; ci < cg; ci++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const iy = y * stride[0] - pad[0] + i, ix = xx * stride[1] - pad[1] + j;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                s += x.data[((b * c + g * cg + ci) * h + iy) * wd + ix]! * w.data[((o * cg + ci) * kh + i) * kw + j]!;
              }
          out.data[((b * co + o) * oh + y) * ow + xx] = s;
        }
    }
  return out;
}

export function pool(x: Arr, kind: "avg" | "max", k: [number, number], s: [number, number], p: [number, number], countIncludePad: boolean): Arr {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const oh = Math.floor((h + 2 * p[0] - k[0]) / s[0]) + 1, ow = Math.floor((w + 2 * p[1] - k[1]) / s[1]) + 1;
  const out = arr([n, c, oh, ow]);
  for (let pl = 0; pl < n * c; pl++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++) {
        let acc = kind === "max" ? -Infinity : 0, cnt = 0;
        for (let i = 0; i < k[0]; i++)
          for (let j = 0; j < k[1]; j++) {
            const iy = y * s[0] - p[0] + i, ix = xx * s[1] - p[1] + j;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            const v = x.data[(pl * h + iy) * w + ix]!;
            acc = kind === "max" ? Math.max(acc, v) : acc + v;
            cnt++;
          }
        out.data[(pl * oh + y) * ow + xx] = kind === "max" ? acc : acc / (countIncludePad ? k[0] * k[1] : cnt);
      }
  return out;
}

/** Batch norm over axis 1; mean/var given = running statistics, else batch statistics. */
export function batchNorm(x: Arr, gamma: Arr | null, beta: Arr | null, eps: number, stats?: { mean: Arr; var: Arr }): Arr {
  const [n, c] = x.shape as [number, number];
  const inner = size(x.shape.slice(2));
  const out = arr([...x.shape]);
  for (let ch = 0; ch < c; ch++) {
    let mu: number, v: number;
    if (stats) { mu = stats.mean.data[ch]!; v = stats.var.data[ch]!; } else {
      let s = 0, q = 0;
      for (let b = 0; b < n; b++) for (let i = 0; i < inner; i++) s += x.data[(b * c + ch) * inner + i]!;
      mu = s / (n * inner);
      for (let b = 0; b < n; b++) for (let i = 0; i < inner; i++) q += (x.data[(b * c + ch) * inner + i]! - mu) ** 2;
      v = q / (n * inner);
    }
    for (let b = 0; b < n; b++)
      for (let i = 0; i < inner; i++) {
        const o = (b * c + ch) * inner + i;
        out.data[o] = ((x.data[o]! - mu) / Math.sqrt(v + eps)) * (gamma ? gamma.data[ch]! : 1) + (beta ? beta.data[ch]! : 0);
      }
  }
  return out;
}

export function broadcastShape(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => Math.max(a[a.length - r + i] ?? 1, b[b.length - r + i] ?? 1));
}

export function binary(a: Arr, b: Arr, f: (x: number, y: number) => number): Arr {
  const shape = broadcastShape(a.shape, b.shape);
  const out = arr(shape);
  const pick = (x: Arr, idx: number[]) => at(x, idx.slice(idx.length - x.shape.length).map((v, i) => (x.shape[i] === 1 ? 0 : v)));
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, shape);
    out.data[i] = f(pick(a, idx), pick(b, idx));
  }
  return out;
}

export const unary = (x: Arr, f: (v: number) => number): Arr => arr([...x.shape], Array.from(x.data, f));

export function reduce(x: Arr, axes: number[], kind: "sum" | "mean", keepDims: boolean): Arr {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = arr(kept);
  const st = strides(kept);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).map((v, a) => (axes.includes(a) ? 0 : v));
    out.data[idx.reduce((s, v, a) => s + v * st[a]!, 0)] += x.data[i]!;
  }
  if (kind === "mean") { const cnt = size(x.shape) / size(kept); out.data.forEach((v, i) => { out.data[i] = v / cnt; }); }
  return keepDims ? out : { shape: x.shape.filter((_, i) => !axes.includes(i)), data: out.data };
}

export function logSoftmax(x: Arr): Arr {
  const c = x.shape[x.shape.length - 1]!;
  const out = arr([...x.shape]);
  for (let r = 0; r < x.data.length; r += c) {
    const row = Array.from(x.data.subarray(r, r + c));
    const mx = Math.max(...row);
    const lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
    row.forEach((v, j) => { out.data[r + j] = v - lse; });
  }
  return out;
}

export function crossEntropy(logits: Arr, labels: number[], eps: number): Arr {
  const lp = logSoftmax(logits);
  const [b, c] = logits.shape as [number, number];
  let total = 0;
  for (let r = 0; r < b; r++)
    for (let j = 0; j < c; j++) total -= ((j === labels[r] ? 1 - eps : 0) + eps / c) * lp.data[r * c + j]!;
  return arr([], [total / b]);
}

export function transpose(x: Arr, perm: number[]): Arr {
  const shape = perm.map((p) => x.shape[p]!);
  const out = arr(shape);
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, shape);
    const src = new Array<number>(perm.length);
    perm.forEach((p, k) => { src[p] = idx[k]!; });
    out.data[i] = at(x, src);
  }
  return out;
}

export function slicePad(x: Arr, outShape: number[], offset: number[]): Arr {
  // out[idx] = x[idx - offset] where inside x, else 0 (slice: negative offset)
  const out = arr(outShape);
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, outShape).map((v, a) => v - offset[a]!);
    if (idx.every((v, a) => v >= 0 && v < x.shape[a]!)) out.data[i] = at(x, idx);
  }
  return out;
}

export function concat(xs: Arr[], axis: number): Arr {
  const shape = [...xs[0]!.shape];
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
  const out = arr(shape);
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, shape);
    let k = 0, pos = idx[axis]!;
    while (pos >= xs[k]!.shape[axis]!) { pos -= xs[k]!.shape[axis]!; k++; }
    idx[axis] = pos;
    out.data[i] = at(xs[k]!, idx);
  }
  return out;
}
