// The parsed, version-independent model of reMarkable pages and documents.
// Every parser in src/rm produces these shapes; every renderer in src/render consumes only these.
// Pure data: no classes, no I/O, JSON-serialisable except for the `Map` in TextDoc.anchors.

/** Device families that define page size and dpi. */
export type Device = "rm2" | "rmpp" | "rmppm";

export const DEVICES: Record<Device, { width: number; height: number; dpi: number }> = {
  rm2: { width: 1404, height: 1872, dpi: 226 },
  rmpp: { width: 1620, height: 2160, dpi: 229 },
  rmppm: { width: 954, height: 1696, dpi: 264 },
};

/** One sampled pen position, normalised across v3/v5/v6 (see rm-format.md §6.3). */
export interface Point {
  x: number;
  y: number;
  /** Pen speed in v1 units (v2 value / 4). */
  speed: number;
  /** Tilt/direction in radians, 0..2π. */
  direction: number;
  /** Stroke width at this point in screen units (v2 value / 4). */
  width: number;
  /** Pressure 0..1. */
  pressure: number;
}

export interface Stroke {
  kind: "stroke";
  /** CRDT id "author:counter" for v6, "layer/index" for v3/v5. */
  id: string;
  /** Pen id, rm-format.md §6.1 (0–23). */
  tool: number;
  /** Palette id, rm-format.md §6.2. */
  color: number;
  /** Packed 0xAARRGGBB colour when the file carries one (fw ≥ 3.14), unsigned. */
  argb?: number;
  /** Pen size setting (v6: 1/2/3, v3/v5: 1.875/2/2.125). */
  thickness: number;
  /** Length of stroke drawn before this piece (split strokes). */
  startingLength: number;
  points: Point[];
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A "smart highlight" over PDF/EPUB or typed text (v6 glyph range, or fw 2.x .highlights json). */
export interface Highlight {
  kind: "highlight";
  id: string;
  color: number;
  argb?: number;
  text: string;
  start?: number;
  length?: number;
  rects: Rect[];
}

export interface Anchor {
  /** Character id ("a:c") of the root text, or the special top/bottom ids. */
  id: string;
  type: number;
  threshold: number;
  originX: number;
}

/** A layer (child of the root) or an anchored sub-group (child of a layer). */
export interface Group {
  kind: "group";
  id: string;
  label: string;
  visible: boolean;
  anchor?: Anchor;
  children: SceneItem[];
}

export type SceneItem = Stroke | Highlight | Group;

/** Paragraph styles of typed text, rm-format.md §5.8. Unknown codes are kept as numbers. */
export const ParagraphStyle = {
  BASIC: 0,
  PLAIN: 1,
  HEADING: 2,
  BOLD: 3,
  BULLET: 4,
  BULLET2: 5,
  CHECKBOX: 6,
  CHECKBOX_CHECKED: 7,
  CHECKBOX2: 8,
  CHECKBOX2_CHECKED: 9,
  NUMBERED: 10,
  NUMBERED2: 11,
} as const;

export interface TextSpan {
  text: string;
  bold: boolean;
  italic: boolean;
}

export interface Paragraph {
  /** Style code (ParagraphStyle values; unknown codes render as PLAIN). */
  style: number;
  /** Id of the newline that precedes this paragraph ("0:0" for the first). */
  startId: string;
  spans: TextSpan[];
}

export interface TextDoc {
  posX: number;
  posY: number;
  width: number;
  paragraphs: Paragraph[];
  /** Character id "a:c" → index of the paragraph holding it (newline ids map to the paragraph they end). */
  anchors: Map<string, number>;
  /**
   * Character id → code-point offset inside its paragraph's text (a newline: the paragraph's length;
   * a deleted or format slot: the offset of the next live character). Anchored strokes use it to find
   * the line a character sits on.
   */
  anchorOffsets: Map<string, number>;
}

/** Special anchor ids (rm-format.md §5.3). */
export const ANCHOR_TOP = `0:${2 ** 48 - 2}`;
export const ANCHOR_BOTTOM = `0:${2 ** 48 - 1}`;

export interface Page {
  /** File format version of the `.rm` this page came from; 0 for a blank page with no file. */
  version: 0 | 3 | 5 | 6;
  /**
   * Coordinate frame: "centered" (v6, x = 0 at page middle) or "topleft" (v3/v5, x from 0).
   * `box` is the nominal page rectangle in those coordinates.
   */
  frame: "centered" | "topleft";
  box: Rect;
  device: Device;
  /** Children of the page root, in display order: normally layers (groups). */
  layers: Group[];
  text?: TextDoc;
  /** Count of items that parsed but were skipped (deleted, tombstones, unknown blocks) — for diagnostics. */
  stats: PageStats;
  /** Problems that were survived in lenient mode (a bad block skipped, a truncated tail). */
  warnings?: string[];
}

export interface PageStats {
  blocks: number;
  unknownBlocks: number;
  deletedItems: number;
  /** Bytes of newer-firmware fields skipped by length. */
  skippedBytes: number;
}

// ---------------------------------------------------------------------------------------------
// Documents (.metadata + .content + pages)

export type FileType = "notebook" | "pdf" | "epub";

export interface Tag {
  name: string;
  timestamp?: number;
}

export interface PageTag extends Tag {
  pageId: string;
}

export interface DocMetadata {
  visibleName: string;
  type: "DocumentType" | "CollectionType" | "TemplateType";
  /** "" = root, "trash", or a folder uuid. */
  parent: string;
  deleted: boolean;
  pinned: boolean;
  lastModified: number;
  lastOpened: number;
  lastOpenedPage: number;
  createdTime: number;
  version: number;
}

export interface PageRef {
  /** Page id: uuid, or "0", "1"… in the oldest archives. */
  id: string;
  /** Position in display order (0-based). */
  index: number;
  template: string;
  /** 0-based page of the backing PDF/EPUB; null for notebooks; -1 for an inserted blank page. */
  sourcePage: number | null;
}

export interface DocContent {
  fileType: FileType;
  formatVersion: number;
  orientation: "portrait" | "landscape";
  pages: PageRef[];
  tags: Tag[];
  pageTags: PageTag[];
  originalPageCount: number;
  coverPageNumber: number;
  documentMetadata: { title?: string; authors?: string[] };
}
