// End to end with real processes: `rmirror serve` and `rmirror agent` as children, a counting
// proxy between them, and real changes played into the agent's folder. Each step checks the
// server's state and the exact number of uploads (no unchanged page is ever sent again).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeSamples, sample } from "../support/samples.ts";
import {
  agentIdle,
  agentStatus,
  copyTree,
  CountingProxy,
  prepareServer,
  removeItem,
  ServerApi,
  sha,
  startAgentChild,
  startServer,
  stop,
  waitFor,
  writeContent,
  writeFolder,
  writeMetadata,
  writeNotebook,
  writePage,
  PAGE_SAMPLES,
  type Child,
} from "./harness.ts";

for (const mode of ["chokidar", "native"] as const)
describeSamples(`agent end to end (real processes, ${mode} watcher)`, () => {
  const tmp = mkdtempSync(join(tmpdir(), "rmirror-agent-e2e-"));
  const data = join(tmp, "data");
  const folder = join(tmp, "desktop");
  const home = join(tmp, "home");
  let server: Child;
  let agent: Child;
  let proxy: CountingProxy;
  let api: ServerApi;
  let token: string;

  beforeAll(async () => {
    require("node:fs").mkdirSync(folder, { recursive: true });
    token = await prepareServer(data);
    server = await startServer(data);
    proxy = new CountingProxy();
    proxy.upstream = server.url;
    api = new ServerApi(server.url, token);
    agent = await startAgentChild({ folder, home, server: proxy.url, token, args: ["--watch", mode] });
  });

  afterAll(async () => {
    await stop(agent);
    await stop(server);
    proxy?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Run a change, wait for the agent to settle, return the requests it made. */
  async function step(change: () => void, until: () => Promise<boolean>): Promise<{ blobs: number; docPuts: number; deletes: number }> {
    const b0 = proxy.blobPuts();
    const d0 = proxy.docPuts();
    const x0 = proxy.count("DELETE", "/api/v1/documents/");
    change();
    await waitFor("server state", until);
    await agentIdle(agent.url);
    return { blobs: proxy.blobPuts() - b0, docPuts: proxy.docPuts() - d0, deletes: proxy.count("DELETE", "/api/v1/documents/") - x0 };
  }

  let nb: { uuid: string; pageIds: string[] };

  test("new document: its pages and .content are uploaded once", async () => {
    const r = await step(
      () => (nb = writeNotebook(folder, { name: "Meeting notes", pages: [{ sample: PAGE_SAMPLES[0]! }, { sample: PAGE_SAMPLES[1]! }] })),
      async () => (await api.doc(nb.uuid))?.pages.length === 2,
    );
    expect(r).toEqual({ blobs: 3, docPuts: 1, deletes: 0 }); // 2 pages + .content; .metadata travels as JSON
    const d = await api.doc(nb.uuid);
    expect(d.name).toBe("Meeting notes");
    expect(d.pages.map((p: any) => p.id)).toEqual(nb.pageIds);
    expect(d.pages[0].sha256).toBe(sha(readFileSync(sample(PAGE_SAMPLES[0]!))));
  });

  test("new page: only the new page and the new .content", async () => {
    const id = crypto.randomUUID();
    const r = await step(
      () => {
        writePage(folder, nb.uuid, id, PAGE_SAMPLES[2]!);
        nb.pageIds.push(id);
        writeContent(folder, nb.uuid, nb.pageIds);
      },
      async () => (await api.doc(nb.uuid))?.pages.length === 3,
    );
    expect(r).toEqual({ blobs: 2, docPuts: 1, deletes: 0 });
  });

  test("edited page: only that page", async () => {
    const want = sha(readFileSync(sample(PAGE_SAMPLES[3]!)));
    const r = await step(
      () => writePage(folder, nb.uuid, nb.pageIds[0]!, PAGE_SAMPLES[3]!),
      async () => (await api.doc(nb.uuid))?.pages[0].sha256 === want,
    );
    expect(r).toEqual({ blobs: 1, docPuts: 1, deletes: 0 });
  });

  test("rename: metadata-only (one request, nothing uploaded)", async () => {
    const r = await step(
      () => writeMetadata(folder, nb.uuid, { name: "Meeting notes (Q3)" }),
      async () => (await api.doc(nb.uuid))?.name === "Meeting notes (Q3)",
    );
    expect(r).toEqual({ blobs: 0, docPuts: 1, deletes: 0 });
  });

  let projects: string;
  test("move to a new folder: the folder is created, the move is metadata-only", async () => {
    const r = await step(
      () => {
        projects = writeFolder(folder, "Projects");
        writeMetadata(folder, nb.uuid, { name: "Meeting notes (Q3)", parent: projects });
      },
      async () => (await api.doc(nb.uuid))?.parent === projects && (await api.doc(projects))?.type === "folder",
    );
    expect(r.blobs).toBe(0);
    expect(r.docPuts).toBeGreaterThanOrEqual(1);
    expect(r.docPuts).toBeLessThanOrEqual(2);
    expect((await api.doc(projects)).name).toBe("Projects");
  });

  test("reorder: no page is uploaded again (only the new .content)", async () => {
    const order = [nb.pageIds[2]!, nb.pageIds[0]!, nb.pageIds[1]!];
    const r = await step(
      () => writeContent(folder, nb.uuid, order),
      async () => {
        const d = await api.doc(nb.uuid);
        return !!d && [...d.pages].sort((a: any, b: any) => a.idx - b.idx).map((p: any) => p.id).join() === order.join();
      },
    );
    expect(r).toEqual({ blobs: 1, docPuts: 1, deletes: 0 });
    nb.pageIds = order;
  });

  test("trash: metadata-only", async () => {
    const r = await step(
      () => writeMetadata(folder, nb.uuid, { name: "Meeting notes (Q3)", parent: "trash" }),
      async () => (await api.doc(nb.uuid))?.inTrash === true,
    );
    expect(r).toEqual({ blobs: 0, docPuts: 1, deletes: 0 });
  });

  test("delete: the files vanish, the server soft-deletes", async () => {
    const r = await step(
      () => removeItem(folder, nb.uuid),
      async () => (await api.doc(nb.uuid))?.deleted === true,
    );
    expect(r).toEqual({ blobs: 0, docPuts: 0, deletes: 1 });
  });

  test("a PDF with annotations: the PDF, the annotated pages and sidecars, once", async () => {
    const src = sample("lucasrla-remarks__demo_xochitl");
    const uuid = "d3954b55-8429-4220-a2d5-64f1daab9727";
    // Distinct hashes of everything but .metadata (sent as JSON).
    const hashes = new Set<string>();
    const walk = (dir: string) => {
      for (const n of readdirSync(dir)) {
        const p = join(dir, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (!n.endsWith(".metadata")) hashes.add(sha(readFileSync(p)));
      }
    };
    walk(src);
    const r = await step(
      () => copyTree(src, folder),
      async () => (await api.doc(uuid))?.pages.length === 36,
    );
    expect(r.blobs).toBe(hashes.size);
    const d = await api.doc(uuid);
    expect(d.fileType).toBe("pdf");
    expect(d.pages.filter((p: any) => p.sha256).length).toBe(3);
    expect(d.files.some((f: any) => f.path === `${uuid}.pdf`)).toBe(true);
  });

  test("not downloaded yet (metadata without pages): reported, not uploaded as blank", async () => {
    const { uuid } = writeNotebook(folder, { name: "Cloud only", pages: [{ sample: null }, { sample: null }] });
    const s = await waitFor("waiting entry", async () => {
      const st = await agentStatus(agent.url);
      return st.waiting.some((w: any) => w.uuid === uuid) ? st : false;
    });
    expect(s.waiting.find((w: any) => w.uuid === uuid).name).toBe("Cloud only");
    expect(await api.doc(uuid)).toBeUndefined();
  });

  test("a burst of 200 documents: all arrive, batched, each distinct file uploaded once", async () => {
    const b0 = proxy.blobPuts();
    const d0 = proxy.docPuts();
    const before = new Set(proxy.stored.keys());
    const made: string[] = [];
    for (let i = 0; i < 200; i++) made.push(writeNotebook(folder, { name: `Burst ${i}`, pages: [{ sample: PAGE_SAMPLES[i % PAGE_SAMPLES.length]! }] }).uuid);
    await waitFor(
      "200 documents on the server",
      async () => {
        const list = await api.get("/api/v1/documents");
        return (list.body.documents as any[]).filter((d) => d.name.startsWith("Burst ")).length === 200;
      },
      30_000,
    );
    await agentIdle(agent.url);
    const newPageShas = new Set(PAGE_SAMPLES.map((s) => sha(readFileSync(sample(s))))).difference(before);
    // 200 distinct .content files + the page samples the server did not have yet.
    expect(proxy.blobPuts() - b0).toBe(200 + newPageShas.size);
    expect(proxy.docPuts() - d0).toBeLessThan(100); // batched
    for (const n of proxy.stored.values()) expect(n).toBe(1); // never stored twice
  }, 45_000);
});
