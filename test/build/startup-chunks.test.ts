// What each subcommand loads at start (issue 18: "every subcommand loads only what it uses").
// The release build splits the bundle (scripts/build.ts BUNDLE_FLAGS): main.ts `import()`s a
// subcommand's chunk only when it runs. Bundle the same way without --compile, then follow the
// static imports from each chunk the way the runtime will, and check which source modules that
// loads (the bundler marks each module's code with a `// <path>` comment).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BUNDLE_FLAGS } from "../../scripts/build.ts";

const root = resolve(import.meta.dir, "../..");
const out = mkdtempSync(join(tmpdir(), "rmirror-chunks-"));

beforeAll(() => {
  const r = Bun.spawnSync([process.execPath, "build", join(root, "src/main.ts"), "--target=bun", ...BUNDLE_FLAGS, `--outdir=${out}`], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`bun build failed: ${r.stderr.toString()}`);
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Source modules evaluated when `chunk` is loaded: its own and those of its static imports. */
function staticModules(chunk: string, seen = new Set<string>()): Set<string> {
  const modules = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(out, file), "utf8");
    // node_modules reached through a symlink are named from the real path (`// ../main/node_modules/…` in a worktree).
    for (const m of code.matchAll(/^\/\/ (?:\.\.\/[^/\s]+\/)?((?:src|agent|views|node_modules)\/\S+|package\.json)$/gm)) modules.add(m[1]!);
    for (const m of code.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s*"\.\/([^"]+)"/gm)) visit(m[1]!);
    for (const m of code.matchAll(/^import\s*"\.\/([^"]+)"/gm)) visit(m[1]!);
  };
  visit(chunk);
  return modules;
}

/** The chunk main.ts loads for `name` (from its `load: () => import("./…")`). */
function commandChunk(name: string): string {
  const main = readFileSync(join(out, "main.js"), "utf8");
  const m = new RegExp(`\\b${name}: \\{[^}]*?import\\("\\./([^"]+)"\\)`).exec(main);
  if (!m) throw new Error(`no chunk for ${name}`);
  return m[1]!;
}

test("the bundle is split: main.js and one chunk per subcommand", () => {
  const files = readdirSync(out);
  expect(files).toContain("main.js");
  for (const c of ["serve", "agent", "render", "import", "user", "healthcheck", "backup", "restore"]) expect(files).toContain(commandChunk(c));
});

test("--version and --help load only main.ts, version.ts and package.json", () => {
  expect([...staticModules("main.js")].sort()).toEqual(["package.json", "src/main.ts", "src/version.ts"]);
});

test("healthcheck loads no server, agent, renderer or SDK code", () => {
  const mods = [...staticModules("main.js"), ...staticModules(commandChunk("healthcheck"))];
  expect(mods.filter((m) => m.startsWith("node_modules/") || m.startsWith("src/server/") || m.startsWith("agent/") || m.startsWith("src/render/"))).toEqual([]);
});

test("render (offline) loads no server, agent, Notion or OCR SDK code", () => {
  const mods = [...staticModules(commandChunk("render"))];
  expect(mods.filter((m) => /^(src\/server|agent|views)\/|node_modules\/(elysia|@notionhq|@anthropic-ai|openai|@google|chokidar)/.test(m))).toEqual([]);
});

test("serve loads no agent, MuPDF, resvg, Notion client or OCR SDK before first use", () => {
  const mods = [...staticModules(commandChunk("serve"))];
  expect(mods.length).toBeGreaterThan(50); // the server itself is there
  expect(mods.filter((m) => /^agent\/|node_modules\/(chokidar|mupdf|@resvg|@notionhq|@anthropic-ai|openai|@google)/.test(m))).toEqual([]);
});

test("serve loads no pdf-lib, nodemailer or node-cron before first use (PDF export, first email, crons after listen)", () => {
  const mods = [...staticModules(commandChunk("serve"))];
  expect(mods.some((m) => m.startsWith("node_modules/elysia/"))).toBe(true); // node_modules are seen at all
  expect(mods.filter((m) => /^node_modules\/(pdf-lib|@pdf-lib|pako|nodemailer|node-cron)\//.test(m))).toEqual([]);
});

test("serve loads no integration SDK before first use (MCP, zod, Todoist, Standard Webhooks)", () => {
  const mods = [...staticModules(commandChunk("serve"))];
  expect(mods.filter((m) => /^node_modules\/(@modelcontextprotocol|zod|@doist|standardwebhooks)\//.test(m))).toEqual([]);
});

test("serve loads no @elysiajs/openapi before a request for /api/openapi.json or /api/docs", () => {
  const mods = [...staticModules(commandChunk("serve"))];
  expect(mods).toContain("src/server/api-docs.ts"); // the routes are there, their code is not
  expect(mods.filter((m) => /^node_modules\/@elysiajs\//.test(m))).toEqual([]);
});

test("serve evaluates fflate on first use, not at start (its ESM build loads node:worker_threads when imported)", () => {
  const mods = [...staticModules(commandChunk("serve"))];
  expect(mods.filter((m) => m.startsWith("node_modules/fflate/esm/"))).toEqual([]); // only the CommonJS build, run at its first require()
});
