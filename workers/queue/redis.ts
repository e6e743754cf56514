import { Redis } from "ioredis";
import { redactUrl } from "./protocol.js";

/**
 * Checks that `url` reaches a Redis that BullMQ can rely on: version 6.2 or
 * later, and maxmemory-policy noeviction (an evicted job key would lose a
 * result or a lock without an error). A server that hides CONFIG (some
 * managed ones) gets a warning instead.
 */
export async function checkRedis(url: string, log: (line: string) => void): Promise<void> {
  const shown = redactUrl(url);
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000, retryStrategy: () => null });
  client.on("error", () => { /* reported by connect() below */ });
  try {
    try {
      await client.connect();
    } catch (e) {
      throw new Error(`cannot reach Redis at ${shown} (${(e as Error).message}); start one with: redis-server --maxmemory-policy noeviction`);
    }
    const info = await client.info("server");
    const version = /redis_version:(\d+)\.(\d+)/.exec(info);
    if (version !== null && (Number(version[1]) < 6 || (Number(version[1]) === 6 && Number(version[2]) < 2))) {
      throw new Error(`Redis at ${shown} is ${version[1]}.${version[2]}; BullMQ needs 6.2 or later`);
    }
    let policy: string | undefined;
    try {
      policy = ((await client.config("GET", "maxmemory-policy")) as string[])[1];
    } catch {
      log(`warning: cannot read maxmemory-policy of Redis at ${shown} (CONFIG is disabled); it must be noeviction`);
      return;
    }
    if (policy !== undefined && policy !== "noeviction") {
      throw new Error(`Redis at ${shown} has maxmemory-policy ${policy}: evicted keys would lose jobs and results; set it with 'redis-cli -u ${shown} CONFIG SET maxmemory-policy noeviction' (or in redis.conf)`);
    }
  } finally {
    client.disconnect();
  }
}
