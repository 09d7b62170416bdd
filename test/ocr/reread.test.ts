// Re-reading on request (issue 14): `rmirror ocr reread` and the dashboard's per-document Re-read
// read pages again with the current engine settings, newest first, within the quota (read_reason
// 'reread'), and say clearly when the quota is short. A new hint alone re-reads nothing.
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { run as ocrCli } from "../../src/cli/ocr.ts";
import { parseSince } from "../../src/cli/ocr-reread.ts";
import { quotaMonth, setUserLimit } from "../../src/quota/index.ts";
import { rereadPages } from "../../src/services/ocr/reread.ts";
import { req, session } from "../dashboard/support.ts";
import { runCaptured, type CliRun } from "../support/cli.ts";
import { addUser, buildDoc, harness, syncDoc, type Harness } from "../support/server-harness.ts";
import { fakeAnthropicForFile, inkPage, ocrOverrides, pageIds } from "./support.ts";

const fake = fakeAnthropicForFile();

/** Run the CLI in-process against the harness's data directory, with the server's OCR settings. */
async function cli(h: Harness, args: string[]): Promise<CliRun> {
  const config = join(h.dir, "cli-config.json");
  writeFileSync(config, JSON.stringify({ ocr: { apiKey: fake.apiKey, baseUrl: fake.url } }));
  return runCaptured(ocrCli, ["reread", ...args, "--data-dir", h.dir, "--config", config]);
}

const used = (h: Harness, userId: number) => h.ctx.store.quotaUsed(userId, quotaMonth(Date.now(), "UTC"));

test("--since takes a day in the quota time zone or an ISO date-time", () => {
  expect(parseSince("2026-03-01", "UTC")).toBe(Date.UTC(2026, 2, 1));
  expect(parseSince("2026-03-01", "Europe/Berlin")).toBe(Date.UTC(2026, 1, 28, 23));
  expect(parseSince("2026-03-01T12:00:00Z", "UTC")).toBe(Date.UTC(2026, 2, 1, 12));
  expect(parseSince("yesterday", "UTC")).toBeNull();
  expect(parseSince("2026-13-01", "UTC")).toBeNull();
});

