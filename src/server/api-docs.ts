// GET /api/openapi.json (the OpenAPI document of every route) and GET /api/docs (the Scalar page
// reading it), answered as the @elysiajs/openapi plugin answers them — but the plugin's code is
// `import()`ed on the first request for either, not at start (issue 18: `serve` answers its first
// request sooner; the plugin and its TypeBox-from-TypeScript generator are ~0.27 MB of JavaScript
// that no other request needs). test/server/api-docs.test.ts compares both answers, status,
// headers and bytes, with the plugin's own; test/build/startup-chunks.test.ts checks that `serve`
// does not load it at start.
import type { ElysiaOpenAPIConfig } from "@elysiajs/openapi";
import { Elysia } from "elysia";

/** The plugin's options (the test builds the plugin itself with them). */
export const OPENAPI_CONFIG = {
  path: "/api/docs",
  specPath: "/api/openapi.json",
  documentation: {
    info: { title: "rmirror API", version: "1", description: "Mirror reMarkable notebooks to a home server. See docs/api.md." },
    tags: [
      { name: "sync", description: "Content-addressed sync protocol" },
      { name: "library", description: "Reading API" },
      { name: "accounts", description: "Setup, login, sessions" },
      { name: "devices", description: "Device tokens and pairing" },
      { name: "jobs", description: "Background jobs" },
      { name: "ocr", description: "OCR, monthly quota, notifications" },
      { name: "system", description: "Health" },
      { name: "notion", description: "Notion connection and sync" },
      { name: "integrations", description: "Change feed, webhooks, AI assistants (MCP), Todoist" },
    ],
  },
} as const satisfies ElysiaOpenAPIConfig<true, "/api/docs">;

// What the plugin does with those options (@elysiajs/openapi 1.4, dist/index.mjs `openapi`):
// OpenAPI 3.1.2, the documentation's info over its defaults, paths and component schemas from
// toOpenAPISchema over every route of the app (computed on the first request, then kept: the
// routes do not change once the server runs), and the Scalar page rendered with the spec's URL
// relative to the page.
const OPENAPI_VERSION = "3.1.2";
const { title, description, version } = OPENAPI_CONFIG.documentation.info;
const INFO = { title, description, version }; // in the order of the plugin's defaults, which it spreads ours over
const SPEC_URL = OPENAPI_CONFIG.specPath.slice(1);
const HIDDEN = { detail: { hide: true } };

/** The two routes, as a plugin to `.use()` where the openapi plugin was. */
export function apiDocs() {
  const app = new Elysia({ name: "rmirror:api-docs" });
  let spec: Promise<unknown> | undefined;
  let page: Promise<string> | undefined;
  return app
    .get(OPENAPI_CONFIG.path, async () => {
      page ??= import("@elysiajs/openapi/scalar").then(({ ScalarRender }) =>
        ScalarRender(INFO, {
          url: SPEC_URL,
          version: "latest",
          cdn: "https://cdn.jsdelivr.net/npm/@scalar/api-reference@latest/dist/browser/standalone.min.js",
          _integration: "elysiajs",
        } as Parameters<typeof ScalarRender>[1]),
      );
      return new Response(await page, { headers: { "content-type": "text/html; charset=utf8" } });
    }, HIDDEN)
    .get(OPENAPI_CONFIG.specPath, () =>
      (spec ??= import("@elysiajs/openapi/openapi").then(({ toOpenAPISchema }) => {
        // `app` was `.use()`d: Elysia points its getGlobalRoutes/getGlobalDefinitions at the whole app's.
        const { paths, components } = toOpenAPISchema(app, undefined, undefined, undefined, OPENAPI_VERSION);
        const doc = OPENAPI_CONFIG.documentation;
        return { ...doc, openapi: OPENAPI_VERSION, tags: doc.tags, info: INFO, paths: { ...paths }, components: { schemas: { ...components.schemas } } };
      }).catch((e) => {
        spec = undefined; // the next request tries again, as the plugin would
        throw e;
      })), HIDDEN);
}
