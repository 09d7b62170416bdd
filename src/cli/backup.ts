// `rmirror backup <dest-dir>` — consistent online backup of the data directory (safe while the
// server runs): database snapshot, blobs (disk) or a bucket listing (S3), manifest.json.
import { BackupError, createBackup } from "../services/operations/backup.ts";
import { startDataDirCommand } from "./data-dir-command.ts";

const HELP = `Usage: rmirror backup <dest-dir> [--data-dir DIR] [--config file.json] [--json] [--quiet]

Makes a consistent backup of a data directory while the server keeps running:
  <dest-dir>/rmirror.db      a transactionally consistent copy of the database (SQLite VACUUM INTO)
  <dest-dir>/files/          the blobs it refers to (disk storage; files already there are kept,
                             so backing up into the same directory again only copies what is new)
  <dest-dir>/s3-objects.json the bucket's keys and sizes instead (S3 storage: the bucket keeps the blobs)
  <dest-dir>/manifest.json   versions, schema, counts, sha256 of the database copy (written last)
The data directory and storage come from the same settings as 'rmirror serve' (RMIRROR_DATA_DIR, …).
Restore with 'rmirror restore <dest-dir> --data-dir <empty dir>'.
`;

export async function run(argv: string[]): Promise<number> {
  const start = startDataDirCommand("backup", argv, { json: { type: "boolean" } }, HELP, "destination directory");
  if (typeof start === "number") return start;
  const { values, dir: dest, config } = start;
  const say = (msg: string) => {
    if (!values.quiet && !values.json) process.stderr.write(`backup: ${msg}\n`);
  };
  try {
    const m = await createBackup(config, dest, say);
    if (values.json) process.stdout.write(JSON.stringify(m, null, 2) + "\n");
    else if (!values.quiet) {
      const b = m.blobs;
      const blobLine =
        b.kind === "disk"
          ? `${b.files} blobs (${b.copied} copied, ${(b.copiedBytes / 1e6).toFixed(1)} MB; ${b.kept} already there)`
          : `S3 listing of ${b.objects} objects in ${b.bucket}`;
      process.stdout.write(`backup: ${dest}: schema ${m.schemaVersion}, ${m.counts.documents} documents, ${m.counts.pages} pages, ${blobLine}, database ${(m.database.bytes / 1e6).toFixed(1)} MB, ${m.ms} ms\n`);
    }
    const missing = m.blobs.missing.length;
    if (missing) {
      process.stderr.write(`backup: warning: ${missing} blob(s) the database refers to are missing from the store (listed in manifest.json), e.g. ${m.blobs.missing[0]}\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    process.stderr.write(`${e instanceof BackupError ? e.message : `backup: ${(e as Error).message}`}\n`);
    return 1;
  }
}
