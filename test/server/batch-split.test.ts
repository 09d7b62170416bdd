// The sync routes' 8 MiB body limit must not strand a real library: `rmirror import` (like the
// agent) sends a batch the server refuses with 413 again in halves until it fits.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run as importCli } from "../../src/cli/import.ts";
import { loadConfig } from "../../src/config/schema.ts";
import { silentLogger } from "../../src/log.ts";
import { createUser } from "../../src/services/accounts/accounts.ts";
import { createDeviceToken } from "../../src/services/accounts/tokens.ts";
import { BODY_LIMITS } from "../../src/server/body.ts";
import { startServer, type RunningServer } from "../../src/server/boot.ts";
import { writeContent, writeMetadata } from "../agent/harness.ts";

let tmp: string;
let srv: RunningServer;
let token: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "rmirror-split-"));
  srv = await startServer(loadConfig({ env: {}, overrides: { dataDir: join(tmp, "data"), port: 0, logLevel: "silent" } }), { log: silentLogger, jobs: false });
  const u = await createUser(srv.ctx, "big@example.com", null, false);
  token = createDeviceToken(srv.ctx, u.id, "importer").token;
});
afterAll(async () => {
  await srv.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test("a batch of big documents over the body limit is sent in halves and arrives whole", async () => {
  const lib = join(tmp, "library");
  (await import("node:fs")).mkdirSync(lib);
  const docs: string[] = [];
  let manifestBytes = 0;
  for (let d = 0; d < 10; d++) {
    const uuid = crypto.randomUUID();
    const pages = Array.from({ length: 9_000 }, () => crypto.randomUUID());
    writeMetadata(lib, uuid, { name: `Big ${d}` });
    writeContent(lib, uuid, pages);
    manifestBytes += pages.length * 100;
    docs.push(uuid);
  }
  expect(manifestBytes).toBeGreaterThan(BODY_LIMITS.syncJsonBytes); // one batch of 10 cannot fit
  expect(await importCli([lib, "--server", srv.url, "--token", token])).toBe(0);
  const res = await fetch(`${srv.url}/api/v1/documents`, { headers: { authorization: `Bearer ${token}` } });
  const listed = ((await res.json()) as { documents: { uuid: string; pageCount?: number }[] }).documents.map((d) => d.uuid);
  expect(listed.sort()).toEqual([...docs].sort());
}, 120_000);
