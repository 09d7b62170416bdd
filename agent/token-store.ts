// Where the device token lives: the macOS keychain (via `security`) when available, else a file
// readable only by the user (`<home>/token`, mode 0600). RMIRROR_AGENT_KEYCHAIN=0 forces the file.
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureHome } from "./config.ts";

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

export function tokenStore(home: string, env: Record<string, string | undefined> = process.env): TokenStore {
  return keychainAvailable(env) ? keychainStore(home) : fileStore(home);
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

function keychainStore(home: string): TokenStore {
  // One keychain item per agent home, so test homes never clash with the real one.
  const account = home;
  return {
    kind: "keychain",
    get: () => {
      const r = Bun.spawnSync(["security", "find-generic-password", "-s", SERVICE, "-a", account, "-w"], { stdout: "pipe", stderr: "ignore" });
      return r.exitCode === 0 ? r.stdout.toString().trim() || undefined : undefined;
    },
    set: (token) => {
      const r = Bun.spawnSync(["security", "add-generic-password", "-U", "-s", SERVICE, "-a", account, "-w", token], { stdout: "ignore", stderr: "pipe" });
      if (r.exitCode !== 0) throw new Error(`agent: could not store the token in the keychain: ${r.stderr.toString().trim()}`);
    },
    clear: () => {
      Bun.spawnSync(["security", "delete-generic-password", "-s", SERVICE, "-a", account], { stdout: "ignore", stderr: "ignore" });
    },
  };
}
