// `import p from "…/index_bg.wasm" with { type: "file" }` gives a file path (embedded when compiled).
declare module "@resvg/resvg-wasm/index_bg.wasm" {
  const path: string;
  export default path;
}
