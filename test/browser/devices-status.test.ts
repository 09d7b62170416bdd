// Issue 15 item 3 in a real Chromium: a real `rmirror agent` child reports heartbeats to a real
// `rmirror serve`; the Devices page shows the computer online with what it reported (the table
// refreshes itself), the agent's local status page links back to it, and once the agent stops
// the computer shows offline. Also: "Make install command" shows the one-line commands.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { VERSION } from "../../src/version.ts";
import { agentPlatform } from "../../agent/agent.ts";
import { startAgentChild, stop, type Child } from "../agent/harness.ts";
import { Dashboard, describeBrowser, T } from "./harness.ts";

describeBrowser("browser: Devices shows each computer online, then offline", () => {
  const d = new Dashboard({ tokenName: "Work laptop" });
  let agent: Child | undefined;

  beforeAll(async () => {
    await d.start();
  }, T);
  afterAll(async () => {
    await stop(agent);
    await d.teardown();
  }, T);
  afterEach(() => d?.endTest(), T);

  test("a running agent is online with its version, platform, folder and queue; stopped, it is offline", async () => {
    const folder = join(d.tmp, "desktop");
    mkdirSync(folder, { recursive: true });
    const page = await d.loggedInPage();
    await page.goto("/devices");
    await page.locator("#no-computers").waitFor();

    agent = await startAgentChild({ folder, home: join(d.tmp, "agent-home"), server: d.url, token: d.token, env: { RMIRROR_AGENT_KEYCHAIN: "0" } });
    // No reload: the table refreshes itself (every 15 s) and shows the new computer.
    const row = page.locator('tr[data-agent-status="online"]', { hasText: "Work laptop" });
    await row.waitFor({ timeout: 100_000 });
    const text = await row.innerText();
    expect(text).toContain(`${VERSION} · ${agentPlatform()}`);
    expect(text).toContain("found, readable");
    expect(await row.locator("td").nth(4).innerText()).toBe("0");
    expect(await row.getAttribute("data-outdated")).toBe("0");

    // The agent's own status page links back to this computer on the dashboard.
    const local = await (await fetch(agent.url)).text();
    expect(local).toContain(`href="${d.url}/devices"`);

    await stop(agent); // SIGTERM: the agent's last heartbeat says it stopped
    agent = undefined;
    await page.reload();
    const off = page.locator('tr[data-agent-status="offline"]', { hasText: "Work laptop" });
    await off.waitFor();
    expect(await off.innerText()).toContain("stopped");
    expect(await page.locator('tr[data-agent-status="online"]').count()).toBe(0);
  }, T);

  test("Connect a computer: the button shows the one-line install commands with a fresh code, and the Full Disk Access path", async () => {
    const page = await d.loggedInPage();
    await page.goto("/devices");
    await page.getByRole("button", { name: "Make install command" }).click();
    const sh = await page.locator("#install-sh").innerText();
    expect(sh).toMatch(new RegExp(`^curl -fsSL '${d.url.replace(/[.]/g, "\\.")}/install\\.sh\\?code=rmi_[A-Za-z0-9_-]+' \\| sh$`));
    expect(await page.locator("#install-ps1").innerText()).toContain(`/install.ps1?code=rmi_`);
    await page.locator("#full-disk-access summary").click();
    expect(await page.locator("#full-disk-access").innerText()).toContain("~/Applications/rmirror/rmirror");
    // The script the command fetches is there, for this server.
    const script = await (await fetch(sh.match(/'([^']+)'/)![1]!)).text();
    expect(script).toContain(`SERVER='${d.url}'`);
  }, T);
});
