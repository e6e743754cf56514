import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { histogram, niceTicks, renderPlot } from "../../report/svg.js";
import { elements, parseXml } from "../helpers/svg.js";

describe("SVG plots", () => {
  it("ticks at 1, 2 or 5 times a power of ten covering the range", () => {
    assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0.83, 0.91), [0.84, 0.86, 0.88, 0.9]);
    assert.deepEqual(niceTicks(-3, 17), [0, 5, 10, 15]);
    assert.throws(() => niceTicks(0, Infinity), /not finite/);
  });

  it("bins values into equal-width bins, the upper edge in the last", () => {
    assert.deepEqual(histogram([0, 0.1, 0.24, 0.25, 0.99, 1, 2, -1], 0, 1, 4), { x0: [0, 0.25, 0.5, 0.75], x1: [0.25, 0.5, 0.75, 1], y: [3, 1, 0, 2] });
  });

  it("draws a negative bar from the zero line down, and a legend below grows the picture", () => {
    // plot area: left 64, top 36, 560 - 80 wide, 360 - 88 high; y from -1 to 1 puts zero at 36 + 136 = 172
    const svg = parseXml(renderPlot({
      title: "t", xLabel: "x", yLabel: "y", xDomain: [0, 2], yDomain: [-1, 1], legendBelow: true,
      marks: [{ kind: "bars", name: "a", x0: [0, 1], x1: [1, 2], y: [0.5, -0.5] }, { kind: "line", name: "b", x: [0, 2], y: [0, 0] }],
    }));
    const [up, down] = elements(svg, "rect", "bars").map((r) => ({ y: Number(r.getAttribute("y")), h: Number(r.getAttribute("height")) }));
    assert.deepEqual(up, { y: 104, h: 68 });
    assert.deepEqual(down, { y: 172, h: 68 });
    assert.equal(svg.documentElement!.getAttribute("height"), String(360 + 2 * 14 + 6));
  });

  it("renders well-formed SVG with one mark per datum, at the scaled positions, and escapes text", () => {
    const svg = renderPlot({
      title: "a < b & c", xLabel: "x", yLabel: "y", width: 300, height: 200, xDomain: [0, 10], yDomain: [0, 1],
      marks: [
        { kind: "points", name: "pts", x: [0, 5, 10], y: [0, 0.5, 1], labels: ["<p0>", "p1", "p2"] },
        { kind: "line", name: "line", x: [0, 10], y: [1, 0] },
        { kind: "bars", name: "bars", x0: [1, 2], x1: [2, 3], y: [0.25, 0.75] },
        { kind: "callout", name: "", x: 5, y: 0.5, text: "chosen" },
      ],
    });
    const doc = parseXml(svg);
    assert.equal(doc.documentElement!.tagName, "svg");
    assert.equal(doc.getElementsByTagName("title")[0]!.textContent, "a < b & c");
    const circles = elements(doc, "circle", "points");
    assert.equal(circles.length, 3);
    // plot area: left 64, right 300-16=284 (width 220); top 36, bottom 200-52=148 (height 112)
    assert.deepEqual(circles.map((c) => [Number(c.getAttribute("cx")), Number(c.getAttribute("cy"))]), [[64, 148], [174, 92], [284, 36]]);
    assert.equal(circles[0]!.getElementsByTagName("title")[0]!.textContent, "<p0>");
    assert.equal(elements(doc, "polyline", "line")[0]!.getAttribute("points"), "64,36 284,148");
    const bars = elements(doc, "rect", "bars");
    assert.deepEqual(bars.map((b) => [Number(b.getAttribute("x")), Number(b.getAttribute("y")), Number(b.getAttribute("width")), Number(b.getAttribute("height"))]),
      [[86, 120, 22, 28], [108, 64, 22, 84]]);
    assert.ok(elements(doc, "text", "callout").some((t) => t.textContent === "chosen"));
  });
});
