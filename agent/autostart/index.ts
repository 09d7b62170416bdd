// Autostart: a launchd agent on macOS, a systemd user unit on Linux, a scheduled task (at logon)
// on Windows. `install` writes the file and runs the OS loader; `uninstall` unloads and removes
// it. The generated files are pure functions of their inputs (tested); the loader commands go
// through an injectable runner (tests record them; RMIRROR_AGENT_NO_LOAD=1 skips them). None of
// these files holds a secret: the token stays in the keychain or `<home>/token` (0600).
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { runCommand, sleepSync, type RunCommand, type Sleep } from "../run-command.ts";

export const LABEL = "com.rmirror.agent";
export const UNIT = "rmirror-agent.service";
export const TASK = "rmirror agent";

export interface AutostartSpec {
  /** argv that starts the agent: the compiled binary, or bun + src/main.ts. */
  command: string[];
  /** Environment to pass (e.g. RMIRROR_AGENT_HOME). */
  env: Record<string, string>;
  logDir: string;
}

function xml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

export function launchdPlist(spec: AutostartSpec): string {
  const args = spec.command.map((a) => `    <string>${xml(a)}</string>`).join("\n");
  const env = Object.entries(spec.env)
    .map(([k, v]) => `    <key>${xml(k)}</key>\n    <string>${xml(v)}</string>`)
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${args}
  </array>
  <key>EnvironmentVariables</key>
  <dict>
${env}
  </dict>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ThrottleInterval</key>
  <integer>30</integer>
  <key>ProcessType</key>
  <string>Background</string>
  <key>LowPriorityIO</key>
  <true/>
  <key>StandardOutPath</key>
  <string>${xml(join(spec.logDir, "agent.log"))}</string>
  <key>StandardErrorPath</key>
  <string>${xml(join(spec.logDir, "agent.log"))}</string>
</dict>
</plist>
`;
}

/** systemd quoting: every argument in double quotes, with \ " and % escaped. */
function sdQuote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/%/g, "%%")}"`;
}

export function systemdUnit(spec: AutostartSpec): string {
  const env = Object.entries(spec.env)
    .map(([k, v]) => `Environment=${sdQuote(`${k}=${v}`)}`)
    .join("\n");
  return `[Unit]
Description=rmirror agent: mirror reMarkable notebooks to your server
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=${spec.command.map(sdQuote).join(" ")}
${env}
Restart=on-failure
RestartSec=30
Nice=10
IOSchedulingClass=idle

[Install]
WantedBy=default.target
`;
}

/** One argument for a Windows command line, quoted by the CommandLineToArgvW rules: inside
 *  quotes, backslashes are literal except before a quote, where each is doubled and the quote
 *  escaped; a trailing run of backslashes is doubled so it does not escape the closing quote. */
