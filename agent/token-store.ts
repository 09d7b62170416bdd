// Where the device token lives: the macOS keychain (via `security`) when available, else a file
// readable only by the user (`<home>/token`, mode 0600). RMIRROR_AGENT_KEYCHAIN=0 forces the file.
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureHome } from "./config.ts";
import { runCommand, type RunCommand } from "./run-command.ts";

const SERVICE = "rmirror-agent";

export interface TokenStore {
  readonly kind: "keychain" | "file";
  get(): string | undefined;
  set(token: string): void;
  clear(): void;
}

function keychainAvailable(env: Record<string, string | undefined>): boolean {
  return process.platform === "darwin" && env.RMIRROR_AGENT_KEYCHAIN !== "0" && !!Bun.which("security");
}

export function tokenStore(home: string, env: Record<string, string | undefined> = process.env, run: RunCommand = runCommand): TokenStore {
  return keychainAvailable(env) ? keychainStore(home, run) : fileStore(home);
}

function fileStore(home: string): TokenStore {
  const path = join(home, "token");
  return {
    kind: "file",
    get: () => (existsSync(path) ? readFileSync(path, "utf8").trim() || undefined : undefined),
    set: (token) => {
      ensureHome(home);
      writeFileSync(path, token + "\n", { mode: 0o600 });
      chmodSync(path, 0o600);
    },
    clear: () => rmSync(path, { force: true }),
  };
}

/** One word of a `security -i` command line. security's interactive mode splits each line
 *  itself: a word may be wrapped in " and a backslash takes the next character literally. A line
 *  break would end the command (and start another), so it is refused, as is a NUL. */
function securityWord(s: string, what: string): string {
  if (/[\r\n\0]/.test(s)) throw new Error(`agent: the ${what} cannot be stored in the keychain (it contains a line break)`);
  return `"${s.replace(/[\\"]/g, "\\$&")}"`;
}

/** security's interactive mode reads lines of at most 4096 bytes. */
const SECURITY_MAX_LINE = 4095;

export function keychainStore(home: string, run: RunCommand = runCommand): TokenStore {
  // One keychain item per agent home, so test homes never clash with the real one.
  const account = home;
  return {
    kind: "keychain",
    get: () => {
      // The secret comes back on stdout, which only this process reads.
      const r = run(["security", "find-generic-password", "-s", SERVICE, "-a", account, "-w"]);
      return r.exitCode === 0 ? r.stdout.trim() || undefined : undefined;
    },
    set: (token) => {
      // `security add-generic-password -w <token>` would show the token in the process list to
      // every local user for as long as it runs. Instead the command goes to `security -i` on
      // stdin. (The other documented way, `-w` as the last option with no value, prompts through
      // the terminal — it fails without one, e.g. from an install script or launchd — and asks
      // twice.) Exactly one line is sent: `security -i` exits with the result of the last
      // command it ran, so a trailing empty line would turn a failure into exit 0.
      const words = ["add-generic-password", "-U", "-s", SERVICE, "-a", account, "-w"].map((w) => securityWord(w, "agent home path"));
      const line = `${words.join(" ")} ${securityWord(token, "token")}`;
      if (Buffer.byteLength(line) > SECURITY_MAX_LINE) throw new Error("agent: the agent home path is too long for a keychain entry; use RMIRROR_AGENT_KEYCHAIN=0");
      const r = run(["security", "-i"], { stdin: line + "\n" });
      if (r.exitCode !== 0) throw new Error(`agent: could not store the token in the keychain: ${r.stderr.trim().split("\n")[0]}`);
    },
    clear: () => {
      run(["security", "delete-generic-password", "-s", SERVICE, "-a", account]);
    },
  };
}
