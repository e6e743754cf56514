export declare const CONTROL: { readonly gen: 0; readonly head: 1; readonly tail: 2; readonly epoch: 3; readonly size: 4; readonly spinUs: 5; readonly error: 6; readonly scratch: 7; readonly stride: 8; readonly sleepers: 9 };
export declare const CALL: { readonly kernel: 0; readonly params: 1; readonly tasks: 2; readonly threads: 3; readonly done: 4; readonly first: 5 };
export declare const SLOT_WORDS: number;
export declare const QUEUE: number;
export declare const MAX_TASKS: number;
export declare function slotOf(call: number): number;
export declare function claimWord(call: number, lo: number, hi: number): bigint;
export declare function claimTasks(claims: BigUint64Array, slot: number, call: number, threads: number, fromBack: boolean): number;
export declare function claimedTasks(first: number, tasks: number, threads: number): number;
export declare function runClaims(control: Int32Array, queue: Int32Array, claims: BigUint64Array, ran: Int32Array, ranWord: number, slot: number, call: number, fromBack: boolean,
  fns: readonly ((params: number, task: number, scratch: number) => void)[], scratch: number, onError?: (error: unknown) => void): number;
export declare function finishTasks(control: Int32Array, queue: Int32Array, slot: number, call: number, tasks: number, n: number): void;
