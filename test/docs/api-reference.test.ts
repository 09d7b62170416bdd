// docs/api-reference.md is generated from the server's OpenAPI document: it must list exactly the
// routes the server has (regenerate with `bun scripts/api-reference.ts`).
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { REFERENCE_PATH, openApiDocument, renderReference } from "../../scripts/api-reference.ts";

test("docs/api-reference.md matches the OpenAPI document the server serves", async () => {
  const doc = await openApiDocument();
  const paths = Object.keys(doc.paths);
  expect(paths).toContain("/api/v1/documents/{uuid}");
  expect(paths).toContain("/healthz");
  const text = renderReference(doc);
  expect(text).toContain("| PUT | `/api/v1/documents/:uuid` |");
  expect(readFileSync(REFERENCE_PATH, "utf8"), "docs/api-reference.md is stale: run `bun scripts/api-reference.ts`").toBe(text);
});
