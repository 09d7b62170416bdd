// The MCP server, driven by the official SDK's own client against a real `rmirror serve` process:
// over streamable HTTP at /mcp and over stdio through `rmirror mcp` (the bridge a desktop
// assistant launches). Real samples are imported with the real CLI and OCR'd by the Anthropic fake.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { SampleLibrary, type BuiltNotebook } from "../browser/harness.ts";
import { spawnServer, type ChildServer } from "../support/child-server.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { describeSamples } from "../support/samples.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, type Harness } from "../support/server-harness.ts";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");
const ADMIN = { email: "admin@example.com", password: "correct horse battery" };
const T = 180_000; // hang guard for a loaded machine, not a speed check

type ToolResult = { content: { type: string; text?: string; data?: string; mimeType?: string }[]; isError?: boolean; structuredContent?: any };
const textOf = (r: ToolResult) => r.content.map((c) => c.text ?? "").join("\n");

async function until<T>(what: string, fn: () => Promise<T | false | null | undefined>, server: ChildServer): Promise<T> {
  const end = Date.now() + 120_000;
  while (Date.now() < end) {
    const v = await fn().catch(() => null);
    if (v) return v;
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}\n${server.logs.slice(-20).join("\n")}`);
}

function httpClient(url: string, token: string): Promise<Client> {
  const client = new Client({ name: "rmirror-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  return client.connect(transport).then(() => client);
}

describeSamples("MCP against a real server", () => {
  let server: ChildServer;
  let ocr: FakeAnthropic;
  let tmp: string;
  let token = "";
  let meeting: BuiltNotebook;
  let client: Client;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "rmirror-mcp-"));
    ocr = startFakeAnthropic();
    ocr.reply = (_r, n) => `# Zeppelin plans ${n}\n\n- [ ] call the plumber\n- [x] buy milk`;
    server = await spawnServer({ RMIRROR_DATA_DIR: join(tmp, "data"), RMIRROR_JOBS_POLL_MS: "100", RMIRROR_OCR_SETTLE_SECONDS: "0", RMIRROR_ANTHROPIC_API_KEY: ocr.apiKey, RMIRROR_ANTHROPIC_BASE_URL: ocr.url });
    const setup = await fetch(`${server.url}/api/v1/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
    expect([200, 201]).toContain(setup.status);
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    const t = await fetch(`${server.url}/api/v1/tokens`, { method: "POST", headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken }, body: JSON.stringify({ name: "assistant" }) });
    token = ((await t.json()) as { token: string }).token;

    const lib = new SampleLibrary(join(tmp, "desktop"));
    meeting = lib.notebook("Meeting notes", ["rmc__abcd.strokes.rm", "rmscene__Bold_Heading_Bullet_Normal.rm"]);
    lib.notebook("Shopping list", ["rmc__text_multiple_lines.rm"]);
    const imp = Bun.spawn([process.execPath, MAIN, "import", lib.root, "--server", server.url, "--token", token], { stdout: "pipe", stderr: "pipe" });
    expect(await imp.exited).toBe(0);
    await until(
      "pages rendered and read",
      async () => {
        const q = (await (await fetch(`${server.url}/api/v1/quota`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
        return q.ocr?.pages?.done >= 1 && q.ocr.pages.queued === 0;
      },
      server,
    );
    client = await httpClient(server.url, token);
  }, T);

  afterAll(async () => {
    await client?.close().catch(() => {});
    server?.proc.kill("SIGTERM");
    await server?.proc.exited;
    await ocr?.close();
    rmSync(tmp, { recursive: true, force: true });
  }, T);

  test("lists every tool, read-only, with input schemas", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["get_page_image", "list_notebooks", "list_recent_changes", "list_todos", "read_notebook", "read_page", "search_notes"]);
    for (const t of tools) {
      expect(t.annotations?.readOnlyHint).toBe(true);
      expect(t.inputSchema.type).toBe("object");
    }
  }, T);

  test("search_notes finds handwriting (OCR) and typed text, with notebook and page", async () => {
    const r = (await client.callTool({ name: "search_notes", arguments: { query: "zeppelin" } })) as ToolResult;
    expect(r.isError).toBeFalsy();
    const hits = r.structuredContent.results as { uuid: string; page: number; source: string; snippet: string }[];
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.source === "ocr")).toBe(true);
    expect(hits.map((h) => h.uuid)).toContain(meeting.uuid);
    expect(hits[0]!.snippet.toLowerCase()).toContain("zeppelin");
    expect(hits[0]!.snippet).not.toContain("<mark>"); // plain text for the assistant, not HTML
    // Typed text of the shopping list sample ("text 1" … "text 4"), found as typed text.
    const typed = (await client.callTool({ name: "search_notes", arguments: { query: "text", source: "typed" } })) as ToolResult;
    const typedHits = typed.structuredContent.results as { notebook: string; source: string }[];
    expect(typedHits.map((h) => h.notebook)).toContain("Shopping list");
    expect(typedHits.every((h) => h.source === "typed")).toBe(true);
    const none = (await client.callTool({ name: "search_notes", arguments: { query: "xylophonequartet" } })) as ToolResult;
    expect(textOf(none)).toContain("Nothing found");
  }, T);

  test("list_notebooks, read_notebook and read_page give the notes as Markdown", async () => {
    const list = (await client.callTool({ name: "list_notebooks", arguments: {} })) as ToolResult;
    expect((list.structuredContent.notebooks as { name: string }[]).map((n) => n.name).sort()).toEqual(["Meeting notes", "Shopping list"]);

    const nb = (await client.callTool({ name: "read_notebook", arguments: { uuid: meeting.uuid } })) as ToolResult;
    const md = textOf(nb);
    expect(md).toStartWith("# Meeting notes");
    expect(md).toContain("Zeppelin plans");
    expect(md).toContain("- [ ] call the plumber");

    const byNumber = (await client.callTool({ name: "read_page", arguments: { uuid: meeting.uuid, page: "2" } })) as ToolResult;
    const byId = (await client.callTool({ name: "read_page", arguments: { uuid: meeting.uuid, page: meeting.pageIds[1]! } })) as ToolResult;
    expect(byNumber.structuredContent.page).toBe(2);
    expect(textOf(byNumber)).toBe(textOf(byId));
    // The typed text of the "Bold Heading Bullet Normal" sample page.
    expect(textOf(byNumber)).toContain("#");
    const missing = (await client.callTool({ name: "read_page", arguments: { uuid: meeting.uuid, page: "9" } })) as ToolResult;
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain("no page 9");
  }, T);

  test("get_page_image returns the page as a PNG the assistant can look at", async () => {
    const r = (await client.callTool({ name: "get_page_image", arguments: { uuid: meeting.uuid, page: "1", longEdge: 512 } })) as ToolResult;
    expect(r.isError).toBeFalsy();
    const img = r.content[0]!;
    expect(img.type).toBe("image");
    expect(img.mimeType).toBe("image/png");
    const bytes = Buffer.from(img.data!, "base64");
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR: the long edge is the requested one.
    const w = bytes.readUInt32BE(16);
    const h = bytes.readUInt32BE(20);
    expect(Math.max(w, h)).toBe(512);
  }, T);

  test("list_todos and list_recent_changes", async () => {
    const open = (await client.callTool({ name: "list_todos", arguments: {} })) as ToolResult;
    const todos = open.structuredContent.todos as { text: string; checked: boolean; uuid: string }[];
    expect(todos.length).toBeGreaterThan(0);
    expect(todos.every((t) => t.text === "call the plumber" && !t.checked)).toBe(true);
    const done = (await client.callTool({ name: "list_todos", arguments: { checked: true } })) as ToolResult;
    expect((done.structuredContent.todos as { text: string }[]).every((t) => t.text === "buy milk")).toBe(true);

    const changes = (await client.callTool({ name: "list_recent_changes", arguments: { limit: 5 } })) as ToolResult;
    const rows = changes.structuredContent.changes as { name: string; changedAt: string }[];
    expect(rows.map((r) => r.name).sort()).toEqual(["Meeting notes", "Shopping list"]);
    expect(Date.parse(rows[0]!.changedAt)).toBeGreaterThanOrEqual(Date.parse(rows[1]!.changedAt));
    const future = (await client.callTool({ name: "list_recent_changes", arguments: { since: "2999-01-01T00:00:00Z" } })) as ToolResult;
    expect(future.structuredContent.changes).toEqual([]);
  }, T);

  test("notebooks are resources", async () => {
    const { resources } = await client.listResources();
    const uri = `rmirror://notebooks/${meeting.uuid}`;
    expect(resources.map((r) => r.uri)).toContain(uri);
    const read = await client.readResource({ uri });
    expect((read.contents[0] as { text: string }).text).toContain("Zeppelin plans");
  }, T);

  test("a wrong token is refused (401) and no tool runs", async () => {
    await expect(httpClient(server.url, "rmt_not-a-real-token")).rejects.toMatchObject({ code: 401 });
    const r = await fetch(`${server.url}/mcp`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{}" });
    expect(r.status).toBe(401);
  }, T);

  test("stdio: `rmirror mcp` relays a desktop assistant's calls to the server", async () => {
    const stdio = new Client({ name: "desktop-assistant", version: "1.0.0" });
    await stdio.connect(new StdioClientTransport({ command: process.execPath, args: [MAIN, "mcp", "--server", server.url, "--token", token], stderr: "pipe" }));
    try {
      const { tools } = await stdio.listTools();
      expect(tools.length).toBe(7);
      const r = (await stdio.callTool({ name: "search_notes", arguments: { query: "plumber" } })) as ToolResult;
      expect((r.structuredContent.results as { uuid: string }[]).map((h) => h.uuid)).toContain(meeting.uuid);
    } finally {
      await stdio.close();
    }
  }, T);

  test("stdio with a refused token: the assistant is told why", async () => {
    const stdio = new Client({ name: "desktop-assistant", version: "1.0.0" });
    const transport = new StdioClientTransport({ command: process.execPath, args: [MAIN, "mcp", "--server", server.url, "--token", "rmt_wrong"], stderr: "pipe" });
    await expect(stdio.connect(transport)).rejects.toThrow(/refused the token/);
    await stdio.close().catch(() => {});
  }, T);
});

