// `rmirror mcp` — the MCP server for desktop assistants that launch a command (stdio): a bridge
// that relays every JSON-RPC message between stdin/stdout and the server's /mcp endpoint, so the
// tools, their answers and who may see what are decided in one place, the server.
// stdout carries protocol messages only; everything for people goes to stderr.
import { parse, UsageError } from "./args.ts";
import { resolveTarget, type ServerTarget as McpBridgeOptions } from "./server-target.ts";

const HELP = `Usage: rmirror mcp [--server URL] [--token TOKEN]

Speaks the Model Context Protocol on stdin/stdout for AI assistants that start a command
(Claude Desktop, Cursor, …), answering from your rmirror server: search notes, read notebooks
and pages, recent changes, to-dos, page images. Read-only.
  --server URL    the rmirror server (default: RMIRROR_SERVER, else the agent's login on this computer)
  --token TOKEN   a device token (default: RMIRROR_TOKEN, else the agent's stored token);
                  create one on the dashboard's Devices page
See docs/integrations.md for assistant configuration snippets.
`;

/** Relay stdio ⇄ HTTP until stdin closes. Resolves with the exit code. */
export async function bridge(opts: McpBridgeOptions): Promise<number> {
  const [{ StdioServerTransport }, { StreamableHTTPClientTransport }] = await Promise.all([
    import("@modelcontextprotocol/sdk/server/stdio.js"),
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
  ]);
  const local = new StdioServerTransport();
  const remote = new StreamableHTTPClientTransport(new URL(`${opts.server}/mcp`), { requestInit: { headers: { authorization: `Bearer ${opts.token}` } } });
  const done = Promise.withResolvers<number>();
  local.onmessage = (msg) => {
    remote.send(msg).catch((e: unknown) => {
      const why = describe(e, opts.server);
      process.stderr.write(`rmirror mcp: ${why}\n`);
      // Answer the request with a JSON-RPC error so the assistant shows why instead of waiting.
      if ("id" in msg && "method" in msg && msg.id !== undefined) void local.send({ jsonrpc: "2.0", id: msg.id, error: { code: -32000, message: why } });
    });
  };
  remote.onmessage = (msg) => void local.send(msg);
  remote.onerror = (e) => process.stderr.write(`rmirror mcp: ${describe(e, opts.server)}\n`);
  local.onclose = () => done.resolve(0);
  local.onerror = (e) => process.stderr.write(`rmirror mcp: stdin: ${e.message}\n`);
  await remote.start();
  await local.start();
  const code = await done.promise;
  await remote.close().catch(() => {});
  return code;
}

function describe(e: unknown, server: string): string {
  const m = e instanceof Error ? e.message : String(e);
  if ((e as { code?: unknown }).code === 401 || /invalid_token|unauthori[sz]ed/i.test(m)) return `the server refused the token (401): create a new device token on ${server}/devices`;
  if (/ECONNREFUSED|Unable to connect|fetch failed|ConnectionRefused/i.test(m)) return `cannot reach ${server}: is 'rmirror serve' running there?`;
  return m;
}

export async function run(argv: string[]): Promise<number> {
  let target: McpBridgeOptions;
  try {
    const { values, positionals } = parse(argv, { server: { type: "string" }, token: { type: "string" }, help: { type: "boolean", short: "h" } });
    if (values.help) {
      process.stderr.write(HELP);
      return 0;
    }
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    target = resolveTarget(values);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`mcp: ${e.message}\n${HELP}`);
    return 2;
  }
  return bridge(target);
}
