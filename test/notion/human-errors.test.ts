// Notion failures in the dashboard read as sentences for people, not the SDK's text (issue 13
// item 10): a refused token, Notion unreachable, a revoked connection on the document page, a
// failed sync job in Activity. The technical text stays available, folded away.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSession } from "../../src/services/accounts/accounts.ts";
import { startFakeNotion, type FakeNotion } from "../support/fake-notion.ts";
import { addUser, buildDoc, call, syncDoc } from "../support/server-harness.ts";
import { notionErrorText } from "../../views/partials/notion-error.tsx";
import { connectedUser, notionHarness } from "./support.ts";

let fake: FakeNotion;
beforeAll(() => {
  fake = startFakeNotion();
});
afterAll(() => fake.close());

function browser(h: Awaited<ReturnType<typeof notionHarness>>, userId: number) {
  const s = createSession(h.ctx, userId);
  const cookie = { cookie: `rmirror_session=${s.sessionToken}` };
  return {
    get: async (path: string) => (await call(h, "GET", path, { headers: { ...cookie, accept: "text/html" } })).text(),
    post: (path: string, fields: Record<string, string>) =>
      call(h, "POST", path, { headers: { ...cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ csrf: s.csrfToken, ...fields }).toString() }),
  };
}

describe("Settings › Notion", () => {
  test("a token Notion refuses: what to do, not the SDK's words", async () => {
    const h = await notionHarness(fake);
    try {
      const u = await addUser(h, "refused@example.com");
      const r = await browser(h, u.id).post("/settings/notion/token", { token: "secret_wrong_token_00000000000000000" });
      expect(r.status).toBe(400);
      const html = await r.text();
      const shown = /<p id="notion-error"[^>]*><span data-notion-human>([^<]*)<\/span>/.exec(html)?.[1];
      expect(shown).toContain("Notion does not accept the token");
      expect(shown).not.toContain("notion:");
      expect(html).toContain("<summary>Technical detail</summary>");
    } finally {
      await h.close();
    }
  });

  test("Notion unreachable (nothing listens at its address): said as such", async () => {
    const closed = Bun.serve({ port: 0, fetch: () => new Response("") });
    const url = `http://127.0.0.1:${closed.port}`;
    closed.stop(true);
    const h = await notionHarness(fake, { "notion.apiBaseUrl": url, "notion.maxRetries": 0 });
    try {
      const u = await addUser(h, "down@example.com");
      const html = await (await browser(h, u.id).post("/settings/notion/token", { token: "secret_fake_notion_token_0123456789abcdef" })).text();
      const shown = /<p id="notion-error"[^>]*><span data-notion-human>([^<]*)<\/span>/.exec(html)?.[1];
      expect(shown).toBe("Notion could not be reached (no network, or Notion is down). The sync tries again by itself.");
    } finally {
      await h.close();
    }
  });
});

describe("document page and Activity", () => {
  test("a revoked connection and its failed sync job read as one sentence each", async () => {
    const h = await notionHarness(fake);
    try {
      const u = await connectedUser(h, fake, "revoked@example.com");
      const d = buildDoc([null], { name: "Revoked notebook" });
      // Notion starts refusing the token (as after the user removed the integration).
      fake.script.push({ status: 401, code: "unauthorized", message: "API token is invalid." });
      await syncDoc(h, u.token, d);
      await h.runner.idle();
      const b = browser(h, u.id);
      const doc = await b.get(`/documents/${d.uuid}`);
      const problem = /data-notion-connection="problem"><span data-notion-human>([^<]*)</.exec(doc)?.[1];
      expect(problem).toContain("Notion does not accept the token");
      expect(doc).toContain("API token is invalid."); // the technical detail, folded
      const activity = await b.get("/activity");
      const row = /<tr [^>]*data-job-kind="notion_sync"[\s\S]*?<\/tr>/.exec(activity)?.[0] ?? "";
      expect(row).toContain("data-notion-human");
      expect(row).not.toMatch(/<td class="err">notion:/);
    } finally {
      await h.close();
    }
  });
});

test("the sentences for the client's failure texts", () => {
  const cases: [string, RegExp][] = [
    ["notion: the integration has no access: Could not find page", /share the page with the integration/],
    ["notion: 404 object_not_found: Could not find database with ID", /cannot find the page or database/],
    ["notion: the database is in the trash", /in Notion's trash/],
    ["notion: 429 rate_limited: slow down", /slow down/],
    ["notion: 503 service_unavailable: Notion is unavailable", /problem on its side/],
    ["notion: 400: body failed validation: body.children[0]", /refused part of this notebook's content/],
    ["notion: request to https://api.notion.com/v1/search failed, reason: connect ECONNREFUSED", /could not be reached/],
  ];
  for (const [raw, re] of cases) expect(notionErrorText(raw).text).toMatch(re);
  // Our own sentences stay as they are.
  expect(notionErrorText("That does not look like a Notion integration token.")).toEqual({ text: "That does not look like a Notion integration token.", detail: null });
});
