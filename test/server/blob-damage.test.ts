// A damaged stored blob (a 0-byte object left by a storage crash, a truncated or bit-flipped
// file) must not be trusted forever: an upload of bytes that are "already present" checks the
// stored copy (size always, the hash where that is cheap) and rewrites a damaged one, and
// `rmirror verify` scrubs every stored blob, reports the damaged ones and forgets them so the
// owner's next upload of that hash repairs it. Disk and S3 (s3rver on loopback).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, truncateSync, writeFileSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DiskBlobStore } from "../../src/blobs/disk.ts";
import { S3BlobStore } from "../../src/blobs/s3.ts";
import { sha256Hex } from "../../src/blobs/store.ts";
import { verifyBlobs } from "../../src/services/operations/verify.ts";
import { HAVE_SAMPLES, sample } from "../support/samples.ts";
import { startS3, type LoopbackS3 } from "../support/s3.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, type Harness } from "../support/server-harness.ts";

let s3: LoopbackS3;
beforeAll(async () => {
  s3 = await startS3("rm-damage");
});
afterAll(async () => {
  await s3.close();
});

type Kind = "disk" | "s3";
async function makeHarness(kind: Kind): Promise<Harness> {
  if (kind === "disk") return harness();
  return harness({
    overrides: { storage: "s3", "s3.endpoint": s3.endpoint, "s3.bucket": s3.bucket, "s3.prefix": `${crypto.randomUUID()}/`, "s3.accessKeyId": s3.accessKeyId, "s3.secretAccessKey": s3.secretAccessKey },
  });
}

/** Replace the stored copy behind the store's back (what a crash or a bad disk leaves). */
async function damage(h: Harness, sha: string, bytes: Uint8Array): Promise<void> {
  const store = h.ctx.blobs;
  if (store instanceof DiskBlobStore) {
    mkdirSync(dirname(store.pathOf(sha)), { recursive: true });
    writeFileSync(store.pathOf(sha), bytes);
  } else if (store instanceof S3BlobStore) {
    await store.client.write(store.keyOf(sha), bytes);
  } else throw new Error("unknown store");
}

async function download(h: Harness, token: string, sha: string): Promise<{ status: number; bytes: Uint8Array }> {
  const r = await call(h, "GET", `/api/v1/blobs/${sha}`, { token });
  return { status: r.status, bytes: new Uint8Array(await r.arrayBuffer()) };
}

async function upload(h: Harness, token: string, sha: string, bytes: Uint8Array): Promise<Response> {
  return call(h, "PUT", `/api/v1/blobs/${sha}`, { token, body: bytes as Uint8Array<ArrayBuffer> });
}

