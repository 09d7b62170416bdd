// `rmirror gc [--dry-run]` — delete stored blobs nothing refers to any more (the daily
// housekeeping of `rmirror serve` does the same). Safe while the server runs: writes in flight
// are pinned and never lose their bytes.
import { ConfigError, loadConfig } from "../config/schema.ts";
import { silentLogger } from "../log.ts";
import { collectGarbage } from "../services/operations/blob-gc.ts";
import { createContext } from "../composition/context.ts";
import { parse, UsageError } from "./args.ts";

const HELP = `Usage: rmirror gc [--dry-run] [--grace-hours N] [--json] [--data-dir DIR] [--config file.json]

Deletes blobs (page files, renders, PDFs) that no page, document file or render of their owners
refers to and that nobody uploaded or rendered within the grace period (RMIRROR_GC_GRACE_HOURS,
default 24), bytes in the store that no index row names, and temp files of crashed uploads.
Safe while 'rmirror serve' runs. The server does the same every night.
  --dry-run         report what would be deleted, delete nothing
  --grace-hours N   keep unreferenced blobs used within the last N hours (default: the setting)
  --json            print the report as JSON
`;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    const parsed = parse(argv, {
      "dry-run": { type: "boolean" },
      "grace-hours": { type: "string" },
      json: { type: "boolean" },
      "data-dir": { type: "string" },
      data: { type: "string" },
      config: { type: "string" },
      help: { type: "boolean", short: "h" },
    });
    if (parsed.positionals.length) throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
    values = parsed.values;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`gc: ${e.message}\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const grace = values["grace-hours"];
  if (grace !== undefined && !/^\d{1,6}$/.test(grace)) {
    process.stderr.write(`gc: --grace-hours must be a whole number of hours\n${HELP}`);
    return 2;
  }
  let config;
  try {
    const dataDir = values["data-dir"] ?? values.data;
    config = loadConfig({ ...(values.config ? { file: values.config } : {}), overrides: { dataDir } });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  const ctx = createContext(config, { log: silentLogger });
  try {
    const r = await collectGarbage(ctx, { dryRun: values["dry-run"] === true, ...(grace !== undefined ? { graceHours: Number(grace) } : {}) });
    if (values.json) process.stdout.write(JSON.stringify(r, null, 2) + "\n");
    else {
      const verb = r.dryRun ? "would delete" : "deleted";
      process.stdout.write(
        `gc: ${verb} ${r.deleted} of ${r.examined} indexed blobs (${(r.deletedBytes / 1e6).toFixed(1)} MB) and ${r.unindexed} unindexed (${(r.unindexedBytes / 1e6).toFixed(1)} MB)` +
          `${r.dryRun ? "" : `, ${r.tempFiles} temp files`}; grace ${r.graceHours} h, ${r.ms} ms\n`,
      );
    }
    return 0;
  } catch (e) {
    process.stderr.write(`gc: ${(e as Error).message}\n`);
    return 1;
  } finally {
    ctx.store.db.close();
  }
}
