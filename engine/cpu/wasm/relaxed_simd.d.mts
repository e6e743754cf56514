// Side effect only: turns WebAssembly relaxed SIMD on under Node 20 and 21.
export {};
