/**
 * NAS-Bench-201 cell architectures: 6 edges, one op each, written as the
 * official string `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`, where edge `op~j`
 * in group i runs from node j into node i + 1.
 */
export const NB201_OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"] as const;
export type Nb201Op = (typeof NB201_OPS)[number];

export interface Nb201Edge { from: number; to: number; op: Nb201Op }

/** Edges in the official order: (0->1), (0->2), (1->2), (0->3), (1->3), (2->3). */
export type Nb201Arch = Nb201Edge[];

const FORM = "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|";

export function parseNb201(s: string): Nb201Arch {
  const fail = (what: string): never => {
    throw new Error(`invalid NAS-Bench-201 architecture '${s}': ${what}; expected ${FORM} with ops from ${NB201_OPS.join(", ")}`);
  };
  const groups = s.split("+");
  if (groups.length !== 3) fail(`${groups.length} node groups`);
  const edges: Nb201Edge[] = [];
  groups.forEach((g, i) => {
    if (!g.startsWith("|") || !g.endsWith("|")) fail(`group ${i + 1} is not enclosed in '|'`);
    const parts = g.slice(1, -1).split("|");
    if (parts.length !== i + 1) fail(`group ${i + 1} has ${parts.length} edges, expected ${i + 1}`);
    parts.forEach((p, j) => {
      const parts = p.split("~");
      if (parts.length !== 2) fail(`edge '${p}' is not op~node`);
      const [op, from] = parts as [string, string];
      if (!(NB201_OPS as readonly string[]).includes(op ?? "")) fail(`unknown op '${op}'`);
      if (from !== String(j)) fail(`edge '${p}' should come from node ${j}`);
      edges.push({ from: j, to: i + 1, op: op as Nb201Op });
    });
  });
  return edges;
}

export function formatNb201(arch: Nb201Arch): string {
  return [1, 2, 3].map((to) => `|${arch.filter((e) => e.to === to).map((e) => `${e.op}~${e.from}`).join("|")}|`).join("+");
}

/**
 * The cell's function as a canonical string: two cells compute the same
 * function exactly when these agree. Each node is the sorted sum of its
 * incoming terms: `#` for a zero (a `none` edge, or any edge from a zero
 * node), the source itself for `skip_connect`, `(source)@op` otherwise.
 * This is NAS-Bench-201's own rule (`to_unique_str` with zeros considered),
 * the `isomorphism` column of its table.
 */
export function nb201Isomorphism(arch: Nb201Arch): string {
  const nodes = ["0"];
  for (const to of [1, 2, 3]) {
    const terms = arch.filter((e) => e.to === to).map((e) => {
      const src = nodes[e.from]!;
      if (e.op === "none" || src === "#") return "#";
      return e.op === "skip_connect" ? src : `(${src})@${e.op}`;
    });
    nodes.push(terms.sort().join("+"));
  }
  return nodes[3]!;
}

/** How many of the cell's six edges carry each op (dead edges included, as a reader counts them). */
export function opCounts(arch: Nb201Arch): Record<Nb201Op, number> {
  const counts = Object.fromEntries(NB201_OPS.map((op) => [op, 0])) as Record<Nb201Op, number>;
  for (const e of arch) counts[e.op]++;
  return counts;
}
