// Piscina's entry for evaluation workers: loads the TypeScript task through tsx.
import { register } from "tsx/esm/api";

register();
const task = await import("./eval_task.ts");
export default task.default;
