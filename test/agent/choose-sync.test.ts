// Issue 15, choose what syncs, end to end with real processes: `rmirror serve` (OCR through the
// fake Anthropic API, driven by the real SDK) and `rmirror agent`. The computer's settings are
// changed on the server while the agent runs: a newly excluded notebook stops syncing (and stays
// on the server), a newly included one syncs at once, without a restart. With an initial-sync
// limit of 2, a new 4-page notebook has only its newest 2 pages read; "read the rest" reads the others.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { describeSamples } from "../support/samples.ts";
import { agentIdle, agentStatus, prepareServer, ServerApi, spawnMain, startAgentChild, stop, waitFor, writeMetadata, writeNotebook, type Child } from "./harness.ts";

const INK = ["rmc__abcd.strokes.rm", "rmscene__Lines_v2.rm", "rmc__dot.stroke.rm", "rmc__abcd.strokes.rm"];

describeSamples("choose what syncs (real serve + agent processes)", () => {
  const tmp = mkdtempSync(join(tmpdir(), "rmirror-choose-sync-"));
  const data = join(tmp, "data");
  const folder = join(tmp, "desktop");
  let server: Child;
  let agent: Child;
  let api: ServerApi;
  let token: string;
  let tokenId: number;
  let ocr: FakeAnthropic;

  async function put(path: string, body: unknown): Promise<{ status: number; body: any }> {
    const r = await fetch(`${server.url}${path}`, { method: path.endsWith("/held") ? "POST" : "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: r.status, body: await r.json() };
  }
  const settings = (mode: "exclude" | "include", items: string[], initialPages: number | null) => put(`/api/v1/tokens/${tokenId}/sync-settings`, { mode, items, initialPages });
  /** The agent has read settings changed at `updatedAt` (from the heartbeat's answer). */
  const applied = (updatedAt: string) => waitFor("agent applied the settings", async () => (await agentStatus(agent.url)).sync?.server?.updatedAt === updatedAt);

  beforeAll(async () => {
    mkdirSync(folder, { recursive: true });
    ocr = startFakeAnthropic();
    token = await prepareServer(data);
    server = await spawnMain(
      ["serve"],
      { RMIRROR_DATA_DIR: data, RMIRROR_HOST: "127.0.0.1", RMIRROR_PORT: "0", RMIRROR_JOBS_POLL_MS: "100", RMIRROR_ANTHROPIC_API_KEY: ocr.apiKey, RMIRROR_ANTHROPIC_BASE_URL: ocr.url, RMIRROR_OCR_SETTLE_SECONDS: "0" },
      "rmirror serving",
    );
    api = new ServerApi(server.url, token);
    tokenId = (await api.get("/api/v1/tokens")).body.tokens[0].id;
  });

  afterAll(async () => {
    await stop(agent);
    await stop(server);
    await ocr?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  let alpha: { uuid: string; pageIds: string[] };
  let beta: { uuid: string; pageIds: string[] };

  test("settings changed while the agent runs: the newly excluded notebook stops syncing (kept on the server), the newly included one syncs at once", async () => {
    const first = await settings("exclude", ["beta"], null);
    expect(first.status).toBe(200);
    alpha = writeNotebook(folder, { name: "Alpha", pages: [{ sample: INK[0]! }] });
    beta = writeNotebook(folder, { name: "Beta", pages: [{ sample: INK[1]! }] });
    agent = await startAgentChild({ folder, home: join(tmp, "home"), server: server.url, token, env: { RMIRROR_AGENT_HEARTBEAT_MS: "300", RMIRROR_AGENT_KEYCHAIN: "0" } });
    await waitFor("Alpha on the server", async () => (await api.doc(alpha.uuid))?.pages.length === 1);
    await agentIdle(agent.url);
    expect(await api.doc(beta.uuid)).toBeUndefined(); // excluded from the start (read before the first scan)
    const s0 = await agentStatus(agent.url);
    expect(s0.sync.source).toBe("server");
    expect(s0.sync.server.items).toEqual(["beta"]);
    expect(await (await fetch(agent.url)).text()).toContain("Everything except “beta” (set on the dashboard)");

    // Swap: Alpha out (by id, as the dashboard's checkboxes do: a rename keeps it out), Beta in.
    // No file changes: Beta arrives because the settings changed.
    const second = await settings("exclude", [alpha.uuid], null);
    await waitFor("Beta on the server", async () => (await api.doc(beta.uuid))?.pages.length === 1);
    await applied(second.body.settings.updatedAt);
    await agentIdle(agent.url);

    // Alpha is edited on the computer: not synced any more, and not deleted on the server.
    writeMetadata(folder, alpha.uuid, { name: "Alpha renamed" });
    writeMetadata(folder, beta.uuid, { name: "Beta renamed" }); // the barrier: this one does sync
    await waitFor("Beta renamed", async () => (await api.doc(beta.uuid))?.name === "Beta renamed");
    await agentIdle(agent.url);
    const a = await api.doc(alpha.uuid);
    expect(a?.name).toBe("Alpha");
    expect(a.deleted).toBe(false);

    // Include only Alpha: Alpha's rename arrives now; Beta stops.
    const third = await settings("include", [alpha.uuid], null);
    await waitFor("Alpha renamed", async () => (await api.doc(alpha.uuid))?.name === "Alpha renamed");
    await applied(third.body.settings.updatedAt);
    await agentIdle(agent.url);
    writeMetadata(folder, beta.uuid, { name: "Beta again" });
    writeMetadata(folder, alpha.uuid, { name: "Alpha again" });
    await waitFor("Alpha again", async () => (await api.doc(alpha.uuid))?.name === "Alpha again");
    await agentIdle(agent.url);
    expect((await api.doc(beta.uuid))?.name).toBe("Beta renamed");
  }, 240_000);

  test("initial-sync limit 2: a new 4-page notebook has its newest 2 pages read, the others held until 'read the rest'", async () => {
    const set = await settings("exclude", [], 2);
    expect(set.body.settings.initialPages).toBe(2);
    await applied(set.body.settings.updatedAt);
    const before = ocr.requests.length;
    const gamma = writeNotebook(folder, { name: "Gamma", pages: INK.map((s) => ({ sample: s })) });
    const pageOcr = async (id: string) => (await api.get(`/api/v1/documents/${gamma.uuid}/pages/${id}/ocr`)).body;
    const states = () => Promise.all(gamma.pageIds.map(pageOcr));
    const s1 = await waitFor("newest two read, two held", async () => {
      const s = await states();
      return s.map((p) => p.status).join() === "held,held,done,done" ? s : false;
    });
    expect(s1[0].held).toContain("initial-sync limit");
    expect(s1[2].held).toBeNull();
    expect(s1[3].markdown).toContain("call the plumber");
    expect(ocr.requests.length - before).toBe(2);

    const r = await put(`/api/v1/documents/${gamma.uuid}/ocr/held`, {});
    expect(r.status).toBe(200);
    expect(r.body.queued).toBe(2);
    await waitFor("all four read", async () => (await states()).every((p) => p.status === "done"));
    expect(ocr.requests.length - before).toBe(4);
    expect((await pageOcr(gamma.pageIds[0]!)).readReason).toBe("requested");

    // A page added later is read as usual (the limit is for the first sync only).
    writeNotebook(folder, { uuid: gamma.uuid, name: "Gamma", pages: [...INK, INK[1]!].map((s, i) => ({ id: gamma.pageIds[i], sample: s })) });
    const all = (await waitFor("fifth page on the server", async () => ((await api.doc(gamma.uuid))?.pages.length === 5 ? await api.doc(gamma.uuid) : false))) as { pages: { id: string }[] };
    const fifth = all.pages.find((p) => !gamma.pageIds.includes(p.id))!.id;
    await waitFor("fifth page read", async () => (await pageOcr(fifth)).status === "done");
  }, 240_000);
});
