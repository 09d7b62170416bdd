// Normalising the file names found in archives and folders so both kinds of source use the
// same keys: "/" separators, no leading "/" or "./", doubled slashes collapsed (old rmapi zips
// write "uuid//0.rm"). Names that would escape the root ("..", drive letters) are rejected.

/** The normalised path, "" for a directory entry, or undefined when the name is unsafe. */
export function normaliseEntryPath(name: string): string | undefined {
  const parts = name.replaceAll("\\", "/").split("/");
  const kept: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === ".." || part.includes("\0")) return undefined;
    kept.push(part);
  }
  if (kept.length > 0 && /^[A-Za-z]:$/.test(kept[0] ?? "")) return undefined;
  if (name.endsWith("/") || name.endsWith("\\")) return "";
  return kept.join("/");
}
