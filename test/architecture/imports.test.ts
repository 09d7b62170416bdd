// The dependency rules of docs/architecture.md, checked on the real import graph of src/, agent/
// and views/ (every static, type-only, re-export and dynamic import with a relative path):
//   1. the domain never imports the web layer (src/server/, views/), and the agent neither;
//   2. the layers below the services never import the services, the workers or anything above;
//   3. views take only types from src/ (besides the pure renderers);
//   4. no import cycle between folders;
//   5. no import cycle between files.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative, resolve } from "node:path";
import ts from "typescript";

const ROOT = resolve(import.meta.dir, "../..");
const SCANNED = ["src", "agent", "views"];
const DOMAIN = ["src/services", "src/jobs", "src/storage", "src/quota", "src/notion", "src/ocr", "src/rm", "src/render", "src/blobs"];
const WEB = ["src/server", "views"];
/** Below the services: storage, blob store, job queue and runner, thin clients, quota arithmetic, format core, leaves. */
const BELOW_SERVICES = ["src/storage", "src/blobs", "src/jobs", "src/quota", "src/notion", "src/ocr", "src/rm", "src/render", "src/config", "src/log.ts", "src/errors.ts"];
/** What sits above them: use cases, job workers, the composition root, the edges. */
const ABOVE = ["src/services", "src/jobs/workers", "src/composition", "src/server", "src/cli", "src/main.ts", "views", "agent"];

const within = (file: string, folder: string) => file === folder || file.startsWith(`${folder}/`);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith(".d.ts"))
    .map((f) => posix.join(dir, f.split("\\").join("/")));
}

/** file → the repository files it imports (relative specifiers only: packages are not ours). */
function importGraph(dirs = SCANNED): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of dirs.flatMap(sourceFiles)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(ROOT, file), "utf8"), true, true);
    const targets = importedFiles
      .map((i) => i.fileName)
      .filter((spec) => spec.startsWith("./") || spec.startsWith("../"))
      .map((spec) => relative(ROOT, resolve(ROOT, dirname(file), spec)).split("\\").join("/"));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one node (Tarjan), each a set of nodes on a cycle. */
function cycles(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** The imports that keep a cycle closed, as "from → to (file → file)" lines for the failure message. */
function explain(scc: string[], graph: Map<string, string[]>, nodeOf: (file: string) => string): string[] {
  const lines: string[] = [];
  for (const [file, targets] of graph)
    for (const t of targets) {
      const a = nodeOf(file);
      const b = nodeOf(t);
      if (a !== b && scc.includes(a) && scc.includes(b) && counts(a, b)) lines.push(`${a} → ${b}   (${file} imports ${t})`);
    }
  return lines;
}

/**
 * Which folder-to-folder imports form the folder graph. A folder may use the shared modules of the
 * folders it sits in (src/server/routes/notion → src/server/http.ts, src/rm/v6 → src/rm/bytes.ts,
 * anything → src/log.ts): that is one folder tree, and the file rule below still forbids a cycle
 * through it. Every other import between two folders counts.
 */
const counts = (from: string, to: string) => from !== to && !within(from, to);

/** An import or re-export that brings in types only (erased at run time). */
function typeOnly(st: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(st)) return st.isTypeOnly || (!!st.exportClause && ts.isNamedExports(st.exportClause) && st.exportClause.elements.every((e) => e.isTypeOnly));
  const clause = st.importClause;
  if (!clause) return false; // a bare import runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const b = clause.namedBindings;
  return !!b && ts.isNamedImports(b) && b.elements.length > 0 && b.elements.every((e) => e.isTypeOnly);
}

const graph = importGraph();

describe("import graph of src/, agent/, views/", () => {
  test("sees the whole tree (sanity: the scanner finds files and imports)", () => {
    expect(graph.size).toBeGreaterThan(200);
    expect(graph.get("src/server/app.ts")).toContain("src/server/routes/documents/index.ts");
    // type-only imports count too: they are dependencies all the same
    expect(graph.get("src/services/library/library.ts")).toContain("src/services/context.ts");
  });

  test("the domain never imports the web layer (src/server/, views/)", () => {
    const bad: string[] = [];
    for (const [file, targets] of graph)
      if (DOMAIN.some((d) => within(file, d))) for (const t of targets) if (WEB.some((w) => within(t, w))) bad.push(`${file} imports ${t}`);
    expect(bad).toEqual([]);
  });

  test("the agent never imports the server: it talks to it over HTTP", () => {
    const bad: string[] = [];
    for (const [file, targets] of graph) if (within(file, "agent")) for (const t of targets) if (WEB.some((w) => within(t, w))) bad.push(`${file} imports ${t}`);
    expect(bad).toEqual([]);
  });

  test("the layers below the services never import the services, the workers or anything above", () => {
    const bad: string[] = [];
    for (const [file, targets] of graph)
      if (BELOW_SERVICES.some((d) => within(file, d)) && !within(file, "src/jobs/workers"))
        for (const t of targets) if (ABOVE.some((a) => within(t, a))) bad.push(`${file} imports ${t}`);
    expect(bad).toEqual([]);
  });

  test("views take only types from src/ (values only from the pure renderers in src/render/)", () => {
    const bad: string[] = [];
    for (const file of sourceFiles("views")) {
      const sf = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, false);
      for (const st of sf.statements) {
        if (!(ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) || !st.moduleSpecifier || !ts.isStringLiteral(st.moduleSpecifier)) continue;
        const target = relative(ROOT, resolve(ROOT, dirname(file), st.moduleSpecifier.text)).split("\\").join("/");
        if (!within(target, "src") || within(target, "src/render")) continue;
        if (!typeOnly(st)) bad.push(`${file} imports values from ${target}`);
      }
    }
    expect(bad).toEqual([]);
  });

  test("no import cycle between folders", () => {
    // src/main.ts, src/log.ts, src/errors.ts…: each top-level module of src/ is its own node (an
    // entry point or a leaf), not one "src" folder that would tie the entry to the leaves.
    const folderOf = (file: string) => (posix.dirname(file) === "src" ? file : posix.dirname(file));
    const edges = new Map<string, Set<string>>();
    for (const [file, targets] of graph)
      for (const t of targets) {
        const [a, b] = [folderOf(file), folderOf(t)];
        if (counts(a, b)) (edges.get(a) ?? edges.set(a, new Set()).get(a)!).add(b);
      }
    const found = cycles(edges).map((scc) => ({ folders: scc, imports: explain(scc, graph, folderOf) }));
    expect(found).toEqual([]);
  });

  test("no import cycle between files", () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, targets] of graph) edges.set(file, new Set(targets.filter((t) => t !== file)));
    const found = cycles(edges).map((scc) => ({ files: scc, imports: explain(scc, graph, (f) => f) }));
    expect(found).toEqual([]);
  });
});
