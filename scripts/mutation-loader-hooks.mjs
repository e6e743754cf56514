// The hooks of scripts/mutation-loader.mjs, run on Node's loader thread.
export async function load(url, context, nextLoad) {
  if (url.startsWith("file:") && url.endsWith(".ts")) return nextLoad(`${url.slice(0, -3)}.js`, { ...context, format: "module" });
  return nextLoad(url, context);
}
