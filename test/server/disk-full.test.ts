// A full disk must not kill the server: a blob upload that runs out of space answers 507
// (code storage_full), its temp file is removed, and the server keeps serving. Run against the
// real `serve` as a child process (an unhandled error would end it) with its data directory on a
// real 8 MB tmpfs. Mounting needs root: the test is skipped with a message otherwise.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256Hex } from "../../src/blobs/store.ts";
import { loadConfig } from "../../src/config/schema.ts";
import { silentLogger } from "../../src/log.ts";
import { createUser } from "../../src/services/accounts/accounts.ts";
import { createContext } from "../../src/composition/context.ts";
import { createDeviceToken } from "../../src/services/accounts/tokens.ts";
import { spawnServer, type ChildServer } from "../support/child-server.ts";
import { mountSmallDisk, type SmallDisk } from "../support/small-disk.ts";

let disk: SmallDisk | null = null;
let server: ChildServer | null = null;
let token = "";
const scratch = mkdtempSync(join(tmpdir(), "rmirror-diskfull-"));

beforeAll(async () => {
  disk = mountSmallDisk(join(scratch, "mnt"), 8);
  if (!disk) return;
  const ctx = createContext(loadConfig({ env: {}, overrides: { dataDir: disk.dir } }), { log: silentLogger });
  const user = await createUser(ctx, "full@example.com", null, true);
  token = createDeviceToken(ctx, user.id, "disk full").token;
  ctx.store.db.close();
  server = await spawnServer({ RMIRROR_DATA_DIR: disk.dir });
});
afterAll(async () => {
  if (server) {
    server.proc.kill("SIGKILL");
    await server.proc.exited;
  }
  disk?.unmount();
  rmSync(scratch, { recursive: true, force: true });
});

const put = (bytes: Uint8Array) =>
  fetch(`${server!.url}/api/v1/blobs/${sha256Hex(bytes)}`, { method: "PUT", headers: { authorization: `Bearer ${token}` }, body: bytes as Uint8Array<ArrayBuffer> });
const tmpFiles = () => readdirSync(join(disk!.dir, "files", ".tmp")).filter((f) => f.startsWith("upload-"));
const free = () => {
  const s = statfsSync(disk!.dir);
  return s.bavail * s.bsize;
};

test.skipIf(!mountSmallDisk.possible())("a blob larger than the free space: 507 storage_full, temp file removed, server keeps serving", async () => {
  const big = crypto.getRandomValues(new Uint8Array(12 * 1024 * 1024));
  const r = await put(big);
  expect(r.status).toBe(507);
  expect((await r.json()).error.code).toBe("storage_full");
  expect(tmpFiles()).toEqual([]);
  expect(server!.proc.exitCode).toBeNull();
  const health = await fetch(`${server!.url}/healthz`);
  expect(health.status).toBe(200);
  // The space came back with the temp file: a blob that fits is stored.
  const small = crypto.getRandomValues(new Uint8Array(200_000));
  expect((await put(small)).status).toBe(200);
});

test.skipIf(!mountSmallDisk.possible())("a disk filled by something else: uploads get 507 until space is freed, then succeed", async () => {
  const filler = join(disk!.dir, "filler");
  writeFileSync(filler, new Uint8Array(Math.max(0, free() - 64 * 1024)));
  const blobs = Array.from({ length: 3 }, () => crypto.getRandomValues(new Uint8Array(256 * 1024)));
  for (const b of blobs) {
    const r = await put(b);
    expect(r.status).toBe(507);
    expect((await r.json()).error.code).toBe("storage_full");
  }
  expect(tmpFiles()).toEqual([]);
  expect(server!.proc.exitCode).toBeNull();
  expect([200, 503]).toContain((await fetch(`${server!.url}/healthz`)).status); // answers, whatever it reports
  rmSync(filler);
  for (const b of blobs) expect((await put(b)).status).toBe(200);
  for (const b of blobs) {
    const got = await fetch(`${server!.url}/api/v1/blobs/${sha256Hex(b)}`, { headers: { authorization: `Bearer ${token}` } });
    expect(sha256Hex(new Uint8Array(await got.arrayBuffer()))).toBe(sha256Hex(b));
  }
  expect((await fetch(`${server!.url}/healthz`)).status).toBe(200);
});

test.skipIf(mountSmallDisk.possible())("disk-full tests need root to mount a tmpfs (skipped)", () => {
  console.warn(`skipped: ${mountSmallDisk.why()}`);
});
