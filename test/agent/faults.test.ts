// Fault tests with real processes: the server goes down while changes happen, the agent is
// killed mid-batch, a corrupt page, a page read while it is still being written.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeSamples, sample } from "../support/samples.ts";
import { agentIdle, agentStatus, CountingProxy, prepareServer, ServerApi, sha, startAgentChild, startServer, stop, waitFor, writeNotebook, writePage, PAGE_SAMPLES, type Child } from "./harness.ts";

describeSamples("agent faults (real processes)", () => {
  const tmp = mkdtempSync(join(tmpdir(), "rmirror-agent-faults-"));
  const data = join(tmp, "data");
  const folder = join(tmp, "desktop");
  const home = join(tmp, "home");
  let server: Child | undefined;
  let agent: Child | undefined;
  let proxy: CountingProxy;
  let api: ServerApi;
  let token: string;

  beforeAll(async () => {
    mkdirSync(folder, { recursive: true });
    token = await prepareServer(data);
    server = await startServer(data);
    proxy = new CountingProxy();
    proxy.upstream = server.url;
    api = new ServerApi(server.url, token);
    agent = await startAgentChild({ folder, home, server: proxy.url, token });
  });

  afterAll(async () => {
    await stop(agent);
    await stop(server);
    proxy?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const count = async (prefix: string) => ((await api.get("/api/v1/documents")).body.documents as any[]).filter((d) => d.name.startsWith(prefix)).length;

  test("server down during changes: everything arrives after it returns", async () => {
    await stop(server);
    const made = [0, 1, 2].map((i) => writeNotebook(folder, { name: `Offline ${i}`, pages: [{ sample: PAGE_SAMPLES[i]! }, { sample: PAGE_SAMPLES[i + 1]! }] }));
    await waitFor("agent offline", async () => (await agentStatus(agent!.url)).connection === "offline");
    expect((await agentStatus(agent!.url)).queue).toBeGreaterThan(0);
    server = await startServer(data); // same data, new port
    proxy.upstream = server.url;
    api = new ServerApi(server.url, token);
    await waitFor("offline documents on the server", async () => (await count("Offline ")) === 3);
    await agentIdle(agent!.url);
    for (const m of made) expect((await api.doc(m.uuid)).pages.length).toBe(2);
    for (const n of proxy.stored.values()) expect(n).toBe(1);
    expect((await agentStatus(agent!.url)).connection).toBe("online");
  });

  test("a corrupt .rm is parked with a clear error; other documents continue; fixing it un-parks it", async () => {
    const bad = writeNotebook(folder, { name: "Corrupt", pages: [{ sample: new TextEncoder().encode("not a reMarkable page at all, just junk bytes ".repeat(4)) }] });
    const good = writeNotebook(folder, { name: "Fine", pages: [{ sample: PAGE_SAMPLES[4]! }] });
    const s = await waitFor("parked", async () => {
      const st = await agentStatus(agent!.url);
      return st.parked.some((p: any) => p.uuid === bad.uuid) ? st : false;
    });
    expect(s.parked.find((p: any) => p.uuid === bad.uuid).error).toContain(`${bad.uuid}/${bad.pageIds[0]}.rm`);
    await waitFor("the good document", async () => (await api.doc(good.uuid))?.pages.length === 1);
    expect(await api.doc(bad.uuid)).toBeUndefined();
    writePage(folder, bad.uuid, bad.pageIds[0]!, PAGE_SAMPLES[5]!);
    await waitFor("the fixed document", async () => (await api.doc(bad.uuid))?.pages[0]?.sha256 === sha(readFileSync(sample(PAGE_SAMPLES[5]!))));
    expect((await agentStatus(agent!.url)).parked).toEqual([]);
  });

  test("a page half-written when read is retried and the complete page is uploaded (never the partial one)", async () => {
    const full = readFileSync(sample("scrybble-rmc__more_anchoring.rm"));
    const half = new Uint8Array(full.subarray(0, Math.floor(full.byteLength * 0.6)));
    const nb = writeNotebook(folder, { name: "Half", pages: [{ sample: half }] });
    await waitFor("half-written page noticed", async () => {
      const st = await agentStatus(agent!.url);
      return [...st.failing, ...st.parked].some((p: any) => p.uuid === nb.uuid);
    });
    writePage(folder, nb.uuid, nb.pageIds[0]!, new Uint8Array(full));
    await waitFor("complete page on the server", async () => (await api.doc(nb.uuid))?.pages[0]?.sha256 === sha(full));
    expect(proxy.stored.has(sha(half))).toBe(false);
  });

  test("agent killed mid-batch: restart sends the rest, nothing lost, nothing stored twice", async () => {
    await agentIdle(agent!.url);
    await stop(agent);
    const N = 120;
    for (let i = 0; i < N; i++) writeNotebook(folder, { name: `Killed ${i}`, pages: [{ sample: PAGE_SAMPLES[i % PAGE_SAMPLES.length]! }] });
    proxy.blobDelayMs = 15;
    agent = await startAgentChild({ folder, home, server: proxy.url, token, args: ["--batch", "10"] });
    const atKill = await waitFor("some documents sent", async () => {
      const n = await count("Killed ");
      return n >= 10 ? n : false;
    });
    await stop(agent, "SIGKILL");
    expect(atKill).toBeLessThan(N);
    proxy.blobDelayMs = 0;
    agent = await startAgentChild({ folder, home, server: proxy.url, token });
    await waitFor("every document", async () => (await count("Killed ")) === N);
    await agentIdle(agent.url);
    for (const n of proxy.stored.values()) expect(n).toBe(1);
    const docs = ((await api.get("/api/v1/documents")).body.documents as any[]).filter((d) => d.name.startsWith("Killed "));
    expect(new Set(docs.map((d) => d.uuid)).size).toBe(N);
    for (const d of docs) expect((await api.doc(d.uuid)).pages.length).toBe(1);
  }, 45_000);
});
