// `rmirror export markdown --out DIR` — the whole library as a folder of Markdown notes (an
// Obsidian or Logseq vault, a backup, a Syncthing/Nextcloud folder), one-shot from the server.
// Running it again updates the folder in place and keeps what you wrote there (src/vault/).
import { resolve } from "node:path";
import { parse, UsageError } from "./args.ts";
import { resolveTarget } from "./server-target.ts";

const HELP = `Usage: rmirror export markdown --out DIR [--images png|svg] [--server URL] [--token TOKEN]

Writes one Markdown note per notebook into DIR, in the tablet's folder hierarchy: frontmatter
(uuid, tags, created, modified, pages, source link), then per page a heading, the page image and
its typed text, handwriting (OCR) and highlights; annotated PDFs keep the PDF once and embed its
pages. Run it again to update: only what changed is fetched, your own text outside the marked
rmirror block and your own frontmatter keys are kept, notes you moved or renamed are found again,
and notebooks deleted on the tablet go to DIR/.trash/.
  --out DIR        the vault folder (created when missing)
  --images KIND    page images as png (default) or svg
  --server URL     the rmirror server (default: RMIRROR_SERVER, else the agent's login)
  --token TOKEN    a device token (default: RMIRROR_TOKEN, else the agent's stored token)
`;

export async function run(argv: string[]): Promise<number> {
  let out: string;
  let images: "png" | "svg";
  let target;
  try {
    const { values, positionals } = parse(argv, {
      out: { type: "string", short: "o" },
      images: { type: "string" },
      server: { type: "string" },
      token: { type: "string" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const [what, ...extra] = positionals;
    if (what !== "markdown") throw new UsageError(what ? `unknown export '${what}' (only 'markdown')` : "what to export? (markdown)");
    if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
    if (!values.out) throw new UsageError("--out DIR is required");
    if (values.images !== undefined && values.images !== "png" && values.images !== "svg") throw new UsageError("--images must be png or svg");
    out = resolve(values.out);
    images = (values.images as "png" | "svg" | undefined) ?? "png";
    target = resolveTarget(values);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`export: ${e.message}\n\n${HELP}`);
    return 2;
  }
  const { syncVault, VaultServerError } = await import("../vault/vault.ts");
  try {
    const r = await syncVault({ dir: out, server: target.server, token: target.token, images });
    console.log(`${out}: ${r.written.length} written, ${r.unchanged} unchanged, ${r.moved.length} moved, ${r.trashed.length} sent to .trash${r.failed.length ? `, ${r.failed.length} failed` : ""}`);
    for (const f of r.failed) console.error(`  could not export "${f.name}": ${f.error}`);
    return r.failed.length ? 1 : 0;
  } catch (e) {
    if (e instanceof VaultServerError) {
      console.error(`export: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
