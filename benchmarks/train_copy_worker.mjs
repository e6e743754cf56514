// Worker entry of bench:train's independent copies: loads the TypeScript through tsx.
import { register } from "tsx/esm/api";

register();
await import("./train_copy.ts");
