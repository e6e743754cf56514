// Prints the layout of a MobileNetV2-space architecture as JSON, with the
// input size, for test/reference/mbv2_torch.py (not run by the tests).
//   npx tsx test/reference/mbv2_layout.ts ARCH [CxHxW] [classes]
import { Mbv2Space } from "../../nas/mbv2/space.js";

const [arch, input = "1x28x28", classes = "10"] = process.argv.slice(2);
if (arch === undefined) throw new Error("usage: mbv2_layout.ts ARCH [CxHxW] [classes]");
const [inChannels, height, width] = input.split("x").map(Number) as [number, number, number];
const space = new Mbv2Space({ inChannels, height, width, classes: Number(classes), searchWidth: arch.includes("|") });
process.stdout.write(`${JSON.stringify({ ...space.layout(space.parse(arch)), height, width })}\n`);
