// `import p from "…/index_bg.wasm" with { type: "file" }` gives a file path (embedded when compiled).
declare module "@resvg/resvg-wasm/index_bg.wasm" {
  const path: string;
  export default path;
}
// MuPDF's WASM, imported by relative path (the package's exports map does not list it).
declare module "*/mupdf-wasm.wasm" {
  const path: string;
  export default path;
}
// The bundled fonts (fonts/*.ttf), imported the same way (font-files.ts).
declare module "*.ttf" {
  const path: string;
  export default path;
}
