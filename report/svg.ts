// A small SVG plotting library for kshot's reports (the main job's and the
// rank study's): linear axes with round ticks, and points, lines, bars and
// text as marks. Plain strings, no DOM, no native code.

export interface Series { name: string; color?: string }
export interface PointMark extends Series { kind: "points"; x: number[]; y: number[]; radius?: number; opacity?: number; labels?: string[] }
export interface LineMark extends Series { kind: "line"; x: number[]; y: number[]; markers?: boolean; dashed?: boolean }
/** Bars from x0[i] to x1[i], of height y[i] (a histogram, or categories at integer positions). */
export interface BarMark extends Series { kind: "bars"; x0: number[]; x1: number[]; y: number[]; opacity?: number }
/** A labelled marker drawn over everything (a chosen point). */
export interface CalloutMark extends Series { kind: "callout"; x: number; y: number; text: string }
export type Mark = PointMark | LineMark | BarMark | CalloutMark;

export interface PlotSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  marks: Mark[];
  width?: number;
  height?: number;
  /** Axis ranges; by default the data's, padded. */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Category names for integer x positions (bar charts by category). */
  xCategories?: string[];
  /** The legend in rows under the plot (which grows to hold it) rather than over its top-right corner. */
  legendBelow?: boolean;
}

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) throw new Error(`plot: axis range [${lo}, ${hi}] is not finite`);
  if (hi === lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  // multiples of the step, rounded so that 3 * 0.2 reads 0.6
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

function fmtTick(v: number): string {
  return Number(v.toPrecision(6)).toString();
}

function extent(values: number[], pad: number): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite), hi = Math.max(...finite);
  if (lo === hi) { lo -= 0.5; hi += 0.5; }
  const d = (hi - lo) * pad;
  return [lo - d, hi + d];
}

const r2 = (v: number) => Math.round(v * 100) / 100;

