// GET /metrics: valid Prometheus text exposition, numbers that move with requests and jobs,
// route templates (never raw paths) as labels, and the access rule: loopback (not proxied),
// an admin, or RMIRROR_METRICS_TOKEN — anyone else is refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { silentLogger } from "../../src/log.ts";
import { loadConfig } from "../../src/config/schema.ts";
import { quotaMonth } from "../../src/quota/index.ts";
import { startServer, type RunningServer } from "../../src/server/boot.ts";
import { addUser, buildDoc, call, harness, syncDoc, type Harness, type TestUser } from "../support/server-harness.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const METRICS_TOKEN = "metrics-secret-0123456789";
let h: Harness;
let admin: TestUser;
let member: TestUser;

beforeAll(async () => {
  h = await harness({ overrides: { metricsToken: METRICS_TOKEN } });
  admin = await addUser(h, "admin@example.com", true);
  member = await addUser(h, "member@example.com");
});
afterAll(() => h.close());

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict parser for the text format: every line is # HELP, # TYPE or `name{labels} value`. */
function parse(text: string): { samples: Sample[]; types: Map<string, string> } {
  expect(text.endsWith("\n")).toBe(true);
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Set<string>();
  for (const line of text.slice(0, -1).split("\n")) {
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$/.exec(line);
    if (m) {
      help.add(m[1]!);
      continue;
    }
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (m) {
      expect(types.has(m[1]!), `duplicate TYPE ${m[1]}`).toBe(false);
      expect(help.has(m[1]!), `TYPE before HELP for ${m[1]}`).toBe(true);
      types.set(m[1]!, m[2]!);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*)\})? (-?[0-9.e+-]+|[+-]Inf|NaN)$/.exec(line);
    expect(m, `not a valid exposition line: ${JSON.stringify(line)}`).not.toBeNull();
    const [, name, body, value] = m!;
    const labels: Record<string, string> = {};
    for (const l of (body ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1");
    const family = name!.replace(/_(bucket|sum|count)$/, "");
    expect(types.has(name!) || types.get(family) === "histogram", `sample ${name} without TYPE`).toBe(true);
    samples.push({ name: name!, labels, value: value === "+Inf" ? Infinity : value === "-Inf" ? -Infinity : Number(value) });
  }
  return { samples, types };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

async function scrape(): Promise<Sample[]> {
  const res = await call(h, "GET", "/metrics", { token: METRICS_TOKEN });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  return parse(await res.text()).samples;
}

const tick = () => Bun.sleep(5); // afterResponse hooks run just after the response is handed over

describe("access", () => {
  test("an anonymous caller that is not on loopback is refused", async () => {
    const res = await call(h, "GET", "/metrics");
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthorized");
  });

  test("a non-admin user is refused; an admin and the metrics token are let in", async () => {
    expect((await call(h, "GET", "/metrics", { token: member.token })).status).toBe(403);
    expect((await call(h, "GET", "/metrics", { token: admin.token })).status).toBe(200);
    expect((await call(h, "GET", "/metrics", { token: METRICS_TOKEN })).status).toBe(200);
    expect((await call(h, "GET", "/metrics", { token: "wrong-token" })).status).toBe(401);
  });

  test("over real HTTP: loopback is let in, unless proxied or in Tailscale header mode", async () => {
    const dirs: string[] = [];
    const start = async (extra: Record<string, string | boolean>) => {
      const dir = mkdtempSync(join(tmpdir(), "rmirror-metrics-"));
      dirs.push(dir);
      return startServer(loadConfig({ env: {}, overrides: { dataDir: dir, port: 0, logLevel: "silent", ...extra } }), { log: silentLogger, jobs: false });
    };
    const servers: RunningServer[] = [];
    try {
      const plain = await start({});
      servers.push(plain);
      const direct = await fetch(`${plain.url}/metrics`);
      expect(direct.status).toBe(200);
      expect(await direct.text()).toContain("# TYPE rmirror_build_info gauge");
      expect((await fetch(`${plain.url}/metrics`, { headers: { "x-forwarded-for": "203.0.113.9" } })).status).toBe(401);
      expect((await fetch(`${plain.url}/metrics`, { headers: { "tailscale-user-login": "someone@example.com" } })).status).toBe(401);
      const behindTailscale = await start({ tailscaleAuth: true, publicUrl: "https://rmirror.tailnet.ts.net" });
      servers.push(behindTailscale);
      expect((await fetch(`${behindTailscale.url}/metrics`)).status).toBe(401);
    } finally {
      for (const s of servers) await s.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});

describe("content", () => {
  test("parses, and carries build info, uptime, RSS, users and quota", async () => {
    const month = quotaMonth(Date.now(), "UTC");
    h.ctx.store.addQuotaUsage(admin.id, month, 3);
    h.ctx.store.addQuotaUsage(member.id, month, 4);
    const s = await scrape();
    expect(value(s, "rmirror_build_info")).toBe(1);
    expect(s.find((x) => x.name === "rmirror_build_info")!.labels.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(value(s, "rmirror_uptime_seconds")).toBeGreaterThanOrEqual(0);
    expect(value(s, "rmirror_process_resident_memory_bytes")).toBeGreaterThan(10_000_000);
    expect(value(s, "rmirror_users")).toBe(2);
    expect(value(s, "rmirror_ocr_quota_used_pages", { month })).toBe(7);
    expect(value(s, "rmirror_ocr_quota_limit_pages", { month })).toBe(60); // 2 users × the default 30
    expect(value(s, "rmirror_ocr_quota_default_limit_pages")).toBe(30);
  });

  test("request counts and latency move, labelled by route template and status class", async () => {
    const before = await scrape();
    const route = "/api/v1/documents/:uuid";
    const n0 = value(before, "rmirror_http_requests_total", { method: "GET", route, status: "4xx" }) ?? 0;
    for (let i = 0; i < 3; i++) expect((await call(h, "GET", `/api/v1/documents/${crypto.randomUUID()}`, { token: admin.token })).status).toBe(404);
    expect((await call(h, "GET", "/no/such/route")).status).toBe(404);
    await tick();
    const res = await call(h, "GET", "/metrics", { token: METRICS_TOKEN });
    const text = await res.text();
    const after = parse(text).samples;
    expect(value(after, "rmirror_http_requests_total", { method: "GET", route, status: "4xx" })).toBe(n0 + 3);
    expect(value(after, "rmirror_http_request_duration_seconds_count", { method: "GET", route, status: "4xx" })).toBe(n0 + 3);
    expect(value(after, "rmirror_http_request_duration_seconds_bucket", { method: "GET", route, status: "4xx", le: "+Inf" })).toBe(n0 + 3);
    expect(value(after, "rmirror_http_requests_total", { route: "unmatched", status: "4xx" })).toBeGreaterThanOrEqual(1);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/); // no raw ids in labels
    // histogram buckets are cumulative
    const buckets = after.filter((x) => x.name === "rmirror_http_request_duration_seconds_bucket" && x.labels.route === route && x.labels.status === "4xx").map((x) => x.value);
    expect(buckets.length).toBeGreaterThan(5);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!).toBeGreaterThanOrEqual(buckets[i - 1]!);
    // the metrics scrape itself is counted too
    expect(value(after, "rmirror_http_requests_total", { method: "GET", route: "/metrics", status: "2xx" })).toBeGreaterThanOrEqual(1);
  });

  test("job, document and page gauges follow a sync and the render jobs", async () => {
    const before = await scrape();
    expect(value(before, "rmirror_jobs", { kind: "render_page", state: "queued" })).toBeUndefined();
    const docs0 = value(before, "rmirror_documents", { type: "document", state: "live" }) ?? 0;
    // Bytes that are not a .rm page: the render jobs run and fail for good, which is a state too.
    const d = buildDoc([new TextEncoder().encode("not a page 1"), new TextEncoder().encode("not a page 2")], { name: "Metrics" });
    await syncDoc(h, admin.token, d);
    const queued = await scrape();
    expect(value(queued, "rmirror_jobs", { kind: "render_page", state: "queued" })).toBe(2);
    expect(value(queued, "rmirror_documents", { type: "document", state: "live" })).toBe(docs0 + 1);
    expect(value(queued, "rmirror_pages", { render_status: "pending" })).toBe(2);
    expect(value(queued, "rmirror_blobs")).toBe(2);
    h.ctx.config.jobs.maxAttempts = 1;
    for (const j of h.ctx.store.jobsByUser(admin.id, { limit: 10 })) h.ctx.store.db.run("UPDATE jobs SET max_attempts = 1 WHERE id = ?", [j.id]);
    h.runner.start();
    await h.runner.idle();
    const done = await scrape();
    expect(value(done, "rmirror_jobs", { kind: "render_page", state: "queued" })).toBeUndefined();
    expect((value(done, "rmirror_jobs", { kind: "render_page", state: "failed" }) ?? 0) + (value(done, "rmirror_jobs", { kind: "render_page", state: "done" }) ?? 0)).toBe(2);
    expect(value(done, "rmirror_pages", { render_status: "pending" })).toBeUndefined();
  });
});
