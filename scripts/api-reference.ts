// Writes docs/api-reference.md from the server's own OpenAPI document (GET /api/openapi.json),
// so the reference lists exactly the routes the binary serves:
//   bun scripts/api-reference.ts          rewrite docs/api-reference.md
//   bun scripts/api-reference.ts --check  exit 1 when the file is out of date
// test/docs/api-reference.test.ts runs the check.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig } from "../src/config/schema.ts";
import { silentLogger } from "../src/log.ts";
import { createApp } from "../src/server/app.ts";
import { createContext } from "../src/composition/context.ts";

export const REFERENCE_PATH = resolve(import.meta.dir, "../docs/api-reference.md");

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; anyOf?: Schema[]; enum?: unknown[]; const?: unknown; format?: string; minimum?: number; maximum?: number; maxLength?: number; pattern?: string };
type Operation = { tags?: string[]; summary?: string; parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[]; requestBody?: { content?: Record<string, { schema?: Schema }> } };
type OpenApi = { info: { title: string; version: string }; paths: Record<string, Record<string, Operation>> };

/** The OpenAPI document of a throwaway server (temp data dir, nothing listening). */
export async function openApiDocument(): Promise<OpenApi> {
  const dir = mkdtempSync(join(tmpdir(), "rmirror-apiref-"));
  try {
    const ctx = createContext(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: "silent" } }), { log: silentLogger });
    try {
      const res = await createApp(ctx).handle(new Request("http://localhost/api/openapi.json"));
      if (!res.ok) throw new Error(`GET /api/openapi.json answered ${res.status}`);
      return (await res.json()) as OpenApi;
    } finally {
      ctx.store.db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function typeOf(s: Schema | undefined): string {
  if (!s) return "any";
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (s.anyOf) return s.anyOf.map(typeOf).join(" | ");
  const t = Array.isArray(s.type) ? s.type.join(" | ") : (s.type ?? "any");
  if (t === "array") return `${typeOf(s.items)}[]`;
  if (t === "object" && s.properties) return "object";
  const limits = [s.format, s.minimum !== undefined ? `≥ ${s.minimum}` : "", s.maximum !== undefined ? `≤ ${s.maximum}` : "", s.maxLength !== undefined ? `≤ ${s.maxLength} chars` : ""].filter(Boolean);
  return limits.length ? `${t} (${limits.join(", ")})` : t;
}

function fields(s: Schema | undefined, prefix = "", depth = 0): string[] {
  if (!s?.properties || depth > 2) return [];
  const out: string[] = [];
  for (const [name, p] of Object.entries(s.properties)) {
    const req = s.required?.includes(name) ? "" : "?";
    out.push(`\`${prefix}${name}${req}\`: ${typeOf(p)}`);
    const inner = p.type === "array" ? p.items : p;
    out.push(...fields(inner, `${prefix}${name}${p.type === "array" ? "[]" : ""}.`, depth + 1));
  }
  return out;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The Markdown reference: one table per tag, one row per operation. */
export function renderReference(doc: OpenApi): string {
  const byTag = new Map<string, string[]>();
  const paths = Object.keys(doc.paths).sort();
  for (const path of paths) {
    for (const [method, op] of Object.entries(doc.paths[path]!)) {
      if (!/^(get|put|post|patch|delete)$/.test(method)) continue;
      const tag = op.tags?.[0] ?? "other";
      const params = (op.parameters ?? []).filter((p) => p.in === "query").map((p) => `\`${p.name}${p.required ? "" : "?"}\`: ${typeOf(p.schema)}`);
      const content = op.requestBody?.content ?? {};
      const bodySchema = content["application/json"]?.schema ?? Object.values(content)[0]?.schema;
      const body = fields(bodySchema);
      const input = [...(params.length ? [`query: ${params.join(", ")}`] : []), ...(body.length ? [`body: ${body.join(", ")}`] : [])].join("<br>");
      const row = `| ${method.toUpperCase()} | \`${path.replace(/\{(\w+)\}/g, ":$1")}\` | ${cell(op.summary ?? "")} | ${cell(input)} |`;
      (byTag.get(tag) ?? byTag.set(tag, []).get(tag)!).push(row);
    }
  }
  const parts = [
    `# ${doc.info.title} reference`,
    "",
    "Generated from the server's OpenAPI document by `bun scripts/api-reference.ts` (a test fails when it is",
    "out of date). The running server serves the same document at `/api/openapi.json` and an interactive",
    "page at `/api/docs`. How the API is meant to be used, the sync protocol and every error code are in",
    "[api.md](api.md). `?` marks an optional field.",
  ];
  for (const tag of [...byTag.keys()].sort()) {
    parts.push("", `## ${tag}`, "", "| method | path | what | input |", "|---|---|---|---|", ...byTag.get(tag)!);
  }
  return `${parts.join("\n")}\n`;
}

if (import.meta.main) {
  const text = renderReference(await openApiDocument());
  if (process.argv.includes("--check")) {
    const current = (() => {
      try {
        return readFileSync(REFERENCE_PATH, "utf8");
      } catch {
        return "";
      }
    })();
    if (current !== text) {
      console.error("docs/api-reference.md is out of date: run `bun scripts/api-reference.ts`");
      process.exit(1);
    }
    console.log("docs/api-reference.md is up to date");
  } else {
    writeFileSync(REFERENCE_PATH, text);
    console.log(`wrote ${REFERENCE_PATH}`);
  }
}
