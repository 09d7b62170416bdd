// The agent executables this server hands out (issue 15): files placed in RMIRROR_AGENT_DIR
// under the names `npm run build` gives them (dist/), served at /download/agent/<platform> with
// their SHA-256. The binary holds no secret, so downloads need no login; they are rate limited
// per client address. Hashes are computed once per file version (path, size, mtime).
import { statSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "../../errors.ts";
import { VERSION } from "../../version.ts";
import type { AppContext } from "../context.ts";

/** platform → file name in RMIRROR_AGENT_DIR (the same names as scripts/build.ts's TARGETS). */
export const AGENT_PLATFORMS = {
  "darwin-arm64": { file: "rmirror-darwin-arm64", label: "macOS (Apple silicon)" },
  "darwin-x64": { file: "rmirror-darwin-x64", label: "macOS (Intel)" },
  "windows-x64": { file: "rmirror-windows-x64.exe", label: "Windows (x64)" },
  "linux-x64": { file: "rmirror-linux-x64", label: "Linux (x64)" },
  "linux-arm64": { file: "rmirror-linux-arm64", label: "Linux (arm64)" },
} as const;
export type AgentPlatform = keyof typeof AGENT_PLATFORMS;

/** Downloads (executables, checksums, manifest, install scripts) per client per 10 minutes. */
export const DOWNLOADS_PER_WINDOW = 60;

export function isAgentPlatform(p: string): p is AgentPlatform {
  return Object.hasOwn(AGENT_PLATFORMS, p);
}

export interface AgentFile {
  platform: AgentPlatform;
  path: string;
  fileName: string;
  size: number;
  sha256: string;
  mtimeMs: number;
}

const hashes = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

async function sha256Of(path: string, size: number, mtimeMs: number): Promise<string> {
  const cached = hashes.get(path);
  if (cached && cached.size === size && cached.mtimeMs === mtimeMs) return cached.sha256;
  const h = new Bun.CryptoHasher("sha256");
  const reader = Bun.file(path).stream().getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) h.update(r.value);
  const sha256 = h.digest("hex");
  hashes.set(path, { size, mtimeMs, sha256 });
  return sha256;
}

function missing(ctx: AppContext, platform: string): AppError {
  const known = Object.keys(AGENT_PLATFORMS).join(", ");
  if (!isAgentPlatform(platform)) return new AppError("agent_not_available", `No agent for "${platform}": the platforms are ${known}.`, { platforms: Object.keys(AGENT_PLATFORMS) });
  const file = AGENT_PLATFORMS[platform].file;
  const dir = ctx.config.agentDir;
  const what = dir
    ? `This server has no agent for ${AGENT_PLATFORMS[platform].label}: ${file} is not in RMIRROR_AGENT_DIR (${dir}). The server's administrator can build it with 'npm run build' (or 'bun scripts/build.ts ${platform}') and copy dist/${file} there; the Docker image includes every platform.`
    : `This server hands out no agent executables: RMIRROR_AGENT_DIR is not set. The server's administrator can build them with 'npm run build' and set RMIRROR_AGENT_DIR to the dist/ folder (the Docker image does this already).`;
  return new AppError("agent_not_available", what, { platform, file });
}

/** The executable for `platform`, or 404 agent_not_available saying what to do. */
export async function agentFile(ctx: AppContext, platform: string): Promise<AgentFile> {
  const dir = ctx.config.agentDir;
  if (!dir || !isAgentPlatform(platform)) throw missing(ctx, platform);
  const fileName = AGENT_PLATFORMS[platform].file;
  const path = join(dir, fileName);
  let st;
  try {
    st = statSync(path);
  } catch {
    throw missing(ctx, platform);
  }
  if (!st.isFile()) throw missing(ctx, platform);
  return { platform, path, fileName, size: st.size, sha256: await sha256Of(path, st.size, st.mtimeMs), mtimeMs: st.mtimeMs };
}

export interface AgentManifest {
  version: string;
  platforms: Record<AgentPlatform, { url: string; sha256: string; size: number; file: string } | null>;
}

/** What the server offers: its version (the agents it hands out are built with it) and each platform's file. */
export async function agentManifest(ctx: AppContext, base: string): Promise<AgentManifest> {
  const platforms = {} as AgentManifest["platforms"];
  for (const p of Object.keys(AGENT_PLATFORMS) as AgentPlatform[]) {
    try {
      const f = await agentFile(ctx, p);
      platforms[p] = { url: `${base}/download/agent/${p}`, sha256: f.sha256, size: f.size, file: f.fileName };
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      platforms[p] = null;
    }
  }
  return { version: VERSION, platforms };
}

/** Counts one download for the client; 429 with Retry-After once it has had its share. */
export function limitDownloads(ctx: AppContext, ip: string): void {
  const key = `ip:${ip}`;
  const wait = ctx.downloadLimiter.blockedFor(key);
  if (wait > 0) throw new AppError("rate_limited", `Too many downloads from this address; try again in ${wait} s.`, { retryAfterSeconds: wait }, { "retry-after": String(wait) });
  ctx.downloadLimiter.hit(key);
}

/** A single byte range of a `size`-byte file ("bytes=a-b", "bytes=a-", "bytes=-n"), or null for
 *  the whole file (no header, or one we do not serve partially: several ranges). Throws 416. */
export function byteRange(header: string | null, size: number): { start: number; end: number } | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return header.trim().startsWith("bytes=") && header.includes(",") ? null : unsatisfiable(size);
  const [, a, b] = m;
  if (a === "" && b === "") return unsatisfiable(size);
  let start: number;
  let end: number;
  if (a === "") {
    const n = Number(b);
    if (n === 0) return unsatisfiable(size);
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || start > end) return unsatisfiable(size);
  return { start, end };
}

function unsatisfiable(size: number): never {
  throw new AppError("range_not_satisfiable", undefined, { size }, { "content-range": `bytes */${size}` });
}
