import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { hasKernel, registerKernel, getKernel } from "../../engine/index.js";
import { WEBGPU_KERNELS } from "../../engine/webgpu/register.js";

// The kernel names, read from the source rather than from the module, so that a
// name added to kernel_names.ts but left out of the shared table is caught here
// as well as by the compiler.
const declared = [...readFileSync("engine/kernel_names.ts", "utf8").matchAll(/^export const (\w+) = "\1";/gm)]
  .map((m) => m[1]!).filter((n) => n !== "Reshape");

describe("kernel table", () => {
  it("registers every declared kernel for the CPU", () => {
    assert.ok(declared.length >= 40, `found ${declared.length} kernel names`);
    for (const name of declared) assert.ok(hasKernel(name, "cpu"), `${name} has no CPU kernel`);
  });

  it("gives the WebGPU backend every declared kernel and nothing else", () => {
    assert.deepEqual(Object.keys(WEBGPU_KERNELS).sort(), [...declared].sort());
  });

  it("refuses a second registration of a name for the same backend", () => {
    assert.throws(() => registerKernel("MatMul", "cpu", getKernel("Neg", "cpu")), /kernel 'MatMul' is already registered for backend 'cpu'/);
    registerKernel("TestKernelTableOnce", "cpu", getKernel("Neg", "cpu"));
    assert.throws(() => registerKernel("TestKernelTableOnce", "cpu", getKernel("Neg", "cpu")), /already registered/);
    registerKernel("TestKernelTableOnce", "other-backend", getKernel("Neg", "cpu"));
  });
});
