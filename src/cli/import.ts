// `rmirror import <xochitl folder | .rmdoc | .zip> --server URL --token T`
// One-shot upload through the sync protocol: batch PUT of documents, then PUT of the blobs the
// server says are missing. Safe to re-run (content-addressed, idempotent).
import { isRmFormatError } from "../rm/errors.ts";
import { libraryItems, openInput, type SyncItem } from "../services/library/import.ts";
import { parseCommand } from "./args.ts";

const HELP = `Usage: rmirror import <xochitl folder | .rmdoc | .zip> --server URL --token TOKEN [--batch N]
  --server   rmirror server base URL (or RMIRROR_SERVER)
  --token    device token (or RMIRROR_TOKEN); create one with the dashboard or pairing
  --batch    documents per request (default 50)
`;

interface Client {
  server: string;
  token: string;
}

async function api(c: Client, method: string, path: string, body?: BodyInit, type = "application/json"): Promise<any> {
  const res = await fetch(`${c.server}${path}`, {
    method,
    headers: { authorization: `Bearer ${c.token}`, ...(body !== undefined ? { "content-type": type } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  let data: any;
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { error: { code: "bad_response", message: text.slice(0, 200) } };
  }
  if (!res.ok) throw Object.assign(new Error(`${method} ${path}: HTTP ${res.status} ${data?.error?.code ?? ""} ${data?.error?.message ?? ""}`.trim()), { status: res.status });
  return data;
}

async function flush(c: Client, batch: SyncItem[], uploaded: Set<string>, out: { docs: number; folders: number; blobs: number; bytes: number; errors: number }) {
  if (!batch.length) return;
  let res;
  try {
    res = await api(c, "PUT", "/api/v1/documents", JSON.stringify({ documents: batch.map((b) => ({ uuid: b.uuid, ...b.input })) }));
  } catch (e) {
    // Over the server's body limit for sync requests (a batch of big PDFs): send it in halves.
    if ((e as { status?: number }).status !== 413 || batch.length < 2) throw e;
    const half = Math.ceil(batch.length / 2);
    await flush(c, batch.slice(0, half), uploaded, out);
    return flush(c, batch.slice(half), uploaded, out);
  }
  for (const [i, r] of (res.results as any[]).entries()) {
    const item = batch[i]!;
    if (!r.ok) {
      out.errors++;
      process.stderr.write(`  ✗ ${item.name} (${item.uuid}): ${r.error.code}: ${r.error.message}\n`);
      continue;
    }
    if (item.input.metadata.type === "CollectionType") out.folders++;
    else out.docs++;
    for (const sha of r.missing as string[]) {
      if (uploaded.has(sha)) continue;
      const read = item.blobs.get(sha);
      if (!read) continue;
      const bytes = await read();
      await api(c, "PUT", `/api/v1/blobs/${sha}`, bytes as Uint8Array<ArrayBuffer>, "application/octet-stream");
      uploaded.add(sha);
      out.blobs++;
      out.bytes += bytes.byteLength;
    }
  }
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand("import", argv, { server: { type: "string" }, token: { type: "string" }, batch: { type: "string" }, help: { type: "boolean", short: "h" } }, HELP);
  if (parsed === 2) return 2;
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const input = positionals[0];
  const server = (values.server ?? process.env.RMIRROR_SERVER ?? "").replace(/\/+$/, "");
  const token = values.token ?? process.env.RMIRROR_TOKEN ?? "";
  const batchSize = Number(values.batch ?? 50);
  if (!input || !server || !token || !Number.isInteger(batchSize) || batchSize < 1) {
    process.stderr.write(`import: ${!input ? "an input path" : !server ? "--server" : !token ? "--token" : "a positive --batch"} is required\n${HELP}`);
    return 2;
  }
  const c: Client = { server, token };
  const t0 = performance.now();
  let lib;
  try {
    lib = await openInput(input);
  } catch (e) {
    process.stderr.write(`import: ${isRmFormatError(e) ? e.message : (e as Error).message}\n`);
    return 1;
  }
  for (const e of lib.errors) process.stderr.write(`  ✗ ${e.uuid}: ${e.error.message}\n`);
  const out = { docs: 0, folders: 0, blobs: 0, bytes: 0, errors: lib.errors.length };
  const uploaded = new Set<string>();
  let batch: SyncItem[] = [];
  try {
    for await (const item of libraryItems(lib)) {
      batch.push(item);
      if (batch.length >= batchSize) {
        await flush(c, batch, uploaded, out);
        batch = [];
      }
    }
    await flush(c, batch, uploaded, out);
  } catch (e) {
    process.stderr.write(`import: ${(e as Error).message}\n`);
    return 1;
  }
  const secs = (performance.now() - t0) / 1000;
  process.stdout.write(
    `imported ${out.docs} document(s) and ${out.folders} folder(s); uploaded ${out.blobs} blob(s), ${(out.bytes / 1e6).toFixed(1)} MB in ${secs.toFixed(1)} s${out.errors ? `; ${out.errors} error(s)` : ""}\n`,
  );
  return out.errors ? 1 : 0;
}

if (import.meta.main) process.exit(await run(process.argv.slice(2)));
