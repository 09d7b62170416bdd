// `<uuid>/<page>-metadata.json` (fw 1.6 – 2.x, v3/v5 pages): layer names in file order.
// `{"layers":[{"name":"Layer 1"}, …]}`. A layer without a usable name gets "" so the page
// parser falls back to "Layer N" for it.

import { arrayAt, isObject, readJsonObject } from "./json-read.ts";

export function parseLayerNames(input: Uint8Array | string, file: string): string[] {
  const layers = arrayAt(readJsonObject(input, file), "layers") ?? [];
  return layers.map((layer) => (isObject(layer) && typeof layer.name === "string" ? layer.name : ""));
}
