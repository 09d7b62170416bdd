// Prometheus metrics: HTTP request counts and latency (recorded by a hook in server/app.ts, keyed
// by route template so the number of series stays bounded), plus gauges read from the database at
// scrape time (jobs, documents, pages, OCR, quota) and process facts (RSS, uptime, build).
// Text exposition format 0.0.4.
import { isLoopback } from "../accounts/accounts.ts";
import type { AppContext } from "../context.ts";
import { safeEqual } from "../accounts/crypto.ts";
import { DEFAULT_LIMIT_SETTING, effectiveLimit, quotaMonth } from "../../quota/index.ts";
import { metricsRepo } from "../../storage/metrics.ts";
import { VERSION, commit } from "../../version.ts";

/** Latency buckets in seconds (API calls are ms; renders and uploads can take seconds). */
export const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

interface Series {
  method: string;
  route: string;
  status: string;
  count: number;
  sum: number;
  buckets: number[];
}

export class HttpMetrics {
  private readonly series = new Map<string, Series>();

  /** Record one request. `route` is the matched template ("/api/v1/documents/:uuid"), or null when no route matched. */
  observe(method: string, route: string | null, status: number, seconds: number): void {
    const m = METHODS.has(method) ? method : "OTHER";
    const r = route ?? "unmatched";
    const s = `${Math.floor(status / 100)}xx`;
    const key = `${m} ${r} ${s}`;
    let e = this.series.get(key);
    if (!e) this.series.set(key, (e = { method: m, route: r, status: s, count: 0, sum: 0, buckets: BUCKETS.map(() => 0) }));
    e.count++;
    e.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) e.buckets[i]!++;
  }

  all(): Series[] {
    return [...this.series.values()].sort((a, b) => (a.route === b.route ? (a.method + a.status).localeCompare(b.method + b.status) : a.route.localeCompare(b.route)));
  }
}

const registries = new WeakMap<AppContext, HttpMetrics>();
export function httpMetrics(ctx: AppContext): HttpMetrics {
  let m = registries.get(ctx);
  if (!m) registries.set(ctx, (m = new HttpMetrics()));
  return m;
}

const startedAt = Date.now();
let buildCommit: string | null = null;

export interface MetricsCaller {
  /** The bearer token sent, if any. */
  bearer: string | null;
  peerIp: string | null;
  /** A proxy put forwarding headers on the request (then a loopback peer is not the real caller). */
  proxied: boolean;
}

/**
 * May this caller read /metrics without a user login? Yes for the configured metrics token, and
 * for a loopback peer that is not a proxy (no forwarding headers, trusted-header mode off: with
 * `tailscale serve` in front every request arrives from loopback). Otherwise the route asks for an
 * admin (device token or session).
 */
export function metricsAllowedAnonymously(ctx: AppContext, c: MetricsCaller): boolean {
  const token = ctx.config.metricsToken;
  if (token && c.bearer && safeEqual(c.bearer, token)) return true;
  return isLoopback(c.peerIp) && !c.proxied && !ctx.config.tailscaleAuth;
}

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (l: Record<string, string>) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
};
const num = (n: number) => (n === Infinity ? "+Inf" : n === -Infinity ? "-Inf" : Number.isNaN(n) ? "NaN" : String(n));

class Writer {
  readonly lines: string[] = [];
  family(name: string, type: "gauge" | "counter" | "histogram", help: string): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }
  sample(name: string, l: Record<string, string>, v: number): this {
    this.lines.push(`${name}${labels(l)} ${num(v)}`);
    return this;
  }
}

