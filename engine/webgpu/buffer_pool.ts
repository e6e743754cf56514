/**
 * GPU buffers kept for reuse, keyed by a rounded size class: a training step
 * allocates the same sizes every time, and creating a buffer costs a driver
 * call and zeroing. Classes grow in quarter steps between powers of two, so
 * at most a fifth of a buffer is slack.
 */
export function sizeClass(bytes: number): number {
  const b = Math.max(256, Math.ceil(bytes / 16) * 16);
  const pow = 2 ** Math.floor(Math.log2(b));
  const step = Math.max(16, pow / 4);
  return Math.ceil(b / step) * step;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  pooledBytes = 0;

  constructor(readonly limitBytes: number) {}

  take(size: number): GPUBuffer | undefined {
    const b = this.free.get(size)?.pop();
    if (b !== undefined) this.pooledBytes -= size;
    return b;
  }

  /** Keeps the buffer for reuse, or destroys it when the pool is full. */
  put(buffer: GPUBuffer): void {
    if (this.pooledBytes + buffer.size > this.limitBytes) {
      buffer.destroy();
      return;
    }
    let list = this.free.get(buffer.size);
    if (list === undefined) this.free.set(buffer.size, (list = []));
    list.push(buffer);
    this.pooledBytes += buffer.size;
  }
}
