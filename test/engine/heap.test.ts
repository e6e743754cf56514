import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WasmHeap } from "../../engine/cpu/wasm/heap.js";

const PAGE = 65536;
const heapOf = (pages: number) => new WasmHeap(new WebAssembly.Memory({ initial: 1, maximum: pages, shared: true }), 100, pages * PAGE);

describe("WasmHeap", () => {
  it("hands out 64-byte aligned, disjoint blocks from the base up, growing the memory", () => {
    const h = heapOf(8);
    const a = h.alloc(10), b = h.alloc(65), c = h.alloc(3 * PAGE);
    assert.deepEqual([a, b], [128, 192], "the first block starts at the base rounded up to 64 bytes, the next after 64 bytes");
    assert.equal(c, 192 + 128);
    assert.ok(h.memory.buffer.byteLength >= c + 3 * PAGE, "the memory grew to hold the block");
    assert.deepEqual(h.stats(), { usedBytes: 64 + 128 + 3 * PAGE, freeBytes: 0, heapBytes: c + 3 * PAGE });
  });

  it("reuses a released block for the next request of its size, and only then", () => {
    const h = heapOf(8);
    const a = h.alloc(1000), b = h.alloc(1000);
    h.release(a);
    assert.equal(h.stats().freeBytes, 1024);
    assert.notEqual(h.alloc(2000), a, "a larger request does not take the smaller free block");
    assert.equal(h.alloc(1000), a);
    assert.notEqual(h.alloc(1000), b);
    assert.equal(h.stats().freeBytes, 0);
  });

  it("merges free neighbours when the memory cannot grow, and splits the merged block to fit", () => {
    const h = heapOf(4);
    const a = h.alloc(PAGE), b = h.alloc(PAGE), c = h.alloc(PAGE);
    h.release(a);
    h.release(b);
    assert.throws(() => h.alloc(3 * PAGE), /CPU heap is out of memory: 196608 bytes asked for/);
    assert.equal(h.alloc(PAGE + 64), a, "two free neighbours serve a request neither could");
    assert.equal(h.alloc(PAGE - 64), a + PAGE + 64, "what was left of them serves the next");
    h.release(c);
    assert.equal(h.alloc(PAGE + PAGE / 2), c, "a free block at the top returns to the top");
  });

  it("refuses to release what it did not hand out", () => {
    const h = heapOf(2);
    const a = h.alloc(64);
    h.release(a);
    assert.throws(() => h.release(a), /release of 128, which is not an allocated block/);
  });
});
