// Piscina's entry for stand-alone training workers: loads the TypeScript task through tsx.
import { register } from "tsx/esm/api";

register();
const task = await import("./train_task.ts");
export default task.default;
