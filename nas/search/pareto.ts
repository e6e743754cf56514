// Deb et al. 2002, NSGA-II's sorting: constraint-domination, fast
// non-dominated sorting and crowding distance. Every objective is minimised.

export interface Scored {
  objectives: readonly number[];
  /** Constraint violation: 0 when feasible, else how far past the bound. */
  violation: number;
}

/**
 * a constraint-dominates b: a feasible a beats an infeasible b; of two
 * infeasible ones the smaller violation wins; of two feasible ones, Pareto
 * dominance (no worse in every objective, better in one).
 */
export function dominates(a: Scored, b: Scored): boolean {
  if (a.violation === 0 && b.violation > 0) return true;
  if (a.violation > 0) return a.violation < b.violation; // false for a feasible b
  let better = false;
  for (let i = 0; i < a.objectives.length; i++) {
    if (a.objectives[i]! > b.objectives[i]!) return false;
    if (a.objectives[i]! < b.objectives[i]!) better = true;
  }
  return better;
}

/** Fronts as lists of indices, best first (O(M N^2)). */
export function nonDominatedSort(items: readonly Scored[]): number[][] {
  const n = items.length;
  const dominatedBy = new Array<number>(n).fill(0);
  const dominating: number[][] = items.map(() => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominates(items[i]!, items[j]!)) { dominating[i]!.push(j); dominatedBy[j]!++; }
      else if (dominates(items[j]!, items[i]!)) { dominating[j]!.push(i); dominatedBy[i]!++; }
    }
  }
  const fronts: number[][] = [];
  let current = items.map((_, i) => i).filter((i) => dominatedBy[i] === 0);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) for (const j of dominating[i]!) if (--dominatedBy[j]! === 0) next.push(j);
    current = next;
  }
  return fronts;
}

/**
 * Crowding distance of each member of one front (same order as `front`).
 * Per objective, members are sorted by value (ties by position in `front`);
 * the first and last get Infinity and each other member adds
 * (next - previous) / (max - min). An objective with zero range adds
 * nothing to interior members (its boundary members are still infinite).
 */
export function crowdingDistance(items: readonly Scored[], front: readonly number[]): number[] {
  const d = new Array<number>(front.length).fill(0);
  if (front.length === 0) return d;
  const m = items[front[0]!]!.objectives.length;
  for (let k = 0; k < m; k++) {
    // Array.prototype.sort is stable (ES2019): tied members keep their order in `front`
    const order = front.map((_, i) => i).sort((a, b) => items[front[a]!]!.objectives[k]! - items[front[b]!]!.objectives[k]!);
    const lo = items[front[order[0]!]!]!.objectives[k]!;
    const hi = items[front[order[order.length - 1]!]!]!.objectives[k]!;
    d[order[0]!] = Infinity;
    d[order[order.length - 1]!] = Infinity;
    if (hi === lo) continue;
    for (let r = 1; r < order.length - 1; r++) {
      const prev = items[front[order[r - 1]!]!]!.objectives[k]!, next = items[front[order[r + 1]!]!]!.objectives[k]!;
      d[order[r]!] += (next - prev) / (hi - lo);
    }
  }
  return d;
}

/** Hypervolume dominated by 2-objective points (minimised) up to a reference point. */
export function hypervolume2d(points: readonly (readonly number[])[], ref: readonly [number, number]): number {
  // by x only: of points level in x, either order adds the same area
  const inside = points.filter((p) => p[0]! < ref[0] && p[1]! < ref[1]).sort((a, b) => a[0]! - b[0]!);
  let hv = 0, bestY = ref[1];
  for (const p of inside) {
    if (p[1]! >= bestY) continue;
    hv += (ref[0] - p[0]!) * (bestY - p[1]!);
    bestY = p[1]!;
  }
  return hv;
}
