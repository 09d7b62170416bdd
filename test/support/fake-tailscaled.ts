// A loopback fake of tailscaled's LocalAPI `whois`, on a unix socket in a temp dir, answering as
// the real one does (tailscale ipn/localapi serveWhoIs and apitype.WhoIsResponse):
//   - requests with a Host other than "local-tailscaled.sock" (or none), or with an Origin or a
//     Referer, get 403 "invalid localapi request";
//   - GET /localapi/v0/whois?addr=<ip or ip:port>: 400 "missing 'addr' parameter" /
//     "invalid 'addr' parameter", 404 "no match for IP:port", else 200 with tab-indented JSON
//     {Node, UserProfile, CapMap}; a tagged node has Node.Tags and the "tagged-devices" user.
//   - errors are Go's http.Error: text/plain, the message and a newline.
// `down()` stops it and removes the socket (no tailscaled); `hold()` makes answers wait for a barrier.
import { mkdtempSync, rmSync } from "node:fs";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "bun";

export interface FakeNode {
  login: string;
  displayName?: string;
  name?: string;
  tags?: string[];
}

export class FakeTailscaled {
  readonly dir = mkdtempSync(join(tmpdir(), "rmirror-tsd-"));
  readonly socketPath = join(this.dir, "tailscaled.sock");
  /** Every whois request: the addr parameter and the Host header it came with. */
  readonly asked: { addr: string | null; host: string | null }[] = [];
  private server: Server<undefined> | null = null;
  private held: Promise<void> | null = null;
  private nextId = 1000;

  /** address (an IP, as tailscaled's netmap has it) → node */
  constructor(readonly nodes: Map<string, FakeNode> = new Map()) {
    this.up();
  }

  up(): void {
    if (this.server) return;
    this.server = Bun.serve({ unix: this.socketPath, fetch: (req) => this.handle(req) });
  }

  /** Stop answering and remove the socket, as when tailscaled is not running. */
  down(): void {
    this.server?.stop(true);
    this.server = null;
    rmSync(this.socketPath, { force: true });
  }

  /** Make every answer wait until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.held = new Promise((r) => (release = r));
    return () => {
      this.held = null;
      release();
    };
  }

  close(): void {
    this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const host = req.headers.get("host");
    if (req.headers.get("origin") || req.headers.get("referer") || (host && host !== "local-tailscaled.sock")) return goError("invalid localapi request", 403);
    if (url.pathname !== "/localapi/v0/whois") return goError("404 page not found", 404);
    const addr = url.searchParams.get("addr");
    this.asked.push({ addr, host });
    if (this.held) await this.held;
    if (!addr) return goError("missing 'addr' parameter", 400);
    const ip = parseAddr(addr);
    if (!ip) return goError("invalid 'addr' parameter", 400);
    const node = this.nodes.get(ip);
    if (!node) return goError("no match for IP:port", 404);
    const tagged = !!node.tags?.length;
    const userId = tagged ? 123456 : this.nextId++;
    const name = node.name ?? `device-${ip.replace(/[.:]/g, "-")}.tailnet.ts.net.`;
    const body = {
      Node: {
        ID: 4242,
        StableID: "nFAKE1CNTRL",
        Name: name,
        User: userId,
        ...(tagged ? { Tags: node.tags } : {}),
        Key: "nodekey:0000000000000000000000000000000000000000000000000000000000000000",
        Addresses: [isIP(ip) === 4 ? `${ip}/32` : `${ip}/128`],
        AllowedIPs: [isIP(ip) === 4 ? `${ip}/32` : `${ip}/128`],
        ComputedName: name.split(".")[0],
      },
      UserProfile: tagged
        ? { ID: userId, LoginName: "tagged-devices", DisplayName: "Tagged Devices" }
        : { ID: userId, LoginName: node.login, DisplayName: node.displayName ?? node.login.split("@")[0], ProfilePicURL: "" },
      CapMap: {},
    };
    return new Response(JSON.stringify(body, null, "\t"), { headers: { "content-type": "application/json" } });
  }
}

/** Go's http.Error. */
function goError(msg: string, status: number): Response {
  return new Response(`${msg}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" } });
}

/** netip.ParseAddr, else netip.ParseAddrPort ("1.2.3.4:5", "[fd7a::1]:5"); the IP or null. */
function parseAddr(v: string): string | null {
  if (isIP(v)) return v;
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(v);
  if (!m) return null;
  const ip = m[1] ?? m[2]!;
  return isIP(ip) && Number(m[3]) <= 65535 ? ip : null;
}
