import type { Variation } from "./nsga2.js";

/**
 * Categorical genes (one per layer decision): uniform crossover (with
 * probability `crossoverProb`, each gene swapped with probability 1/2) and
 * mutation that redraws each gene with probability `mutationProb` (default
 * 1/genes).
 */
export function categoricalVariation(choices: readonly number[], o: { crossoverProb?: number; mutationProb?: number } = {}): Variation<number[]> {
  const cx = o.crossoverProb ?? 0.9;
  const pm = o.mutationProb ?? 1 / choices.length;
  return {
    sample: (rng) => choices.map((n) => rng.int(n)),
    crossover: (a, b, rng) => {
      const c = a.slice(), d = b.slice();
      if (rng.uniform() < cx) for (let i = 0; i < c.length; i++) if (rng.uniform() < 0.5) { c[i] = b[i]!; d[i] = a[i]!; }
      return [c, d];
    },
    mutate: (g, rng) => g.map((v, i) => (rng.uniform() < pm ? rng.int(choices[i]!) : v)),
    key: (g) => g.join(","),
  };
}

/**
 * Real genes in [lo, hi]: Deb's bounded simulated binary crossover (SBX, eta
 * 15; each variable crossed with probability 1/2, children swapped with
 * probability 1/2) and bounded polynomial mutation (eta 20, probability 1/n
 * per variable), as Deb & Agrawal and pymoo define them.
 */
export function realVariation(n: number, lo = 0, hi = 1, o: { etaC?: number; etaM?: number; crossoverProb?: number } = {}): Variation<number[]> {
  const etaC = o.etaC ?? 15, etaM = o.etaM ?? 20, cx = o.crossoverProb ?? 0.9;
  const clip = (v: number) => Math.min(hi, Math.max(lo, v));
  const spread = (u: number, beta: number) => {
    const alpha = 2 - beta ** -(etaC + 1);
    return u <= 1 / alpha ? (u * alpha) ** (1 / (etaC + 1)) : (1 / (2 - u * alpha)) ** (1 / (etaC + 1));
  };
  return {
    sample: (rng) => Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform()),
    crossover: (a, b, rng) => {
      const c = a.slice(), d = b.slice();
      if (rng.uniform() >= cx) return [c, d];
      for (let i = 0; i < n; i++) {
        if (rng.uniform() >= 0.5 || Math.abs(a[i]! - b[i]!) < 1e-14) continue;
        const y1 = Math.min(a[i]!, b[i]!), y2 = Math.max(a[i]!, b[i]!);
        const u = rng.uniform();
        let c1 = clip(0.5 * (y1 + y2 - spread(u, 1 + (2 * (y1 - lo)) / (y2 - y1)) * (y2 - y1)));
        let c2 = clip(0.5 * (y1 + y2 + spread(u, 1 + (2 * (hi - y2)) / (y2 - y1)) * (y2 - y1)));
        if (rng.uniform() < 0.5) [c1, c2] = [c2, c1];
        c[i] = c1;
        d[i] = c2;
      }
      return [c, d];
    },
    mutate: (g, rng) => g.map((x) => {
      if (rng.uniform() >= 1 / n) return x;
      const u = rng.uniform(), mp = 1 / (etaM + 1);
      const d1 = (x - lo) / (hi - lo), d2 = (hi - x) / (hi - lo);
      const dq = u < 0.5
        ? (2 * u + (1 - 2 * u) * (1 - d1) ** (etaM + 1)) ** mp - 1
        : 1 - (2 * (1 - u) + 2 * (u - 0.5) * (1 - d2) ** (etaM + 1)) ** mp;
      return clip(x + dq * (hi - lo));
    }),
    key: (g) => g.join(","),
  };
}