describe("MCP: each caller sees only their own notes", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ jobs: true });
  });
  afterAll(() => h.close());

  const inProcess = (token: string) => {
    const client = new Client({ name: "t", version: "1" });
    const transport = new StreamableHTTPClientTransport(new URL("http://localhost/mcp"), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
      fetch: (url, init) => h.app.handle(new Request(url, init)),
    });
    return client.connect(transport).then(() => client);
  };

  test("another user's notebook is 'not found', in search, reads and images alike", async () => {
    const alice = await addUser(h, "alice@example.com");
    const bob = await addUser(h, "bob@example.com");
    const doc = buildDoc([null], { name: "Alice secret diary" });
    await syncDoc(h, alice.token, doc);
    await h.runner.idle();
    expect((await json(await call(h, "GET", `/api/v1/documents/${doc.uuid}`, { token: alice.token }))).name).toBe("Alice secret diary");

    const a = await inProcess(alice.token);
    const b = await inProcess(bob.token);
    const mine = (await a.callTool({ name: "search_notes", arguments: { query: "diary" } })) as ToolResult;
    expect((mine.structuredContent.results as { uuid: string }[]).map((r) => r.uuid)).toEqual([doc.uuid]);
    const theirs = (await b.callTool({ name: "search_notes", arguments: { query: "diary" } })) as ToolResult;
    expect(theirs.structuredContent.results).toEqual([]);
    for (const [name, args] of [
      ["read_notebook", { uuid: doc.uuid }],
      ["read_page", { uuid: doc.uuid, page: "1" }],
      ["get_page_image", { uuid: doc.uuid, page: "1" }],
    ] as const) {
      const r = (await b.callTool({ name, arguments: args })) as ToolResult;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain("document_not_found");
    }
    expect((await b.listResources()).resources).toEqual([]);
    expect(((await b.callTool({ name: "list_notebooks", arguments: {} })) as ToolResult).structuredContent.notebooks).toEqual([]);
    await a.close();
    await b.close();
  });

  test("bad arguments get a clear error, not a crash", async () => {
    const u = await addUser(h, "carol@example.com");
    const c = await inProcess(u.token);
    const r = (await c.callTool({ name: "read_notebook", arguments: { uuid: "not-a-uuid" } })) as ToolResult;
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/uuid/i);
    const s = (await c.callTool({ name: "search_notes", arguments: { query: "" } })) as ToolResult;
    expect(s.isError).toBe(true);
    await c.close();
  });
});

describe("MCP over HTTP: what a stateless server answers", () => {
  test("GET and DELETE /mcp are 405 (no server-to-client stream, no sessions); anonymous is 401", async () => {
    const h = await harness();
    try {
      const u = await addUser(h, "dave@example.com");
      for (const method of ["GET", "DELETE"]) {
        const r = await call(h, method, "/mcp", { token: u.token, headers: { accept: "text/event-stream" } });
        expect(r.status).toBe(405);
        expect((await call(h, method, "/mcp")).status).toBe(401);
      }
      const big = await call(h, "POST", "/mcp", { token: u.token, headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(300_000) } }) });
      expect(big.status).toBe(413);
    } finally {
      await h.close();
    }
  });
});
