import type { Cost } from "../cost.js";
import type { Gene, SearchSpace } from "../space.js";
import { NB201_OPS, formatNb201, nb201Isomorphism, parseNb201, type Nb201Arch } from "./arch.js";
import { nb201Cost } from "./cost.js";
import type { Nb201Config } from "./network.js";

let distinct: number | undefined;

const EDGES: [number, number][] = [[0, 1], [0, 2], [1, 2], [0, 3], [1, 3], [2, 3]];

/** NAS-Bench-201: 6 edges x 5 ops (15,625 cells) on the TinyNetwork skeleton, any C and N. */
export class Nb201Space implements SearchSpace {
  readonly name = "nb201";
  readonly genes: Gene[] = EDGES.map(([from, to]) => ({ name: `edge${from}->${to}`, kind: "op", choices: NB201_OPS }));

  constructor(readonly config: Nb201Config & { height: number; width: number }) {}

  arch(genes: readonly number[]): Nb201Arch {
    return EDGES.map(([from, to], i) => ({ from, to, op: NB201_OPS[genes[i]!]! }));
  }

  format(genes: readonly number[]): string {
    return formatNb201(this.arch(genes));
  }

  parse(s: string): number[] {
    return parseNb201(s).map((e) => NB201_OPS.indexOf(e.op));
  }

  functionKey(genes: readonly number[]): string {
    return nb201Isomorphism(this.arch(genes));
  }

  /** 6,466 of the 15,625 cells compute distinct functions. */
  get distinctFunctions(): number {
    return (distinct ??= new Set([...this.all()].map((g) => this.functionKey(g))).size);
  }

  cost(genes: readonly number[]): Cost {
    return nb201Cost(this.arch(genes), this.config, this.config.height, this.config.width);
  }

  /** Every architecture of the space, in gene order. */
  *all(): Generator<number[]> {
    for (let i = 0; i < NB201_OPS.length ** EDGES.length; i++) {
      let x = i;
      yield EDGES.map(() => { const v = x % NB201_OPS.length; x = Math.floor(x / NB201_OPS.length); return v; });
    }
  }
}
