import type { AppContext } from "../../../services/context.ts";
import { agentFile, agentManifest, byteRange, limitDownloads } from "../../../services/agent/downloads.ts";
import { agentServerUrl } from "../../../services/library/dashboard.ts";

/** GET /download/agent/<platform>[.sha256] and /download/agent/manifest.json (no login; rate limited). */
export async function agentDownload(ctx: AppContext, request: Request, ip: string, name: string): Promise<Response> {
  limitDownloads(ctx, ip);
  if (name === "manifest.json") return Response.json(await agentManifest(ctx, agentServerUrl(ctx, request)), { headers: { "cache-control": "no-cache" } });
  if (name.endsWith(".sha256")) {
    const f = await agentFile(ctx, name.slice(0, -".sha256".length));
    // The sha256sum format: `<hex>  <file name>`.
    return new Response(`${f.sha256}  ${f.fileName}\n`, { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-cache" } });
  }
  const f = await agentFile(ctx, name);
  const headers: Record<string, string> = {
    "content-type": "application/octet-stream",
    "content-disposition": `attachment; filename="${f.fileName}"`,
    "accept-ranges": "bytes",
    "cache-control": "no-cache",
    etag: `"${f.sha256}"`,
    "x-checksum-sha256": f.sha256,
    "last-modified": new Date(f.mtimeMs).toUTCString(),
  };
  const file = Bun.file(f.path);
  const ifRange = request.headers.get("if-range");
  const range = ifRange && ifRange !== headers.etag ? null : byteRange(request.headers.get("range"), f.size);
  if (request.method === "HEAD") return new Response(null, { headers: { ...headers, "content-length": String(f.size) } });
  if (!range) return new Response(file, { headers: { ...headers, "content-length": String(f.size) } });
  return new Response(file.slice(range.start, range.end + 1), {
    status: 206,
    headers: { ...headers, "content-range": `bytes ${range.start}-${range.end}/${f.size}`, "content-length": String(range.end - range.start + 1) },
  });
}
