// Minimal types for scijs cwise (it ships none): a loop generator over ndarrays.
declare module "cwise" {
  import type { NdArray } from "ndarray";
  interface CwiseSpec {
    args: string[];
    pre?: (...a: any[]) => void;
    body: (...a: any[]) => void;
    post?: (...a: any[]) => unknown;
  }
  function cwise(spec: CwiseSpec): (...arrays: NdArray[]) => unknown;
  export default cwise;
}
