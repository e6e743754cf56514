/**
 * An allocator over the WebAssembly memory that the CPU backend keeps its
 * tensors in, so that the kernels (and the threads of the kernel team) read
 * and write them in place, with no copy in or out.
 *
 * Blocks are 64-byte aligned. A released block goes onto a free list of its
 * exact size and is handed out again for that size: a training step
 * allocates the same sizes every time. New blocks come from the top of the
 * heap, growing the memory. Only when the memory cannot grow further are the
 * free blocks merged with their neighbours and split to fit. WebAssembly
 * memory never shrinks: the heap keeps its peak size for the process's life.
 */
export class WasmHeap {
  private top: number;
  private readonly free = new Map<number, number[]>();
  private readonly sizes = new Map<number, number>();
  private freeBytes = 0;
  private usedBytes = 0;

  /** `base`: the first byte the heap may use (the module's static data lies below it). */
  constructor(readonly memory: WebAssembly.Memory, base: number, private readonly maxBytes: number) {
    this.top = align(base);
  }

  /** Byte offset of a new block of at least `bytes` bytes; its contents are undefined. */
  alloc(bytes: number): number {
    const size = Math.max(64, align(bytes));
    const ptr = this.takeFree(size) ?? this.bump(size) ?? this.reclaim(size);
    if (ptr === undefined) {
      throw new Error(`kshot: the CPU heap is out of memory: ${size} bytes asked for, ${this.usedBytes} in use of at most ${this.maxBytes}`);
    }
    this.sizes.set(ptr, size);
    this.usedBytes += size;
    return ptr;
  }

  /** Returns a block from alloc() to the heap. */
  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new Error(`kshot heap: release of ${ptr}, which is not an allocated block`);
    this.sizes.delete(ptr);
    this.usedBytes -= size;
    this.pushFree(ptr, size);
  }

  /** Bytes in allocated blocks and in released blocks kept for reuse. */
  stats(): { usedBytes: number; freeBytes: number; heapBytes: number } {
    return { usedBytes: this.usedBytes, freeBytes: this.freeBytes, heapBytes: this.top };
  }

  private takeFree(size: number, ptr?: number): number | undefined {
    const list = this.free.get(size);
    if (list === undefined) return undefined;
    const p = ptr === undefined ? list.pop()! : list.splice(list.indexOf(ptr), 1)[0]!;
    if (list.length === 0) this.free.delete(size);
    this.freeBytes -= size;
    return p;
  }

  private pushFree(ptr: number, size: number): void {
    let list = this.free.get(size);
    if (list === undefined) this.free.set(size, (list = []));
    list.push(ptr);
    this.freeBytes += size;
  }

  private bump(size: number): number | undefined {
    const end = this.top + size;
    if (end > this.maxBytes) return undefined;
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / 65536));
    const ptr = this.top;
    this.top = end;
    return ptr;
  }

  /** Merges free neighbours, returns the top of the heap what ends there, then fits `size`. */
  private reclaim(size: number): number | undefined {
    const blocks = [...this.free].flatMap(([s, ptrs]) => ptrs.map((p) => [p, s] as [number, number])).sort((a, b) => a[0] - b[0]);
    this.free.clear();
    this.freeBytes = 0;
    const merged: [number, number][] = [];
    for (const [p, s] of blocks) {
      const last = merged[merged.length - 1];
      if (last !== undefined && last[0] + last[1] === p) last[1] += s;
      else merged.push([p, s]);
    }
    const tail = merged[merged.length - 1];
    if (tail !== undefined && tail[0] + tail[1] === this.top) {
      this.top = tail[0];
      merged.pop();
    }
    for (const [p, s] of merged) this.pushFree(p, s);
    const bumped = this.bump(size);
    if (bumped !== undefined) return bumped;
    let best: [number, number] | undefined;
    for (const b of merged) if (b[1] >= size && (best === undefined || b[1] < best[1])) best = b;
    if (best === undefined) return undefined;
    const [p, s] = best;
    this.takeFree(s, p);
    if (s > size) this.pushFree(p + size, s - size);
    return p;
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}
