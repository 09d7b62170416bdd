// Safety limits for hostile input. Real pages are far below these (largest sample: 1.4 MB,
// ~1,100 strokes); the limits only exist so a crafted file cannot exhaust memory or time.

export const LIMITS = {
  /** Largest single .rm page we accept. */
  maxRmBytes: 64 * 1024 * 1024,
  /** Largest JSON sidecar (.content/.metadata/-metadata.json). */
  maxJsonBytes: 16 * 1024 * 1024,
  /** Total uncompressed bytes we extract from one archive. */
  maxArchiveBytes: 2 * 1024 * 1024 * 1024,
  /**
   * Uncompressed bytes an archive may declare per byte of archive (zip bombs): real exports
   * compress a few times at most. Archives may always declare up to maxRmBytes.
   */
  maxArchiveRatio: 100,
  /** Number of entries in one archive. */
  maxArchiveEntries: 100_000,
  /** Layers in a v3/v5 page. */
  maxLayers: 1_000,
  /** Pages in one document. */
  maxPages: 100_000,
  /**
   * Character slots of one page's typed text, deleted ones included (a deleted run is only a
   * number in the file, so a crafted one could otherwise ask for billions of slots).
   */
  maxTextSlots: 500_000,
  /**
   * Largest |x| or |y| of ink, highlights and typed text we keep, in screen units. Real pages stay
   * near the device page (1404×1872 rM, 1620×2160 Paper Pro); the farthest real ink in the samples
   * is y = 7,776 (an extended page) and x = −936. 20,000 is 2.5× that, and a page spanning the
   * whole range (40,000 units = 12,743 pt at 226 dpi) stays under the 14,400 pt page limit of PDF
   * viewers. Points beyond it are dropped (noted in page.warnings).
   */
  maxCoord: 20_000,
  /**
   * Largest SceneInfo paper width or height, in screen units. Devices write 1404×1872 or 1620×2160;
   * a paper size outside 1…maxCoord is a corrupt block (RmFormatError, or a warning when lenient).
   */
  maxPaperUnits: 20_000,
  /**
   * Pages a document without a page list (fw 1.6–1.7 archives: no `pages`, no `cPages`) may declare
   * with `pageCount` beyond those its files back (`N.rm` files, pages of its PDF). Such archives
   * hold tens of pages; a larger claim is refused (a 2.4 KB archive claiming 99,999 pages took
   * minutes to render). PDF documents take their page count from the PDF instead.
   */
  maxUnbackedPages: 2_000,
  /** Nesting depth of v6 groups before we stop descending (cycles or crafted depth). */
  maxGroupDepth: 64,
} as const;
