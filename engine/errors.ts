/** Error raised by an op on bad input: names the op, what it expected and what it received. */
export class OpError extends Error {
  constructor(op: string, expected: string, received: string) {
    super(`${op}: expected ${expected}, received ${received}`);
    this.name = "OpError";
  }
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
