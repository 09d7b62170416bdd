// The agent's status page tells the truth about the server and names notebooks (issue 13 item 10):
// never "Problems: None" while the server is down — also when nothing is waiting to be uploaded —
// and a parked notebook is shown by its visible name, not its uuid. Real `rmirror agent` and
// `rmirror serve` processes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeSamples } from "../support/samples.ts";
import { agentStatus, prepareServer, startAgentChild, startServer, stop, waitFor, writeNotebook, PAGE_SAMPLES, type Child } from "./harness.ts";

const tmp = mkdtempSync(join(tmpdir(), "rmirror-agent-problems-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const problems = (html: string) => html.slice(html.indexOf("<h2>Problems</h2>"));

describe("the server is down and nothing is queued", () => {
  let agent: Child | undefined;
  beforeAll(async () => {
    const folder = join(tmp, "empty");
    mkdirSync(folder, { recursive: true });
    // Nothing listens on port 9 (discard) on this machine: connection refused.
    agent = await startAgentChild({ folder, home: join(tmp, "home-down"), server: "http://127.0.0.1:9", token: "rmt_x" });
  });
  afterAll(() => stop(agent));

  test("the page names the connection problem instead of saying None", async () => {
    const html = await (await fetch(agent!.url + "/")).text();
    const p = problems(html);
    expect(p).not.toContain("<p>None.</p>");
    expect(p).toContain('data-problem="server"');
    expect(p).toContain("The server http://127.0.0.1:9 cannot be reached (connection refused). Changes wait here and are sent when it answers again.");
    expect(html).toContain('data-connection="problem"');
    const panel = await (await fetch(agent!.url + "/panel")).text();
    expect(panel).toContain('data-problem="server"');
    expect((await agentStatus(agent!.url)).serverCheck.state).toBe("unreachable");
  });
});

describeSamples("with a real server", () => {
  let server: Child | undefined;
  let agent: Child | undefined;
  const folder = join(tmp, "desktop");
  beforeAll(async () => {
    mkdirSync(folder, { recursive: true });
    const data = join(tmp, "data");
    const token = await prepareServer(data);
    server = await startServer(data);
    agent = await startAgentChild({ folder, home: join(tmp, "home"), server: server.url, token });
  });
  afterAll(async () => {
    await stop(agent);
    await stop(server);
  });

  test("all well: None; a parked notebook is listed by its name (uuid in the tooltip); the server stopping shows at once", async () => {
    const fine = writeNotebook(folder, { name: "Fine notebook", pages: [{ sample: PAGE_SAMPLES[0]! }] });
    await waitFor("synced", async () => (await agentStatus(agent!.url)).synced >= 1);
    expect(problems(await (await fetch(agent!.url + "/")).text())).toContain("<p>None.</p>");
    expect(fine.uuid).toBeTruthy();

    const bad = writeNotebook(folder, { name: "Grocery list <b>", pages: [{ sample: new TextEncoder().encode("not a reMarkable page at all, just junk bytes ".repeat(4)) }] });
    await waitFor("parked", async () => (await agentStatus(agent!.url)).parked.some((p: any) => p.uuid === bad.uuid));
    const st = await agentStatus(agent!.url);
    expect(st.parked.find((p: any) => p.uuid === bad.uuid).name).toBe("Grocery list <b>");
    const html = problems(await (await fetch(agent!.url + "/")).text());
    expect(html).toContain(`<td title="${bad.uuid}">Grocery list &lt;b&gt;</td>`);
    expect(html).not.toContain(`<td>${bad.uuid}</td>`);

    await stop(server);
    // The page's own check sees it within its 10 s interval, with nothing being uploaded.
    const down = await waitFor("problem shown", async () => {
      const p = problems(await (await fetch(agent!.url + "/panel")).text());
      return p.includes('data-problem="server"') ? p : false;
    });
    expect(down).toContain("cannot be reached");
  }, 120_000);
});
