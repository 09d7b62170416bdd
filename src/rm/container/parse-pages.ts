// Parse every page of a library document in display order. A page without a `.rm` file is blank
// (page: null); a page that fails to parse is reported with its typed error and does not stop the
// others, so one corrupt page never costs the rest of a notebook.

import { RmFormatError } from "../errors.ts";
import type { Page } from "../model.ts";
import { parsePage } from "../page.ts";
import type { RmDocument, RmPage } from "./document.ts";
import type { Library } from "./library.ts";

export interface ParsedPage {
  ref: RmPage;
  page: Page | null;
  error?: RmFormatError;
}

export async function parseDocumentPages(lib: Library, doc: RmDocument, only?: Set<number>): Promise<ParsedPage[]> {
  const out: ParsedPage[] = [];
  for (const ref of doc.pages) {
    if (only && !only.has(ref.index)) continue;
    try {
      const bytes = await lib.readPage(ref);
      const page = bytes ? parsePage(bytes, ref.rmPath ?? ref.id, ref.layerNames ? { layerNames: ref.layerNames, lenient: true } : { lenient: true }) : null;
      out.push({ ref, page });
    } catch (e) {
      if (!(e instanceof RmFormatError)) throw e;
      out.push({ ref, page: null, error: e });
    }
  }
  return out;
}
