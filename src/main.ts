#!/usr/bin/env bun
// rmirror: one binary, many roles. Dispatches to a subcommand module, loaded only when used,
// so `rmirror render` never loads the server and `rmirror serve` never loads the agent.
import { VERSION, commit } from "./version.ts";

type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  render: { summary: "convert .rm pages and documents to SVG, PDF, PNG and Markdown (offline)", load: () => import("./cli/render.ts") },
  serve: { summary: "run the home server: HTTP API, job workers, housekeeping", load: () => import("./cli/serve.ts") },
  user: { summary: "manage accounts: user add|passwd|list", load: () => import("./cli/user.ts") },
  import: { summary: "upload a xochitl folder, .rmdoc or .zip to a server", load: () => import("./cli/import.ts") },
  agent: { summary: "watch the desktop app's folder and keep the server in sync; agent login|status|install|uninstall", load: () => import("./cli/agent.ts") },
  healthcheck: { summary: "exit 0 when the local server is healthy (for container health checks)", load: () => import("./cli/healthcheck.ts") },
  backup: { summary: "consistent online backup of the data directory: backup <dest-dir>", load: () => import("./cli/backup.ts") },
  gc: { summary: "delete stored blobs nothing refers to any more: gc [--dry-run]", load: () => import("./cli/gc.ts") },
  verify: { summary: "check every stored blob against its hash; forget damaged ones so they are uploaded again", load: () => import("./cli/verify.ts") },
  export: { summary: "the library as a folder of Markdown notes (Obsidian, Logseq): export markdown --out DIR", load: () => import("./cli/export.ts") },
  mcp: { summary: "answer AI assistants (Model Context Protocol) on stdin/stdout from a server: mcp --server URL --token T", load: () => import("./cli/mcp.ts") },
  ocr: { summary: "OCR chores: ocr reread [--document UUID] [--since DATE] [--user EMAIL]; ocr eval <dir> [--engine E] [--model M] [--json FILE] measures engines on a labelled set", load: () => import("./cli/ocr.ts") },
  restore: { summary: "restore a backup into an empty data directory: restore <backup-dir> --data-dir DIR", load: () => import("./cli/restore.ts") },
};

/** Subcommands added by other modules register here (kept in one place so every role is visible). */
export function commands(): Record<string, Command> {
  return COMMANDS;
}

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `rmirror ${VERSION} — mirror your reMarkable notebooks to a server you own\n\nUsage: rmirror <command> [options]\n\nCommands:\n${rows.join("\n")}\n\nRun 'rmirror <command> --help' for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-v" || name === "version") {
    console.log(`rmirror ${VERSION} (${commit()})`);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`rmirror: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const mod = await cmd.load();
  return mod.run(rest);
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`rmirror: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