/** The whole exposition, one scrape. */
export function renderMetrics(ctx: AppContext, now = Date.now()): string {
  const repo = metricsRepo(ctx.store.db);
  const w = new Writer();
  buildCommit ??= commit();

  w.family("rmirror_build_info", "gauge", "Build of the running rmirror (value is always 1).").sample("rmirror_build_info", { version: VERSION, commit: buildCommit, bun: Bun.version }, 1);
  w.family("rmirror_start_time_seconds", "gauge", "Unix time the process started.").sample("rmirror_start_time_seconds", {}, Math.floor(startedAt / 1000));
  w.family("rmirror_uptime_seconds", "gauge", "Seconds since the process started.").sample("rmirror_uptime_seconds", {}, Math.round((now - startedAt) / 100) / 10);
  const mem = process.memoryUsage();
  w.family("rmirror_process_resident_memory_bytes", "gauge", "Resident set size of the process.").sample("rmirror_process_resident_memory_bytes", {}, mem.rss);
  w.family("rmirror_process_heap_used_bytes", "gauge", "JavaScript heap in use.").sample("rmirror_process_heap_used_bytes", {}, mem.heapUsed);

  w.family("rmirror_jobs", "gauge", "Jobs in the durable queue by kind and state.");
  for (const r of repo.jobCountsByKindStatus()) w.sample("rmirror_jobs", { kind: r.kind, state: r.status }, r.n);

  w.family("rmirror_documents", "gauge", "Documents and folders (state: live or deleted, awaiting purge).");
  for (const r of repo.documentCounts()) w.sample("rmirror_documents", { type: r.type === "CollectionType" ? "folder" : "document", state: r.deleted ? "deleted" : "live" }, r.n);
  w.family("rmirror_pages", "gauge", "Pages by render status.");
  for (const r of repo.pageCountsByRenderStatus()) w.sample("rmirror_pages", { render_status: r.status }, r.n);
  w.family("rmirror_ocr_pages", "gauge", "Pages by OCR status.");
  for (const r of repo.pageOcrCountsAll()) w.sample("rmirror_ocr_pages", { status: r.status }, r.n);
  const blobs = repo.blobTotals();
  w.family("rmirror_blobs", "gauge", "Stored content-addressed blobs.").sample("rmirror_blobs", {}, blobs.n);
  w.family("rmirror_blob_bytes", "gauge", "Total size of stored blobs.").sample("rmirror_blob_bytes", {}, blobs.bytes);

  const month = quotaMonth(now, ctx.config.quota.timezone);
  const users = repo.userIds();
  let limit = 0;
  for (const id of users) {
    const l = effectiveLimit(ctx, id);
    limit = l === null ? Infinity : limit + l;
  }
  const def = ctx.store.settingValue(DEFAULT_LIMIT_SETTING);
  const defLimit = def !== null ? (def === "unlimited" ? Infinity : Number(def)) : ctx.config.quota.defaultPages < 0 ? Infinity : ctx.config.quota.defaultPages;
  w.family("rmirror_users", "gauge", "User accounts.").sample("rmirror_users", {}, users.length);
  w.family("rmirror_ocr_quota_used_pages", "gauge", "OCR pages used this quota month, all users.").sample("rmirror_ocr_quota_used_pages", { month }, repo.quotaUsedInMonth(month));
  w.family("rmirror_ocr_quota_limit_pages", "gauge", "Sum of every user's monthly OCR page limit (+Inf when any user is unlimited).").sample("rmirror_ocr_quota_limit_pages", { month }, limit);
  w.family("rmirror_ocr_quota_default_limit_pages", "gauge", "Monthly OCR page limit for users without their own (+Inf = unlimited).").sample("rmirror_ocr_quota_default_limit_pages", {}, defLimit);

  const http = httpMetrics(ctx).all();
  w.family("rmirror_http_requests_total", "counter", "HTTP requests by method, route template and status class.");
  for (const s of http) w.sample("rmirror_http_requests_total", { method: s.method, route: s.route, status: s.status }, s.count);
  w.family("rmirror_http_request_duration_seconds", "histogram", "HTTP request latency by method, route template and status class.");
  for (const s of http) {
    const l = { method: s.method, route: s.route, status: s.status };
    BUCKETS.forEach((b, i) => w.sample("rmirror_http_request_duration_seconds_bucket", { ...l, le: String(b) }, s.buckets[i]!));
    w.sample("rmirror_http_request_duration_seconds_bucket", { ...l, le: "+Inf" }, s.count);
    w.sample("rmirror_http_request_duration_seconds_sum", l, Math.round(s.sum * 1e6) / 1e6);
    w.sample("rmirror_http_request_duration_seconds_count", l, s.count);
  }
  return w.lines.join("\n") + "\n";
}
