// The peers every kshot kernel is measured against in the same run:
// TensorFlow.js's plain-JavaScript CPU backend and its WebAssembly (XNNPACK)
// backend; beside kshot's WebGPU backend, TensorFlow.js's WebGPU backend on
// the same Dawn adapter.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import type { WebGpuBackend } from "../engine/webgpu/index.js";

export { tf };

export type PeerName = "tfjs-cpu" | "tfjs-wasm";
export const peers: PeerName[] = ["tfjs-cpu", "tfjs-wasm"];

export async function usePeer(peer: PeerName): Promise<void> {
  const ok = await tf.setBackend(peer === "tfjs-cpu" ? "cpu" : "wasm");
  if (!ok) throw new Error(`bench: could not start the ${peer} backend`);
  await tf.ready();
}

/** Whether the active tfjs backend implements a kernel (tfjs-wasm lacks most gradients). */
export function peerHas(kernel: string): boolean {
  return tf.getKernel(kernel, tf.getBackend()) !== undefined;
}

/**
 * Starts tfjs's WebGPU backend on the adapter kshot's backend uses: tfjs
 * looks for `navigator.gpu`, which Node lacks, so it gets Dawn's instance.
 * Returns a function that waits until tfjs's queued work has run.
 */
export async function useTfjsWebgpu(kshot: WebGpuBackend): Promise<() => Promise<void>> {
  const gpu = { requestAdapter: (o?: GPURequestAdapterOptions) => kshot.instance.requestAdapter({ ...o, ...kshot.adapterOptions }), getPreferredCanvasFormat: () => "rgba8unorm" };
  Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true });
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!(await tf.setBackend("webgpu"))) throw new Error("bench: could not start tfjs's webgpu backend");
  await tf.ready();
  // tfjs records into one open compute pass; end it and submit, as its own reads do
  const backend = tf.backend() as unknown as { device: GPUDevice; commandEncoder: GPUCommandEncoder | null; endComputePassEncoder(): void; submitQueue(): void };
  return async () => {
    if (backend.commandEncoder !== null) {
      backend.endComputePassEncoder();
      backend.submitQueue();
    }
    await backend.device.queue.onSubmittedWorkDone();
  };
}
