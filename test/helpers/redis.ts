import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/**
 * A Redis for queue tests: $KSHOT_TEST_REDIS when set (CI starts one), else
 * a private redis-server on a free port when the binary is installed, else
 * null: the caller skips, unless KSHOT_REQUIRE_REDIS=1, where that is an
 * error.
 */
export async function testRedis(): Promise<{ url: string; stop: () => Promise<void> } | null> {
  const given = process.env["KSHOT_TEST_REDIS"];
  if (given !== undefined && given !== "") return { url: given, stop: async () => {} };
  if (spawnSync("redis-server", ["--version"]).status !== 0) {
    if (process.env["KSHOT_REQUIRE_REDIS"] === "1") throw new Error("KSHOT_REQUIRE_REDIS=1 but there is no redis-server and no KSHOT_TEST_REDIS");
    return null;
  }
  return privateRedis();
}

/** A redis-server of this test's own, on a free port (one a test may stop); null without the binary (an error under KSHOT_REQUIRE_REDIS=1). */
export async function privateRedis(): Promise<{ url: string; stop: () => Promise<void> } | null> {
  if (spawnSync("redis-server", ["--version"]).status !== 0) {
    if (process.env["KSHOT_REQUIRE_REDIS"] === "1") throw new Error("KSHOT_REQUIRE_REDIS=1 but there is no redis-server");
    return null;
  }
  const port = await freePort();
  const server: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
    "--maxmemory-policy", "noeviction"], { stdio: "ignore" });
  const url = `redis://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.ping();
      break;
    } catch (e) {
      if (tries > 100) throw new Error(`redis-server on port ${port} did not answer: ${(e as Error).message}`);
      await new Promise((ok) => setTimeout(ok, 50));
    } finally {
      client.disconnect();
    }
  }
  return { url, stop: async () => { server.kill("SIGTERM"); await new Promise((ok) => server.once("exit", ok)); } };
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}
