// `rmirror restore <backup-dir> --data-dir <dir>` — restore a backup made by `rmirror backup`
// into an empty data directory, verifying the manifest, the database and every blob's hash.
import { BackupError, restoreBackup } from "../services/operations/backup.ts";
import { startDataDirCommand } from "./data-dir-command.ts";

const HELP = `Usage: rmirror restore <backup-dir> --data-dir DIR [--force] [--config file.json] [--quiet]

Restores a backup made by 'rmirror backup' into DIR (default: RMIRROR_DATA_DIR / the config):
checks manifest.json, the database copy's sha256 and integrity, and the sha256 of every blob before
the database is put in place. Refuses a data directory that already holds rmirror data unless
--force (then its database is replaced; stop the server first), and refuses a backup whose schema
is newer than this rmirror. Start 'rmirror serve' on DIR afterwards; migrations bring an older
backup up to date on start.
`;

export async function run(argv: string[]): Promise<number> {
  const start = startDataDirCommand("restore", argv, { force: { type: "boolean" } }, HELP, "backup directory");
  if (typeof start === "number") return start;
  const { values, dir: src, config } = start;
  const say = (msg: string) => {
    if (!values.quiet) process.stderr.write(`restore: ${msg}\n`);
  };
  try {
    const r = await restoreBackup(src, { dataDir: config.dataDir, dbPath: config.dbPath, filesDir: config.filesDir }, { force: values.force === true, progress: say });
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
