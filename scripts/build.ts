// Builds the single-file executables into dist/ with SHA256SUMS:
//   bun scripts/build.ts                 every release target
//   bun scripts/build.ts linux-x64       only the named targets
// Each binary embeds everything (code, migrations, WASM) and runs `serve`, `agent`, `render`, `import`.
// dist/ is also what `rmirror serve` hands out to agents: point RMIRROR_AGENT_DIR at it (the file
// names are the ones src/services/agent/downloads.ts expects; the Docker image does this).
// After building, each file's header is checked to be an executable of the right kind.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { VERSION, commit } from "../src/version.ts";

export const TARGETS = {
  "linux-x64": { bun: "bun-linux-x64", file: "rmirror-linux-x64", kind: "elf-x64" },
  "linux-arm64": { bun: "bun-linux-arm64", file: "rmirror-linux-arm64", kind: "elf-arm64" },
  "darwin-arm64": { bun: "bun-darwin-arm64", file: "rmirror-darwin-arm64", kind: "macho-arm64" },
  "darwin-x64": { bun: "bun-darwin-x64", file: "rmirror-darwin-x64", kind: "macho-x64" },
  "windows-x64": { bun: "bun-windows-x64", file: "rmirror-windows-x64.exe", kind: "pe-x64" },
} as const;
export type Target = keyof typeof TARGETS;

/** Reads an executable's header: ELF e_machine, Mach-O cputype, or PE machine. */
export function executableKind(bytes: Uint8Array): string {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length > 20 && v.getUint32(0, false) === 0x7f454c46) {
    const machine = v.getUint16(18, true);
    return machine === 0x3e ? "elf-x64" : machine === 0xb7 ? "elf-arm64" : `elf-${machine}`;
  }
  if (bytes.length > 8 && v.getUint32(0, true) === 0xfeedfacf) {
    const cpu = v.getUint32(4, true);
    return cpu === 0x01000007 ? "macho-x64" : cpu === 0x0100000c ? "macho-arm64" : `macho-${cpu}`;
  }
  if (bytes.length > 0x40 && bytes[0] === 0x4d && bytes[1] === 0x5a) {
    const pe = v.getUint32(0x3c, true);
    if (pe + 6 < bytes.length && v.getUint32(pe, false) === 0x50450000) {
      const machine = v.getUint16(pe + 4, true);
      return machine === 0x8664 ? "pe-x64" : machine === 0xaa64 ? "pe-arm64" : `pe-${machine}`;
    }
  }
  return "unknown";
}

/**
 * Bundler flags of every release build (the Dockerfile uses the same). `--splitting` keeps each
 * subcommand's code in its own chunk inside the executable, loaded by main.ts's `import()` only
 * when that subcommand runs: without it the whole ~2 MB bundle is parsed at every start, so
 * `rmirror --version` took ~10× as long as an empty executable (docs/benchmarks.md).
 */
export const BUNDLE_FLAGS = ["--splitting", "--minify-syntax"] as const;

/**
 * Flags for compiling the executable: the same as bundling. Embedding JavaScriptCore bytecode
 * (`--bytecode --format=esm`) was tried (issue 18): on a quiet 2-core machine `serve` answered its
 * first request at p50 130 ms with it and 174 ms without (budget 300), but the executable grew
 * ~15 MB and the agent's idle RSS after a 10,000-page sync went from 57.6 to 61.0 MB (budget 60:
 * the bytecode stays mapped). Both budgets hold without it, so the release is built without
 * (docs/benchmarks.md, start-up and agent sections).
 */
export const COMPILE_FLAGS = [...BUNDLE_FLAGS] as const;

export async function build(targets: Target[], outDir: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const root = resolve(import.meta.dir, "..");
  const sums: string[] = [];
  const built: string[] = [];
  for (const t of targets) {
    const spec = TARGETS[t];
    const out = join(outDir, spec.file);
    const proc = Bun.spawn(
      [process.execPath, "build", join(root, "src/main.ts"), "--compile", ...COMPILE_FLAGS, `--target=${spec.bun}`, `--outfile=${out}`, `--define`, `RMIRROR_BUILD_COMMIT=${JSON.stringify(process.env.RMIRROR_COMMIT || commit())}`],
      { cwd: root, stdout: "inherit", stderr: "inherit" },
    );
    if ((await proc.exited) !== 0) throw new Error(`build failed for ${t}`);
    const bytes = readFileSync(out);
    const kind = executableKind(bytes);
    if (kind !== spec.kind) throw new Error(`${out}: expected a ${spec.kind} executable, got ${kind}`);
    sums.push(`${createHash("sha256").update(bytes).digest("hex")}  ${spec.file}`);
    built.push(out);
    console.log(`${spec.file}: ${kind}, ${(bytes.length / 1e6).toFixed(1)} MB`);
  }
  writeFileSync(join(outDir, "SHA256SUMS"), `${sums.join("\n")}\n`);
  return built;
}

if (import.meta.main) {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !(n in TARGETS));
  if (unknown.length) {
    console.error(`unknown target(s): ${unknown.join(", ")}; choose from ${Object.keys(TARGETS).join(", ")}`);
    process.exit(2);
  }
  const targets = (names.length ? names : Object.keys(TARGETS)) as Target[];
  console.log(`rmirror ${VERSION} (${commit()}) → dist/`);
  await build(targets, resolve(import.meta.dir, "../dist"));
}
