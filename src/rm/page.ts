// One `.rm` page: check the 43-byte header and dispatch on its version (rm-format.md §4.1).

import { boundPage } from "./bounds.ts";
import { RmFormatError } from "./errors.ts";
import { LIMITS } from "./limits.ts";
import type { Page } from "./model.ts";
import { parseV3V5 } from "./v3v5.ts";
import { HEADER_LENGTH, parseV6 } from "./v6/parse.ts";

export interface ParsePageOptions {
  /** Layer names from `<page>-metadata.json` (v3/v5 only). */
  layerNames?: string[];
  /** v6: skip a corrupt block (noted in page.warnings) instead of failing the page. */
  lenient?: boolean;
}

const PREFIX = "reMarkable .lines file, version=";
const OLD_LINES = "reMarkable lines with selections and layers";

export function rmVersion(bytes: Uint8Array, file: string): 3 | 5 | 6 {
  if (bytes.length < HEADER_LENGTH) {
    throw new RmFormatError("truncated", file, 0, `a ${HEADER_LENGTH}-byte reMarkable header`, `file has ${bytes.length} bytes`);
  }
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, HEADER_LENGTH));
  if (head.startsWith(OLD_LINES)) {
    throw new RmFormatError("bad_header", file, 0, "a .rm page (v3, v5 or v6)", "this is a pre-1.6 multi-page .lines notebook, which is not supported");
  }
  if (!head.startsWith(PREFIX)) {
    throw new RmFormatError("bad_header", file, 0, `header "${PREFIX}N"`, "not a reMarkable .rm file");
  }
  const v = head.slice(PREFIX.length).trimEnd();
  if (v === "3" || v === "5" || v === "6") return Number(v) as 3 | 5 | 6;
  throw new RmFormatError("bad_header", file, PREFIX.length, "version 3, 5 or 6", `found version "${v.slice(0, 10)}"`);
}

export function parsePage(bytes: Uint8Array, file: string, opts: ParsePageOptions = {}): Page {
  if (bytes.length > LIMITS.maxRmBytes) {
    throw new RmFormatError("too_large", file, -1, `a page of at most ${LIMITS.maxRmBytes} bytes`, `file has ${bytes.length} bytes`);
  }
  const version = rmVersion(bytes, file);
  const page = version === 6 ? parseV6(bytes, file, opts.lenient ? { lenient: true } : {}) : parseV3V5(bytes, file, version, opts.layerNames);
  return boundPage(page);
}
