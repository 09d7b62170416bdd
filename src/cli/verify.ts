// `rmirror verify` — scrub every stored blob against its hash; report and forget damaged ones so
// the owners' agents upload them again.
import { createLogger } from "../log.ts";
import { createContext } from "../composition/context.ts";
import { verifyBlobs } from "../services/operations/verify.ts";
import { startConfigCommand } from "./data-dir-command.ts";

const HELP = `Usage: rmirror verify [--data-dir DIR] [--config file.json] [--dry-run] [--json] [--quiet]

Reads every stored blob (disk or S3) and checks it against its sha256 and recorded size. A damaged
copy (0 bytes or short after a crash, changed content, missing) is listed and, unless --dry-run,
deleted and forgotten: the owner's agent is asked for those bytes again the next time it sends that
document, pages made from it wait for it, renders made from it are made again.
Safe while the server runs. Exit status: 0 all sound, 1 damaged blobs found, 2 usage error.
`;

export async function run(argv: string[]): Promise<number> {
  const start = startConfigCommand("verify", argv, { "dry-run": { type: "boolean" }, json: { type: "boolean" }, quiet: { type: "boolean", short: "q" } }, HELP);
  if (typeof start === "number") return start;
  const { values, config } = start;
  const ctx = createContext(config, { log: createLogger(values.quiet || values.json ? "silent" : "warn") });
  try {
    const say = (msg: string) => {
      if (!values.quiet && !values.json) process.stderr.write(`verify: ${msg}\n`);
    };
    const report = await verifyBlobs(ctx, { repair: !values["dry-run"], progress: say });
    if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    else if (!values.quiet) {
      for (const d of report.damaged) process.stdout.write(`damaged ${d.sha256} (${d.problem}; ${d.size} bytes expected)${values["dry-run"] ? "" : ": forgotten, will be uploaded again"}\n`);
      process.stdout.write(`verify: ${report.checked} blobs checked (${(report.bytes / 1e6).toFixed(1)} MB sound), ${report.damaged.length} damaged, ${report.repaired} forgotten, ${report.rerenders} pages to render again, ${report.ms} ms\n`);
    }
    return report.damaged.length ? 1 : 0;
  } catch (e) {
    process.stderr.write(`verify: ${(e as Error).message}\n`);
    return 1;
  } finally {
    ctx.store.db.close();
  }
}
