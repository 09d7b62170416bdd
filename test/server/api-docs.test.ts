// /api/openapi.json and /api/docs answer exactly as the @elysiajs/openapi plugin does (issue 18,
// start-up): the server loads the plugin's code only on the first request for them, so the app
// is built twice here — once as `serve` builds it, once with the plugin itself in the same place —
// and both are served on loopback and asked the same requests.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { openapi } from "@elysiajs/openapi";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "bun";
import { createContext } from "../../src/composition/context.ts";
import { loadConfig } from "../../src/config/schema.ts";
import { silentLogger } from "../../src/log.ts";
import { OPENAPI_CONFIG } from "../../src/server/api-docs.ts";
import { createApp } from "../../src/server/app.ts";
import type { AppContext } from "../../src/services/context.ts";

let dir: string;
let ctx: AppContext;
let lazy: Server<undefined>;
let plugin: Server<undefined>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rmirror-apidocs-"));
  ctx = createContext(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: "silent" } }), { log: silentLogger });
  const ours = createApp(ctx);
  const theirs = createApp(ctx, { apiDocs: openapi(OPENAPI_CONFIG) });
  lazy = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (r) => ours.handle(r) });
  plugin = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (r) => theirs.handle(r) });
});

afterAll(async () => {
  await lazy?.stop(true);
  await plugin?.stop(true);
  ctx?.store.db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ask(server: Server<undefined>, path: string, method = "GET") {
  const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
  const headers: [string, string][] = [];
  res.headers.forEach((v, k) => k !== "date" && headers.push([k, v]));
  return { status: res.status, headers, body: await res.text() };
}

for (const [method, path] of [
  ["GET", "/api/openapi.json"],
  ["GET", "/api/docs"],
  ["GET", "/api/openapi.json/"],
  ["GET", "/api/docs/"],
  ["HEAD", "/api/docs"],
  ["POST", "/api/openapi.json"],
] as const) {
  test(`${method} ${path}: the same status, headers and bytes as the @elysiajs/openapi plugin`, async () => {
    const ours = await ask(lazy, path, method);
    const theirs = await ask(plugin, path, method);
    expect(ours).toEqual(theirs);
    if (method === "GET") expect(ours.status).toBe(200);
  });
}

test("the OpenAPI document lists the API and hides its own two routes; asked again, the same bytes", async () => {
  const first = await ask(lazy, "/api/openapi.json");
  const doc = JSON.parse(first.body) as { info: { title: string }; paths: Record<string, unknown> };
  expect(doc.info.title).toBe("rmirror API");
  expect(Object.keys(doc.paths)).toContain("/healthz");
  expect(Object.keys(doc.paths).length).toBeGreaterThan(50);
  expect(Object.keys(doc.paths).filter((p) => p.startsWith("/api/docs") || p.startsWith("/api/openapi"))).toEqual([]);
  expect((await ask(lazy, "/api/openapi.json")).body).toBe(first.body);
  expect((await ask(plugin, "/api/openapi.json")).body).toBe(first.body);
});

test("the docs page is the Scalar page pointing at the document", async () => {
  const page = await ask(lazy, "/api/docs");
  expect(page.body).toContain("<title>rmirror API</title>");
  expect(page.body).toContain('"url":"api/openapi.json"');
});
