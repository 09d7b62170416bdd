// Disk use is bounded: page PNGs come in a fixed few sizes, and blobs nothing refers to any more
// are deleted after the grace period by the daily housekeeping and `rmirror gc` — on disk and on
// S3 (s3rver on loopback) — while blobs that are referenced, fresh, or being written right now
// are kept. Concurrency is driven with barriers: a store wrapper that holds a write, and the
// collector's hook that holds a deletion.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { S3BlobStore } from "../../src/blobs/s3.ts";
import { sha256Hex, type BlobStore, type StoredBlob } from "../../src/blobs/store.ts";
import { run as gcCli } from "../../src/cli/gc.ts";
import { createLogger } from "../../src/log.ts";
import { housekeeping } from "../../src/server/boot.ts";
import { collectGarbage } from "../../src/services/operations/blob-gc.ts";
import { inkPage } from "../ocr/support.ts";
import { startS3, type LoopbackS3 } from "../support/s3.ts";
import { runCaptured } from "../support/cli.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, type Harness, type TestUser } from "../support/server-harness.ts";

const HOUR = 3_600_000;
const LATER = () => Date.now() + 25 * HOUR; // past the default 24-hour grace period

let s3: LoopbackS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(() => s3.close());

/** A blob store that passes everything to a real one, and can hold a putFile after it ran. */
class HeldStore implements BlobStore {
  hold: { sha256: string; entered: () => void; release: Promise<void> } | null = null;
  constructor(readonly inner: BlobStore) {}
  get kind() {
    return this.inner.kind;
  }
  has(s: string) {
    return this.inner.has(s);
  }
  put(s: string, b: Uint8Array) {
    return this.inner.put(s, b);
  }
  size(s: string) {
    return this.inner.size(s);
  }
  isSound(s: string, n: number) {
    return this.inner.isSound(s, n);
  }
  scrub(s: string, n?: number) {
    return this.inner.scrub(s, n);
  }
  async putFile(s: string, p: string) {
    await this.inner.putFile(s, p);
    const h = this.hold;
    if (h && h.sha256 === s) {
      h.entered();
      await h.release;
    }
  }
  get(s: string) {
    return this.inner.get(s);
  }
  stream(s: string) {
    return this.inner.stream(s);
  }
  delete(s: string) {
    return this.inner.delete(s);
  }
  list(): AsyncIterable<StoredBlob> {
    return this.inner.list();
  }
  removeStaleTemp(before: number) {
    return this.inner.removeStaleTemp(before);
  }
  check() {
    return this.inner.check();
  }
}

const kinds = ["disk", "s3"] as const;