/** Renders one plot as a standalone SVG document. */
export function renderPlot(p: PlotSpec): string {
  const W = p.width ?? 560, H = p.height ?? 360;
  const named = p.marks.map((mk, i) => ({ name: mk.name, color: mk.color ?? PALETTE[i % PALETTE.length]! })).filter((s) => s.name !== "");
  const legendRows = p.legendBelow && named.length > 1 ? named.length : 0;
  const totalH = H + legendRows * 14 + (legendRows > 0 ? 6 : 0);
  const m = { left: 64, right: 16, top: 36, bottom: 52 };
  const pw = W - m.left - m.right, ph = H - m.top - m.bottom;
  const xs: number[] = [], ys: number[] = [];
  for (const mk of p.marks) {
    if (mk.kind === "bars") { xs.push(...mk.x0, ...mk.x1); ys.push(0, ...mk.y); } else if (mk.kind === "callout") { xs.push(mk.x); ys.push(mk.y); } else { xs.push(...mk.x); ys.push(...mk.y); }
  }
  const [x0, x1] = p.xDomain ?? extent(xs, 0.05);
  const [y0, y1] = p.yDomain ?? extent(ys, 0.08);
  const sx = (v: number) => r2(m.left + ((v - x0) / (x1 - x0)) * pw);
  const sy = (v: number) => r2(m.top + ph - ((v - y0) / (y1 - y0)) * ph);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${totalH}" viewBox="0 0 ${W} ${totalH}" font-family="sans-serif" font-size="11">`);
  out.push(`<title>${escapeXml(p.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${totalH}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(p.title)}</text>`);
  // axes, ticks and grid
  out.push(`<g class="axes" stroke="#888" fill="none">`);
  out.push(`<line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}"/><line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}"/>`);
  out.push(`</g>`);
  out.push(`<g class="ticks" font-size="10" fill="#333">`);
  const xTicks = p.xCategories ? p.xCategories.map((_, i) => i) : niceTicks(x0, x1);
  for (const t of xTicks) {
    if (t < x0 || t > x1) continue;
    const label = p.xCategories ? p.xCategories[t]! : fmtTick(t);
    out.push(`<line x1="${sx(t)}" y1="${m.top + ph}" x2="${sx(t)}" y2="${m.top + ph + 4}" stroke="#888"/>` +
      `<text x="${sx(t)}" y="${m.top + ph + 16}" text-anchor="middle">${escapeXml(label)}</text>`);
  }
  // niceTicks keeps within [y0, y1] but for a rounding error, which moves a tick by far less than a pixel
  for (const t of niceTicks(y0, y1)) {
    out.push(`<line x1="${m.left}" y1="${sy(t)}" x2="${m.left + pw}" y2="${sy(t)}" stroke="#eee"/>` +
      `<text x="${m.left - 6}" y="${sy(t) + 3}" text-anchor="end">${fmtTick(t)}</text>`);
  }
  out.push(`</g>`);
  out.push(`<text x="${m.left + pw / 2}" y="${H - 10}" text-anchor="middle">${escapeXml(p.xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(p.yLabel)}</text>`);
  // marks, then a legend of the named series
  p.marks.forEach((mk, i) => {
    const color = mk.color ?? PALETTE[i % PALETTE.length]!;
    const cls = `mark ${mk.kind}`;
    if (mk.kind === "points") {
      out.push(`<g class="${cls}" data-series="${escapeXml(mk.name)}" fill="${color}" fill-opacity="${mk.opacity ?? 0.8}">`);
      mk.x.forEach((x, k) => {
        const title = mk.labels?.[k] === undefined ? "" : `<title>${escapeXml(mk.labels[k]!)}</title>`;
        out.push(`<circle cx="${sx(x)}" cy="${sy(mk.y[k]!)}" r="${mk.radius ?? 3}">${title}</circle>`);
      });
      out.push(`</g>`);
    } else if (mk.kind === "line") {
      const pts = mk.x.map((x, k) => `${sx(x)},${sy(mk.y[k]!)}`).join(" ");
      out.push(`<g class="${cls}" data-series="${escapeXml(mk.name)}"><polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"${mk.dashed ? ` stroke-dasharray="5 3"` : ""}/>`);
      if (mk.markers) for (const [k, x] of mk.x.entries()) out.push(`<circle cx="${sx(x)}" cy="${sy(mk.y[k]!)}" r="3" fill="${color}"/>`);
      out.push(`</g>`);
    } else if (mk.kind === "bars") {
      out.push(`<g class="${cls}" data-series="${escapeXml(mk.name)}" fill="${color}" fill-opacity="${mk.opacity ?? 0.85}">`);
      mk.y.forEach((y, k) => {
        // from the zero line (or the axis edge nearer it) to the value, below the line for negative values
        const left = sx(mk.x0[k]!), right = sx(mk.x1[k]!), top = sy(y), base = sy(Math.min(Math.max(0, y0), y1));
        out.push(`<rect x="${left}" y="${Math.min(top, base)}" width="${r2(Math.max(0, right - left))}" height="${r2(Math.abs(base - top))}"/>`);
      });
      out.push(`</g>`);
    } else {
      out.push(`<g class="${cls}" data-series="${escapeXml(mk.name)}"><circle cx="${sx(mk.x)}" cy="${sy(mk.y)}" r="7" fill="none" stroke="${color}" stroke-width="2.5"/>` +
        `<text x="${sx(mk.x) + 10}" y="${sy(mk.y) - 8}" fill="${color}" font-weight="bold">${escapeXml(mk.text)}</text></g>`);
    }
  });
  if (named.length > 1) {
    out.push(`<g class="legend">`);
    named.forEach((s, i) => {
      const y = legendRows > 0 ? H + 8 + i * 14 : m.top + 6 + i * 14;
      const x = legendRows > 0 ? m.left : m.left + pw - 150;
      out.push(`<rect x="${x}" y="${y - 8}" width="10" height="10" fill="${s.color}"/><text x="${x + 14}" y="${y + 1}">${escapeXml(s.name)}</text>`);
    });
    out.push(`</g>`);
  }
  out.push(`</svg>`);
  return out.join("\n");
}

/** Equal-width bins over [lo, hi]: counts per bin (a value at hi falls in the last). */
export function histogram(values: readonly number[], lo: number, hi: number, bins: number): { x0: number[]; x1: number[]; y: number[] } {
  const w = (hi - lo) / bins;
  const y = new Array<number>(bins).fill(0);
  for (const v of values) {
    if (!(v >= lo && v <= hi)) continue;
    y[Math.min(bins - 1, Math.floor((v - lo) / w))]!++;
  }
  return { x0: y.map((_, i) => lo + i * w), x1: y.map((_, i) => lo + (i + 1) * w), y };
}
