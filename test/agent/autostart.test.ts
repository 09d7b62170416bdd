// Autostart that works for everyone (issue 15): the Windows task names the user in its logon
// trigger and principal; launchd re-install survives the "Bootstrap failed: 5" race; the macOS
// keychain write never puts the token in a process's argv. The OS tools are not on this machine:
// an injected runner records every call and plays back what launchctl / security answer.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { autostartTarget, install, windowsTaskXml, type AutostartSpec } from "../../agent/autostart/index.ts";
import { keychainStore } from "../../agent/token-store.ts";
import type { CommandResult, RunCommand } from "../../agent/run-command.ts";
import { find, findAll, parseXml } from "./xml-tree.ts";

const tmp = mkdtempSync(join(tmpdir(), "rmirror-autostart-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Call {
  argv: string[];
  stdin?: string;
}

/** A runner that records calls and answers from `answer` (default: success, no output). */
function recorder(answer: (argv: string[], n: number) => Partial<CommandResult> = () => ({})) {
  const calls: Call[] = [];
  const run: RunCommand = (argv, opts) => {
    calls.push({ argv: [...argv], ...(opts?.stdin !== undefined ? { stdin: opts.stdin } : {}) });
    return { exitCode: 0, stdout: "", stderr: "", ...answer(argv, calls.length) };
  };
  return { calls, run };
}

describe("Windows scheduled task", () => {
  const spec: AutostartSpec = { command: ["C:\\Program Files\\rmirror\\rmirror.exe", "agent"], env: { RMIRROR_AGENT_HOME: "C:\\Users\\a b\\" }, logDir: join(tmp, "win") };

  test("names DOMAIN\\user in the logon trigger and the principal (interactive, least privilege), escaped as XML", () => {
    const user = `CORP\\o'brien & <"co">`;
    const t = autostartTarget(spec, "win32", "C:/Users/a", { USERDOMAIN: "CORP", USERNAME: `o'brien & <"co">` });
    const { declaration, root } = parseXml(t.content);
    expect(declaration.encoding).toBe("UTF-16");
    expect(root.name).toBe("Task");
    const trigger = find(root, "Triggers/LogonTrigger");
    expect(find(trigger, "UserId").text).toBe(user);
    // logonTriggerType extends triggerBaseType: the base's elements (Enabled) come before UserId.
    expect(trigger.children.map((c) => c.name)).toEqual(["Enabled", "UserId"]);
    const principal = find(root, "Principals/Principal");
    expect(find(principal, "UserId").text).toBe(user);
    expect(find(principal, "LogonType").text).toBe("InteractiveToken");
    expect(find(principal, "RunLevel").text).toBe("LeastPrivilege");
    expect(findAll(principal, "GroupId")).toEqual([]); // UserId and GroupId are exclusive
    expect(find(root, "Actions").attrs.Context).toBe(principal.attrs.id!);
    expect(find(root, "Actions/Exec/Command").text).toBe(spec.command[0]!);
    // CommandLineToArgvW rules: a trailing backslash before the closing quote is doubled.
    expect(find(root, "Actions/Exec/Arguments").text).toBe(`agent --home "C:\\Users\\a b\\\\"`);
  });

  test("a local account (no USERDOMAIN) is named by its user name alone", () => {
    const { root } = parseXml(windowsTaskXml(spec, "alice"));
    expect(find(root, "Triggers/LogonTrigger/UserId").text).toBe("alice");
    const t = autostartTarget(spec, "win32", "C:/Users/a", { USERNAME: "alice" });
    expect(find(parseXml(t.content).root, "Principals/Principal/UserId").text).toBe("alice");
  });

  test("the file schtasks /XML reads is UTF-16 LE with a byte-order mark, matching its declaration", () => {
    const t = autostartTarget(spec, "win32", "C:/Users/a", { USERDOMAIN: "PC", USERNAME: "bob" });
    const { calls, run } = recorder();
    expect(install(t, () => {}, false, { run, sleep: () => {} })).toBe(true);
    const bytes = readFileSync(t.file);
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    const text = new TextDecoder("utf-16le").decode(bytes.subarray(2));
    expect(text).toBe(t.content);
    expect(find(parseXml(text).root, "Principals/Principal/UserId").text).toBe("PC\\bob");
    expect(calls.map((c) => c.argv)).toEqual([
      ["schtasks", "/Create", "/F", "/TN", "rmirror agent", "/XML", t.file],
      ["schtasks", "/Run", "/TN", "rmirror agent"],
    ]);
  });
});

describe("launchd re-install", () => {
  const spec: AutostartSpec = { command: ["/opt/rmirror", "agent"], env: { RMIRROR_AGENT_HOME: join(tmp, "mac") }, logDir: join(tmp, "mac") };
  const target = () => autostartTarget(spec, "darwin", join(tmp, "machome"));
  const uid = process.getuid?.() ?? 501;
  const service = `gui/${uid}/com.rmirror.agent`;
  const failed5 = { exitCode: 5, stderr: "Bootstrap failed: 5: Input/output error\n" };

  test("bootstrap failing with 5 right after bootout is retried with growing waits until it loads", () => {
    const t = target();
    let bootstraps = 0;
    const { calls, run } = recorder((argv) => (argv[1] === "bootstrap" && ++bootstraps <= 2 ? failed5 : {}));
    const sleeps: number[] = [];
    let log = "";
    expect(install(t, (s) => (log += s), false, { run, sleep: (ms) => sleeps.push(ms) })).toBe(true);
    expect(calls.map((c) => c.argv)).toEqual([
      ["launchctl", "bootout", service],
      ["launchctl", "bootstrap", `gui/${uid}`, t.file],
      ["launchctl", "bootstrap", `gui/${uid}`, t.file],
      ["launchctl", "bootstrap", `gui/${uid}`, t.file],
    ]);
    expect(sleeps.length).toBe(2);
    expect(sleeps[1]!).toBeGreaterThan(sleeps[0]!);
    expect(log).toContain("Bootstrap failed: 5");
    expect(log).toMatch(/retrying/);
  });

  test("a service that stays loaded is restarted in place with kickstart -k", () => {
    const t = target();
    const { calls, run } = recorder((argv) => (argv[1] === "bootout" ? { exitCode: 5, stderr: "Boot-out failed: 5: Input/output error" } : argv[1] === "bootstrap" ? failed5 : {}));
    const sleeps: number[] = [];
    expect(install(t, () => {}, false, { run, sleep: (ms) => sleeps.push(ms) })).toBe(true);
    const verbs = calls.map((c) => c.argv[1]);
    expect(verbs[0]).toBe("bootout");
    expect(verbs.filter((v) => v === "bootstrap").length).toBeGreaterThan(1);
    expect(calls.at(-2)!.argv).toEqual(["launchctl", "print", service]);
    expect(calls.at(-1)!.argv).toEqual(["launchctl", "kickstart", "-k", service]);
    expect(sleeps.length).toBe(verbs.filter((v) => v === "bootstrap").length - 1);
  });

  test("a service that neither loads nor is loaded is reported as a failure", () => {
    const t = target();
    const { calls, run } = recorder((argv) => (argv[1] === "bootstrap" ? failed5 : argv[1] === "print" ? { exitCode: 113, stderr: "Could not find service" } : {}));
    let log = "";
    expect(install(t, (s) => (log += s), false, { run, sleep: () => {} })).toBe(false);
    expect(calls.some((c) => c.argv[1] === "kickstart")).toBe(false);
    expect(log).toMatch(/could not load/i);
  });

  test("skipped loaders run nothing", () => {
    const { calls, run } = recorder();
    expect(install(target(), () => {}, true, { run, sleep: () => {} })).toBe(true);
    expect(calls).toEqual([]);
  });
});

/** How `security -i` splits a line into arguments (Apple's security.c split_line): whitespace
 *  separates; a word may be quoted with " or '; a backslash takes the next character literally. */
function securitySplit(line: string): string[] {
  const args: string[] = [];
  let cur: string | undefined;
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (cur === undefined) {
      if (/\s/.test(ch)) continue;
      cur = "";
      if (ch === '"' || ch === "'") {
        quote = ch;
        continue;
      }
      quote = "";
    }
    if (ch === "\\") cur += line[++i] ?? "";
    else if (quote ? ch === quote : /\s/.test(ch)) {
      args.push(cur);
      cur = undefined;
    } else cur += ch;
  }
  if (cur !== undefined) args.push(cur);
  return args;
}

