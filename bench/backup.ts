// bench/backup.ts — `rmirror backup` / `rmirror restore` throughput on a generated library:
// --docs documents × --pages pages, every page a unique random blob of --kb kB (so nothing
// de-duplicates), synced through the real sync routes in-process. Then: a full backup, an
// incremental one into the same directory (nothing new), one after 1 % of documents changed,
// and a verified restore into an empty directory.
//   bun bench/backup.ts [--docs 500] [--pages 4] [--kb 50]
import { rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/schema.ts";
import { createBackup, restoreBackup } from "../src/services/operations/backup.ts";
import { addUser, buildDoc, harness, syncDoc } from "../test/support/server-harness.ts";

const { values } = parseArgs({ options: { docs: { type: "string" }, pages: { type: "string" }, kb: { type: "string" } } });
const DOCS = Number(values.docs ?? 500);
const PAGES = Number(values.pages ?? 4);
const KB = Number(values.kb ?? 50);

const h = await harness();
const u = await addUser(h, "bench@example.com");
const page = () => crypto.getRandomValues(new Uint8Array(KB * 1024));
for (let d = 0; d < DOCS; d++) await syncDoc(h, u.token, buildDoc(Array.from({ length: PAGES }, page), { name: `Bench ${d}` }));
const dest = join(h.dir, "..", `${h.dir.split("/").at(-1)}-backup`);
const mb = (n: number) => (n / 1e6).toFixed(1);

const time = async <T>(f: () => Promise<T>) => {
  const t0 = performance.now();
  const r = await f();
  return { r, ms: performance.now() - t0 };
};
const full = await time(() => createBackup(h.ctx.config, dest));
const again = await time(() => createBackup(h.ctx.config, dest));
for (let d = 0; d < Math.max(1, DOCS / 100); d++) await syncDoc(h, u.token, buildDoc(Array.from({ length: PAGES }, page), { name: `Changed ${d}` }));
const delta = await time(() => createBackup(h.ctx.config, dest));
const c = loadConfig({ env: {}, overrides: { dataDir: `${dest}-restored` } });
const restore = await time(() => restoreBackup(dest, { dataDir: c.dataDir, dbPath: c.dbPath, filesDir: c.filesDir }));

const b = full.r.blobs.kind === "disk" ? full.r.blobs : null;
console.log(`library: ${DOCS} documents, ${DOCS * PAGES} pages, ${full.r.counts.blobs} blobs (${mb(full.r.counts.blobBytes)} MB), database ${mb(full.r.database.bytes)} MB`);
console.log(`full backup: ${full.ms.toFixed(0)} ms (${b?.copied} blobs copied, ${(full.r.counts.blobBytes / 1e6 / (full.ms / 1000)).toFixed(0)} MB/s)`);
console.log(`incremental, nothing new: ${again.ms.toFixed(0)} ms`);
console.log(`incremental after ${Math.max(1, DOCS / 100)} new documents: ${delta.ms.toFixed(0)} ms (${delta.r.blobs.kind === "disk" ? delta.r.blobs.copied : 0} blobs copied)`);
console.log(`verified restore: ${restore.ms.toFixed(0)} ms (${restore.r.blobs} blobs hashed and copied)`);
await h.close();
rmSync(dest, { recursive: true, force: true });
rmSync(`${dest}-restored`, { recursive: true, force: true });
