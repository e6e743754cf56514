import { meanSd, type MeanSd } from "../nas/study/statistics.js";
import type { AblationResult } from "./ablation.js";

// The Table 5 miniature's verdict rule, fixed in its protocol before the
// run (studies/mbv2-ablation.md): a difference of two means is called only
// where it exceeds twice its standard error, sqrt(sd_a^2 / n_a + sd_b^2 / n_b);
// otherwise the two are "not distinguishable here".

export interface Difference {
  /** Mean of a minus mean of b. */
  diff: number;
  /** Twice the standard error of that difference. */
  twoSe: number;
  call: "higher" | "lower" | "not distinguishable here";
}

/**
 * a against b by the rule, the difference scaled by `scale` (100: fractions
 * read as percentage points); null where either side has fewer than two
 * values, so no spread to judge by (meanSd gives a mean and an sd from one).
 */
export function compareMeans(a: MeanSd, b: MeanSd, scale = 1): Difference | null {
  if (a.n < 2 || b.n < 2) return null;
  return judge(scale * (a.mean! - b.mean!), scale ** 2 * squaredSe(a, b));
}

/** The squared standard error of the difference of two means, sd_a^2 / n_a + sd_b^2 / n_b. */
function squaredSe(a: MeanSd, b: MeanSd): number {
  return a.sd! ** 2 / a.n + b.sd! ** 2 / b.n;
}

/** A difference judged against twice the square root of its squared standard error `se2`. */
function judge(diff: number, se2: number): Difference {
  const twoSe = 2 * Math.sqrt(se2);
  return { diff, twoSe, call: Math.abs(diff) <= twoSe ? "not distinguishable here" : diff > 0 ? "higher" : "lower" };
}

export interface Comparison extends Difference {
  /** The protocol's question this answers. */
  question: string;
  a: string;
  b: string;
  /** Percentage points for accuracies; plain numbers for the width codes' gaps. */
  unit: "points" | "";
}

/**
 * The protocol's questions, in its order, for the rows that have finished:
 * 1. each row's pick against the random floor (its sd is over networks);
 * 2. K-shot (rows 3, 4) against one-shot (row 1);
 * 3. the simplex-net (row 4) against lambda = 1/K (row 3);
 * 4. r_c (row 6 against row 5): accuracy, and the gap between the width
 *    codes' near and far means, whose standard error comes from the 200
 *    paths of each histogram.
 */
export function ablationComparisons(r: Pick<AblationResult, "rows" | "floor">): Comparison[] {
  const out: Comparison[] = [];
  const label = (i: number) => `row ${i + 1} (${r.rows[i]!.row.name})`;
  // rows finish in order, so where row i has finished the earlier row j has too
  const add = (question: string, i: number, j: number | "floor") => {
    const a = r.rows[i];
    if (a === undefined) return;
    const d = compareMeans(a.acc, j === "floor" ? r.floor.acc : r.rows[j]!.acc, 100);
    if (d !== null) out.push({ question, a: label(i), b: j === "floor" ? "the random floor" : label(j), unit: "points", ...d });
  };
  r.rows.forEach((_, i) => add("1. the pick against the random floor", i, "floor"));
  add("2. K-shot against one-shot", 2, 0);
  add("2. K-shot against one-shot", 3, 0);
  add("3. the simplex-net against lambda = 1/K", 3, 2);
  add("4. r_c, stand-alone accuracy", 5, 4);
  const codes5 = r.rows[4]?.widthCodes, codes6 = r.rows[5]?.widthCodes;
  if (codes5 !== undefined && codes6 !== undefined) {
    const gap = (c: { near: number[]; far: number[] }) => {
      const near = meanSd(c.near), far = meanSd(c.far);
      return { mean: near.mean! - far.mean!, se2: squaredSe(near, far) };
    };
    const g5 = gap(codes5), g6 = gap(codes6);
    out.push({
      question: "4. r_c, the gap between near and far width codes", a: `${label(5)}, gap ${g6.mean.toFixed(4)}`, b: `${label(4)}, gap ${g5.mean.toFixed(4)}`, unit: "",
      ...judge(g6.mean - g5.mean, g5.se2 + g6.se2),
    });
  }
  return out;
}

/** The comparisons as Markdown lines under the table. */
export function ablationVerdictText(r: Pick<AblationResult, "rows" | "floor">): string {
  const cs = ablationComparisons(r);
  if (cs.length === 0) return "";
  const fmt = (c: Comparison) => {
    const n = (v: number) => (c.unit === "points" ? v.toFixed(2) : v.toFixed(4));
    return `- ${c.question}: ${c.a} against ${c.b}: ${c.diff >= 0 ? "+" : ""}${n(c.diff)}${c.unit === "points" ? " points" : ""} (2 SE ${n(c.twoSe)}): **${c.call}**`;
  };
  return `\nVerdicts by the protocol's rule (a difference is called only past twice its standard error):\n\n${cs.map(fmt).join("\n")}\n`;
}
