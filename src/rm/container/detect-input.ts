// Deciding what a path given by the user is: a zip archive (.rmdoc, .rmn, old cloud .zip, or
// anything starting with a zip signature), a folder of items (xochitl / desktop-app layout, or a
// folder holding one document), a document's page folder `<uuid>/` next to its sidecars, or a
// sidecar file `<uuid>.metadata` / `<uuid>.content` naming one document. Single `.rm` pages are
// not inputs here (the caller parses those directly).

import { open, readdir, stat } from "node:fs/promises";
import { basename, dirname, extname } from "node:path";
import { RmFormatError } from "../errors.ts";
import { isUuid } from "./find-items.ts";

export type InputKind =
  | { kind: "zip"; file: string; name: string }
  | { kind: "folder"; root: string; onlyUuid?: string };

const ZIP_EXTENSIONS = new Set([".rmdoc", ".rmn", ".zip"]);
const SIDECARS = [".metadata", ".content"];
const EXPECTED = "a folder, .rmdoc or .zip";

export async function detectInput(path: string): Promise<InputKind> {
  const info = await statOrUndefined(path);
  if (!info) throw new RmFormatError("not_found", path, -1, EXPECTED, "no such file or folder");
  if (info.isDirectory()) return detectFolder(path);
  if (await looksLikeZip(path)) return { kind: "zip", file: path, name: basename(path, extname(path)) };
  const sidecarOf = sidecarUuid(basename(path));
  if (sidecarOf) return { kind: "folder", root: dirname(path), onlyUuid: sidecarOf };
  if (extname(path).toLowerCase() === ".rm")
    throw new RmFormatError("bad_container", path, -1, EXPECTED, "this is a single page: `rmirror render` converts it; import takes the notebook it belongs to");
  throw new RmFormatError("bad_container", path, -1, EXPECTED);
}

async function detectFolder(dir: string): Promise<InputKind> {
  const names = await readdir(dir);
  if (names.some((n) => sidecarUuid(n) !== undefined)) return { kind: "folder", root: dir };
  const uuid = basename(dir);
  const parent = dirname(dir);
  if (isUuid(uuid) && (await hasSidecar(parent, uuid))) return { kind: "folder", root: parent, onlyUuid: uuid };
  throw new RmFormatError("not_found", dir, -1, "<uuid>.metadata or <uuid>.content files in this folder (or beside it, for a page folder)");
}

/** The uuid of `<uuid>.metadata` / `<uuid>.content`, else undefined. */
function sidecarUuid(name: string): string | undefined {
  const ext = SIDECARS.find((e) => name.endsWith(e));
  if (!ext) return undefined;
  const stem = name.slice(0, -ext.length);
  return isUuid(stem) ? stem : undefined;
}

async function hasSidecar(dir: string, uuid: string): Promise<boolean> {
  for (const ext of SIDECARS) {
    if ((await statOrUndefined(`${dir}/${uuid}${ext}`))?.isFile()) return true;
  }
  return false;
}

async function looksLikeZip(path: string): Promise<boolean> {
  if (ZIP_EXTENSIONS.has(extname(path).toLowerCase())) return true;
  const handle = await open(path, "r");
  try {
    const head = new Uint8Array(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5);
  } finally {
    await handle.close();
  }
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}
