// bench/faults.ts — load and faults together, then proof that nothing acknowledged was lost.
//
// A real `rmirror serve` child with its data directory on a small tmpfs and its blobs in a
// loopback S3 (s3rver). Several sync clients (one device token each) upload documents the way the
// agent does (PUT the document, PUT each missing blob, retry what failed). Meanwhile, in turn:
//   1. the disk fills up (a filler file leaves a few kB free), then is freed;
//   2. the S3 store stops answering, then comes back on the same port;
//   3. the server is killed with SIGKILL and started again on the same data.
// At the end every blob the server acknowledged (HTTP 200 to its PUT) is read back from the bucket
// and hashed, and fetched through the API by its owner; `rmirror verify --dry-run` scrubs the lot.
// Mounting the tmpfs needs root; without it the disk-full phase is skipped (said so in the output).
//   bun bench/faults.ts [--clients 4] [--phase-seconds 4] [--disk-mb 32]
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir, cpus } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { sha256Hex } from "../src/blobs/store.ts";
import { loadConfig } from "../src/config/schema.ts";
import { silentLogger } from "../src/log.ts";
import { createUser } from "../src/services/accounts/accounts.ts";
import { createContext } from "../src/composition/context.ts";
import { createDeviceToken } from "../src/services/accounts/tokens.ts";
import { spawnServer, type ChildServer } from "../test/support/child-server.ts";
import { startS3 } from "../test/support/s3.ts";
import { mountSmallDisk } from "../test/support/small-disk.ts";

const { values } = parseArgs({ options: { clients: { type: "string" }, "phase-seconds": { type: "string" }, "disk-mb": { type: "string" } } });
const CLIENTS = Number(values.clients ?? 4);
const PHASE_MS = Number(values["phase-seconds"] ?? 4) * 1000;
const DISK_MB = Number(values["disk-mb"] ?? 32);

const scratch = mkdtempSync(join(tmpdir(), "rmirror-faults-"));
const disk = mountSmallDisk(join(scratch, "data"), DISK_MB);
const dataDir = disk?.dir ?? join(scratch, "data");
if (!disk) console.log(`note: ${mountSmallDisk.why()}; the disk-full phase is skipped`);

const s3 = await startS3("rm-faults");
const env = {
  RMIRROR_DATA_DIR: dataDir,
  RMIRROR_STORAGE: "s3",
  RMIRROR_S3_ENDPOINT: s3.endpoint,
  RMIRROR_S3_BUCKET: s3.bucket,
  RMIRROR_S3_ACCESS_KEY_ID: s3.accessKeyId,
  RMIRROR_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
};
const ctx = createContext(loadConfig({ env, overrides: {} }), { log: silentLogger });
const tokens: { userId: number; token: string }[] = [];
for (let i = 0; i < CLIENTS; i++) {
  const u = await createUser(ctx, `client${i}@example.com`, null, false);
  tokens.push({ userId: u.id, token: createDeviceToken(ctx, u.id, `client ${i}`).token });
}
ctx.store.db.close();

// Real pages (rendered by the server's jobs while the faults happen) when the shared samples are there.
const samplesDir = resolve(import.meta.dir, "../../shared/samples");
const realPages = ["rmc__writing_tools.rm", "rmc__erasers.rm", "rmc__pen_size_test.strokes.rm"]
  .map((f) => join(samplesDir, f))
  .filter(existsSync)
  .map((p) => new Uint8Array(readFileSync(p)));

let server: ChildServer = await spawnServer(env);
let url = server.url;
let stopping = false;
let unexpectedExits = 0;
const killedOnPurpose = new Set<ChildServer>();
const watchExit = (s: ChildServer) =>
  s.proc.exited.then((code) => {
    if (stopping || killedOnPurpose.has(s)) return;
    unexpectedExits++;
    console.log(`server exited by itself (code ${code}):\n${s.logs.slice(-5).join("\n")}`);
  });
watchExit(server);

const stats = { requests: 0, byStatus: new Map<string, number>(), documentsAcked: 0 };
const acknowledged = new Map<string, { owner: number; size: number }>();
const count = (k: string) => stats.byStatus.set(k, (stats.byStatus.get(k) ?? 0) + 1);

async function request(method: string, path: string, token: string, body?: BodyInit, type?: string): Promise<Response | null> {
  stats.requests++;
  try {
    const r = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(type ? { "content-type": type } : {}) }, ...(body ? { body } : {}), signal: AbortSignal.timeout(30_000) });
    count(String(r.status));
    return r;
  } catch {
    count("network");
    return null;
  }
}

