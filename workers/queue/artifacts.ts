import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { isAbsolute, join, resolve } from "node:path";
import { writeFileAtomic } from "../../data/files.js";
import type { ArtifactRef } from "./protocol.js";

// Weights and validation data travel by reference: the coordinator publishes
// a path (shared file system) or a URL with the file's SHA-256; a worker
// fetches it once, checks the hash, and refuses a mismatch.

/** A published file this worker cannot use as it is (missing, another hash, unreadable): the same on every try, so not worth a retry. */
export class BadArtifactError extends Error {}

export function sha256Of(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A local file as an artifact of its own absolute path. */
export function fileArtifact(path: string): ArtifactRef {
  const bytes = readFileSync(path);
  return { ref: resolve(path), sha256: sha256Of(bytes), bytes: bytes.length };
}

/**
 * Serves the given files read-only over HTTP, each under its SHA-256
 * (`BASE/<sha256>`), on the port of `baseUrl` and every interface; returns
 * the artifacts with their URLs. For workers without the coordinator's file
 * system.
 */
export async function serveArtifacts(baseUrl: string, files: readonly ArtifactRef[]): Promise<{ artifacts: ArtifactRef[]; close: () => Promise<void> }> {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`--share-url ${baseUrl}: not a URL (expected http://HOST:PORT, HOST being this machine's name as the workers reach it)`);
  }
  if (url.protocol !== "http:" || url.port === "") throw new Error(`--share-url ${baseUrl}: expected http://HOST:PORT with an explicit port`);
  const byHash = new Map(files.map((f) => [f.sha256, f]));
  const server: Server = createServer((req, res) => {
    const f = byHash.get((req.url ?? "").replace(/^\/+/, ""));
    if (req.method !== "GET" || f === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(f.bytes) });
    createReadStream(f.ref).pipe(res);
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", (e) => fail(new Error(`--share-url ${baseUrl}: cannot listen on port ${url.port} (${(e as NodeJS.ErrnoException).code ?? e.message})`)));
    server.listen(Number(url.port), ok);
  });
  const base = baseUrl.replace(/\/+$/, "");
  return {
    artifacts: files.map((f) => ({ ...f, ref: `${base}/${f.sha256}` })),
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}

/**
 * An artifact's bytes, checked against its published hash: a path is read
 * where it is; a URL is downloaded once into `cacheDir` under its hash. The
 * bytes returned are the bytes hashed, so nothing can change in between.
 */
export async function fetchArtifact(a: ArtifactRef, cacheDir: string): Promise<Uint8Array> {
  if (/^https?:\/\//.test(a.ref)) {
    mkdirSync(cacheDir, { recursive: true });
    const cached = join(cacheDir, a.sha256);
    if (existsSync(cached)) {
      const bytes = readFileSync(cached);
      if (sha256Of(bytes) === a.sha256) return bytes;
    }
    let bytes: Uint8Array;
    try {
      const res = await fetch(a.ref);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      throw new Error(`cannot download ${a.ref}: ${(e as Error).message}`);
    }
    check(a, bytes, a.ref);
    writeFileAtomic(cached, bytes);
    return bytes;
  }
  if (!isAbsolute(a.ref)) throw new BadArtifactError(`artifact reference '${a.ref}': expected an absolute path or an http(s) URL`);
  if (!existsSync(a.ref) || !statSync(a.ref).isFile()) {
    throw new BadArtifactError(`${a.ref}: no such file on this machine (a worker reads artifacts by path only on a shared file system; otherwise start the coordinator with --share-url)`);
  }
  const bytes = readFileSync(a.ref);
  check(a, bytes, a.ref);
  return bytes;
}

function check(a: ArtifactRef, bytes: Uint8Array, where: string): void {
  const got = sha256Of(bytes);
  if (got !== a.sha256) {
    throw new BadArtifactError(`${where}: SHA-256 ${got.slice(0, 16)}… (${bytes.length} bytes), but the coordinator published ${a.sha256.slice(0, 16)}… (${a.bytes} bytes): not the file this search evaluates`);
  }
}
