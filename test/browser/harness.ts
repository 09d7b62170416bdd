// Browser harness: a real `rmirror serve` child (temp data dir, any free port) driven by a real
// Chromium (Debian's /usr/bin/chromium through playwright-core; a browser is never downloaded).
// One server and one browser per test file; every test gets a fresh browser context (cookies).
// `teardown()` always stops both, even when start-up failed halfway.
//
// Without Chromium the browser tests skip with one explanatory line, except under CI=true, where
// a missing browser is a failure (.ci/run installs it with apt).
import { afterAll, afterEach, beforeAll, describe, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { zipSync } from "fflate";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { spawnServer, type ChildServer } from "../support/child-server.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { HAVE_SAMPLES, SAMPLES_DIR, sample } from "../support/samples.ts";

export const CHROMIUM = process.env.RMIRROR_CHROMIUM || "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI === "true";
const MAIN = resolve(import.meta.dir, "../../src/main.ts");

/** Per-test and per-hook timeout (bun:test defaults to 5 s). */
export const T = 180_000; // a hang guard, not a speed check: a loaded 2-core machine is slow

export const ADMIN = { email: "admin@example.com", password: "correct horse battery" };

/** Flags for a quiet, hermetic headless Chromium (no sandbox: CI runs as root in a container). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

let warned = false;
/**
 * describe() for browser tests. Skipped with a clear message when Chromium (or, with
 * `samples: true`, the shared samples) is missing; under CI a missing Chromium fails instead.
 */
export function describeBrowser(name: string, fn: () => void, opts: { samples?: boolean } = {}): void {
  if (!HAVE_CHROMIUM) {
    if (IN_CI) {
      describe(name, () => {
        test("Chromium is installed", () => {
          throw new Error(`${CHROMIUM} not found: CI must install Debian's chromium (apt-get install chromium) before the tests run`);
        });
      });
      return;
    }
    if (!warned) {
      warned = true;
      console.warn(`[browser] ${CHROMIUM} not found: browser tests are skipped (apt-get install chromium, or set RMIRROR_CHROMIUM)`);
    }
    describe.skip(name, fn);
    return;
  }
  if (opts.samples && !HAVE_SAMPLES) {
    console.warn(`[samples] ${SAMPLES_DIR} not found: "${name}" is skipped (clone the shared samples beside this repo to run it)`);
    describe.skip(name, fn);
    return;
  }
  describe(name, fn);
}

export interface DashboardOptions {
  /** Extra RMIRROR_* environment for the server. */
  env?: Record<string, string>;
  /** Create the admin through the API first (default true; false = first-run state). */
  admin?: boolean;
  viewport?: { width: number; height: number };
  /** Name of the admin's device token (the one `importWithCli` uses). */
  tokenName?: string;
  /**
   * Answer OCR with a loopback fake of the Anthropic API (`Dashboard.ocr`), started before the
   * server and stopped after it; `reply` replaces the fake's default Markdown.
   */
  ocr?: { reply?: FakeAnthropic["reply"] };
}

/** A running server + browser pair for one test file. */
export class Dashboard {
  /** Temp dir of this run (data dir, sample folders); made by start(), removed by teardown(). */
  tmp = "";
  dataDir = "";
  server: ChildServer | null = null;
  browser: Browser | null = null;
  contexts: BrowserContext[] = [];
  /** Device token of the admin (after start with admin: true). */
  token = "";
  /** Browser console errors (for diagnostics; 4xx answers log one too). */
  problems: string[] = [];
  /** Uncaught JavaScript errors in any page (htmx, app.js): always a failure. */
  pageErrors: string[] = [];
  private viewport: { width: number; height: number };
  private fakeOcr: FakeAnthropic | null = null;

  constructor(private opts: DashboardOptions = {}) {
    this.viewport = opts.viewport ?? { width: 1280, height: 800 };
  }

  get url(): string {
    if (!this.server) throw new Error("server not started");
    return this.server.url;
  }

  /** The fake OCR API (with the `ocr` option, after start). */
  get ocr(): FakeAnthropic {
    if (!this.fakeOcr) throw new Error("no fake OCR: start a Dashboard with the ocr option");
    return this.fakeOcr;
  }

  async start(): Promise<this> {
    this.tmp = mkdtempSync(join(tmpdir(), "rmirror-browser-"));
    this.dataDir = join(this.tmp, "data");
    mkdirSync(this.dataDir, { recursive: true });
    let ocrEnv: Record<string, string> = {};
    if (this.opts.ocr) {
      this.fakeOcr = startFakeAnthropic();
      if (this.opts.ocr.reply) this.fakeOcr.reply = this.opts.ocr.reply;
      ocrEnv = { RMIRROR_ANTHROPIC_API_KEY: this.fakeOcr.apiKey, RMIRROR_ANTHROPIC_BASE_URL: this.fakeOcr.url };
    }
    this.server = await spawnServer({ RMIRROR_DATA_DIR: this.dataDir, RMIRROR_JOBS_POLL_MS: "100", RMIRROR_LOG_LEVEL: "info", RMIRROR_OCR_SETTLE_SECONDS: "0", ...ocrEnv, ...this.opts.env });
    killOnExit(this.server.proc);
    // playwright's launch() gives Chromium a fresh temporary --user-data-dir and removes it on close.
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 100_000 });
    if (this.opts.admin !== false) {
      await this.setupAdmin();
      this.token = await this.createDeviceToken(this.opts.tokenName ?? "browser tests");
    }
    return this;
  }

  /** A fresh browser context (no cookies, unless `state` is given) and a page in it. */
  async newPage(viewport = this.viewport, state?: BrowserContextOptions["storageState"]): Promise<Page> {
    if (!this.browser) throw new Error("browser not started");
    const ctx = await this.browser.newContext({
      baseURL: this.url,
      viewport,
      colorScheme: "light",
      locale: "en-US",
      timezoneId: "UTC",
      ...(state ? { storageState: state } : {}),
    });
    ctx.setDefaultTimeout(60_000); // hang guard for each action (a busy machine is slow)
    ctx.setDefaultNavigationTimeout(60_000);
    this.contexts.push(ctx);
    const page = await ctx.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") this.problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => {
      this.problems.push(`pageerror: ${e.message}`);
      this.pageErrors.push(`${page.url()}: ${e.message}`);
    });
    return page;
  }

  private loginState: Awaited<ReturnType<BrowserContext["storageState"]>> | null = null;

  /**
   * A new page logged in as the admin. The first one logs in through the real login form; later
   * ones start from that session's cookies (saves a password hash per test).
   */
  async loggedInPage(viewport = this.viewport): Promise<Page> {
    if (this.loginState) return this.newPage(viewport, this.loginState);
    const page = await this.newPage(viewport);
    await login(page);
    this.loginState = await page.context().storageState();
    return page;
  }

  /** A new page logged in as the admin, at `path`. */
  async openPage(path: string, viewport = this.viewport): Promise<Page> {
    const page = await this.loggedInPage(viewport);
    await page.goto(path);
    return page;
  }

  // ---- API helpers (real HTTP against the child) -----------------------------------------

  async setupAdmin(): Promise<void> {
    const r = await fetch(`${this.url}/api/v1/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
    if (r.status !== 200 && r.status !== 201) throw new Error(`setup: HTTP ${r.status} ${await r.text()}`);
  }

  /** Cookie + CSRF of a fresh API session for the admin. */
  async session(): Promise<{ cookie: string; csrf: string; userId: number }> {
    const r = await fetch(`${this.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
    if (!r.ok) throw new Error(`login: HTTP ${r.status} ${await r.text()}`);
    const body = (await r.json()) as { csrfToken: string; user: { id: number } };
    const cookie = (r.headers.get("set-cookie") ?? "").split(";")[0]!;
    return { cookie, csrf: body.csrfToken, userId: body.user.id };
  }

  async createDeviceToken(name: string): Promise<string> {
    const s = await this.session();
    const r = await fetch(`${this.url}/api/v1/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: s.cookie, "x-csrf-token": s.csrf },
      body: JSON.stringify({ name }),
    });
    if (r.status !== 201) throw new Error(`create token: HTTP ${r.status} ${await r.text()}`);
    return ((await r.json()) as { token: string }).token;
  }

  /** GET/PUT/POST with the admin's device token; JSON in and out. */
  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const r = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: r.status, body: parsed };
  }

  /** Upload a desktop-app style folder (or .rmdoc/.zip) with the real `rmirror import` CLI. */
  async importWithCli(input: string): Promise<string> {
    const proc = Bun.spawn([process.execPath, MAIN, "import", input, "--server", this.url, "--token", this.token], {
      env: { ...process.env },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0) throw new Error(`rmirror import exited ${code}:\n${out}${err}`);
    return out;
  }

  /** Wait until `fn` is truthy (polling the API, not the page). */
  async until<T>(what: string, fn: () => Promise<T | false | undefined | null>, timeoutMs = 100_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < end) {
      try {
        const v = await fn();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      await Bun.sleep(50);
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}\n${this.logTail()}`);
  }

  /** Waits until the admin's OCR page counts (GET /api/v1/quota: done, queued, pending_quota, failed…) satisfy `cond`. */
  async untilOcrPages(what: string, cond: (pages: Record<string, number>) => boolean): Promise<void> {
    await this.until(what, async () => {
      const pages = (await this.api("GET", "/api/v1/quota")).body?.ocr?.pages;
      return pages && cond(pages);
    });
  }

  /** The document's pages once every page is rendered. */
  async rendered(uuid: string): Promise<any> {
    return this.until(`document ${uuid} rendered`, async () => {
      const d = await this.api("GET", `/api/v1/documents/${uuid}`);
      return d.status === 200 && d.body.pages.length > 0 && d.body.pages.every((p: any) => ["done", "blank", "failed"].includes(p.renderStatus))
        ? d.body
        : false;
    });
  }

  /** The server's last log lines (access-log lines left out) and the browser's errors. */
  logTail(n = 20): string {
    const logs = (this.server?.logs ?? []).filter((l) => !l.includes('"msg":"request"'));
    return [...logs.slice(-n), ...this.problems.slice(-n)].join("\n");
  }

  /** For afterEach: close this test's browser contexts; fail when a page threw. */
  async endTest(): Promise<void> {
    const contexts = this.contexts.splice(0);
    for (const c of contexts) await withTimeout(c.close(), 3_000).catch(() => {});
    const errors = this.pageErrors.splice(0);
    if (errors.length) throw new Error(`uncaught JavaScript errors in the page:\n${errors.join("\n")}`);
  }

  async teardown(): Promise<void> {
    for (const c of this.contexts) await withTimeout(c.close(), 3_000).catch(() => {});
    if (this.browser) await withTimeout(this.browser.close(), 5_000).catch(() => {});
    const proc = this.server?.proc;
    if (proc && proc.exitCode === null) {
      proc.kill("SIGTERM");
      const done = await withTimeout(proc.exited, 5_000).then(() => true, () => false);
      if (!done) {
        proc.kill("SIGKILL");
        await proc.exited;
      }
    }
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
    await this.fakeOcr?.close();
  }
}

/**
 * The test file's Dashboard and its hooks: beforeAll starts it (server, browser, admin, fake OCR)
 * and then runs `setup`; afterEach closes the test's browser contexts (failing on page errors);
 * afterAll stops everything, also after a failed start.
 */
export function useDashboard(opts: DashboardOptions = {}, setup: (d: Dashboard) => Promise<void> = async () => {}): Dashboard {
  const d = new Dashboard(opts);
  beforeAll(async () => {
    await d.start();
    await setup(d);
  }, T);
  afterAll(() => d.teardown(), T);
  afterEach(() => d.endTest(), T);
  return d;
}

const children = new Set<ReturnType<typeof Bun.spawn>>();
let hooked = false;
function killOnExit(proc: ReturnType<typeof Bun.spawn>): void {
  children.add(proc);
  proc.exited.then(() => children.delete(proc));
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const p of children) if (p.exitCode === null) p.kill("SIGKILL");
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<T>((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

// ---- browser helpers ------------------------------------------------------------------------

/** Log in through the real form (email, password, button); `here` = use the form already shown. */
export async function login(page: Page, who = ADMIN, here = false): Promise<void> {
  if (!here) await page.goto("/login");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await Promise.all([page.waitForURL((u) => u.pathname !== "/login"), page.getByRole("button", { name: /log in/i }).click()]);
}

// ---- sample libraries -----------------------------------------------------------------------

function metadata(name: string, parent = "", type = "DocumentType"): string {
  return JSON.stringify({ deleted: false, lastModified: String(Date.now()), lastOpened: "0", lastOpenedPage: 0, parent, pinned: false, type, visibleName: name, version: 1 });
}

function content(pageIds: string[]): string {
  return JSON.stringify({ fileType: "notebook", orientation: "portrait", pageCount: pageIds.length, pages: pageIds });
}

export interface BuiltNotebook {
  uuid: string;
  name: string;
  pageIds: string[];
}

/** A desktop-app style folder: `<uuid>.metadata`, `<uuid>.content`, `<uuid>/<page>.rm` made of shared samples. */
export class SampleLibrary {
  readonly root: string;
  readonly notebooks: BuiltNotebook[] = [];

  constructor(dir: string) {
    this.root = dir;
    mkdirSync(dir, { recursive: true });
  }

  folder(name: string, parent = ""): string {
    const uuid = crypto.randomUUID();
    writeFileSync(join(this.root, `${uuid}.metadata`), metadata(name, parent, "CollectionType"));
    writeFileSync(join(this.root, `${uuid}.content`), "{}");
    return uuid;
  }

  /** `samples`: names of files in the shared samples, or raw page bytes. */
  notebook(name: string, samples: (string | Uint8Array)[], parent = ""): BuiltNotebook {
    const uuid = crypto.randomUUID();
    const pageIds = samples.map(() => crypto.randomUUID());
    mkdirSync(join(this.root, uuid), { recursive: true });
    samples.forEach((s, i) => writeFileSync(join(this.root, uuid, `${pageIds[i]}.rm`), typeof s === "string" ? readSample(s) : s));
    writeFileSync(join(this.root, `${uuid}.content`), content(pageIds));
    writeFileSync(join(this.root, `${uuid}.metadata`), metadata(name, parent));
    const nb = { uuid, name, pageIds };
    this.notebooks.push(nb);
    return nb;
  }
}

function readSample(name: string): Uint8Array {
  return new Uint8Array(readFileSync(sample(name)));
}

/** A `.rmdoc` export (zip of metadata, content and pages) built from shared sample pages. */
export function buildRmdoc(path: string, name: string, samples: string[]): BuiltNotebook {
  const uuid = crypto.randomUUID();
  const pageIds = samples.map(() => crypto.randomUUID());
  const enc = (s: string) => new TextEncoder().encode(s);
  const files: Record<string, Uint8Array> = {
    [`${uuid}.metadata`]: enc(metadata(name)),
    [`${uuid}.content`]: enc(content(pageIds)),
  };
  samples.forEach((s, i) => (files[`${uuid}/${pageIds[i]}.rm`] = readSample(s)));
  writeFileSync(path, zipSync(files));
  return { uuid, name, pageIds };
}
