import type { AblationRowResult } from "../app/ablation.js";
import { histogram, renderPlot, type Mark } from "./svg.js";

/**
 * Histograms of lambda_a . lambda_b for paths of the same operations at near
 * widths (r_c's positive pairs) and at far ones, for each ablation row that
 * measured them (the K-shot rows with width search): without r_c the two
 * should overlap, with r_c the near ones should sit higher (paper, Sec. 4).
 */
export function widthCodeFigure(rows: readonly AblationRowResult[]): string | null {
  const measured = rows.filter((r) => r.widthCodes !== undefined);
  if (measured.length === 0) return null;
  const marks: Mark[] = measured.flatMap((r) => {
    const label = r.row.rcAlpha === 0 ? "without r_c" : "with r_c";
    const wc = r.widthCodes!;
    return [
      { kind: "bars" as const, name: `${label}, near widths (${wc.near.length})`, opacity: 0.45, ...histogram(wc.near, 0, 1, 25) },
      { kind: "bars" as const, name: `${label}, far widths (${wc.far.length})`, opacity: 0.45, ...histogram(wc.far, 0, 1, 25) },
    ];
  });
  return renderPlot({
    title: "Simplex-net codes of one path's operations at near and far widths", xLabel: "lambda_a . lambda_b", yLabel: "path pairs",
    marks, xDomain: [0, 1], legendBelow: true,
  });
}
