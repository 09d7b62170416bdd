// The sync protocol's HTTP contract (DESIGN.md §3), one schema used by the routes, the OpenAPI
// document, the import path and the services' types. Structural validation happens here; the
// semantic checks with their own error codes (bad_uuid, bad_sha256, bad_page_list, …) are in
// sync.ts.
import { t, type Static } from "elysia";

const Timestamp = t.Union([t.Number(), t.String({ maxLength: 32 })], { description: "epoch ms (number or numeric string, as xochitl writes it)" });

export const DocumentMetadataSchema = t.Object(
  {
    // The 1,024-character limit is checked after control characters are stripped (sync.ts cleanName),
    // per document, so one long name in a batch spoils nothing else.
    visibleName: t.String({ maxLength: 16_384 }),
    type: t.Union([t.Literal("DocumentType"), t.Literal("CollectionType")]),
    parent: t.String({ maxLength: 64, description: '"" (root), "trash" or a folder UUID' }),
    deleted: t.Optional(t.Boolean()),
    pinned: t.Optional(t.Boolean()),
    lastModified: t.Optional(Timestamp),
    lastOpened: t.Optional(Timestamp),
    lastOpenedPage: t.Optional(t.Integer()),
    createdTime: t.Optional(Timestamp),
    version: t.Optional(t.Integer()),
  },
  { additionalProperties: true },
);

export const PageInputSchema = t.Object({
  id: t.String({ minLength: 1, maxLength: 128 }),
  idx: t.Integer({ minimum: 0 }),
  sha256: t.Union([t.String({ maxLength: 128 }), t.Null()], { description: "sha256 of the page's .rm file; null for a page without one (blank)" }),
  size: t.Integer({ minimum: 0 }),
  template: t.Optional(t.String({ maxLength: 256 })),
  sourcePage: t.Optional(t.Union([t.Integer(), t.Null()])),
});

export const FileInputSchema = t.Object({
  path: t.String({ minLength: 1, maxLength: 512, description: "path relative to the library root, e.g. <uuid>.pdf" }),
  sha256: t.String({ maxLength: 128 }),
  size: t.Integer({ minimum: 0 }),
});

export const DocumentInputSchema = t.Object({
  metadata: DocumentMetadataSchema,
  fileType: t.Optional(t.Union([t.Literal("notebook"), t.Literal("pdf"), t.Literal("epub")])),
  tags: t.Optional(t.Array(t.String({ maxLength: 256 }), { maxItems: 1000 })),
  pages: t.Optional(t.Array(PageInputSchema, { maxItems: 100_000 })),
  files: t.Optional(t.Array(FileInputSchema, { maxItems: 100_000 })),
});

export const BatchInputSchema = t.Object({
  documents: t.Array(t.Object({ uuid: t.String({ maxLength: 64 }), ...DocumentInputSchema.properties })),
});

export type DocumentInput = Static<typeof DocumentInputSchema>;
export type PageInput = Static<typeof PageInputSchema>;
export type FileInput = Static<typeof FileInputSchema>;
export type BatchInput = Static<typeof BatchInputSchema>;
