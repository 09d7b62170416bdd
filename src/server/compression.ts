// gzip for text responses when the client accepts it (HTML, CSS, JS, JSON, SVG, Markdown: a
// page SVG is 84–278 KB and shrinks several times). Uses the runtime's streaming
// CompressionStream, so a large body is never held whole. Left alone: binary types (PNG, PDF,
// blobs: already compressed), event streams (a proxy buffer would hold the events back), bodies
// that already carry an encoding, HEAD, 204/206/304, and bodies known to be under 1 KiB.
const COMPRESSIBLE = /^(text\/(?!event-stream)|application\/(json|javascript|xml|manifest\+json|problem\+json)|image\/svg\+xml)/i;
const MIN_BYTES = 1024;

/** Whether `accept-encoding` allows gzip (a `gzip;q=0` refuses it; `*` with q>0 allows it). */
export function acceptsGzip(header: string | null): boolean {
  if (!header) return false;
  let star: boolean | null = null;
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const allowed = q === undefined || Number(q.slice(2)) > 0;
    if (name === "gzip" || name === "x-gzip") return allowed;
    if (name === "*") star = allowed;
  }
  return star === true;
}

export function compressResponse(req: Request, res: Response): Response {
  if (req.method === "HEAD" || !res.body || res.status === 204 || res.status === 206 || res.status === 304) return res;
  if (res.headers.has("content-encoding") || !COMPRESSIBLE.test(res.headers.get("content-type") ?? "")) return res;
  const length = res.headers.get("content-length");
  if (length !== null && Number(length) < MIN_BYTES) return res;
  if (!acceptsGzip(req.headers.get("accept-encoding"))) return res;
  const headers = new Headers(res.headers);
  headers.set("content-encoding", "gzip");
  headers.delete("content-length");
  const vary = headers.get("vary");
  if (!vary) headers.set("vary", "Accept-Encoding");
  else if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(vary)) headers.set("vary", `${vary}, Accept-Encoding`);
  // The gzip bytes differ from the identity bytes: a strong validator becomes a weak one.
  const etag = headers.get("etag");
  if (etag && !etag.startsWith("W/")) headers.set("etag", `W/${etag}`);
  return new Response(res.body.pipeThrough(new CompressionStream("gzip")), { status: res.status, statusText: res.statusText, headers });
}