export function windowsArg(a: string, alwaysQuote = false): string {
  if (!alwaysQuote && a !== "" && !/[\s"]/.test(a)) return a;
  return `"${a.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, "$1$1")}"`;
}

/** The account the task runs as: DOMAIN\user (USERDOMAIN/USERNAME), the user name alone for a
 *  machine without one, else the OS's idea of the current user. */
export function windowsUser(env: Record<string, string | undefined> = process.env): string {
  const user = env.USERNAME || userInfo().username;
  return env.USERDOMAIN ? `${env.USERDOMAIN}\\${user}` : user;
}

/** Task Scheduler XML (UTF-16 when written); starts at the user's logon, restarts on failure.
 *  The user is named in the LogonTrigger and the Principal: a logon trigger without a UserId
 *  means "any user", which only an administrator may register (Access Denied otherwise).
 *  Element order follows the schema: triggerBaseType's Enabled before logonTriggerType's UserId. */
export function windowsTaskXml(spec: AutostartSpec, user: string): string {
  const [exe, ...args] = spec.command;
  const quoted = args.map((a) => windowsArg(a)).join(" ");
  // Scheduled tasks cannot set environment variables; the agent home is passed as a flag.
  const home = spec.env.RMIRROR_AGENT_HOME ? ` --home ${windowsArg(spec.env.RMIRROR_AGENT_HOME, true)}` : "";
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo><Description>rmirror agent: mirror reMarkable notebooks to your server</Description></RegistrationInfo>
  <Triggers><LogonTrigger><Enabled>true</Enabled><UserId>${xml(user)}</UserId></LogonTrigger></Triggers>
  <Principals><Principal id="Author"><UserId>${xml(user)}</UserId><LogonType>InteractiveToken</LogonType><RunLevel>LeastPrivilege</RunLevel></Principal></Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <RestartOnFailure><Interval>PT1M</Interval><Count>999</Count></RestartOnFailure>
    <Priority>7</Priority>
  </Settings>
  <Actions Context="Author"><Exec><Command>${xml(exe!)}</Command><Arguments>${xml(quoted + home)}</Arguments></Exec></Actions>
</Task>
`;
}

export interface AutostartTarget {
  kind: "launchd" | "systemd" | "schtasks";
  file: string;
  content: string;
  /** The loader's commands, in order (launchd: what a clean run does; see loadLaunchd). */
  load: string[][];
  unload: string[][];
  /** Restart the installed agent (after an update). */
  restart: string[][];
}

export function autostartTarget(spec: AutostartSpec, platform = process.platform, home = homedir(), env: Record<string, string | undefined> = process.env): AutostartTarget {
  if (platform === "darwin") {
    const file = join(home, "Library/LaunchAgents", `${LABEL}.plist`);
    const uid = process.getuid?.() ?? 501;
    return {
      kind: "launchd",
      file,
      content: launchdPlist(spec),
      load: [
        ["launchctl", "bootout", `gui/${uid}/${LABEL}`],
        ["launchctl", "bootstrap", `gui/${uid}`, file],
      ],
      unload: [["launchctl", "bootout", `gui/${uid}/${LABEL}`]],
      restart: [["launchctl", "kickstart", "-k", `gui/${uid}/${LABEL}`]],
    };
  }
  if (platform === "win32") {
    const file = join(spec.logDir, "rmirror-agent-task.xml");
    return {
      kind: "schtasks",
      file,
      content: windowsTaskXml(spec, windowsUser(env)),
      load: [
        ["schtasks", "/Create", "/F", "/TN", TASK, "/XML", file],
        ["schtasks", "/Run", "/TN", TASK],
      ],
      unload: [
        ["schtasks", "/End", "/TN", TASK],
        ["schtasks", "/Delete", "/F", "/TN", TASK],
      ],
      restart: [
        ["schtasks", "/End", "/TN", TASK],
        ["schtasks", "/Run", "/TN", TASK],
      ],
    };
  }
  const file = join(env.XDG_CONFIG_HOME ?? join(home, ".config"), "systemd/user", UNIT);
  return {
    kind: "systemd",
    file,
    content: systemdUnit(spec),
    load: [
      ["systemctl", "--user", "daemon-reload"],
      ["systemctl", "--user", "enable", "--now", UNIT],
    ],
    unload: [
      ["systemctl", "--user", "disable", "--now", UNIT],
      ["systemctl", "--user", "daemon-reload"],
    ],
    restart: [["systemctl", "--user", "restart", UNIT]],
  };
}

export interface LoaderDeps {
  run: RunCommand;
  sleep: Sleep;
}
const realLoader: LoaderDeps = { run: runCommand, sleep: sleepSync };

function report(cmd: string[], r: { exitCode: number; stderr: string }, out: (s: string) => void): void {
  out(`  ${cmd.join(" ")} → exit ${r.exitCode}${r.exitCode ? `: ${r.stderr.trim()}` : ""}\n`);
}

/** Runs each command (all of them, reporting each); true when every one succeeded. */
function runAll(cmds: string[][], out: (s: string) => void, deps: LoaderDeps): boolean {
  let ok = true;
  for (const cmd of cmds) {
    const r = deps.run(cmd);
    report(cmd, r, out);
    if (r.exitCode !== 0) ok = false;
  }
  return ok;
}

/** Waits before each new bootstrap attempt: 0.5 s doubling, ~7.5 s in all. */
export const BOOTSTRAP_RETRY_MS = [500, 1000, 2000, 4000];

/** launchd (re)load. `bootout` returns before launchd has finished tearing the old instance
 *  down, so an immediate `bootstrap` can fail with "Bootstrap failed: 5: Input/output error".
 *  Retry with growing waits; if it still fails while launchd reports the service as loaded
 *  (bootout itself failed, or it never finished), restart that instance with `kickstart -k`. */
export function loadLaunchd(t: AutostartTarget, out: (s: string) => void, deps: LoaderDeps): boolean {
  const [bootout, bootstrap] = t.load as [string[], string[]];
  const service = bootout[2]!;
  report(bootout, deps.run(bootout), out); // "not loaded" is fine: a first install
  for (let attempt = 0; ; attempt++) {
    const r = deps.run(bootstrap);
    report(bootstrap, r, out);
    if (r.exitCode === 0) return true;
    const wait = BOOTSTRAP_RETRY_MS[attempt];
    if (wait === undefined) break;
    out(`  retrying in ${wait} ms (launchd may still be unloading the previous instance)\n`);
    deps.sleep(wait);
  }
  const print = ["launchctl", "print", service];
  const loaded = deps.run(print);
  report(print, loaded, out);
  if (loaded.exitCode === 0) {
    const kick = ["launchctl", "kickstart", "-k", service];
    const k = deps.run(kick);
    report(kick, k, out);
    if (k.exitCode === 0) {
      out(`  ${LABEL} was still loaded: restarted it in place; log out and in to load a changed ${t.file}\n`);
      return true;
    }
  }
  out(`could not load ${t.file} with launchctl; try 'launchctl bootstrap ${bootstrap[2]} ${t.file}' after a moment, or log out and in\n`);
  return false;
}

/** Writes the autostart file and loads it; false when the OS loader failed (reported on `out`). */
export function install(t: AutostartTarget, out: (s: string) => void, skipLoad: boolean, deps: LoaderDeps = realLoader): boolean {
  mkdirSync(dirname(t.file), { recursive: true });
  writeFileSync(t.file, t.kind === "schtasks" ? "\ufeff" + t.content : t.content, { encoding: t.kind === "schtasks" ? "utf16le" : "utf8", mode: 0o644 });
  out(`wrote ${t.file}\n`);
  if (skipLoad) {
    for (const cmd of t.load) out(`  (skipped) ${cmd.join(" ")}\n`);
    return true;
  }
  if (t.kind === "launchd") return loadLaunchd(t, out, deps);
  return runAll(t.load, out, deps);
}

export function uninstall(t: AutostartTarget, out: (s: string) => void, skipLoad: boolean, deps: LoaderDeps = realLoader): boolean {
  const had = existsSync(t.file);
  if (skipLoad) for (const cmd of t.unload) out(`  (skipped) ${cmd.join(" ")}\n`);
  else runAll(t.unload, out, deps);
  rmSync(t.file, { force: true });
  out(had ? `removed ${t.file}\n` : `nothing installed at ${t.file}\n`);
  return had;
}

/** Restart the autostarted agent through its service manager; false when a command failed. */
export function restart(t: AutostartTarget, out: (s: string) => void, deps: LoaderDeps = realLoader): boolean {
  return runAll(t.restart, out, deps);
}

/** Whether this process is a compiled rmirror executable (not bun running src/main.ts). */
export function isCompiled(): boolean {
  return Bun.main.startsWith("/$bunfs/") || /[\\/]~BUN[\\/]/.test(Bun.main);
}

/** How to start this agent again: the compiled binary itself, or the runtime + src/main.ts. */
export function selfCommand(): string[] {
  const main = Bun.main;
  const compiled = main.startsWith("/$bunfs/") || /[\\/]~BUN[\\/]/.test(main);
  if (compiled) return [process.execPath, "agent"];
  return [process.execPath, join(import.meta.dir, "../../src/main.ts"), "agent"];
}
