// A fake Notion API (versions 2025-09-03 and 2026-03-11) on loopback, driven by the real
// @notionhq/client through its baseUrl. It follows the documented behaviour closely enough to
// catch real mistakes:
// - Notion-Version header required (400 missing_version); from 2026-03-11 append takes
//   `position` (not `after`), `archived` is refused in favour of `in_trash`, objects carry only
//   `in_trash` and the refusal to edit trashed content says "in the trash" (nothing promises the
//   word "archived"); Bearer auth, 401 unauthorized for an unknown, revoked or expired token;
// - OAuth: code exchange and refresh (grant_type=refresh_token) with HTTP Basic client
//   id/secret; every exchange issues an access token and a rotating refresh token: a refresh
//   issues a new pair, the old access token stops working and the used refresh token is refused
//   (400 invalid_grant) from then on; `expireAccessTokens()` makes the issued access tokens
//   expire (401 unauthorized), as they do in real life;
// - request bodies over 500 KB refused (400 validation_error, the documented answer);
// - databases hold data sources (databases.create with initial_data_source; pages.create with a
//   data_source_id parent); property keys may be names or ids;
// - size limits with the real message shapes: ≤ 100 children per append, ≤ 2 nesting levels per
//   request, ≤ 2,000 characters per text content, ≤ 100 rich-text items per array;
// - 429 rate_limited with Retry-After when a token exceeds its rate (token bucket, configurable);
// - 400 "Can't edit block that is archived." when appending to or updating an archived block or a
//   page in the trash; blocks.delete archives.
// Everything is kept, so tests read the resulting "Notion" back and count objects and requests.

import { serveFake } from "./loopback.ts";

export interface FakeBlock {
  id: string;
  object: "block";
  type: string;
  body: Record<string, unknown>;
  parent: string;
  children: string[];
  archived: boolean;
}

export interface FakePage {
  id: string;
  object: "page";
  parent: { type: "data_source_id"; data_source_id: string; database_id: string } | { type: "page_id"; page_id: string } | { type: "workspace"; workspace: true };
  /** property id → value */
  properties: Record<string, unknown>;
  title: string;
  children: string[];
  in_trash: boolean;
  token: string | null;
}

export interface FakeDataSource {
  id: string;
  database_id: string;
  /** property name → { id, type, config } */
  properties: Record<string, { id: string; type: string; config: unknown }>;
}

export interface FakeDatabase {
  id: string;
  parent: string;
  title: string;
  data_sources: string[];
  in_trash: boolean;
}

export interface SeenNotionRequest {
  method: string;
  path: string;
  body: any;
  status: number;
  token: string | null;
  version: string | null;
  at: number;
}

export interface FakeNotion {
  url: string;
  requests: SeenNotionRequest[];
  pages: Map<string, FakePage>;
  blocks: Map<string, FakeBlock>;
  databases: Map<string, FakeDatabase>;
  dataSources: Map<string, FakeDataSource>;
  tokens: Set<string>;
  /**
   * OAuth: registered client and codes it will exchange. `refresh` holds the live refresh tokens
   * (→ the access token issued with it); `usedRefresh` the rotated-away ones (refused).
   */
  oauth: {
    clientId: string;
    clientSecret: string;
    codes: Map<string, { token: string; workspaceName: string }>;
    refresh: Map<string, { access: string; workspaceName: string }>;
    usedRefresh: Set<string>;
  };
  /** Access tokens issued by OAuth exchanges and refreshes expire (answer 401 unauthorized). */
  expireAccessTokens(): void;
  /** The user removes the integration's access: its refresh tokens stop working too. */
  revokeRefreshTokens(): void;
  /** Token bucket per token: null = no rate limit. */
  rate: { perSecond: number; burst: number; retryAfterSeconds: number } | null;
  /** Answers to give to the next requests (before anything else), e.g. { status: 429 }. */
  script: { status: number; retryAfter?: string; code?: string; message?: string }[];
  rateLimited: number;
  /** A workspace page shared with every token (a candidate parent). */
  addSharedPage(title: string): string;
  /** The user moves a page or block to the trash in Notion's UI. */
  trash(id: string): void;
  /** The user renames a data source property in Notion's UI. */
  renameProperty(dataSourceId: string, from: string, to: string): void;
  /** Non-archived child blocks of a page or block, as a tree. */
  tree(id: string): { type: string; text: string; checked?: boolean; children: any[] }[];
  /** Non-trashed pages in a data source. */
  rows(dataSourceId: string): FakePage[];
  /** Plain text of a page property by name. */
  prop(page: FakePage, name: string): unknown;
  count(): { pages: number; blocks: number; liveBlocks: number; databases: number };
  reset(): void;
  close(): Promise<void>;
}

