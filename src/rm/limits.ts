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
  /** Nesting depth of v6 groups before we stop descending (cycles or crafted depth). */
  maxGroupDepth: 64,
} as const;
