import assert from "node:assert/strict";
import type { Element } from "@xmldom/xmldom";
import { elements, parseXml } from "./svg.js";

// Reads a kshot SVG plot back the way a person reads a chart: the plot area
// from its two axis lines, the scale of each axis from its tick labels and
// their positions, the legend's entries. Tests then check that every mark
// sits where its data puts it on that scale: an expectation taken from the
// picture's own labels, not from the plotting code.

export interface Tick { value: number; px: number }
export interface Axis { ticks: Tick[]; toPx(v: number): number; fromPx(px: number): number }
export interface PlotReading {
  width: number; height: number; title: string; xLabel: Element; yLabel: Element;
  area: { left: number; right: number; top: number; bottom: number };
  x: Axis; y: Axis;
  legend: { name: string; color: string; x: number; y: number }[];
  series(name: string): Element;
}

const num = (e: Element, a: string) => Number(e.getAttribute(a));

/** The linear map through the tick labels (at least two), each tick checked to lie on it. */
function axis(ticks: Tick[]): Axis {
  assert.ok(ticks.length >= 2, `an axis needs two ticks to read its scale, found ${ticks.length}`);
  const [a, b] = [ticks[0]!, ticks.at(-1)!];
  const scale = (b.px - a.px) / (b.value - a.value);
  const toPx = (v: number) => a.px + (v - a.value) * scale;
  for (const t of ticks) assert.ok(Math.abs(toPx(t.value) - t.px) < 0.02, `tick ${t.value} at ${t.px}, off the scale of the others`);
  return { ticks, toPx, fromPx: (px) => a.value + (px - a.px) / scale };
}

/** `xCategories`: the category names of a bar chart by category, read as their positions 0, 1, .. */
export function readPlot(svg: string, o: { xCategories?: readonly string[] } = {}): PlotReading {
  const doc = parseXml(svg);
  const root = doc.documentElement!;
  const texts = [...doc.getElementsByTagName("text")];
  const [xAxis, yAxis] = elements(doc, "line", "axes");
  assert.ok(xAxis && yAxis, "two axis lines");
  const area = { left: num(xAxis, "x1"), right: num(xAxis, "x2"), bottom: num(xAxis, "y1"), top: num(yAxis, "y1") };
  assert.equal(num(xAxis, "y2"), area.bottom, "the x axis is horizontal");
  assert.deepEqual([num(yAxis, "x1"), num(yAxis, "x2"), num(yAxis, "y2")], [area.left, area.left, area.bottom], "the y axis rises from the x axis' left end");
  // tick labels: under the x axis (centred on their tick mark), left of the y axis (beside their grid line)
  const tickTexts = elements(doc, "text", "ticks");
  const xTicks: Tick[] = [], yTicks: Tick[] = [];
  for (const t of tickTexts) {
    const value = o.xCategories !== undefined && t.getAttribute("text-anchor") === "middle" ? o.xCategories.indexOf(t.textContent ?? "") : Number(t.textContent);
    if (t.getAttribute("text-anchor") === "middle") {
      assert.ok(num(t, "y") > area.bottom, "an x tick label lies under the axis");
      xTicks.push({ value, px: num(t, "x") });
    } else {
      assert.ok(num(t, "x") < area.left, "a y tick label lies left of the axis");
      yTicks.push({ value, px: num(t, "y") - 3 }); // its baseline sits 3 px under the grid line
    }
  }
  const tickLines = elements(doc, "line", "ticks");
  for (const l of tickLines) {
    const vertical = num(l, "x1") === num(l, "x2");
    if (vertical) assert.ok(num(l, "y1") === area.bottom && num(l, "y2") > area.bottom, "an x tick mark hangs under the axis");
    else assert.ok(num(l, "x1") === area.left && num(l, "x2") === area.right && num(l, "y1") === num(l, "y2"), "a grid line spans the plot");
  }
  assert.equal(tickLines.filter((l) => num(l, "x1") === num(l, "x2")).length, tickTexts.filter((t) => t.getAttribute("text-anchor") === "middle").length, "a mark per x label");
  const legend = elements(doc, "rect", "legend").map((r) => {
    const label = r.nextSibling as Element;
    return { name: label.textContent ?? "", color: r.getAttribute("fill") ?? "", x: num(r, "x"), y: num(r, "y") };
  });
  const title = texts[0]!;
  return {
    width: num(root, "width"), height: num(root, "height"), title: title.textContent ?? "",
    xLabel: texts.find((t) => !tickTexts.includes(t) && t !== title && t.getAttribute("transform") === null && t.parentNode === root)!,
    yLabel: texts.find((t) => t.getAttribute("transform") !== null)!,
    area, x: axis(xTicks.filter((t) => Number.isFinite(t.value))), y: axis(yTicks), legend,
    series: (name) => {
      const g = elements(doc, "g").find((e) => e.getAttribute("data-series") === name);
      assert.ok(g, `a series named ${name}`);
      return g;
    },
  };
}