for (const kind of ["disk", "s3"] as const) {
  describe(`damaged blobs (${kind})`, () => {
    test("a 0-byte copy left by a crash before the upload was acknowledged is rewritten by the retry", async () => {
      const h = await makeHarness(kind);
      try {
        const u = await addUser(h, "crash@example.com");
        const bytes = crypto.getRandomValues(new Uint8Array(40_000));
        const sha = sha256Hex(bytes);
        await damage(h, sha, new Uint8Array(0));
        const r = await upload(h, u.token, sha, bytes);
        expect(r.status).toBe(200);
        const got = await download(h, u.token, sha);
        expect(got.status).toBe(200);
        expect(sha256Hex(got.bytes)).toBe(sha);
      } finally {
        await h.close();
      }
    });

    test("an acknowledged blob damaged later is rewritten by the next upload of the same bytes", async () => {
      const h = await makeHarness(kind);
      try {
        const u = await addUser(h, "later@example.com");
        const bytes = crypto.getRandomValues(new Uint8Array(30_000));
        const sha = sha256Hex(bytes);
        expect((await upload(h, u.token, sha, bytes)).status).toBe(200);
        await damage(h, sha, bytes.slice(0, 1000)); // truncated
        const again = await upload(h, u.token, sha, bytes);
        expect(again.status).toBe(200);
        expect((await json(again)).stored).toBe(true);
        expect(sha256Hex((await download(h, u.token, sha)).bytes)).toBe(sha);
        // Healthy now: a further upload is the cheap no-op again.
        expect((await json(await upload(h, u.token, sha, bytes))).stored).toBe(false);
      } finally {
        await h.close();
      }
    });

    test("verify reports damaged and missing blobs, forgets them, and the owner's next upload repairs them", async () => {
      const h = await makeHarness(kind);
      try {
        const u = await addUser(h, "scrub@example.com");
        const pages = [0, 1, 2, 3].map(() => crypto.getRandomValues(new Uint8Array(5000)));
        const d = buildDoc(pages, { name: "Scrubbed" });
        await syncDoc(h, u.token, d);
        const [good, empty, flipped, gone] = [...d.blobs.keys()] as [string, string, string, string];
        await damage(h, empty, new Uint8Array(0));
        const bad = d.blobs.get(flipped)!.slice();
        bad[100] = bad[100]! ^ 0xff; // same size, wrong content
        await damage(h, flipped, bad);
        await h.ctx.blobs.delete(gone);

        const report = await verifyBlobs(h.ctx, { repair: true });
        expect(report.checked).toBe(4);
        expect(report.ok).toBe(1);
        const problems = Object.fromEntries(report.damaged.map((x) => [x.sha256, x.problem]));
        expect(problems).toEqual({ [empty]: "size", [flipped]: "hash", [gone]: "missing" });
        expect(report.repaired).toBe(3);

        // The damaged copies are gone and the owner is asked for them again.
        for (const sha of [empty, flipped, gone]) expect(await h.ctx.blobs.has(sha)).toBe(false);
        expect(await h.ctx.blobs.has(good)).toBe(true);
        const put = await json(await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: u.token, json: d.input }));
        expect([...put.missing].sort()).toEqual([empty, flipped, gone].sort());
        const listed = await json(await call(h, "GET", `/api/v1/documents/${d.uuid}/pages`, { token: u.token }));
        const statusBySha = Object.fromEntries((listed.pages as { sha256: string; render_status?: string; renderStatus?: string; status?: string }[]).map((p) => [p.sha256, p.render_status ?? p.renderStatus ?? p.status]));
        for (const sha of [empty, flipped, gone]) expect(statusBySha[sha]).toBe("awaiting_blob");

        for (const sha of put.missing as string[]) expect((await upload(h, u.token, sha, d.blobs.get(sha)!)).status).toBe(200);
        for (const sha of d.blobs.keys()) expect(sha256Hex((await download(h, u.token, sha)).bytes)).toBe(sha);
        const clean = await verifyBlobs(h.ctx, { repair: false });
        expect(clean).toMatchObject({ checked: 4, ok: 4, damaged: [] });
      } finally {
        await h.close();
      }
    });
  });
}

test.skipIf(!HAVE_SAMPLES)("verify: a damaged rendered SVG is forgotten and the page is rendered again", async () => {
  const h = await makeHarness("disk");
  try {
    const u = await addUser(h, "svg@example.com");
    const d = buildDoc([new Uint8Array(readFileSync(sample("rmc__writing_tools.rm")))], { name: "Rendered" });
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    const page = h.ctx.store.pagesByDocument(h.ctx.store.documentByUuid(u.id, d.uuid)!.id)[0]!;
    expect(page.render_status).toBe("done");
    const svg = page.svg_sha256!;
    await damage(h, svg, new Uint8Array(0));
    const report = await verifyBlobs(h.ctx, { repair: true });
    expect(report.damaged.map((x) => x.sha256)).toEqual([svg]);
    await h.runner.idle();
    const after = h.ctx.store.pageById(page.id)!;
    expect(after.render_status).toBe("done");
    expect(after.svg_sha256).toBe(svg); // same strokes, same SVG: rendered and stored again
    expect(await h.ctx.blobs.has(svg)).toBe(true);
    expect((await verifyBlobs(h.ctx, { repair: false })).damaged).toEqual([]);
  } finally {
    await h.close();
  }
});

test("rmirror verify (the command) exits 1 and names a damaged blob, 0 when all are sound", async () => {
  const h = await makeHarness("disk");
  try {
    const u = await addUser(h, "cli@example.com");
    const d = buildDoc([crypto.getRandomValues(new Uint8Array(3000)), crypto.getRandomValues(new Uint8Array(3000))]);
    await syncDoc(h, u.token, d);
    const [a] = [...d.blobs.keys()] as [string];
    truncateSync((h.ctx.blobs as DiskBlobStore).pathOf(a), 10);
    const main = resolve(import.meta.dir, "../../src/main.ts");
    const run = (...args: string[]) => Bun.spawnSync([process.execPath, main, "verify", "--data-dir", h.dir, ...args], { env: { ...process.env, RMIRROR_LOG_LEVEL: "silent" } });
    const first = run();
    expect(first.exitCode).toBe(1);
    expect(first.stdout.toString() + first.stderr.toString()).toContain(a);
    const second = run("--json");
    expect(second.exitCode).toBe(0); // the first run forgot the damaged copy; nothing damaged is left
    expect(JSON.parse(second.stdout.toString())).toMatchObject({ checked: 1, ok: 1, damaged: [] });
  } finally {
    await h.close();
  }
});
