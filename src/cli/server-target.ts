// Which server and token a client subcommand (mcp, export) talks to: flags, then the environment,
// then the agent's own login on this computer.
import { agentHome, readConfig } from "../../agent/config.ts";
import { tokenStore } from "../../agent/token-store.ts";
import { UsageError } from "./args.ts";

export interface ServerTarget {
  server: string;
  token: string;
}

/** Where and as whom: flags, then environment, then the agent's own login on this computer. */
export function resolveTarget(values: { server?: string; token?: string }, env: Record<string, string | undefined> = process.env): ServerTarget {
  const home = agentHome(undefined, env);
  let server = values.server ?? env.RMIRROR_SERVER;
  let token = values.token ?? env.RMIRROR_TOKEN;
  if (!server) server = readConfig(home).server;
  if (!token) token = tokenStore(home, env).get();
  if (!server) throw new UsageError("no server: pass --server URL (or set RMIRROR_SERVER, or run 'rmirror agent login' on this computer)");
  if (!token) throw new UsageError("no token: pass --token (or set RMIRROR_TOKEN); create a device token on the dashboard's Devices page");
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`--server is not a URL: ${server}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--server must be http:// or https://, not ${url.protocol}`);
  return { server: url.href.replace(/\/+$/, ""), token };
}

