import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PALETTE, escapeXml, histogram, niceTicks, renderPlot } from "../../report/svg.js";
import { readPlot } from "../helpers/plot_reader.js";
import { assertGolden } from "../helpers/golden.js";
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

  it("colours eight unnamed-colour series in the palette's order and scales the axes to points and lines alone (golden)", () => {
    const marks = Array.from({ length: 8 }, (_, i) => (i % 2 === 0
      ? { kind: "points" as const, name: `points ${i}`, x: [i, i + 1], y: [i * 0.1, i * 0.1 + 0.05] }
      : { kind: "line" as const, name: `line ${i}`, x: [i, i + 2], y: [1 - i * 0.1, 0.9 - i * 0.1] }));
    const svg = renderPlot({ title: "palette", xLabel: "x", yLabel: "y", marks });
    assert.deepEqual(readPlot(svg).legend.map((l) => l.name), marks.map((m) => m.name));
    assertGolden("svg_palette.svg", svg);
  });

  it("widens the axes to a callout beyond the other marks", () => {
    const p = readPlot(renderPlot({ title: "t", xLabel: "x", yLabel: "y", marks: [
      { kind: "points", name: "pts", x: [0, 1], y: [0, 1] }, { kind: "callout", name: "", x: 5, y: 3, text: "far" }] }));
    assert.ok(p.x.toPx(5) <= 560 - 16 && p.y.toPx(3) >= 36, "the callout inside the plot area");
  });

  it("gives a plot without data the unit square", () => {
    const p = readPlot(renderPlot({ title: "empty", xLabel: "x", yLabel: "y", marks: [{ kind: "points", name: "none", x: [], y: [] }] }));
    assert.ok(Math.abs(p.x.toPx(0) - 64) < 0.01 && Math.abs(p.x.toPx(1) - (560 - 16)) < 0.01, "x from 0 to 1");
    assert.ok(Math.abs(p.y.toPx(0) - (360 - 52)) < 0.01 && Math.abs(p.y.toPx(1) - 36) < 0.01, "y from 0 to 1");
  });

  it("puts every mark where its data falls on the axes' own tick labels, inside the plot area", () => {
    const svg = renderPlot({
      title: "read me", xLabel: "steps", yLabel: "tau",
      marks: [
        { kind: "points", name: "pts", x: [10, 35, 60], y: [0.21, 0.55, 0.38] },
        { kind: "line", name: "curve", x: [10, 60], y: [0.3, 0.62], markers: true },
        { kind: "bars", name: "bars", x0: [20, 40], x1: [30, 50], y: [0.1, 0.25] },
        { kind: "callout", name: "chosen", x: 35, y: 0.55, text: "pick" },
      ],
    });
    const p = readPlot(svg);
    const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 0.02, `${what}: ${a} vs ${b}`);
    const circles = [...p.series("pts").getElementsByTagName("circle")];
    [[10, 0.21], [35, 0.55], [60, 0.38]].forEach(([x, y], k) => {
      near(Number(circles[k]!.getAttribute("cx")), p.x.toPx(x!), "point x");
      near(Number(circles[k]!.getAttribute("cy")), p.y.toPx(y!), "point y");
    });
    const line = p.series("curve");
    const pts = line.getElementsByTagName("polyline")[0]!.getAttribute("points")!.split(" ").map((q) => q.split(",").map(Number));
    near(pts[0]![0]!, p.x.toPx(10), "line start x"); near(pts[1]![1]!, p.y.toPx(0.62), "line end y");
    const markers = [...line.getElementsByTagName("circle")];
    assert.equal(markers.length, 2);
    near(Number(markers[1]!.getAttribute("cy")), p.y.toPx(0.62), "marker y");
    const bars = [...p.series("bars").getElementsByTagName("rect")];
    near(Number(bars[1]!.getAttribute("x")), p.x.toPx(40), "bar left");
    near(Number(bars[1]!.getAttribute("width")), p.x.toPx(50) - p.x.toPx(40), "bar width");
    near(Number(bars[1]!.getAttribute("y")), p.y.toPx(0.25), "bar top");
    near(Number(bars[1]!.getAttribute("y")) + Number(bars[1]!.getAttribute("height")), p.y.toPx(0), "bar base on the zero line");
    const callout = p.series("chosen");
    const ring = callout.getElementsByTagName("circle")[0]!, label = callout.getElementsByTagName("text")[0]!;
    near(Number(ring.getAttribute("cx")), p.x.toPx(35), "callout x");
    assert.ok(Number(label.getAttribute("x")) > Number(ring.getAttribute("cx")) && Number(label.getAttribute("y")) < Number(ring.getAttribute("cy")), "the callout's text up and to the right of its ring");
    // the domain is the data's, padded: every mark inside the area, none on its edge; bars from 0 put 0 in the y range
    for (const c of [...circles, ...markers]) {
      const [cx, cy] = [Number(c.getAttribute("cx")), Number(c.getAttribute("cy"))];
      assert.ok(cx > p.area.left && cx < p.area.right && cy > p.area.top && cy < p.area.bottom, `(${cx}, ${cy}) inside`);
    }
    assert.ok(p.y.toPx(0) < p.area.bottom && p.y.toPx(0) > p.area.top);
    // the x range 10..60 padded by 5% each side, y 0..0.62 by 8%
    near(p.x.toPx(10 - 2.5), p.area.left, "x padding"); near(p.x.toPx(60 + 2.5), p.area.right, "x padding");
    near(p.y.toPx(0.62 * 1.08), p.area.top, "y padding"); near(p.y.toPx(-0.62 * 0.08), p.area.bottom, "y padding");
    // title over the plot, centred; x label under it, centred; y label rotated, left of the axis and centred on it
    assert.equal(p.title, "read me");
    const doc = p.series("pts").ownerDocument!;
    const title = doc.getElementsByTagName("text")[0]!;
    assert.ok(Number(title.getAttribute("x")) === p.width / 2 && Number(title.getAttribute("y")) < p.area.top);
    assert.equal(p.xLabel.textContent, "steps");
    near(Number(p.xLabel.getAttribute("x")), (p.area.left + p.area.right) / 2, "x label centred");
    assert.ok(Number(p.xLabel.getAttribute("y")) > p.area.bottom + 16 && Number(p.xLabel.getAttribute("y")) < p.height);
    assert.equal(p.yLabel.textContent, "tau");
    const [tx, ty] = /translate\(([\d.]+) ([\d.]+)\) rotate\(-90\)/.exec(p.yLabel.getAttribute("transform")!)!.slice(1).map(Number);
    assert.ok(tx! < p.area.left - 30, "y label left of the tick labels");
    near(ty!, (p.area.top + p.area.bottom) / 2, "y label centred");
    // a white background over the whole picture
    const bg = doc.getElementsByTagName("rect")[0]!;
    assert.deepEqual(["x", "y", "width", "height", "fill"].map((a) => bg.getAttribute(a)), ["0", "0", String(p.width), String(p.height), "white"]);
  });

  it("draws a legend of the named series, each swatch in its series' colour, in the corner or below", () => {
    const marks = [
      { kind: "line" as const, name: "a", x: [0, 1], y: [0, 1] },
      { kind: "points" as const, name: "", x: [0.5], y: [0.5] },
      { kind: "line" as const, name: "c", x: [0, 1], y: [1, 0], color: "#123456" },
    ];
    const corner = readPlot(renderPlot({ title: "t", xLabel: "x", yLabel: "y", marks }));
    assert.deepEqual(corner.legend.map((e) => [e.name, e.color]), [["a", PALETTE[0]], ["c", "#123456"]]);
    assert.equal(corner.series("a").getElementsByTagName("polyline")[0]!.getAttribute("stroke"), PALETTE[0]);
    assert.equal(corner.legend[1]!.y - corner.legend[0]!.y, 14, "entries 14 px apart");
    assert.ok(corner.legend.every((e) => e.y + 5 > corner.area.top && e.x > corner.area.left + (corner.area.right - corner.area.left) / 2), "in the top-right corner");
    assert.equal(corner.height, 360, "a corner legend does not grow the picture");
    const below = readPlot(renderPlot({ title: "t", xLabel: "x", yLabel: "y", marks, legendBelow: true }));
    assert.ok(below.legend.every((e) => e.y > 360 - 10 && e.x === below.area.left), "under the plot, from its left edge");
    assert.equal(below.height, 360 + 2 * 14 + 6);
    const label = parseXml(renderPlot({ title: "t", xLabel: "x", yLabel: "y", marks })).getElementsByTagName("text");
    const swatchText = [...label].find((t) => t.textContent === "c")!;
    assert.equal(Number(swatchText.getAttribute("x")), corner.legend[1]!.x + 14, "the name right of its swatch");
    // one named series: no legend, and below the plot no room for one; colours cycle through the palette
    assert.equal(readPlot(renderPlot({ title: "t", xLabel: "x", yLabel: "y", marks: marks.slice(0, 2) })).legend.length, 0);
    const single = readPlot(renderPlot({ title: "t", xLabel: "x", yLabel: "y", marks: marks.slice(0, 2), legendBelow: true }));
    assert.deepEqual([single.legend.length, single.height], [0, 360]);
    assert.equal(single.series("a").getElementsByTagName("circle").length, 0, "a line without markers has no circles");
    const many = Array.from({ length: 9 }, (_, i) => ({ kind: "line" as const, name: `s${i}`, x: [0, 1], y: [i, i + 1] }));
    const nine = readPlot(renderPlot({ title: "t", xLabel: "x", yLabel: "y", marks: many }));
    assert.deepEqual(nine.legend.map((e) => e.color), [...PALETTE, PALETTE[0]]);
  });

  it("keeps ticks inside the axis range, reads 0 as 0, and pads a flat range", () => {
    assert.deepEqual(niceTicks(2, 2), [2]);
    // categories outside an explicit domain get no label
    const cats = parseXml(renderPlot({ title: "t", xLabel: "x", yLabel: "y", xCategories: ["a", "b", "c", "d"], xDomain: [0.5, 2.5],
      marks: [{ kind: "bars", name: "b", x0: [1, 2], x1: [1.5, 2.5], y: [1, 2] }] }));
    assert.deepEqual(elements(cats, "text", "ticks").filter((t) => t.getAttribute("text-anchor") === "middle").map((t) => t.textContent), ["b", "c"]);
    assert.ok(Object.is(niceTicks(-1, 1)[2], 0), "zero, not minus zero");
    assert.deepEqual(niceTicks(0, 0.9, 5), [0, 0.2, 0.4, 0.6, 0.8], "the last multiple at or under the top");
    // a flat series: its value in the middle of a unit range
    const flat = readPlot(renderPlot({ title: "t", xLabel: "x", yLabel: "y", marks: [{ kind: "points", name: "p", x: [0, 1, 2], y: [3, 3, 3] }] }));
    assert.ok(Math.abs(flat.y.toPx(3) - (flat.area.top + flat.area.bottom) / 2) < 0.02);
    // non-finite values do not stretch the axes
    const nan = readPlot(renderPlot({ title: "t", xLabel: "x", yLabel: "y", marks: [{ kind: "points", name: "p", x: [0, 1, 2], y: [0, NaN, 1] }] }));
    assert.ok(Math.abs(nan.y.toPx(1 + 0.08) - nan.area.top) < 0.02);
    assert.equal(escapeXml(`a"b'<&>`), "a&quot;b'&lt;&amp;&gt;");
    assert.deepEqual(histogram([2.1, 2.6, 2.9, 3.0], 2, 3, 2), { x0: [2, 2.5], x1: [2.5, 3], y: [1, 3] });
  });
});
