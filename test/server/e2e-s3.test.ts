// End to end over a real port with blobs in S3 (s3rver on loopback): first-run admin from the
// environment, login + CSRF token creation, `rmirror import` of a real xochitl folder through
// the sync protocol, render jobs by the real runner, downloads, re-import idempotence, user CLI.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run as importCli } from "../../src/cli/import.ts";
import { run as userCli } from "../../src/cli/user.ts";
import { loadConfig } from "../../src/config/schema.ts";
import { createLogger, silentLogger } from "../../src/log.ts";
import { startServer, type RunningServer } from "../../src/server/boot.ts";
import { HAVE_SAMPLES, sample } from "../support/samples.ts";
import { startS3, type LoopbackS3 } from "../support/s3.ts";

let s3: LoopbackS3;
let srv: RunningServer;
const dir = mkdtempSync(join(tmpdir(), "rmirror-e2e-"));

beforeAll(async () => {
  s3 = await startS3();
  const config = loadConfig({
    env: { RMIRROR_ADMIN_EMAIL: "admin@example.com", RMIRROR_ADMIN_PASSWORD: "admin password", RMIRROR_S3_ACCESS_KEY_ID: s3.accessKeyId, RMIRROR_S3_SECRET_ACCESS_KEY: s3.secretAccessKey },
    overrides: { dataDir: dir, port: 0, storage: "s3", "s3.endpoint": s3.endpoint, "s3.bucket": s3.bucket, "s3.prefix": "rm/", logLevel: "silent", "jobs.pollMs": 20 },
  });
  srv = await startServer(config, { log: process.env.E2E_LOG ? createLogger("error") : silentLogger });
});
afterAll(async () => {
  await srv?.stop();
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
});

async function waitForJobs(url: string, headers: Record<string, string>) {
  for (let i = 0; i < 600; i++) {
    const c = (await (await fetch(`${url}/api/v1/jobs?limit=1`, { headers })).json()).counts.render_page ?? {};
    if (!c.queued && !c.running) return c as Record<string, number>;
    await Bun.sleep(20);
  }
  throw new Error("jobs did not finish");
}

test.skipIf(!HAVE_SAMPLES)("S3-backed server over a real port: import, render, download, re-import", async () => {
  const health = await (await fetch(`${srv.url}/healthz`)).json();
  expect(health).toMatchObject({ status: "ok", storage: "s3", checks: { db: "ok", storage: "ok" } });

  // The admin from RMIRROR_ADMIN_* logs in and creates a device token (cookie + CSRF).
  const login = await fetch(`${srv.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "admin@example.com", password: "admin password" }) });
  expect(login.status).toBe(200);
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
  const { csrfToken } = await login.json();
  const created = await fetch(`${srv.url}/api/v1/tokens`, { method: "POST", headers: { cookie, "x-csrf-token": csrfToken, "content-type": "application/json" }, body: JSON.stringify({ name: "importer" }) });
  const { token } = await created.json();
  const auth = { authorization: `Bearer ${token}` };

  // rmirror import <xochitl folder> over HTTP.
  expect(await importCli([sample("rm2pdf__testfiles"), "--server", srv.url, "--token", token])).toBe(0);
  const counts = await waitForJobs(srv.url, auth);
  expect(counts.failed ?? 0).toBe(0);
  expect(counts.done).toBeGreaterThan(0);
  const { documents } = await (await fetch(`${srv.url}/api/v1/documents`, { headers: auth })).json();
  expect(documents.map((d: any) => d.uuid).sort()).toEqual(
    ["cc8313bb-5fab-4ab5-af39-46e6d4160df3", "d34df12d-e72b-4939-a791-5b34b3a810e7", "e724bba2-266f-434d-aaf2-935d2b405aee", "fbe9f971-03ba-4c21-a0e8-78dd921f9c4c"].sort(),
  );

  // An annotated PDF downloads as PDF; a notebook page as SVG; its blobs live in S3.
  const annotated = "cc8313bb-5fab-4ab5-af39-46e6d4160df3";
  const pdf = await fetch(`${srv.url}/api/v1/documents/${annotated}/pdf`, { headers: auth });
  expect(pdf.status).toBe(200);
  expect(new TextDecoder().decode(new Uint8Array(await pdf.arrayBuffer()).subarray(0, 5))).toBe("%PDF-");
  const nb = await (await fetch(`${srv.url}/api/v1/documents/d34df12d-e72b-4939-a791-5b34b3a810e7`, { headers: auth })).json();
  expect(nb.pages[0].renderStatus).toBe("done");
  const svg = await fetch(`${srv.url}/api/v1/documents/${nb.uuid}/pages/${nb.pages[0].id}/svg`, { headers: auth });
  expect(svg.status).toBe(200);
  expect(await srv.ctx.blobs.has(nb.pages[0].sha256)).toBe(true);
  expect(srv.ctx.blobs.kind).toBe("s3");

  // Re-import: nothing changes, nothing is re-rendered.
  const jobsBefore = srv.ctx.store.jobCounts();
  expect(await importCli([sample("rm2pdf__testfiles"), "--server", srv.url, "--token", token])).toBe(0);
  expect(srv.ctx.store.jobCounts()).toEqual(jobsBefore);

  // The multipart upload endpoint takes an app export the same way.
  const form = new FormData();
  form.set("file", Bun.file(sample("rmapi__annotations_testfiles_a4.zip")));
  const up = await fetch(`${srv.url}/api/v1/import`, { method: "POST", headers: auth, body: form });
  expect(up.status).toBe(201);
  const summary = await up.json();
  expect(summary.documents.length).toBe(1);
  await waitForJobs(srv.url, auth);
  const a4 = await (await fetch(`${srv.url}/api/v1/documents/${summary.documents[0].uuid}`, { headers: auth })).json();
  expect(a4.fileType).toBe("pdf");
  expect(a4.pages.some((p: any) => p.renderStatus === "done")).toBe(true);

  // Bad CLI usage.
  expect(await importCli([sample("rm2pdf__testfiles"), "--server", srv.url])).toBe(2);
  expect(await importCli([sample("rm2pdf__testfiles"), "--server", srv.url, "--token", "rmt_wrong"])).toBe(1);
});

test("rmirror user add/list/passwd against the live database", async () => {
  const data = ["--data", dir];
  const env = process.env;
  const saved = { ...env };
  try {
    // The S3 settings the server needs are not needed for user chores; keep the env clean.
    expect(await userCli(["add", "cli@example.com", ...data])).toBe(0);
    expect(await userCli(["add", "cli@example.com", ...data])).toBe(1); // email taken
    expect(await userCli(["add", "not-an-email", ...data])).toBe(1);
    expect(await userCli(["passwd", "cli@example.com", ...data])).toBe(0);
    expect(await userCli(["passwd", "ghost@example.com", ...data])).toBe(1);
    expect(await userCli(["list", ...data])).toBe(0);
    expect(await userCli(["frobnicate", ...data])).toBe(2);
  } finally {
    Object.assign(process.env, saved);
  }
  expect(srv.ctx.store.userByEmail("cli@example.com")).not.toBeNull();
  expect(srv.ctx.store.userByEmail("admin@example.com")!.is_admin).toBe(1);
});
