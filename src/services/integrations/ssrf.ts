// SSRF guard for outgoing webhook requests: a target must be http(s) and every address its host
// resolves to must be public. Private, loopback, link-local, CGNAT, multicast, reserved and
// unspecified ranges (IPv4, IPv6, and IPv4 inside IPv6: mapped, NAT64, 6to4) are refused unless
// the admin allows them (RMIRROR_WEBHOOK_ALLOW_PRIVATE=1). Redirects are never followed, so the
// checked host is the one contacted.
import { BlockList, isIP } from "node:net";

// Built on the first check, not when `serve` starts (node:net's BlockList is loaded then; issue 18).
let blockedList: BlockList | undefined;
function blocked(): BlockList {
  if (blockedList) return blockedList;
  const list = (blockedList = new BlockList());
  for (const [net, bits] of [
    ["0.0.0.0", 8], // "this network"
    ["10.0.0.0", 8],
    ["100.64.0.0", 10], // CGNAT (also Tailscale)
    ["127.0.0.0", 8],
    ["169.254.0.0", 16], // link-local, cloud metadata
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.0.2.0", 24],
    ["192.88.99.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["198.51.100.0", 24],
    ["203.0.113.0", 24],
    ["224.0.0.0", 4], // multicast
    ["240.0.0.0", 4], // reserved, broadcast
  ] as const)
    list.addSubnet(net, bits, "ipv4");
  for (const [net, bits] of [
    ["::", 128],
    ["::1", 128],
    ["64:ff9b:1::", 48],
    ["100::", 64],
    ["2001:db8::", 32],
    ["fc00::", 7], // unique local
    ["fe80::", 10], // link-local
    ["fec0::", 10],
    ["ff00::", 8], // multicast
  ] as const)
    list.addSubnet(net, bits, "ipv6");
  return list;
}

/** The IPv4 address inside an IPv6 one (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16), if any. */
function embeddedV4(ip: string): string | null {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (m) return m[1]!;
  const groups = expand(ip);
  if (!groups) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return v4(groups[6]!, groups[7]!);
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0)) return v4(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!);
  return null;
}

function expand(ip: string): number[] | null {
  let s = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const p = dotted[1]!.split(".").map(Number);
    s = s.slice(0, -dotted[1]!.length) + `${((p[0]! << 8) | p[1]!).toString(16)}:${((p[2]! << 8) | p[3]!).toString(16)}`;
  }
  const [head, tail] = s.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail !== undefined ? (tail ? tail.split(":") : []) : [];
  const fill = tail !== undefined ? 8 - h.length - t.length : 0;
  const all = [...h, ...Array(Math.max(0, fill)).fill("0"), ...t];
  if (all.length !== 8) return null;
  return all.map((g) => parseInt(g || "0", 16));
}

/** True when `ip` is not a public unicast address. */
export function isPrivateAddress(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) return blocked().check(ip, "ipv4");
  if (v === 6) {
    const inner = embeddedV4(ip);
    if (inner && blocked().check(inner, "ipv4")) return true;
    return blocked().check(ip, "ipv6");
  }
  return true;
}

export class UnsafeTargetError extends Error {
  override readonly name = "UnsafeTargetError";
  /** True when trying again later may help (the name did not resolve). */
  constructor(message: string, readonly retryable = false) {
    super(message);
  }
}

/** Parse and check a webhook URL's form (scheme, no credentials). Throws UnsafeTargetError. */
export function checkWebhookUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UnsafeTargetError("The URL is not valid.");
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new UnsafeTargetError("The URL must start with https:// or http://.");
  if (u.username || u.password) throw new UnsafeTargetError("The URL must not contain a user name or password.");
  if (raw.length > 2000) throw new UnsafeTargetError("The URL is too long.");
  return u;
}

/**
 * Resolve the URL's host and refuse it when any address is private (unless allowed). Returns the
 * addresses. Throws UnsafeTargetError (refused, or the name does not resolve).
 */
export async function checkTarget(url: URL, allowPrivate: boolean): Promise<string[]> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let addrs: string[];
  if (isIP(host)) addrs = [host];
  else {
    const { lookup } = await import("node:dns/promises"); // loaded on the first webhook, not at serve start
    try {
      addrs = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch (e) {
      throw new UnsafeTargetError(`The host ${host} does not resolve (${(e as NodeJS.ErrnoException).code ?? "error"}).`, true);
    }
  }
  if (!addrs.length) throw new UnsafeTargetError(`The host ${host} does not resolve.`, true);
  if (!allowPrivate) {
    const bad = addrs.find(isPrivateAddress);
    if (bad !== undefined)
      throw new UnsafeTargetError(`${host} resolves to ${bad}, a private, loopback or link-local address: refused (the admin can allow such targets with RMIRROR_WEBHOOK_ALLOW_PRIVATE=1).`);
  }
  return addrs;
}