for (const kind of kinds) {
  describe(`garbage collection (${kind})`, () => {
    let h: Harness;
    let u: TestUser;
    let store: HeldStore;
    const logLines: string[] = [];

    beforeAll(async () => {
      const inner =
        kind === "s3"
          ? new S3BlobStore({ endpoint: s3.endpoint, bucket: s3.bucket, region: "us-east-1", accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, pathStyle: true, prefix: `gc-${crypto.randomUUID()}/` })
          : null;
      if (inner) {
        store = new HeldStore(inner);
        h = await harness({ blobs: store, log: createLogger("debug", {}, (l) => logLines.push(l)) });
      } else {
        h = await harness({ log: createLogger("debug", {}, (l) => logLines.push(l)) });
        store = new HeldStore(h.ctx.blobs);
        h.ctx.blobs = store;
      }
      u = await addUser(h, `gc-${kind}@example.com`);
    });
    afterAll(() => h.close());

    const upload = (sha: string, bytes: Uint8Array) => call(h, "PUT", `/api/v1/blobs/${sha}`, { token: u.token, body: bytes as Uint8Array<ArrayBuffer> });
    const present = (sha: string) => store.inner.has(sha);
    const owned = (sha: string) => h.ctx.store.userHasBlob(u.id, sha);

    test("page PNGs come in a fixed few sizes: any ?longEdge= is rounded up to one of them", async () => {
      const d = buildDoc([inkPage(1)], { name: "Variants" });
      await syncDoc(h, u.token, d);
      await h.runner.idle();
      const blobsBefore = h.ctx.store.db.query("SELECT count(*) AS n FROM user_blobs WHERE user_id = ?").get(u.id) as { n: number };
      const expected = (n: number) => [256, 512, 1024, 1568, 2048, 4000].find((e) => e >= n)!;
      for (const edge of [16, 100, 200, 256, 300, 400, 511, 600, 700, 800, 900, 1000, 1100, 1200, 1500, 1568, 1600, 1900, 2000, 2500, 3000, 3500, 4000]) {
        const r = await call(h, "GET", `/api/v1/documents/${d.uuid}/pages/${d.input.pages![0]!.id}/png?longEdge=${edge}`, { token: u.token });
        expect(r.status).toBe(200);
        const png = new Uint8Array(await r.arrayBuffer());
        const dv = new DataView(png.buffer);
        expect([edge, Math.max(dv.getUint32(16), dv.getUint32(20))]).toEqual([edge, expected(edge)]);
      }
      const blobsAfter = h.ctx.store.db.query("SELECT count(*) AS n FROM user_blobs WHERE user_id = ?").get(u.id) as { n: number };
      expect(blobsAfter.n - blobsBefore.n).toBeLessThanOrEqual(6);
    });

    test("an unreferenced blob is deleted after the grace period; referenced and fresh ones are kept", async () => {
      const d = buildDoc([inkPage(2)], { name: "Kept" });
      await syncDoc(h, u.token, d);
      await h.runner.idle();
      const pageSha = d.input.pages![0]!.sha256!;
      const pngPath = `/api/v1/documents/${d.uuid}/pages/${d.input.pages![0]!.id}/png`;
      await call(h, "GET", `${pngPath}?longEdge=256`, { token: u.token });
      const oldVariant = h.ctx.store.pageByUuid(u.id, h.ctx.store.documentByUuid(u.id, d.uuid)!.id, d.input.pages![0]!.id)!.png_sha256!;
      await call(h, "GET", `${pngPath}?longEdge=512`, { token: u.token });
      const row = h.ctx.store.pageByUuid(u.id, h.ctx.store.documentByUuid(u.id, d.uuid)!.id, d.input.pages![0]!.id)!;
      // A blob uploaded but named by no document, and bytes in the store no row indexes (a crash).
      const loose = inkPage(3);
      const looseSha = sha256Hex(loose);
      expect((await upload(looseSha, loose)).status).toBe(200);
      const stray = inkPage(4);
      const straySha = sha256Hex(stray);
      await store.inner.put(straySha, stray);

      // Within the grace period nothing goes.
      const fresh = await collectGarbage(h.ctx);
      expect(fresh).toMatchObject({ deleted: 0, unindexed: 0 });
      for (const s of [looseSha, straySha, oldVariant]) expect(await present(s)).toBe(true);

      // A dry run after the grace period reports and deletes nothing.
      const dry = await collectGarbage(h.ctx, { now: LATER(), dryRun: true });
      expect(dry.deleted).toBeGreaterThanOrEqual(2);
      expect(dry.unindexed).toBe(1);
      for (const s of [looseSha, straySha, oldVariant]) expect(await present(s)).toBe(true);
      expect(owned(looseSha)).toBe(true);

      const real = await collectGarbage(h.ctx, { now: LATER() });
      expect({ deleted: real.deleted, unindexed: real.unindexed }).toEqual({ deleted: dry.deleted, unindexed: dry.unindexed });
      for (const s of [looseSha, straySha, oldVariant]) expect([s, await present(s)]).toEqual([s, false]);
      expect(h.ctx.store.blobByHash(looseSha)).toBeNull();
      expect(owned(looseSha)).toBe(false);
      // The page's file, its SVG and its current PNG stay, and still read.
      for (const s of [pageSha, row.svg_sha256!, row.png_sha256!]) expect([s, await present(s), owned(s)]).toEqual([s, true, true]);
      expect((await call(h, "GET", `/api/v1/documents/${d.uuid}/pages/${d.input.pages![0]!.id}/svg`, { token: u.token })).status).toBe(200);
      expect((await call(h, "GET", `${pngPath}?longEdge=512`, { token: u.token })).status).toBe(200);
      // The user who named the collected blob is asked for it again, and can upload it again.
      const again = buildDoc([loose], { name: "Later" });
      const put = await json(await call(h, "PUT", `/api/v1/documents/${again.uuid}`, { token: u.token, json: again.input }));
      expect(put.missing).toEqual([looseSha]);
      expect(await json(await upload(looseSha, loose))).toMatchObject({ stored: true });
      expect(await present(looseSha)).toBe(true);
    });

    test("re-uploading bytes one already has restarts their grace period", async () => {
      const b = inkPage(5);
      const sha = sha256Hex(b);
      expect((await upload(sha, b)).status).toBe(200);
      // As if uploaded 30 hours ago: past the grace period an hour from now.
      h.ctx.store.grantBlob(u.id, sha, Date.now() - 30 * HOUR);
      expect(await collectGarbage(h.ctx, { now: Date.now() + HOUR, dryRun: true })).toMatchObject({ deleted: 1 });
      // The user uploads the same bytes again ("already stored"): the grace period starts again.
      expect(await json(await upload(sha, b))).toMatchObject({ stored: false });
      await collectGarbage(h.ctx, { now: Date.now() + HOUR });
      expect(await present(sha)).toBe(true);
      expect(owned(sha)).toBe(true);
    });

    test("an upload in flight while the collector runs keeps its blob", async () => {
      // The hardest case: the bytes are already in the store, unindexed and old (a crashed earlier
      // upload), so the upload writes nothing and relies on them; the collector runs in between.
      const b = inkPage(6);
      const sha = sha256Hex(b);
      await store.inner.put(sha, b);
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      let release!: () => void;
      store.hold = { sha256: sha, entered, release: new Promise<void>((r) => (release = r)) };
      const up = upload(sha, b);
      await inside; // the upload has checked/written the bytes and not yet indexed them
      const r = await collectGarbage(h.ctx, { now: LATER() });
      expect(r.unindexed).toBe(0);
      release();
      store.hold = null;
      expect((await up).status).toBe(200);
      expect(await present(sha)).toBe(true);
      expect(owned(sha)).toBe(true);
      expect(await (await call(h, "GET", `/api/v1/blobs/${sha}`, { token: u.token })).arrayBuffer()).toEqual(b.buffer as ArrayBuffer);
    });

    test("an upload that arrives while the collector deletes the same blob waits, then stores it again", async () => {
      const b = inkPage(7);
      const sha = sha256Hex(b);
      expect((await upload(sha, b)).status).toBe(200);
      let up: Promise<Response> | null = null;
      const before = logLines.length;
      const r = await collectGarbage(h.ctx, {
        now: LATER(),
        async beforeDelete(shas) {
          if (!shas.includes(sha) || up) return;
          up = upload(sha, b);
          // Barrier: the upload has verified the bytes and is waiting for this deletion to finish.
          await until(() => logLines.slice(before).some((l) => l.includes("blob write waits") && l.includes(sha)), "the upload to wait for the deletion");
        },
      });
      expect(r.deleted).toBeGreaterThanOrEqual(1);
      expect(up).not.toBeNull();
      expect(await json(await up!)).toMatchObject({ stored: true });
      expect(await present(sha)).toBe(true);
      expect(owned(sha)).toBe(true);
      expect(h.ctx.store.blobByHash(sha)).not.toBeNull();
    });

    test("temp files of crashed uploads are removed after a day; a fresh one (an upload in flight) is kept", async () => {
      const old = join(h.ctx.tmpDir, "upload-crashed");
      const live = join(h.ctx.tmpDir, "upload-in-flight");
      writeFileSync(old, "x");
      writeFileSync(live, "y");
      const dayAgo = (Date.now() - 25 * HOUR) / 1000;
      utimesSync(old, dayAgo, dayAgo);
      const r = await collectGarbage(h.ctx, { now: LATER(), graceHours: 0 });
      expect(r.tempFiles).toBeGreaterThanOrEqual(1);
      expect([existsSync(old), existsSync(live)]).toEqual([false, true]);
      rmSync(live);
    });

    test("the daily housekeeping collects garbage", async () => {
      const b = inkPage(8);
      const sha = sha256Hex(b);
      expect((await upload(sha, b)).status).toBe(200);
      await housekeeping(h.ctx, undefined, LATER());
      expect(await present(sha)).toBe(false);
      expect(owned(sha)).toBe(false);
    });
  });
}

