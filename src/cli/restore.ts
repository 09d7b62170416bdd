// `rmirror restore <backup-dir> --data-dir <dir>` — restore a backup made by `rmirror backup`
// into an empty data directory, verifying the manifest, the database and every blob's hash.
import { ConfigError, loadConfig } from "../config/schema.ts";
import { BackupError, restoreBackup } from "../services/backup.ts";
import { parse, UsageError } from "./args.ts";

const HELP = `Usage: rmirror restore <backup-dir> --data-dir DIR [--force] [--config file.json] [--quiet]

Restores a backup made by 'rmirror backup' into DIR (default: RMIRROR_DATA_DIR / the config):
checks manifest.json, the database copy's sha256 and integrity, and the sha256 of every blob before
the database is put in place. Refuses a data directory that already holds rmirror data unless
--force (then its database is replaced; stop the server first), and refuses a backup whose schema
is newer than this rmirror. Start 'rmirror serve' on DIR afterwards; migrations bring an older
backup up to date on start.
`;

export async function run(argv: string[]): Promise<number> {
  let values, positionals;
  try {
    ({ values, positionals } = parse(argv, {
      "data-dir": { type: "string" },
      data: { type: "string" },
      config: { type: "string" },
      force: { type: "boolean" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    }));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`restore: ${e.message}\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [src, ...extra] = positionals;
  if (!src || extra.length) {
    process.stderr.write(`restore: expected one backup directory\n${HELP}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig({ ...(values.config ? { file: values.config } : {}), overrides: { dataDir: values["data-dir"] ?? values.data } });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  const say = (msg: string) => {
    if (!values.quiet) process.stderr.write(`restore: ${msg}\n`);
  };
  try {
    const r = await restoreBackup(src, { dataDir: config.dataDir, dbPath: config.dbPath, filesDir: config.filesDir }, { force: values.force ?? false, progress: say });
    const m = r.manifest;
    if (!values.quiet)
      process.stdout.write(
        `restore: ${config.dataDir}: backup of ${m.createdAt} (rmirror ${m.rmirror.version}, schema ${m.schemaVersion}), ${m.counts.documents} documents, ${m.counts.pages} pages, ${r.blobs} blobs verified (${(r.blobBytes / 1e6).toFixed(1)} MB), ${r.ms} ms\n`,
      );
    return 0;
  } catch (e) {
    process.stderr.write(`${e instanceof BackupError ? e.message : `restore: ${(e as Error).message}`}\n`);
    return 1;
  }
}
