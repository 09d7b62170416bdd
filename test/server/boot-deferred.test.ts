// Start-up work no request needs waits until the server answers (issue 18: compiled `serve` from
// start to first request < 300 ms): the first housekeeping (trash purge, job-history retention,
// blob GC — long on a large library) runs after a delay, never before the first request; so does
// the quota month's catch-up and its crons (node-cron and the time zone data load then); shutdown
// before the delay skips both.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/schema.ts";
import { createContext } from "../../src/composition/context.ts";
import { createLogger, silentLogger } from "../../src/log.ts";
import { createUser } from "../../src/services/accounts/accounts.ts";
import { LAST_RESET_SETTING } from "../../src/quota/index.ts";
import { startServer, type RunningServer } from "../../src/server/boot.ts";

let tmp: string;
let srv: RunningServer | null = null;
afterEach(async () => {
  await srv?.stop();
  srv = null;
  rmSync(tmp, { recursive: true, force: true });
});

/** A data dir with one expired session: the housekeeping's first, synchronous step deletes it. */
async function seeded(): Promise<ReturnType<typeof loadConfig>> {
  tmp = mkdtempSync(join(tmpdir(), "rmirror-boot-"));
  const config = loadConfig({ env: {}, overrides: { dataDir: join(tmp, "data"), port: 0, logLevel: "silent" } });
  const ctx = createContext(config, { log: silentLogger });
  const u = await createUser(ctx, "boot@example.com", null, false);
  ctx.store.insertSession("expired-session", u.id, Date.now() - 1000);
  ctx.store.db.close();
  return config;
}
const sessions = (s: RunningServer) => (s.ctx.store.db.query("SELECT count(*) AS n FROM sessions").get() as { n: number }).n;

test("the first request is answered before the start-up housekeeping runs", async () => {
  const config = await seeded();
  srv = await startServer(config, { log: silentLogger, jobs: false });
  const res = await fetch(`${srv.url}/healthz`);
  expect(res.status).toBe(200);
  expect(sessions(srv)).toBe(1); // not purged yet: housekeeping waits for its delay
});

test("the start-up housekeeping runs after its delay", async () => {
  const config = await seeded();
  const ran = Promise.withResolvers<void>();
  const log = createLogger("info", {}, (line) => {
    if (JSON.parse(line).msg === "housekeeping") ran.resolve();
  });
  srv = await startServer(config, { log, jobs: false, housekeepingDelayMs: 0 });
  await ran.promise;
  expect(sessions(srv)).toBe(0);
});

test("a server stopped before the delay shuts down without running housekeeping", async () => {
  const config = await seeded();
  const lines: string[] = [];
  srv = await startServer(config, { log: createLogger("info", {}, (l) => lines.push(JSON.parse(l).msg)), jobs: false });
  await srv.stop();
  const ctx = createContext(config, { log: silentLogger });
  expect((ctx.store.db.query("SELECT count(*) AS n FROM sessions").get() as { n: number }).n).toBe(1);
  ctx.store.db.close();
  expect(lines).not.toContain("housekeeping");
  expect(lines).toContain("stopped");
  srv = null;
});

const lastReset = (s: RunningServer) => s.ctx.store.settingValue(LAST_RESET_SETTING);

test("the first request is answered before the quota month's catch-up and crons start; a stop before their delay skips them", async () => {
  const config = await seeded();
  srv = await startServer(config, { log: silentLogger, jobs: false, cronDelayMs: 3_600_000 });
  expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
  expect(lastReset(srv)).toBeNull(); // the catch-up has not run
  await srv.stop(); // returns without waiting an hour
  srv = null;
});

test("the quota month's catch-up runs after its delay", async () => {
  const config = await seeded();
  srv = await startServer(config, { log: silentLogger, jobs: false, cronDelayMs: 0 });
  for (let i = 0; i < 6000 && lastReset(srv) === null; i++) await Bun.sleep(5);
  expect(lastReset(srv)).toMatch(/^\d{4}-\d{2}$/);
});
