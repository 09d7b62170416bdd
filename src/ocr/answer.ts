// What every engine does to an answer before it is a page's Markdown.

/** Drops a leading `<think>…</think>` block (some local models) and a Markdown code fence around the whole answer. */
export function cleanAnswer(s: string): string {
  let t = s.replace(/^\s*<think>[\s\S]*?<\/think>/, "").trim();
  const m = /^```(?:markdown|md)?\n([\s\S]*?)\n```$/.exec(t);
  if (m) t = m[1]!.trim();
  return t;
}
