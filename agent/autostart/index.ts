// Autostart: a launchd agent on macOS, a systemd user unit on Linux, a scheduled task (at logon)
// on Windows. `install` writes the file and runs the OS loader; `uninstall` unloads and removes
// it. The generated files are pure functions of their inputs (tested); the loader commands are
// only run for real (RMIRROR_AGENT_NO_LOAD=1 skips them).
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

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

/** Task Scheduler XML (UTF-16 when written); starts at logon, restarts on failure. */
export function windowsTaskXml(spec: AutostartSpec): string {
  const [exe, ...args] = spec.command;
  const quoted = args.map((a) => (/[\s"]/.test(a) ? `"${a.replace(/"/g, '\\"')}"` : a)).join(" ");
  // Scheduled tasks cannot set environment variables; the agent home is passed as a flag.
  const home = spec.env.RMIRROR_AGENT_HOME ? ` --home "${spec.env.RMIRROR_AGENT_HOME}"` : "";
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo><Description>rmirror agent: mirror reMarkable notebooks to your server</Description></RegistrationInfo>
  <Triggers><LogonTrigger><Enabled>true</Enabled></LogonTrigger></Triggers>
  <Principals><Principal id="Author"><LogonType>InteractiveToken</LogonType><RunLevel>LeastPrivilege</RunLevel></Principal></Principals>
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
  load: string[][];
  unload: string[][];
}

export function autostartTarget(spec: AutostartSpec, platform = process.platform, home = homedir()): AutostartTarget {
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
    };
  }
  if (platform === "win32") {
    const file = join(spec.logDir, "rmirror-agent-task.xml");
    return {
      kind: "schtasks",
      file,
      content: windowsTaskXml(spec),
      load: [
        ["schtasks", "/Create", "/F", "/TN", TASK, "/XML", file],
        ["schtasks", "/Run", "/TN", TASK],
      ],
      unload: [
        ["schtasks", "/End", "/TN", TASK],
        ["schtasks", "/Delete", "/F", "/TN", TASK],
      ],
    };
  }
  const file = join(process.env.XDG_CONFIG_HOME ?? join(home, ".config"), "systemd/user", UNIT);
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
  };
}

function runAll(cmds: string[][], out: (s: string) => void, skip: boolean): void {
  for (const cmd of cmds) {
    if (skip) {
      out(`  (skipped) ${cmd.join(" ")}\n`);
      continue;
    }
    const r = Bun.spawnSync(cmd, { stdout: "ignore", stderr: "pipe" });
    out(`  ${cmd.join(" ")} → exit ${r.exitCode}${r.exitCode ? `: ${r.stderr.toString().trim()}` : ""}\n`);
  }
}

export function install(t: AutostartTarget, out: (s: string) => void, skipLoad: boolean): void {
  mkdirSync(dirname(t.file), { recursive: true });
  writeFileSync(t.file, t.kind === "schtasks" ? "\ufeff" + t.content : t.content, { encoding: t.kind === "schtasks" ? "utf16le" : "utf8", mode: 0o644 });
  out(`wrote ${t.file}\n`);
  runAll(t.load, out, skipLoad);
}

export function uninstall(t: AutostartTarget, out: (s: string) => void, skipLoad: boolean): boolean {
  const had = existsSync(t.file);
  runAll(t.unload, out, skipLoad);
  rmSync(t.file, { force: true });
  out(had ? `removed ${t.file}\n` : `nothing installed at ${t.file}\n`);
  return had;
}

/** How to start this agent again: the compiled binary itself, or the runtime + src/main.ts. */
export function selfCommand(): string[] {
  const main = Bun.main;
  const compiled = main.startsWith("/$bunfs/") || /[\\/]~BUN[\\/]/.test(main);
  if (compiled) return [process.execPath, "agent"];
  return [process.execPath, join(import.meta.dir, "../../src/main.ts"), "agent"];
}