test("CLI: after a hint change nothing is re-read by itself; reread re-reads newest first within the quota, says what did not fit, and continues after the quota grows", async () => {
  const h = await harness({ overrides: ocrOverrides(fake, { "ocr.concurrency": 1 }) });
  try {
    const u = await addUser(h, "cli@example.com");
    const other = await addUser(h, "other@example.com");
    const d = buildDoc([inkPage(1), inkPage(2), inkPage(3)], { name: "Lab book" });
    await syncDoc(h, u.token, d);
    const o = buildDoc([inkPage(9)], { name: "Other's" });
    await syncDoc(h, other.token, o);
    await h.runner.idle();
    expect(fake.requests.length).toBe(4);
    const ids = pageIds(h, u.id, d.uuid);
    // Same settings: nothing to re-read.
    let r = await cli(h, ["--user", u.email]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Nothing to re-read");
    // A new vocabulary hint: a new engine key, but nothing is read by itself.
    h.ctx.store.setOcrVocabulary(u.id, "Erlenmeyer");
    await h.runner.idle();
    expect(fake.requests.length).toBe(4);

    // The quota leaves 2 pages: the 2 newest are re-read, the third is named as left over.
    setUserLimit(h.ctx, u.id, used(h, u.id) + 2);
    r = await cli(h, ["--user", u.email]);
    expect(r.code).toBe(3);
    expect(r.err).toContain("Re-reading 2 of 3 pages (newest first); the other 1 do not fit this month's quota (2 pages of 5 left).");
    await h.runner.idle();
    expect(fake.requests.length).toBe(6);
    expect(fake.requests.slice(4).every((q) => q.prompt.includes("«Erlenmeyer»"))).toBe(true);
    const reasons = ids.map((id) => h.ctx.store.pageOcrByPage(id)!.read_reason);
    expect(reasons).toEqual(["new", "reread", "reread"]); // newest first (same upload: the later pages)
    expect(used(h, u.id)).toBe(5);

    // Quota used up: nothing queued, a clear message, exit code 3.
    r = await cli(h, ["--user", u.email, "--json"]);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.out);
    expect(j.users[0]).toMatchObject({ user: "cli@example.com", candidates: 1, queued: 0, short: 1 });
    expect(j.users[0].message).toContain("Nothing re-read: the monthly OCR quota is used up (5 of 5 pages)");
    await h.runner.idle();
    expect(fake.requests.length).toBe(6);

    // More quota: running it again continues with the page left over, and only that one.
    setUserLimit(h.ctx, u.id, null);
    r = await cli(h, ["--user", u.email]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Re-reading 1 page");
    await h.runner.idle();
    expect(fake.requests.length).toBe(7);
    expect(ids.every((id) => h.ctx.store.pageOcrByPage(id)!.read_reason === "reread")).toBe(true);
    // The other user's page was never touched.
    expect(h.ctx.store.pageOcrByPage(pageIds(h, other.id, o.uuid)[0]!)!.read_reason).toBe("new");

    // --all, --document and --since filter; bad arguments are usage errors.
    r = await cli(h, ["--user", u.email, "--all", "--since", new Date(Date.now() + 86_400_000).toISOString()]);
    expect(r.out).toContain("No read pages to re-read.");
    r = await cli(h, ["--user", other.email, "--all", "--document", o.uuid]);
    expect(r.out).toContain("Re-reading 1 page");
    await h.runner.idle();
    expect(fake.requests.length).toBe(8);
    expect((await cli(h, ["--document", o.uuid])).code).toBe(2);
    expect((await cli(h, ["--since", "last week"])).code).toBe(2);
    expect((await cli(h, ["--user", "nobody@example.com"])).code).toBe(1);
    expect((await cli(h, ["--user", u.email, "--document", o.uuid])).code).toBe(1); // not this user's document
  } finally {
    await h.close();
  }
});

test("dashboard: Re-read (CSRF) re-reads every read page of the document within the quota and says when the quota is short", async () => {
  const h = await harness({ overrides: ocrOverrides(fake, { "ocr.concurrency": 1 }) });
  try {
    const u = await addUser(h, "dash@example.com");
    const b = session(h, u);
    const d = buildDoc([inkPage(11), inkPage(12)], { name: "Diary" });
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    expect(fake.requests.length).toBe(2);
    const page = await (await req(h, b, "GET", `/documents/${d.uuid}`)).text();
    expect(page).toContain('data-action="reread-document"');
    expect(page).toContain("Read the 2 read pages of this notebook again");
    expect(page).toContain('id="ocr-notice"');
    expect((await req(h, b, "POST", `/documents/${d.uuid}/reread`, { htmx: true, csrf: false })).status).toBe(403);

    setUserLimit(h.ctx, u.id, used(h, u.id));
    let res = await req(h, b, "POST", `/documents/${d.uuid}/reread`, { htmx: true, target: "pages" });
    expect(res.status).toBe(200);
    let html = await res.text();
    expect(html).toContain('id="pages"');
    expect(html).toContain('hx-swap-oob="true"');
    expect(html).toContain("Nothing re-read: the monthly OCR quota is used up (2 of 2 pages); 2 pages would need one page each.");
    expect(html).toContain('data-queued="0"');
    await h.runner.idle();
    expect(fake.requests.length).toBe(2);

    setUserLimit(h.ctx, u.id, used(h, u.id) + 1);
    html = await (await req(h, b, "POST", `/documents/${d.uuid}/reread`, { htmx: true, target: "pages" })).text();
    expect(html).toContain("Re-reading 1 of 2 pages (newest first); the other 1 do not fit this month&#x27;s quota (1 page of 3 left).");
    expect(html).toContain('data-polling="1"'); // the grid polls while the page is read
    await h.runner.idle();
    expect(fake.requests.length).toBe(3);

    setUserLimit(h.ctx, u.id, undefined);
    res = await req(h, b, "POST", `/documents/${d.uuid}/reread`, { htmx: true, target: "pages" });
    html = await res.text();
    expect(html).toContain("Re-reading 2 pages (one quota page each).");
    await h.runner.idle();
    expect(fake.requests.length).toBe(5);
    for (const id of pageIds(h, u.id, d.uuid)) expect(h.ctx.store.pageOcrByPage(id)!.read_reason).toBe("reread");
    // Someone else's document: 404.
    const eve = session(h, await addUser(h, "eve@example.com"));
    expect((await req(h, eve, "POST", `/documents/${d.uuid}/reread`, { htmx: true })).status).toBe(404);
  } finally {
    await h.close();
  }
});

test("a re-read never takes the quota page of a page already waiting to be read (new handwriting first)", async () => {
  const h = await harness({ overrides: ocrOverrides(fake, { "ocr.concurrency": 1 }) });
  try {
    const u = await addUser(h, "first@example.com");
    const d = buildDoc([inkPage(31), inkPage(32)], { name: "Old notes" });
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    expect(fake.requests.length).toBe(2);
    // A new page arrives and settles for 15 minutes; one quota page is left: it is that page's.
    h.ctx.config.ocr.settleSeconds = 900;
    const n = buildDoc([inkPage(33)], { name: "New notes" });
    await syncDoc(h, u.token, n);
    await h.runner.idle();
    setUserLimit(h.ctx, u.id, used(h, u.id) + 1);
    const r = rereadPages(h.ctx, u.id, { documentUuid: d.uuid, all: true });
    expect(r.queued).toBe(0);
    expect(r.message).toContain("the rest kept for 1 page already waiting to be read");
    setUserLimit(h.ctx, u.id, used(h, u.id) + 2);
    const r2 = rereadPages(h.ctx, u.id, { documentUuid: d.uuid, all: true });
    expect(r2.queued).toBe(1);
    expect(r2.message).toContain("(1 page of 4 left after 1 page already waiting to be read)");
  } finally {
    await h.close();
  }
});
