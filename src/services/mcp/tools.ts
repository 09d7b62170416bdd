// "Ask your notes": the Model Context Protocol server an AI assistant talks to. One McpServer per
// caller, bound to that user: every tool reads through the same user-scoped library functions as
// the HTTP API, so an assistant sees exactly what its token's owner sees. Read-only.
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { AppError } from "../../errors.ts";
import { VERSION } from "../../version.ts";
import type { AppContext } from "../context.ts";
import { documentMarkdown, pageMarkdown, pagePng, snapLongEdge } from "../library/exports.ts";
import { getDocument, listDocuments } from "../library/library.ts";
import { plainSnippet, search, SOURCES } from "../library/search.ts";
import { listTodos } from "../library/todos.ts";
import { requireDocument } from "../ownership.ts";

const INSTRUCTIONS =
  "Notes from the user's reMarkable tablet, mirrored by rmirror: handwriting read by OCR, typed text and highlights, per notebook and page. " +
  "Find things with search_notes, then read_notebook or read_page; get_page_image shows a page as drawn (sketches, diagrams).";

function text(s: string, structured?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: s }], ...(structured ? { structuredContent: structured } : {}) };
}

/** A tool's failure as the assistant should see it: our own error messages, never internals. */
function guarded<A>(ctx: AppContext, name: string, fn: (args: A) => Promise<CallToolResult> | CallToolResult) {
  return async (args: A): Promise<CallToolResult> => {
    try {
      return await fn(args);
    } catch (e) {
      if (e instanceof AppError) return { content: [{ type: "text", text: `${e.code}: ${e.message}` }], isError: true };
      ctx.log.error("mcp tool failed", { tool: name, err: e instanceof Error ? e.message : String(e) });
      return { content: [{ type: "text", text: "internal error: the server could not answer; its log has the details." }], isError: true };
    }
  };
}

