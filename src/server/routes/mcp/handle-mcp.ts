import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";

/** Largest JSON-RPC message accepted (tool arguments are short; a bigger body is refused with 413 before parsing). */
export const MCP_MAX_BODY = 256 * 1024;

/**
 * POST/GET/DELETE /mcp — one MCP exchange. Stateless: a fresh server for the caller's user and a
 * fresh transport per request (nothing to leak between users or to expire), JSON answers rather
 * than SSE streams. GET (a server-to-client stream) and DELETE (ending a session) are answered
 * 405, which the spec allows for a server that offers neither. The SDK is loaded on the first MCP
 * request, not when serve starts.
 */
export async function handleMcp(ctx: AppContext, auth: Auth, request: Request): Promise<Response> {
  if (request.method !== "POST") {
    return Response.json({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed: this MCP server is stateless and answers POST only." }, id: null }, { status: 405, headers: { allow: "POST" } });
  }
  const [{ WebStandardStreamableHTTPServerTransport }, { mcpServerFor }] = await Promise.all([
    import("@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"),
    import("../../../services/mcp/tools.ts"),
  ]);
  const server = mcpServerFor(ctx, auth.user.id);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true, maxRequestBodySize: MCP_MAX_BODY });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    await server.close();
  }
}