function notionError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ object: "error", status, code, message, request_id: crypto.randomUUID() }, { status, headers });
}

class Invalid extends Error {}

const TEXT_TYPES = new Set(["paragraph", "heading_1", "heading_2", "heading_3", "bulleted_list_item", "numbered_list_item", "to_do", "quote", "code", "toggle", "callout"]);
const ARCHIVED_OLD = "Can't edit block that is archived. You must unarchive the block before editing.";
const IN_TRASH = "Can't edit block that is in the trash. You must restore the block before editing.";

/** The refusal to edit trashed content, in the pinned version's wording. */
function trashedMessage(version: string): string {
  return version >= "2026-03-11" ? IN_TRASH : ARCHIVED_OLD;
}

function plainOf(rt: unknown): string {
  return Array.isArray(rt) ? rt.map((r: any) => r?.text?.content ?? r?.plain_text ?? "").join("") : "";
}

function checkRichText(rt: unknown, path: string): void {
  if (!Array.isArray(rt)) throw new Invalid(`body failed validation: ${path} should be an array, instead was \`${JSON.stringify(rt)?.slice(0, 50)}\`.`);
  if (rt.length > 100) throw new Invalid(`body failed validation: ${path}.length should be ≤ \`100\`, instead was \`${rt.length}\`.`);
  rt.forEach((r: any, i: number) => {
    const c = r?.text?.content;
    if (typeof c !== "string") throw new Invalid(`body failed validation: ${path}[${i}].text.content should be defined, instead was \`undefined\`.`);
    if (c.length > 2000) throw new Invalid(`body failed validation: ${path}[${i}].text.content.length should be ≤ \`2000\`, instead was \`${c.length}\`.`);
    const url = r?.text?.link?.url;
    if (url !== undefined && (typeof url !== "string" || url.length > 2000)) throw new Invalid(`body failed validation: ${path}[${i}].text.link.url should be a valid URL.`);
  });
}

/** Validate an array of children at nesting `level` (1 = the request's top level). */
function checkChildren(children: unknown, path: string, level: number): void {
  if (!Array.isArray(children)) throw new Invalid(`body failed validation: ${path} should be an array, instead was \`${JSON.stringify(children)?.slice(0, 50)}\`.`);
  if (children.length > 100) throw new Invalid(`body failed validation: ${path}.length should be ≤ \`100\`, instead was \`${children.length}\`.`);
  children.forEach((b: any, i: number) => {
    const type = b?.type;
    if (typeof type !== "string" || typeof b[type] !== "object" || b[type] === null) throw new Invalid(`body failed validation: ${path}[${i}] should be a block object.`);
    const body = b[type];
    const p = `${path}[${i}].${type}`;
    if (TEXT_TYPES.has(type)) checkRichText(body.rich_text, `${p}.rich_text`);
    if (type === "to_do" && body.checked !== undefined && typeof body.checked !== "boolean") throw new Invalid(`body failed validation: ${p}.checked should be a boolean.`);
    if (body.children !== undefined) {
      if (level >= 3) throw new Invalid(`body failed validation: ${p}.children should be not present, instead was \`${JSON.stringify(body.children).slice(0, 40)}...\`.`);
      checkChildren(body.children, `${p}.children`, level + 1);
    }
  });
}

/** Notion's documented cap on one request's body ("500KB overall"). */
export const FAKE_NOTION_MAX_BODY_BYTES = 500_000;

