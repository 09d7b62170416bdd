// A small client for tailscaled's LocalAPI `whois` over its unix socket: which tailnet node and
// user is behind a tailnet address. Used by Tailscale mode (accounts.ts) to check the login in
// Tailscale-User-Login against the node the request really came from (docs/tailscale.md).
//
// The API, as tailscaled serves it (ipn/localapi): GET /localapi/v0/whois?addr=<ip or ip:port>
// with `Host: local-tailscaled.sock`; 200 with JSON {Node, UserProfile: {ID, LoginName,
// DisplayName}, CapMap}; 404 "no match for IP:port" when no node has that address; 400 for a
// malformed addr; 403 when the caller may not read (or sent a wrong Host, an Origin or a Referer).
// A tagged node answers with Node.Tags set and the placeholder user "tagged-devices".
// Only the socket form is supported (Linux, the standalone macOS daemon, containers); the macOS
// GUI apps expose the LocalAPI differently (a TCP port with a token) and are not asked.
import { isIP } from "node:net";

export type WhoisAnswer =
  /** A node owned by a user: who it is. */
  | { kind: "user"; login: string; displayName: string; node: string }
  /** A tagged node (servers, CI): no person behind it. */
  | { kind: "tagged"; node: string }
  /** tailscaled answered, and no node has this address (404), or the address is not one it takes (400). */
  | { kind: "no-match" }
  /** tailscaled could not be asked: no socket, refused, timed out, access denied or a garbled answer. */
  | { kind: "unavailable"; reason: string };

export interface WhoisOptions {
  socketPath: string;
  /** Give up on one request after this long (default 1500 ms). */
  timeoutMs?: number;
  /** Keep an answer per address this long (default 5 s): one page load makes many requests. */
  cacheMs?: number;
  /** Clock (tests). */
  now?: () => number;
}

/** The Host header tailscaled's LocalAPI expects (its own clients send it; anything else is refused). */
export const LOCALAPI_HOST = "local-tailscaled.sock";
const MAX_CACHED = 1024;

/** Tailscale's address ranges: 100.64.0.0/10 (CGNAT) and fd7a:115c:a1e0::/48. */
export function isTailnetAddress(ip: string | null): boolean {
  if (!ip) return false;
  const v4 = ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  if (isIP(v4) === 4) {
    const [a, b] = v4.split(".").map(Number) as [number, number];
    return a === 100 && b >= 64 && b <= 127;
  }
  if (isIP(ip) !== 6) return false;
  const groups = expandV6(ip);
  return groups !== null && groups[0] === 0xfd7a && groups[1] === 0x115c && groups[2] === 0xa1e0;
}

function expandV6(ip: string): number[] | null {
  const [head, tail] = ip.split("::") as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(":") : []);
  const h = part(head);
  const t = part(tail);
  if (t.some((g) => g.includes(".")) || h.some((g) => g.includes("."))) return null;
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill("0");
  const all = [...h, ...fill, ...t];
  return all.length === 8 ? all.map((g) => parseInt(g, 16)) : null;
}

export class TailscaleWhois {
  private readonly cache = new Map<string, { at: number; answer: WhoisAnswer }>();
  private readonly inflight = new Map<string, Promise<WhoisAnswer>>();
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private readonly now: () => number;

  constructor(readonly options: WhoisOptions) {
    this.timeoutMs = options.timeoutMs ?? 1500;
    this.cacheMs = options.cacheMs ?? 5000;
    this.now = options.now ?? Date.now;
  }

  /** Who is behind `addr` (an IP address, or ip:port); answers are cached per address for a few seconds. */
  async lookup(addr: string): Promise<WhoisAnswer> {
    const hit = this.cache.get(addr);
    if (hit && this.now() - hit.at < this.cacheMs) return hit.answer;
    const pending = this.inflight.get(addr);
    if (pending) return pending;
    const p = this.ask(addr).then((answer) => {
      this.inflight.delete(addr);
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(addr, { at: this.now(), answer });
      return answer;
    });
    this.inflight.set(addr, p);
    return p;
  }

  private async ask(addr: string): Promise<WhoisAnswer> {
    let res: Response;
    try {
      res = await fetch(`http://${LOCALAPI_HOST}/localapi/v0/whois?addr=${encodeURIComponent(addr)}`, {
        unix: this.options.socketPath,
        headers: { host: LOCALAPI_HOST },
        signal: AbortSignal.timeout(this.timeoutMs),
      } as RequestInit);
    } catch (err) {
      const e = err as { name?: string; code?: string; message?: string };
      const reason = e.name === "TimeoutError" || e.name === "AbortError" ? "timed out" : (e.code ?? e.message ?? "cannot connect");
      return { kind: "unavailable", reason: `${this.options.socketPath}: ${reason}` };
    }
    let body: string;
    try {
      body = await res.text();
    } catch {
      return { kind: "unavailable", reason: "the answer was cut off" };
    }
    if (res.status === 404 || res.status === 400) return { kind: "no-match" };
    if (res.status !== 200) return { kind: "unavailable", reason: `HTTP ${res.status}: ${body.trim().slice(0, 200)}` };
    return parseWhois(body);
  }
}

/** Read a 200 answer; anything that is not the documented shape counts as "unavailable". */
export function parseWhois(body: string): WhoisAnswer {
  let j: unknown;
  try {
    j = JSON.parse(body);
  } catch {
    return { kind: "unavailable", reason: "the answer is not JSON" };
  }
  const node = (j as { Node?: unknown })?.Node;
  const user = (j as { UserProfile?: unknown })?.UserProfile;
  if (!node || typeof node !== "object" || !user || typeof user !== "object") return { kind: "unavailable", reason: "the answer has no Node or UserProfile" };
  const n = node as { Name?: unknown; ComputedName?: unknown; Tags?: unknown };
  const u = user as { LoginName?: unknown; DisplayName?: unknown };
  const nodeName = typeof n.Name === "string" ? n.Name : typeof n.ComputedName === "string" ? n.ComputedName : "";
  const tagged = (Array.isArray(n.Tags) && n.Tags.length > 0) || u.LoginName === "tagged-devices";
  if (tagged) return { kind: "tagged", node: nodeName };
  if (typeof u.LoginName !== "string" || u.LoginName === "") return { kind: "unavailable", reason: "the answer has no UserProfile.LoginName" };
  return { kind: "user", login: u.LoginName, displayName: typeof u.DisplayName === "string" ? u.DisplayName : "", node: nodeName };
}
