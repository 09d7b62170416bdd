// A real S3-compatible server on loopback for tests: s3rver (filesystem-backed) in this process.
//
// s3rver is written for Node; two of its Node assumptions do not hold on Bun and are restored here
// before it loads (both only matter once a listing spans more than one page):
// - it encrypts continuation tokens with the cipher alias "des", which Bun's BoringSSL knows only
//   as "des-cbc" (the same cipher): without the alias every truncated ListObjectsV2 answers 500;
// - it walks its folders with fs.readdirSync and relies on Node's sorted order (libuv sorts, Bun
//   does not): unsorted, a page ends at an arbitrary key and the next page skips keys before it.
// The alias also counts the continuation tokens the server was handed back (`tokensUsed`).
import nodeCrypto from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";

const require = createRequire(import.meta.url);
const cryptoModule = nodeCrypto as unknown as Record<string, (...args: unknown[]) => unknown>;
let tokensUsed = 0;
if (!(cryptoModule.createDecipheriv as { s3rverAlias?: boolean }).s3rverAlias) {
  const cipher = cryptoModule.createCipheriv!;
  const decipher = cryptoModule.createDecipheriv!;
  cryptoModule.createCipheriv = (alg: unknown, ...rest: unknown[]) => cipher(alg === "des" ? "des-cbc" : alg, ...rest);
  const aliased = (alg: unknown, ...rest: unknown[]) => {
    if (alg === "des") tokensUsed++;
    return decipher(alg === "des" ? "des-cbc" : alg, ...rest);
  };
  aliased.s3rverAlias = true;
  cryptoModule.createDecipheriv = aliased;
  const utils = require("s3rver/lib/utils") as { walk: (dir: string, filter?: (p: string) => boolean) => Generator<string> };
  utils.walk = function* walk(dir: string, filter?: (p: string) => boolean): Generator<string> {
    for (const name of readdirSync(dir).sort()) {
      const path = posix.join(dir, name);
      if (!statSync(path).isDirectory()) yield path;
      else if (!filter || filter(path)) yield* walk(path, filter);
    }
  };
}
type S3rverInstance = { run(): Promise<{ port: number }>; close(): Promise<void>; httpServer?: { closeAllConnections?(): void } };
const S3rver = require("s3rver") as new (opts: Record<string, unknown>) => S3rverInstance;

/** Close the server and drop open keep-alive connections (a client's pool would hold it open). */
async function shut(server: S3rverInstance | null): Promise<void> {
  if (!server) return;
  const closed = server.close();
  server.httpServer?.closeAllConnections?.();
  await closed;
}

/** How many continuation tokens the loopback S3 has been sent so far (all instances). */
export function continuationTokensUsed(): number {
  return tokensUsed;
}

export interface LoopbackS3 {
  endpoint: string;
  bucket: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  /** Virtual-hosted endpoint for this bucket (`http://<bucket>.s3.localhost:<port>`). */
  vhostEndpoint: string;
  /** Stop answering (connections refused) without losing the stored objects. */
  stop(): Promise<void>;
  /** Answer again on the same port with the same objects. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startS3(bucket = "rmirror-test"): Promise<LoopbackS3> {
  const dir = mkdtempSync(join(tmpdir(), "rmirror-s3-"));
  // serviceEndpoint "localhost": <bucket>.s3.localhost is a virtual-hosted request for <bucket>.
  const make = (port: number) => new S3rver({ address: "127.0.0.1", port, silent: true, directory: dir, serviceEndpoint: "localhost", configureBuckets: [{ name: bucket }] });
  let server: S3rverInstance | null = make(0);
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    vhostEndpoint: `http://${bucket}.s3.localhost:${port}`,
    bucket,
    port,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    async stop() {
      await shut(server);
      server = null;
    },
    async restart() {
      if (server) return;
      server = make(port);
      await server.run();
    },
    async close() {
      await shut(server);
      server = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
