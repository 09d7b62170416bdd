// Native notifications (issue 15): what each OS is asked to run, with hostile notebook names
// (the text must stay text: never AppleScript, PowerShell, markup or an option), and the
// at-most-once-per-event rule across checks and restarts (state in the agent's real SQLite outbox).
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgent } from "../../agent/agent.ts";
import { silentLogger } from "../../src/log.ts";
import { writeNotebook } from "./harness.ts";
import { Outbox } from "../../agent/outbox.ts";
import { APPLESCRIPT, markupText, notificationLaunch, POWERSHELL_SCRIPT, type Notice } from "../../agent/notify/commands.ts";
import { Notifier, type ParkedDoc } from "../../agent/notify/notifier.ts";

const HOSTILE = [
  `" & (do shell script "touch /tmp/pwned") & "`,
  `’; Remove-Item -Recurse $HOME; ‘`,
  `$(Start-Process calc) \`n "quoted" 'single'`,
  `<b>bold</b> & <script>x</script> &amp;`,
  `--help -e 'display dialog "hi"'`,
  `end run\non run argv`,
];
const all = () => true;

describe("what each OS runs", () => {
  for (const name of HOSTILE) {
    const n: Notice = { key: "k", title: "rmirror: a notebook could not be synced", body: `“${name}”: server refused the document` };

    test(`macOS: a fixed AppleScript gets the text as run-handler arguments — ${JSON.stringify(name)}`, () => {
      const l = notificationLaunch(n, "darwin", all)!;
      expect(l.argv[0]).toBe("osascript");
      const scripts = l.argv.flatMap((a, i) => (l.argv[i - 1] === "-e" ? [a] : []));
      expect(scripts).toEqual(APPLESCRIPT);
      expect(l.argv.slice(1, 1 + 2 * APPLESCRIPT.length).filter((_, i) => i % 2 === 0)).toEqual(APPLESCRIPT.map(() => "-e"));
      const [title, body] = l.argv.slice(1 + 2 * APPLESCRIPT.length);
      expect(title).toBe(n.title);
      // Line breaks are the only control characters kept; the name arrives as one argument.
      expect(body).toBe(n.body);
      expect(l.argv.length).toBe(1 + 2 * APPLESCRIPT.length + 2);
      expect(l.env).toBeUndefined();
    });

    test(`Windows: a fixed PowerShell script reads the text from the environment — ${JSON.stringify(name)}`, () => {
      const l = notificationLaunch(n, "win32", all)!;
      expect(l.argv.slice(0, 2)).toEqual(["powershell.exe", "-NoProfile"]);
      const encoded = l.argv[l.argv.indexOf("-EncodedCommand") + 1]!;
      expect(Buffer.from(encoded, "base64").toString("utf16le")).toBe(POWERSHELL_SCRIPT);
      for (const a of l.argv) expect(a).not.toContain(name.slice(0, 8));
      expect(l.env).toEqual({ RMIRROR_NOTIFY_TITLE: n.title, RMIRROR_NOTIFY_BODY: n.body });
      // The toast XML is built with text nodes, never by pasting strings into markup.
      expect(POWERSHELL_SCRIPT).toContain("CreateTextNode($env:RMIRROR_NOTIFY_BODY)");
      expect(POWERSHELL_SCRIPT).not.toMatch(/LoadXml|\$env:RMIRROR_NOTIFY_\w+\s*\+|"\$env/);
    });

    test(`Linux: notify-send after "--", the body escaped as markup — ${JSON.stringify(name)}`, () => {
      const l = notificationLaunch(n, "linux", (p) => p === "notify-send")!;
      expect(l.argv.slice(0, 3)).toEqual(["notify-send", "--app-name=rmirror", "--"]);
      expect(l.argv[3]).toBe(n.title);
      expect(l.argv[4]).toBe(markupText(n.body));
      expect(l.argv[4]).not.toMatch(/<|>|&(?!amp;|lt;|gt;)/);
      expect(l.argv.length).toBe(5);
    });
  }

  test("markup escaping round-trips and control characters become spaces", () => {
    expect(markupText(`<b>a & b</b> &amp;`)).toBe("&lt;b&gt;a &amp; b&lt;/b&gt; &amp;amp;");
    const l = notificationLaunch({ key: "k", title: "t\u0007\u202eevil", body: "a\u0000b\nc" }, "darwin", all)!;
    expect(l.argv.slice(-2)).toEqual(["t  evil", "a b\nc"]);
  });

  test("no notifier installed: nothing is run", () => {
    const n: Notice = { key: "k", title: "t", body: "b" };
    expect(notificationLaunch(n, "linux", () => false)).toBeUndefined();
    expect(notificationLaunch(n, "darwin", () => false)).toBeUndefined();
    expect(notificationLaunch(n, "win32", () => false)).toBeUndefined();
  });
});

describe("at most once per event", () => {
  const doc = (uuid: string, gen: number, name?: string): ParkedDoc => ({ uuid, gen, name, error: "server refused the document: bad page" });
  const A = "11111111-1111-4111-8111-111111111111";
  const B = "22222222-2222-4222-8222-222222222222";

  test("quota: 90 % once, 100 % once (never 90 % after it), again next month; nothing below 90 % or when unlimited; survives a restart", () => {
    const ob = new Outbox(":memory:");
    const shown: Notice[] = [];
    let n = new Notifier(ob, (x) => shown.push(x));
    const base = { connection: "online", parked: [] };
    const dec = "2026-12-01T00:00:00.000Z";
    n.check({ ...base, quota: { used: 89, limit: 100, resets_at: dec } });
    n.check({ ...base, quota: { used: 500, limit: null } });
    expect(shown).toEqual([]);
    n.check({ ...base, quota: { used: 90, limit: 100, resets_at: dec } });
    n.check({ ...base, quota: { used: 95, limit: 100, resets_at: dec } });
    n.check({ ...base }); // quota not fetched this time
    expect(shown.map((s) => s.title)).toEqual(["rmirror: OCR quota at 90 %"]);
    n = new Notifier(ob, (x) => shown.push(x)); // the agent restarts
    n.check({ ...base, quota: { used: 99, limit: 100, resets_at: dec } });
    expect(shown.length).toBe(1);
    n.check({ ...base, quota: { used: 100, limit: 100, resets_at: dec } });
    n.check({ ...base, quota: { used: 120, limit: 100, resets_at: dec } });
    expect(shown.map((s) => s.title)).toEqual(["rmirror: OCR quota at 90 %", "rmirror: OCR quota used up"]);
    expect(shown[1]!.body).toContain("100 of 100");
    n.check({ ...base, quota: { used: 95, limit: 100, resets_at: dec } }); // a refund: no "90 %" after "used up"
    expect(shown.length).toBe(2);
    n.check({ ...base, quota: { used: 91, limit: 100, resets_at: "2027-01-01T00:00:00.000Z" } });
    expect(shown.length).toBe(3);
    ob.close();
  });

  test("parked documents: one notice for those new at a check, not repeated; a new version parked again is a new event", () => {
    const ob = new Outbox(":memory:");
    const shown: Notice[] = [];
    const n = new Notifier(ob, (x) => shown.push(x));
    n.check({ connection: "online", parked: [doc(A, 1, HOSTILE[0]), doc(B, 1)], statusUrl: "http://127.0.0.1:9090" });
    expect(shown.length).toBe(1);
    expect(shown[0]!.title).toBe("rmirror: 2 notebooks could not be synced");
    expect(shown[0]!.body).toContain(`“${HOSTILE[0]}”`);
    expect(shown[0]!.body).toContain(B);
    expect(shown[0]!.body).toContain("http://127.0.0.1:9090");
    n.check({ connection: "online", parked: [doc(A, 1, HOSTILE[0]), doc(B, 1)] });
    expect(new Notifier(ob, (x) => shown.push(x)).check({ connection: "online", parked: [doc(A, 1), doc(B, 1)] })).toEqual([]);
    expect(shown.length).toBe(1);
    n.check({ connection: "online", parked: [doc(B, 1)] }); // A retried and synced
    n.check({ connection: "online", parked: [doc(A, 2, "Edited"), doc(B, 1)] }); // A changed and failed again
    expect(shown.length).toBe(2);
    expect(shown[1]!.title).toBe("rmirror: a notebook could not be synced");
    expect(shown[1]!.body).toStartWith("“Edited”");
    ob.close();
  });

  test("a refused token: once, again only after the agent was online in between", () => {
    const ob = new Outbox(":memory:");
    const shown: Notice[] = [];
    const n = new Notifier(ob, (x) => shown.push(x));
    n.check({ connection: "unauthorized", parked: [] });
    n.check({ connection: "unauthorized", parked: [] });
    n.check({ connection: "offline", parked: [] });
    n.check({ connection: "unauthorized", parked: [] });
    expect(shown.length).toBe(1);
    expect(shown[0]!.body).toContain("rmirror agent login");
    n.check({ connection: "online", parked: [] });
    n.check({ connection: "unauthorized", parked: [] });
    expect(shown.length).toBe(2);
    ob.close();
  });
});

describe("the running agent", () => {
  test("a notebook with a hostile name that cannot be read is parked and told about once, by name", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "rmirror-notify-"));
    const folder = join(tmp, "desktop");
    mkdirSync(folder, { recursive: true });
    const name = HOSTILE[0]!;
    const bad = writeNotebook(folder, { name, pages: [{ sample: new TextEncoder().encode("junk, not a page ".repeat(8)) }] });
    const shown: Notice[] = [];
    const seen = Promise.withResolvers<void>();
    const agent = await startAgent({
      home: join(tmp, "home"),
      folder,
      // Nothing listens there: a page that cannot be parsed is parked before any request.
      server: "http://127.0.0.1:9",
      token: "rmt_unused",
      debounceMs: 50,
      rescanMinutes: 0,
      statusPort: -1,
      uploader: { maxAttempts: 1, localRetryBaseMs: 10, backoffBaseMs: 10, backoffCapMs: 50 },
      log: silentLogger,
      notify: (n) => {
        shown.push(n);
        if (n.key.startsWith("parked:")) seen.resolve();
      },
      notifyEveryMs: 20,
    });
    try {
      await seen.promise;
      const parked = shown.filter((n) => n.key.startsWith("parked:"));
      expect(parked.length).toBe(1);
      expect(parked[0]!.key).toBe(`parked:${bad.uuid}:${agent.outbox.row(bad.uuid)!.gen}`);
      expect(parked[0]!.body).toStartWith(`“${name}”: `);
      expect(JSON.parse(agent.outbox.getState("notified")!)).toContain(parked[0]!.key);
    } finally {
      await agent.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