/** The page row for "3" (1-based number) or a page id. */
function pageRef(ctx: AppContext, userId: number, uuid: string, page: string): string {
  if (!/^\d{1,6}$/.test(page)) return page;
  const doc = requireDocument(ctx, userId, uuid);
  const row = ctx.store.pagesByDocument(doc.id)[Number(page) - 1];
  if (!row) throw new AppError("page_not_found", `This notebook has ${doc.page_count ?? "fewer"} pages; there is no page ${page}.`);
  return row.page_uuid;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** A server with every tool and resource, for one user. */
export function mcpServerFor(ctx: AppContext, userId: number): McpServer {
  const server = new McpServer({ name: "rmirror", version: VERSION }, { instructions: INSTRUCTIONS, capabilities: { tools: {}, resources: {} } });
  const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

  server.registerTool(
    "search_notes",
    {
      title: "Search notes",
      description: "Full-text search over handwriting (OCR), typed text, highlights and notebook names. Returns matching pages with a snippet, best match first.",
      inputSchema: {
        query: z.string().min(1).max(500).describe("words to find (all must match; prefixes match)"),
        source: z.enum(SOURCES).optional().describe("only text of this kind"),
        folder: z.string().optional().describe("only inside this folder (uuid)"),
        tag: z.string().optional().describe("only notebooks with this tag"),
        from: z.string().optional().describe("modified on or after (ISO date)"),
        to: z.string().optional().describe("modified before (ISO date)"),
        limit: z.number().int().min(1).max(50).optional(),
      },
      annotations: readOnly,
    },
    guarded(ctx, "search_notes", (a: { query: string; source?: string; folder?: string; tag?: string; from?: string; to?: string; limit?: number }) => {
      const r = search(ctx, userId, { q: a.query, source: a.source, folder: a.folder, tag: a.tag, from: a.from, to: a.to, limit: String(a.limit ?? 10) });
      const hits = r.items.map((h) => ({
        notebook: h.document.name,
        uuid: h.document.uuid,
        page: h.page ? h.page.idx + 1 : null,
        pageId: h.page?.id ?? null,
        source: h.source,
        snippet: plainSnippet(h.snippet.replace(/<\/?mark>/g, "**")).replace(/&(amp|lt|gt|quot|#39);/g, (m) => ({ "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" })[m]!),
      }));
      const lines = hits.map((h) => `- ${h.notebook}${h.page ? `, page ${h.page}` : ""} (${h.source}; uuid ${h.uuid}${h.pageId ? `, page id ${h.pageId}` : ""}): ${h.snippet}`);
      return text(hits.length ? `${hits.length} result(s) for "${r.query}":\n${lines.join("\n")}` : `Nothing found for "${r.query}".`, { results: hits });
    }),
  );

  server.registerTool(
    "list_notebooks",
    {
      title: "List notebooks",
      description: "Notebooks and documents (not folders), newest first, optionally inside one folder.",
      inputSchema: { folder: z.string().optional().describe("folder uuid, or 'root'"), limit: z.number().int().min(1).max(500).optional() },
      annotations: readOnly,
    },
    guarded(ctx, "list_notebooks", (a: { folder?: string; limit?: number }) => {
      const docs = listDocuments(ctx, userId, a.folder ? { parent: a.folder } : {})
        .filter((d) => d.type === "document")
        .sort((x, y) => (y.lastModified ?? "").localeCompare(x.lastModified ?? ""))
        .slice(0, a.limit ?? 100)
        .map((d) => ({ uuid: d.uuid, name: d.name, folder: d.parent || null, pages: d.pageCount, tags: d.tags, lastModified: d.lastModified }));
      return text(docs.length ? docs.map((d) => `- ${d.name} (uuid ${d.uuid}, ${d.pages ?? "?"} pages, modified ${d.lastModified ?? "unknown"})`).join("\n") : "No notebooks yet.", { notebooks: docs });
    }),
  );

  server.registerTool(
    "read_notebook",
    {
      title: "Read a notebook",
      description: "A whole notebook as Markdown: typed text, handwriting (OCR) and highlights of every page, in page order.",
      inputSchema: { uuid: z.string().describe("the notebook's uuid (from search_notes or list_notebooks)") },
      annotations: readOnly,
    },
    guarded(ctx, "read_notebook", async (a: { uuid: string }) => {
      const doc = requireDocument(ctx, userId, a.uuid);
      if (doc.type === "CollectionType") throw new AppError("document_not_found", "That uuid is a folder; use list_notebooks with folder set to it.");
      const md = await documentMarkdown(ctx, userId, a.uuid);
      return text(md.text || `# ${doc.name}\n\n(no text yet: pages without handwriting OCR or typed text)`);
    }),
  );

  server.registerTool(
    "read_page",
    {
      title: "Read a page",
      description: "One page as Markdown: typed text, handwriting (OCR) and highlights.",
      inputSchema: { uuid: z.string().describe("the notebook's uuid"), page: z.string().describe("page number (1 = first) or page id") },
      annotations: readOnly,
    },
    guarded(ctx, "read_page", async (a: { uuid: string; page: string }) => {
      const md = await pageMarkdown(ctx, userId, a.uuid, pageRef(ctx, userId, a.uuid, a.page));
      return text(md.text || `(page ${md.idx + 1} of "${md.document}" has no text yet)`, { notebook: md.document, page: md.idx + 1, markdown: md.text });
    }),
  );

  server.registerTool(
    "get_page_image",
    {
      title: "Look at a page",
      description: "A page as the tablet draws it (PNG; annotated PDFs with the PDF underneath), for sketches and diagrams that text does not capture.",
      inputSchema: {
        uuid: z.string().describe("the notebook's uuid"),
        page: z.string().describe("page number (1 = first) or page id"),
        longEdge: z.number().int().min(256).max(2048).optional().describe("pixels on the long edge (default 1568)"),
      },
      annotations: readOnly,
    },
    guarded(ctx, "get_page_image", async (a: { uuid: string; page: string; longEdge?: number }) => {
      const pageId = pageRef(ctx, userId, a.uuid, a.page);
      const body = await pagePng(ctx, userId, a.uuid, pageId, { longEdge: snapLongEdge(a.longEdge ?? 1568), grayscale: false, text: true });
      const bytes = new Uint8Array(await new Response(body).arrayBuffer());
      return { content: [{ type: "image", data: Buffer.from(bytes).toString("base64"), mimeType: "image/png" }] };
    }),
  );

  server.registerTool(
    "list_recent_changes",
    {
      title: "Recent changes",
      description: "Notebooks changed recently (written on, renamed, moved, newly read by OCR), newest first.",
      inputSchema: { since: z.string().optional().describe("only changes after this ISO date"), limit: z.number().int().min(1).max(100).optional() },
      annotations: readOnly,
    },
    guarded(ctx, "list_recent_changes", (a: { since?: string; limit?: number }) => {
      const since = a.since ? Date.parse(a.since) : 0;
      if (!Number.isFinite(since)) throw new AppError("bad_request", "since must be an ISO date.");
      const rows = ctx.store
        .documentsByUser(userId)
        .filter((d) => d.type !== "CollectionType" && d.updated_at > since)
        .sort((x, y) => y.updated_at - x.updated_at)
        .slice(0, a.limit ?? 20)
        .map((d) => ({ uuid: d.uuid, name: d.name, inTrash: d.parent === "trash", changedAt: iso(d.updated_at), lastModified: iso(d.last_modified) }));
      return text(rows.length ? rows.map((d) => `- ${d.changedAt}: ${d.name}${d.inTrash ? " (in trash)" : ""} (uuid ${d.uuid})`).join("\n") : "No changes in that period.", { changes: rows });
    }),
  );

  server.registerTool(
    "list_todos",
    {
      title: "List to-dos",
      description: "Checkbox items written or typed on the tablet; open ones unless asked otherwise.",
      inputSchema: { checked: z.boolean().optional().describe("true: done items; false (default): open items"), uuid: z.string().optional().describe("only this notebook"), limit: z.number().int().min(1).max(500).optional() },
      annotations: readOnly,
    },
    guarded(ctx, "list_todos", (a: { checked?: boolean; uuid?: string; limit?: number }) => {
      const r = listTodos(ctx, userId, { checked: String(a.checked ?? false), ...(a.uuid ? { document: a.uuid } : {}), limit: String(a.limit ?? 100) });
      const items = r.items.map((t) => ({ text: t.text, checked: t.checked, notebook: t.document.name, uuid: t.document.uuid, page: t.page.idx + 1 }));
      return text(items.length ? items.map((t) => `- [${t.checked ? "x" : " "}] ${t.text} (${t.notebook}, page ${t.page})`).join("\n") : "No to-dos.", { todos: items });
    }),
  );

  server.registerResource(
    "notebook",
    new ResourceTemplate("rmirror://notebooks/{uuid}", {
      list: () => ({
        resources: listDocuments(ctx, userId)
          .filter((d) => d.type === "document")
          .map((d) => ({ uri: `rmirror://notebooks/${d.uuid}`, name: d.name, mimeType: "text/markdown" })),
      }),
    }),
    { title: "Notebook", description: "A notebook as Markdown", mimeType: "text/markdown" },
    async (uri, vars) => {
      const uuid = String(vars.uuid);
      const doc = getDocument(ctx, userId, uuid);
      if (doc.type === "folder") throw new AppError("document_not_found", "That uuid is a folder.");
      const md = await documentMarkdown(ctx, userId, uuid);
      return { contents: [{ uri: uri.href, mimeType: "text/markdown", text: md.text }] };
    },
  );

  return server;
}