describe("macOS keychain", () => {
  const home = join(tmp, `it's a "home" \\ with spaces`);

  test("the token goes to `security -i` on stdin, never into any argv", () => {
    const token = `rmt_Ab9-_x"y'z\\ w`;
    const { calls, run } = recorder();
    keychainStore(home, run).set(token);
    expect(calls.length).toBe(1);
    for (const c of calls) for (const a of c.argv) expect(a).not.toContain("rmt_");
    expect(calls[0]!.argv).toEqual(["security", "-i"]);
    const stdin = calls[0]!.stdin!;
    // Exactly one line: an empty line after it would be a second (empty) command whose result
    // (0) would hide a failure of the first from the exit code.
    expect(stdin.endsWith("\n")).toBe(true);
    expect(stdin.slice(0, -1)).not.toContain("\n");
    expect(securitySplit(stdin.slice(0, -1))).toEqual(["add-generic-password", "-U", "-s", "rmirror-agent", "-a", home, "-w", token]);
  });

  test("a failed write throws without echoing the token; a token with a line break is refused before anything runs", () => {
    const { run } = recorder(() => ({ exitCode: 45, stderr: "security: SecKeychainItemCreateFromContent: User interaction is not allowed.\nadd-generic-password: returned 45\n" }));
    let msg = "";
    try {
      keychainStore(home, run).set("rmt_secret1");
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/could not store the token in the keychain/);
    expect(msg).not.toContain("rmt_secret1");
    const rec = recorder();
    expect(() => keychainStore(home, rec.run).set("rmt_a\nadd-generic-password -s x")).toThrow(/token/);
    expect(rec.calls).toEqual([]);
  });

  test("reading and clearing name the same item; the secret is only ever on stdout", () => {
    const { calls, run } = recorder((argv) => (argv[1] === "find-generic-password" ? { stdout: "rmt_back\n" } : {}));
    const s = keychainStore(home, run);
    expect(s.get()).toBe("rmt_back");
    s.clear();
    expect(calls.map((c) => c.argv)).toEqual([
      ["security", "find-generic-password", "-s", "rmirror-agent", "-a", home, "-w"],
      ["security", "delete-generic-password", "-s", "rmirror-agent", "-a", home],
    ]);
  });
});

test("autostart files hold no secret and are written for the user alone to change", () => {
  const spec: AutostartSpec = { command: ["/opt/rmirror", "agent"], env: { RMIRROR_AGENT_HOME: join(tmp, "h") }, logDir: join(tmp, "h") };
  for (const platform of ["linux", "darwin", "win32"] as const) {
    const t = autostartTarget(spec, platform, join(tmp, `home-${platform}`), { USERNAME: "u" });
    install(t, () => {}, true);
    const mode = statSync(t.file).mode & 0o777;
    expect(mode & 0o022).toBe(0); // nobody else may rewrite what runs at login
    expect(readFileSync(t.file, platform === "win32" ? "utf16le" : "utf8")).not.toMatch(/rmt_|TOKEN/);
  }
});
