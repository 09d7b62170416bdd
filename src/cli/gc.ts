// `rmirror gc [--dry-run]` — delete stored blobs nothing refers to any more (the daily
// housekeeping of `rmirror serve` does the same). Safe while the server runs: writes in flight
// are pinned and never lose their bytes.
import { silentLogger } from "../log.ts";
import { collectGarbage } from "../services/operations/blob-gc.ts";
import { createContext } from "../composition/context.ts";
import { startConfigCommand } from "./data-dir-command.ts";

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
  const start = startConfigCommand("gc", argv, { "dry-run": { type: "boolean" }, "grace-hours": { type: "string" }, json: { type: "boolean" } }, HELP, (v) =>
    v["grace-hours"] !== undefined && !/^\d{1,6}$/.test(v["grace-hours"]) ? "--grace-hours must be a whole number of hours" : undefined,
  );
  if (typeof start === "number") return start;
  const { values, config } = start;
  const grace = values["grace-hours"];
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
