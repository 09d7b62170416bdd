import { Elysia } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authPlugin } from "../../auth/plugin.ts";
import { handleMcp } from "./handle-mcp.ts";

// The Model Context Protocol over streamable HTTP (stateless: one server per request, bound to
// the caller). Device token (Authorization: Bearer) or a dashboard session with its CSRF header.
export const mcpRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:mcp" })
    .use(authPlugin(ctx))
    .post("/mcp", ({ auth, request }) => handleMcp(ctx, auth, request), {
      auth: true,
      parse: "none",
      detail: { tags: ["integrations"], summary: "Model Context Protocol (streamable HTTP, JSON responses): search and read your notes from an AI assistant" },
    })
    .get("/mcp", ({ auth, request }) => handleMcp(ctx, auth, request), { auth: true, detail: { tags: ["integrations"], summary: "MCP server-to-client stream: not offered by this stateless server (405)" } })
    .delete("/mcp", ({ auth, request }) => handleMcp(ctx, auth, request), { auth: true, detail: { tags: ["integrations"], summary: "MCP session end: no sessions here (405)" } });
