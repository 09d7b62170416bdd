// What every engine does to an answer before it is a page's Markdown.

/** Drops a leading `<think>…</think>` block (some local models) and a Markdown code fence around the whole answer. */
export function cleanAnswer(s: string): string {
  return stripFences(s.replace(/^\s*<think>[\s\S]*?<\/think>/, "").trim());
}

/** Drops a Markdown code fence around the whole (trimmed) answer. */
export function stripFences(s: string): string {
  const m = /^```(?:markdown|md)?\n([\s\S]*?)\n```$/.exec(s);
  return m ? m[1]!.trim() : s;
}
