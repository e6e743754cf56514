// The peers every kshot kernel is measured against in the same run:
// TensorFlow.js's plain-JavaScript CPU backend and its WebAssembly (XNNPACK) backend.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";

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
