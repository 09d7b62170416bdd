// How many pages the original PDF of a document has: the page list of a PDF document whose
// `.content` lists no pages (fw 1.6–1.7 archives, rmapi uploads: issue 12 items 5 and 7).
// pdf-lib is loaded on first use so the format core stays light for everything else.

/** The PDF's page count, or undefined when it cannot be read as a PDF. */
export async function countPdfPages(bytes: Uint8Array): Promise<number | undefined> {
  try {
    const { PDFDocument } = await import("pdf-lib");
    const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
    return doc.getPageCount();
  } catch {
    return undefined;
  }
}
