import { mbv2Cost, torchvisionMobileNetV2 } from "../nas/mbv2/blocks.js";
import { MBV2_MACROS, Mbv2Space, defaultMbv2Macro, type Mbv2MacroName } from "../nas/mbv2/space.js";
import { Nb201Space } from "../nas/nb201/space.js";
import type { Cost } from "../nas/cost.js";
import { UsageError, givenFlags, helpText, num, parseFlags, refuseFlags, type FlagSpecs } from "./args.js";

export const describeFlags: FlagSpecs = {
  space: { type: "string", help: "nb201 | mbv2", default: "nb201" },
  arch: { type: "string", help: "architecture string of the space (mbv2: 21 choices k{3,5,7}e{3,6}[-se] or id, optionally '|' and 24 widths)" },
  model: { type: "string", help: "a reference model instead of --arch: mobilenetv2 (torchvision's MobileNetV2-1.0)" },
  macro: { type: "string", help: "mbv2: the layout around the searchable layers, imagenet | mini (default: imagenet from 128 px, mini below; docs/mbv2-mini.md)" },
  C: { type: "string", help: "nb201: channels of the first stage", default: "16" },
  N: { type: "string", help: "nb201: cells per stage", default: "5" },
  input: { type: "string", help: "input as CxHxW", default: "3x32x32" },
  classes: { type: "string", help: "number of classes", default: "10" },
  json: { type: "boolean", help: "print {\"params\", \"macs\", \"mflops\"} as JSON (MFLOPs in the NAS-Bench-201 convention)" },
};

/** `kshot describe`: exact params, MACs and NAS-Bench-201 FLOPs of one architecture, without building it. */
export async function describeCommand(argv: string[]): Promise<void> {
  const cmd = "kshot describe";
  const f = parseFlags(cmd, argv, describeFlags);
  if (f.help) {
    process.stdout.write(helpText(`usage: ${cmd} --space nb201|mbv2 --arch STRING [options]`,
      "Counts an architecture's parameters (trainable, BN gamma and beta included), multiply-accumulates\nof conv and linear layers per image, and NAS-Bench-201's FLOPs (MACs + classifier bias adds, millions).", describeFlags));
    return;
  }
  const input = /^([1-9]\d*)x([1-9]\d*)x([1-9]\d*)$/.exec(String(f.input));
  if (!input) throw new UsageError(`${cmd}: --input expects CxHxW of positive sizes such as 3x32x32, received '${String(f.input)}'`);
  const [inChannels, height, width] = input.slice(1).map(Number) as [number, number, number];
  const classes = num(cmd, "classes", f.classes, { integer: true, min: 1 });
  let cost: Cost;
  const given = givenFlags(argv);
  if (f.model !== undefined) {
    refuseFlags(cmd, given, ["arch", "space", "C", "N", "macro"], "--model");
    if (f.model !== "mobilenetv2") throw new UsageError(`${cmd}: --model expects mobilenetv2, received '${String(f.model)}'`);
    cost = mbv2Cost(torchvisionMobileNetV2(inChannels, classes), height, width);
  } else {
    if (f.arch === undefined) throw new UsageError(`${cmd}: give --arch (or --model mobilenetv2)`);
    const arch = String(f.arch);
    if (f.space === "mbv2") refuseFlags(cmd, given, ["C", "N"], "--space mbv2");
    if (f.space === "nb201") refuseFlags(cmd, given, ["macro"], "--space nb201");
    const macro = f.macro === undefined ? defaultMbv2Macro(height) : String(f.macro);
    if (!Object.hasOwn(MBV2_MACROS, macro)) throw new UsageError(`${cmd}: --macro expects ${Object.keys(MBV2_MACROS).join(" or ")}, received '${macro}'`);
    const space = f.space === "nb201"
      ? new Nb201Space({ C: num(cmd, "C", f.C, { integer: true, min: 1 }), N: num(cmd, "N", f.N, { integer: true, min: 1 }), inChannels, classes, height, width })
      : f.space === "mbv2" ? new Mbv2Space({ inChannels, height, width, classes, searchWidth: arch.includes("|"), macro: macro as Mbv2MacroName })
      : null;
    if (space === null) throw new UsageError(`${cmd}: --space expects nb201 or mbv2, received '${String(f.space)}'`);
    let genes: number[];
    try { genes = space.parse(arch); } catch (e) { throw new UsageError(`${cmd}: ${(e as Error).message}`); }
    cost = space.cost(genes);
  }
  if (f.json) process.stdout.write(`${JSON.stringify({ params: cost.params, macs: cost.macs, mflops: cost.nb201Mflops })}\n`);
  else process.stdout.write(`params ${cost.params}\nMACs ${cost.macs}\nNAS-Bench-201 MFLOPs ${cost.nb201Mflops.toFixed(5)}\n`);
}