test("rmirror gc --dry-run reports, rmirror gc deletes (a data directory the server also uses)", async () => {
  const h = await harness();
  try {
    const u = await addUser(h, "cli@example.com");
    const d = buildDoc([inkPage(20)], { name: "Keep me" });
    await syncDoc(h, u.token, d);
    const loose = inkPage(21);
    const sha = sha256Hex(loose);
    await call(h, "PUT", `/api/v1/blobs/${sha}`, { token: u.token, body: loose as Uint8Array<ArrayBuffer> });
    const dry = await runCaptured(gcCli, ["--dry-run", "--json", "--grace-hours", "0", "--data-dir", h.dir]);
    expect(await h.ctx.blobs.has(sha)).toBe(true);
    const real = await runCaptured(gcCli, ["--json", "--grace-hours", "0", "--data-dir", h.dir]);
    expect([dry.code, real.code]).toEqual([0, 0]);
    const [dr, rr] = [dry, real].map((r) => JSON.parse(r.out));
    expect(dr).toMatchObject({ dryRun: true, deleted: 1 });
    expect(rr).toMatchObject({ dryRun: false, deleted: 1 });
    expect(await h.ctx.blobs.has(sha)).toBe(false);
    expect(await h.ctx.blobs.has(d.input.pages![0]!.sha256!)).toBe(true);
    expect(await gcCli(["--grace-hours", "soon"])).toBe(2);
  } finally {
    await h.close();
  }
});

/** Poll a condition set by concurrent work (a barrier on observable state, not a timing sleep). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await Bun.sleep(5);
  }
  throw new Error(`timed out waiting for ${what}`);
}