async function client(i: number): Promise<void> {
  const { userId, token } = tokens[i]!;
  let n = 0;
  while (!stopping) {
    const uuid = crypto.randomUUID();
    const blobs = new Map<string, Uint8Array>();
    const pages = Array.from({ length: 3 }, (_, k) => {
      const b = k === 0 && realPages.length ? realPages[(i + n) % realPages.length]! : crypto.getRandomValues(new Uint8Array(20_000 + Math.floor(Math.random() * 180_000)));
      const sha = sha256Hex(b);
      blobs.set(sha, b);
      return { id: crypto.randomUUID(), idx: k, sha256: sha, size: b.byteLength };
    });
    const thumb = crypto.getRandomValues(new Uint8Array(8_000));
    blobs.set(sha256Hex(thumb), thumb);
    const doc = {
      metadata: { visibleName: `Client ${i} #${n++}`, type: "DocumentType", parent: "", lastModified: String(Date.now()) },
      fileType: "notebook",
      pages,
      files: [{ path: `${uuid}.thumbnails/${pages[0]!.id}.png`, sha256: sha256Hex(thumb), size: thumb.byteLength }],
    };
    // Like the agent: the document until it is accepted, then each missing blob until it is.
    let missing: string[] | null = null;
    while (!stopping && missing === null) {
      const r = await request("PUT", `/api/v1/documents/${uuid}`, token, JSON.stringify(doc), "application/json");
      if (r?.status === 200) missing = ((await r.json()) as { missing: string[] }).missing;
      else await pause(r);
    }
    if (missing === null) return;
    stats.documentsAcked++;
    for (const sha of missing) {
      for (;;) {
        if (stopping) return;
        const bytes = blobs.get(sha)!;
        const r = await request("PUT", `/api/v1/blobs/${sha}`, token, bytes as Uint8Array<ArrayBuffer>, "application/octet-stream");
        if (r?.status === 200) {
          await r.body?.cancel();
          acknowledged.set(`${userId}:${sha}`, { owner: userId, size: bytes.byteLength });
          break;
        }
        await pause(r);
      }
    }
  }
}

/** Back off after a failure: the server's Retry-After, capped so the bench keeps moving. */
async function pause(r: Response | null): Promise<void> {
  await r?.body?.cancel().catch(() => {});
  const ra = Number(r?.headers.get("retry-after") ?? 0);
  await Bun.sleep(Math.min(ra > 0 ? ra * 1000 : 100, 250));
}

const log = (msg: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${msg}`);
const t0 = performance.now();
const running = Array.from({ length: CLIENTS }, (_, i) => client(i));

await Bun.sleep(PHASE_MS);
log("steady load");
if (disk) {
  const s = statfsSync(dataDir);
  const filler = join(dataDir, "filler");
  writeFileSync(filler, new Uint8Array(Math.max(0, s.bavail * s.bsize - 16 * 1024)));
  log(`disk filled (${readdirSync(dataDir).join(", ")})`);
  await Bun.sleep(PHASE_MS);
  rmSync(filler);
  log("disk freed");
  await Bun.sleep(PHASE_MS);
}
await s3.stop();
log("storage stopped");
await Bun.sleep(PHASE_MS);
await s3.restart();
log("storage back");
await Bun.sleep(PHASE_MS);
killedOnPurpose.add(server);
server.proc.kill("SIGKILL");
await server.proc.exited;
log("server killed (SIGKILL)");
server = await spawnServer(env);
url = server.url;
watchExit(server);
log("server restarted");
await Bun.sleep(PHASE_MS);
stopping = true;
await Promise.all(running);
const seconds = (performance.now() - t0) / 1000;
log("clients stopped; verifying");

// Every acknowledged blob, read back from the bucket by an independent client and through the API.
const bucket = new Bun.S3Client({ endpoint: s3.endpoint, bucket: s3.bucket, region: "us-east-1", accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
let presentInBucket = 0;
let servedToOwner = 0;
const lost: string[] = [];
for (const [key, { owner }] of acknowledged) {
  const sha = key.split(":")[1]!;
  const f = bucket.file(`${sha.slice(0, 2)}/${sha}`);
  const ok = (await f.exists()) && sha256Hex(new Uint8Array(await f.arrayBuffer())) === sha;
  if (ok) presentInBucket++;
  else lost.push(sha);
  const r = await fetch(`${url}/api/v1/blobs/${sha}`, { headers: { authorization: `Bearer ${tokens.find((t) => t.userId === owner)!.token}` } });
  if (r.status === 200 && sha256Hex(new Uint8Array(await r.arrayBuffer())) === sha) servedToOwner++;
}
log(`${acknowledged.size} acknowledged blobs checked; stopping the server`);
server.proc.kill("SIGTERM");
await server.proc.exited;
log("server stopped; rmirror verify --dry-run");
// Not spawnSync: the loopback S3 answering verify's reads runs in this process.
const verify = Bun.spawn([process.execPath, resolve(import.meta.dir, "../src/main.ts"), "verify", "--dry-run", "--json"], { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
const [verifyOut, verifyErr, verifyExit] = await Promise.all([new Response(verify.stdout).text(), new Response(verify.stderr).text(), verify.exited]);
let scrub: { checked?: number; damaged?: unknown[] } = {};
try {
  scrub = JSON.parse(verifyOut);
} catch {
  console.log(`rmirror verify did not answer JSON (exit ${verifyExit}): ${verifyErr.slice(0, 500)}`);
}

const byStatus = Object.fromEntries([...stats.byStatus].sort());
const figures = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
  clients: CLIENTS,
  seconds: Number(seconds.toFixed(1)),
  requests: stats.requests,
  requestsPerSecond: Math.round(stats.requests / seconds),
  byStatus,
  documentsAccepted: stats.documentsAcked,
  blobsAcknowledged: acknowledged.size,
  presentInBucket,
  servedToOwner,
  lost: lost.length,
  serverDiedByItself: unexpectedExits,
  verify: { checked: scrub.checked, damaged: scrub.damaged?.length },
  diskFullPhase: Boolean(disk),
};
console.log(JSON.stringify(figures, null, 2));
await s3.close();
disk?.unmount();
rmSync(scratch, { recursive: true, force: true });
process.exit(lost.length || unexpectedExits || presentInBucket !== acknowledged.size ? 1 : 0);