export function startFakeNotion(opts: { tokens?: string[] } = {}): FakeNotion {
  /** Access tokens issued by OAuth (they expire; internal integration tokens do not). */
  const oauthIssued = new Set<string>();
  const fake: FakeNotion = {
    url: "",
    requests: [],
    pages: new Map(),
    blocks: new Map(),
    databases: new Map(),
    dataSources: new Map(),
    tokens: new Set(opts.tokens ?? ["secret_fake_notion_token_0123456789abcdef"]),
    oauth: { clientId: "fake-client-id", clientSecret: "fake-client-secret", codes: new Map(), refresh: new Map(), usedRefresh: new Set() },
    expireAccessTokens() {
      for (const t of oauthIssued) fake.tokens.delete(t);
      oauthIssued.clear();
    },
    revokeRefreshTokens() {
      for (const r of fake.oauth.refresh.keys()) fake.oauth.usedRefresh.add(r);
      fake.oauth.refresh.clear();
    },
    rate: null,
    script: [],
    rateLimited: 0,
    addSharedPage(title) {
      const id = crypto.randomUUID();
      fake.pages.set(id, { id, object: "page", parent: { type: "workspace", workspace: true }, properties: { title: [{ type: "text", text: { content: title } }] }, title, children: [], in_trash: false, token: null });
      return id;
    },
    trash(id) {
      const p = fake.pages.get(id);
      if (p) p.in_trash = true;
      const b = fake.blocks.get(id);
      if (b) b.archived = true;
    },
    renameProperty(dsId, from, to) {
      const ds = fake.dataSources.get(dsId)!;
      ds.properties[to] = ds.properties[from]!;
      delete ds.properties[from];
    },
    tree(id) {
      const kids = fake.pages.get(id)?.children ?? fake.blocks.get(id)?.children ?? [];
      return kids
        .map((k) => fake.blocks.get(k)!)
        .filter((b) => !b.archived)
        .map((b) => ({ type: b.type, text: plainOf(b.body.rich_text), ...(b.type === "to_do" ? { checked: !!b.body.checked } : {}), children: fake.tree(b.id) }));
    },
    rows(dsId) {
      return [...fake.pages.values()].filter((p) => p.parent.type === "data_source_id" && p.parent.data_source_id === dsId && !pageTrashed(p));
    },
    prop(page, name) {
      const ds = page.parent.type === "data_source_id" ? fake.dataSources.get(page.parent.data_source_id) : undefined;
      const def = ds?.properties[name];
      if (!def) return undefined;
      const v = page.properties[def.id] as any;
      if (v === undefined) return undefined;
      switch (def.type) {
        case "title":
        case "rich_text":
          return plainOf(v);
        case "multi_select":
          return (v ?? []).map((o: any) => o.name);
        case "select":
          return v?.name ?? null;
        case "date":
          return v?.start ?? null;
        default:
          return v;
      }
    },
    count() {
      return {
        pages: [...fake.pages.values()].filter((p) => p.parent.type === "data_source_id").length,
        blocks: fake.blocks.size,
        liveBlocks: [...fake.blocks.values()].filter((b) => !b.archived && !isInTrash(b.parent)).length,
        databases: fake.databases.size,
      };
    },
    reset() {
      fake.pages.clear();
      fake.blocks.clear();
      fake.databases.clear();
      fake.dataSources.clear();
      fake.requests.length = 0;
      fake.script.length = 0;
      fake.rate = null;
      fake.rateLimited = 0;
      fake.oauth.refresh.clear();
      fake.oauth.usedRefresh.clear();
      oauthIssued.clear();
    },
    close: async () => {},
  };

  /** A page is in the trash itself or with its database (Notion trashes a database's rows with it). */
  const pageTrashed = (p: FakePage): boolean => p.in_trash || (p.parent.type === "data_source_id" && !!fake.databases.get(p.parent.database_id)?.in_trash);
  const isInTrash = (id: string): boolean => {
    const p = fake.pages.get(id);
    if (p) return pageTrashed(p);
    const b = fake.blocks.get(id);
    return b ? b.archived || isInTrash(b.parent) : false;
  };

  const buckets = new Map<string, { tokens: number; at: number }>();
  function allow(token: string): boolean {
    const r = fake.rate;
    if (!r) return true;
    const now = performance.now();
    const b = buckets.get(token) ?? { tokens: r.burst, at: now };
    b.tokens = Math.min(r.burst, b.tokens + ((now - b.at) / 1000) * r.perSecond);
    b.at = now;
    buckets.set(token, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  function addBlocks(parentId: string, children: any[], afterId: string | null, atStart: boolean): FakeBlock[] {
    const parentKids = fake.pages.get(parentId)?.children ?? fake.blocks.get(parentId)!.children;
    const made: FakeBlock[] = [];
    for (const c of children) {
      const { children: sub, ...body } = c[c.type] as Record<string, unknown> & { children?: any[] };
      const b: FakeBlock = { id: crypto.randomUUID(), object: "block", type: c.type, body, parent: parentId, children: [], archived: false };
      fake.blocks.set(b.id, b);
      if (sub) addBlocks(b.id, sub, null, false);
      made.push(b);
    }
    const ids = made.map((b) => b.id);
    if (afterId) parentKids.splice(parentKids.indexOf(afterId) + 1, 0, ...ids);
    else if (atStart) parentKids.splice(0, 0, ...ids);
    else parentKids.push(...ids);
    return made;
  }

  // 2026-03-11 renamed `archived` to `in_trash`: objects carry only `in_trash` from then on.
  const blockJson = (b: FakeBlock, version: string) => ({
    object: "block",
    id: b.id,
    type: b.type,
    [b.type]: b.body,
    has_children: b.children.some((k) => !fake.blocks.get(k)!.archived),
    in_trash: b.archived,
    ...(version < "2026-03-11" ? { archived: b.archived } : {}),
    parent: fake.pages.has(b.parent) ? { type: "page_id", page_id: b.parent } : { type: "block_id", block_id: b.parent },
    created_time: new Date().toISOString(),
    last_edited_time: new Date().toISOString(),
  });

  const pageJson = (p: FakePage, version: string) => {
    const ds = p.parent.type === "data_source_id" ? fake.dataSources.get(p.parent.data_source_id) : undefined;
    const properties: Record<string, unknown> = {};
    if (ds) for (const [name, def] of Object.entries(ds.properties)) properties[name] = { id: def.id, type: def.type, [def.type]: p.properties[def.id] ?? null };
    else properties.title = { id: "title", type: "title", title: (p.properties.title as any[]).map((t) => ({ ...t, plain_text: t.text.content })) };
    return { object: "page", id: p.id, parent: p.parent, properties, in_trash: pageTrashed(p), ...(version < "2026-03-11" ? { archived: pageTrashed(p) } : {}), url: `https://www.notion.so/${p.id.replace(/-/g, "")}`, created_time: new Date().toISOString(), last_edited_time: new Date().toISOString() };
  };

  const dbJson = (d: FakeDatabase) => ({
    object: "database",
    id: d.id,
    title: [{ type: "text", text: { content: d.title }, plain_text: d.title }],
    parent: { type: "page_id", page_id: d.parent },
    data_sources: d.data_sources.map((id) => ({ id, name: d.title })),
    in_trash: d.in_trash,
    is_inline: false,
  });

  const dsJson = (ds: FakeDataSource) => ({
    object: "data_source",
    id: ds.id,
    parent: { type: "database_id", database_id: ds.database_id },
    properties: Object.fromEntries(Object.entries(ds.properties).map(([name, d]) => [name, { id: d.id, name, type: d.type, [d.type]: d.config }])),
  });

  let propSeq = 0;
  function newProperty(type: string, config: unknown) {
    propSeq++;
    return { id: type === "title" ? "title" : `p${propSeq.toString(36)}%3A`, type, config };
  }

  /** Resolve property keys (names or ids) to ids and validate the values. */
  function writeProperties(ds: FakeDataSource, props: Record<string, any>, into: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(props ?? {})) {
      const def = Object.values(ds.properties).find((d) => d.id === key) ?? ds.properties[key];
      if (!def) throw new Invalid(`${key} is not a property that exists.`);
      const v = value?.[def.type];
      if (v === undefined) throw new Invalid(`body failed validation: body.properties.${key}.${def.type} should be defined, instead was \`undefined\`.`);
      if (def.type === "title" || def.type === "rich_text") checkRichText(v, `body.properties.${key}.${def.type}`);
      if (def.type === "url" && v !== null && (typeof v !== "string" || v.length > 2000)) throw new Invalid(`body failed validation: body.properties.${key}.url should be a string ≤ 2000.`);
      if (def.type === "multi_select" && (!Array.isArray(v) || v.length > 100 || v.some((o: any) => typeof o?.name !== "string" || o.name.includes(","))))
        throw new Invalid(`body failed validation: body.properties.${key}.multi_select is invalid.`);
      into[def.id] = v;
    }
  }

  async function handle(req: Request, url: URL, token: string | null, body: any, version: string): Promise<Response> {
    const path = url.pathname;
    const m = (re: RegExp) => re.exec(path);
    let g: RegExpExecArray | null;

    if (req.method === "POST" && path === "/v1/search") {
      const results = [...fake.pages.values()].filter((p) => !p.in_trash && (!body?.query || p.title.toLowerCase().includes(String(body.query).toLowerCase()))).map((p) => pageJson(p, version));
      return Response.json({ object: "list", results, next_cursor: null, has_more: false, type: "page_or_data_source", page_or_data_source: {} });
    }
    if (req.method === "POST" && path === "/v1/databases") {
      const parentId = body?.parent?.page_id;
      const parent = fake.pages.get(parentId);
      if (!parent) return notionError(404, "object_not_found", `Could not find page with ID: ${parentId}. Make sure the relevant pages and databases are shared with your integration.`);
      if (parent.in_trash) throw new Invalid(trashedMessage(version));
      const props = body?.initial_data_source?.properties ?? {};
      if (Object.values(props).filter((p: any) => p && "title" in p).length !== 1) throw new Invalid("body failed validation: a database must have exactly one title property.");
      const db: FakeDatabase = { id: crypto.randomUUID(), parent: parentId, title: plainOf(body.title) || "Untitled", data_sources: [], in_trash: false };
      const ds: FakeDataSource = { id: crypto.randomUUID(), database_id: db.id, properties: {} };
      for (const [name, def] of Object.entries(props as Record<string, any>)) {
        const type = Object.keys(def)[0]!;
        ds.properties[name] = newProperty(type, def[type]);
      }
      db.data_sources.push(ds.id);
      fake.databases.set(db.id, db);
      fake.dataSources.set(ds.id, ds);
      return Response.json(dbJson(db));
    }
    if ((g = m(/^\/v1\/databases\/([^/]+)$/)) && req.method === "GET") {
      const db = fake.databases.get(g[1]!);
      return db ? Response.json(dbJson(db)) : notionError(404, "object_not_found", `Could not find database with ID: ${g[1]}.`);
    }
    if ((g = m(/^\/v1\/data_sources\/([^/]+)$/))) {
      const ds = fake.dataSources.get(g[1]!);
      if (!ds) return notionError(404, "object_not_found", `Could not find data source with ID: ${g[1]}.`);
      if (req.method === "PATCH") {
        for (const [name, def] of Object.entries((body?.properties ?? {}) as Record<string, any>)) {
          const type = Object.keys(def)[0]!;
          ds.properties[name] ??= newProperty(type, def[type]);
        }
      }
      return Response.json(dsJson(ds));
    }
    if (req.method === "POST" && path === "/v1/pages") {
      const dsId = body?.parent?.data_source_id;
      const ds = fake.dataSources.get(dsId);
      if (!ds) return notionError(404, "object_not_found", `Could not find data source with ID: ${dsId}.`);
      const db = fake.databases.get(ds.database_id)!;
      if (db.in_trash) throw new Invalid(trashedMessage(version));
      const p: FakePage = { id: crypto.randomUUID(), object: "page", parent: { type: "data_source_id", data_source_id: ds.id, database_id: db.id }, properties: {}, title: "", children: [], in_trash: false, token };
      writeProperties(ds, body.properties, p.properties);
      if (body.children !== undefined) checkChildren(body.children, "body.children", 1);
      fake.pages.set(p.id, p);
      if (body.children) addBlocks(p.id, body.children, null, false);
      return Response.json(pageJson(p, version));
    }
    if ((g = m(/^\/v1\/pages\/([^/]+)$/))) {
      const p = fake.pages.get(g[1]!);
      if (!p) return notionError(404, "object_not_found", `Could not find page with ID: ${g[1]}.`);
      if (req.method === "GET") return Response.json(pageJson(p, version));
      if (req.method === "PATCH") {
        if (version >= "2026-03-11" && body?.archived !== undefined) throw new Invalid("body failed validation: body.archived should be not present, instead was `" + String(body.archived) + "`.");
        const trash = body?.in_trash ?? body?.archived;
        if (pageTrashed(p) && trash !== false) throw new Invalid(trashedMessage(version));
        if (typeof trash === "boolean") p.in_trash = trash;
        if (body?.properties && p.parent.type === "data_source_id") writeProperties(fake.dataSources.get(p.parent.data_source_id)!, body.properties, p.properties);
        return Response.json(pageJson(p, version));
      }
    }
    if ((g = m(/^\/v1\/blocks\/([^/]+)\/children$/))) {
      const id = g[1]!;
      const exists = fake.pages.has(id) || fake.blocks.has(id);
      if (!exists) return notionError(404, "object_not_found", `Could not find block with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`);
      if (req.method === "GET") {
        const kids = (fake.pages.get(id)?.children ?? fake.blocks.get(id)!.children).map((k) => fake.blocks.get(k)!).filter((b) => !b.archived);
        const size = Math.min(100, Number(url.searchParams.get("page_size") ?? 100));
        const start = url.searchParams.get("start_cursor");
        const from = start ? kids.findIndex((b) => b.id === start) : 0;
        const slice = kids.slice(from, from + size);
        const next = kids[from + size];
        return Response.json({ object: "list", results: slice.map((b) => blockJson(b, version)), next_cursor: next?.id ?? null, has_more: !!next, type: "block", block: {} });
      }
      if (req.method === "PATCH") {
        if (isInTrash(id)) throw new Invalid(trashedMessage(version));
        checkChildren(body?.children, "body.children", 1);
        // 2026-03-11 replaced `after` with `position`; older versions know only `after`.
        const modern = version >= "2026-03-11";
        if (modern && body?.after !== undefined) throw new Invalid("body failed validation: body.after should be not present, instead was `" + String(body.after) + "`.");
        if (!modern && body?.position !== undefined) throw new Invalid("body failed validation: body.position should be not present, instead was `[object Object]`.");
        const pos = body?.position;
        let after: string | null = body?.after ?? null;
        if (pos?.type === "after_block") after = pos.after_block?.id ?? null;
        if (after) {
          const ab = fake.blocks.get(after);
          if (!ab) return notionError(404, "object_not_found", `Could not find block with ID: ${after}.`);
          if (ab.archived) throw new Invalid(trashedMessage(version));
          if (ab.parent !== id) throw new Invalid(`body failed validation: the block ${after} is not a child of ${id}.`);
        }
        const made = addBlocks(id, body.children, after, pos?.type === "start");
        return Response.json({ object: "list", results: made.map((b) => blockJson(b, version)), next_cursor: null, has_more: false, type: "block", block: {} });
      }
    }
    if ((g = m(/^\/v1\/blocks\/([^/]+)$/))) {
      const id = g[1]!;
      const b = fake.blocks.get(id);
      const p = fake.pages.get(id);
      if (!b && !p) return notionError(404, "object_not_found", `Could not find block with ID: ${id}.`);
      if (req.method === "DELETE") {
        if (b) {
          if (b.archived) throw new Invalid(trashedMessage(version));
          b.archived = true;
          return Response.json(blockJson(b, version));
        }
        if (p!.in_trash) throw new Invalid(trashedMessage(version));
        p!.in_trash = true;
        return Response.json(pageJson(p!, version));
      }
      if (req.method === "PATCH" && b) {
        if (isInTrash(id)) throw new Invalid(trashedMessage(version));
        const upd = body?.[b.type];
        if (upd?.rich_text) checkRichText(upd.rich_text, `body.${b.type}.rich_text`);
        Object.assign(b.body, upd ?? {});
        return Response.json(blockJson(b, version));
      }
      if (req.method === "GET") return b ? Response.json(blockJson(b, version)) : Response.json(pageJson(p!, version));
    }
    return notionError(400, "invalid_request_url", "Invalid request URL.");
  }

  serveFake(
    fake,
    async (req) => {
      const url = new URL(req.url);
      let body: any = null;
      const text = await req.text();
      const seen: SeenNotionRequest = { method: req.method, path: url.pathname, body: null, status: 0, token: null, version: null, at: performance.now() };
      fake.requests.push(seen);
      const done = (r: Response) => ((seen.status = r.status), r);
      // "The maximum size of a request payload is … 500KB overall": a validation_error (400).
      const bytes = Buffer.byteLength(text);
      if (bytes > FAKE_NOTION_MAX_BODY_BYTES) return done(notionError(400, "validation_error", `body failed validation: the request body is ${bytes} bytes, larger than the 500KB limit.`));
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          return done(notionError(400, "invalid_json", "Error parsing JSON body."));
        }
      }
      seen.body = body;
      const version = req.headers.get("notion-version");
      seen.version = version;
      if (!version) return done(notionError(400, "missing_version", "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`."));
      if (!/^\d{4}-\d{2}-\d{2}$/.test(version) || version < "2022-06-28") return done(notionError(400, "invalid_request", `Notion-Version ${version} is not supported.`));
      // OAuth token exchange: HTTP Basic with the client id and secret.
      if (url.pathname === "/v1/oauth/token" && req.method === "POST") {
        const basic = /^Basic (.+)$/.exec(req.headers.get("authorization") ?? "");
        const [id, secret] = basic ? Buffer.from(basic[1]!, "base64").toString().split(":") : [];
        if (id !== fake.oauth.clientId || secret !== fake.oauth.clientSecret) return done(notionError(401, "unauthorized", "Invalid client credentials."));
        const issue = (access: string, workspaceName: string) => {
          const refresh = `nrt_${crypto.randomUUID().replace(/-/g, "")}`;
          fake.tokens.add(access);
          oauthIssued.add(access);
          fake.oauth.refresh.set(refresh, { access, workspaceName });
          return Response.json({ access_token: access, token_type: "bearer", refresh_token: refresh, bot_id: crypto.randomUUID(), workspace_id: crypto.randomUUID(), workspace_name: workspaceName, workspace_icon: null, owner: { type: "user" }, duplicated_template_id: null, request_id: crypto.randomUUID() });
        };
        if (body?.grant_type === "refresh_token") {
          const r = typeof body.refresh_token === "string" ? fake.oauth.refresh.get(body.refresh_token) : undefined;
          if (!r) return done(notionError(400, "invalid_grant", "Invalid refresh token: it was revoked, or already used (refresh tokens rotate)."));
          // Rotation: the used refresh token and the access token issued with it stop working.
          fake.oauth.refresh.delete(body.refresh_token);
          fake.oauth.usedRefresh.add(body.refresh_token);
          fake.tokens.delete(r.access);
          oauthIssued.delete(r.access);
          return done(issue(`ntn_${crypto.randomUUID().replace(/-/g, "")}`, r.workspaceName));
        }
        if (body?.grant_type !== "authorization_code") return done(notionError(400, "invalid_request", "Unsupported grant_type."));
        const c = fake.oauth.codes.get(body.code);
        if (!c) return done(notionError(400, "invalid_grant", "Invalid code: this code has been revoked."));
        fake.oauth.codes.delete(body.code);
        return done(issue(c.token, c.workspaceName));
      }
      const bearer = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "");
      const token = bearer?.[1] ?? null;
      seen.token = token;
      if (!token || !fake.tokens.has(token)) return done(notionError(401, "unauthorized", "API token is invalid."));
      const s = fake.script.shift();
      if (s) return done(notionError(s.status, s.code ?? (s.status === 429 ? "rate_limited" : "internal_server_error"), s.message ?? "scripted", s.retryAfter ? { "retry-after": s.retryAfter } : {}));
      if (!allow(token)) {
        fake.rateLimited++;
        return done(notionError(429, "rate_limited", "You have been rate limited. Please try again in a few minutes.", { "retry-after": String(fake.rate!.retryAfterSeconds) }));
      }
      try {
        return done(await handle(req, url, token, body, version));
      } catch (e) {
        if (e instanceof Invalid) return done(notionError(400, "validation_error", e.message));
        return done(notionError(500, "internal_server_error", String(e)));
      }
    },
    { idleTimeout: 60 },
  );
  return fake;
}
