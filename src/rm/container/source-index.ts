// A lookup structure over a source's listing, built once per library: path membership and the
// files directly inside each directory, so per-document lookups do not scan the whole listing.

export interface SourceIndex {
  has(path: string): boolean;
  /** Names (not paths) of the files directly inside `dir` ("" = the root). */
  filesIn(dir: string): readonly string[];
}

export function indexPaths(paths: readonly string[]): SourceIndex {
  const all = new Set(paths);
  const byDir = new Map<string, string[]>();
  for (const path of paths) {
    const slash = path.lastIndexOf("/");
    const dir = slash < 0 ? "" : path.slice(0, slash);
    const list = byDir.get(dir);
    const name = path.slice(slash + 1);
    if (list) list.push(name);
    else byDir.set(dir, [name]);
  }
  return {
    has: (path) => all.has(path),
    filesIn: (dir) => byDir.get(dir) ?? [],
  };
}
