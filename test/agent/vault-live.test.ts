// `rmirror agent --vault DIR` end to end with real processes: the agent uploads the desktop
// folder to a real `rmirror serve` and keeps a Markdown vault in step from the server's change
// feed — create, edit, rename, move, delete on the "tablet", while the user's own writing in the
// vault survives every update.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeSamples } from "../support/samples.ts";
import { agentStatus, prepareServer, removeItem, startAgentChild, startServer, stop, waitFor, writeFolder, writeMetadata, writeNotebook, writePage, type Child } from "./harness.ts";

describeSamples("agent --vault: a live Markdown mirror from the change feed", () => {
  let tmp: string;
  let server: Child | undefined;
  let agent: Child | undefined;
  let desktop: string;
  let vault: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "rmirror-vault-live-"));
    desktop = join(tmp, "desktop");
    vault = join(tmp, "vault");
    mkdirSync(desktop, { recursive: true });
    const token = await prepareServer(join(tmp, "data"));
    server = await startServer(join(tmp, "data"));
    agent = await startAgentChild({ folder: desktop, home: join(tmp, "home"), server: server.url, token, args: ["--vault", vault, "--vault-images", "svg"], env: { RMIRROR_AGENT_VAULT_SECONDS: "1" } });
  }, 180_000);

  afterAll(async () => {
    await stop(agent);
    await stop(server);
    rmSync(tmp, { recursive: true, force: true });
  });

  const note = (rel: string) => (existsSync(join(vault, rel)) ? readFileSync(join(vault, rel), "utf8") : "");
  const until = <T,>(what: string, fn: () => T | false | undefined) => waitFor(what, fn, 150_000);

  test("create, user edits kept, edit, rename, move, delete", async () => {
    const work = writeFolder(desktop, "Work");
    const nb = writeNotebook(desktop, { name: "Standup", parent: work, pages: [{ sample: "rmc__text_multiple_lines.rm" }] });
    await until("the note appears with its page text", () => note("Work/Standup.md").includes("text 4"));
    const first = note("Work/Standup.md");
    expect(first).toContain(`uuid: "${nb.uuid}"`);
    expect(first).toMatch(/!\[Page 1\]\(\.\.\/_rmirror\/[0-9a-f-]+\/page-1-[0-9a-f]{12}\.svg\)/);

    // The user writes in the vault.
    writeFileSync(join(vault, "Work/Standup.md"), first.replace("<!-- rmirror:begin", "Decision: ship Friday.\n\n<!-- rmirror:begin") + "\n## My notes\n- ask Dana\n");

    // A page is added on the tablet: the region is rewritten, the user's text stays.
    writePage(desktop, nb.uuid, nb.pageIds[0]!, "rmscene__Bold_Heading_Bullet_Normal.rm");
    await until("the edit reaches the note", () => !note("Work/Standup.md").includes("text 4") && note("Work/Standup.md").includes("Decision: ship Friday."));
    expect(note("Work/Standup.md")).toContain("## My notes\n- ask Dana");

    // Renamed on the tablet: the note follows (the user left it where rmirror put it).
    writeMetadata(desktop, nb.uuid, { name: "Standup 3 Dec", parent: work });
    await until("the note is renamed", () => note("Work/Standup 3 Dec.md").includes("Decision: ship Friday."));
    expect(existsSync(join(vault, "Work/Standup.md"))).toBe(false);

    // Moved out of the folder on the tablet.
    writeMetadata(desktop, nb.uuid, { name: "Standup 3 Dec", parent: "" });
    await until("the note is moved", () => note("Standup 3 Dec.md").includes("Decision: ship Friday."));

    // Deleted on the tablet: to .trash/, never gone.
    removeItem(desktop, nb.uuid);
    await until("the note goes to .trash", () => note(".trash/Standup 3 Dec.md").includes("Decision: ship Friday."));
    expect(existsSync(join(vault, "Standup 3 Dec.md"))).toBe(false);

    // The agent's status page says where the vault is and that it is healthy.
    const s = await agentStatus(agent!.url);
    expect(s.vault.dir).toBe(vault);
    expect(s.vault.lastError).toBeUndefined();
    const html = await (await fetch(agent!.url)).text();
    expect(html).toContain('id="vault"');

    // The vault is a setting on the status page too: another folder, saved, the agent restarts with it.
    const csrf = /name="csrf" value="([0-9a-f]{64})"/.exec(html)![1]!;
    const vault2 = join(tmp, "vault2");
    const pagesBefore = agent!.logs.filter((l) => l.includes('"agent status page"')).length;
    const form = new URLSearchParams({ csrf, server: server!.url, folder: desktop, exclude: "", vault: vault2 });
    const saved = await fetch(`${agent!.url}/settings`, { method: "POST", body: form, redirect: "manual" });
    expect(saved.status).toBe(303);
    await until("the agent restarted", () => agent!.logs.filter((l) => l.includes('"agent status page"')).length > pagesBefore);
    expect(JSON.parse(readFileSync(join(tmp, "home", "config"), "utf8")).vault).toBe(vault2);
    writeNotebook(desktop, { name: "Retro", pages: [{ sample: "rmc__text_multiple_lines.rm" }] });
    await until("the new vault gets the note", () => existsSync(join(vault2, "Retro.md")) && readFileSync(join(vault2, "Retro.md"), "utf8").includes("text 4"));
  }, 300_000);
});
