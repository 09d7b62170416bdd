// The OCR prompt. Bump PROMPT_VERSION whenever the wording changes: it is part of the engine key,
// so pages are re-read only when the prompt (or model) actually changed.
export const PROMPT_VERSION = 1;

export function ocrPrompt(opts: { languages: string; annotatedPdf: boolean }): string {
  const lines = [
    opts.annotatedPdf
      ? "This image is a page of a PDF with handwritten annotations on top. Transcribe only the handwriting, not the printed text."
      : "This image is a handwritten notebook page. Transcribe it faithfully.",
    "Output Markdown that keeps the structure: headings as #, bullet lists with their nesting, numbered lists, checkboxes as `- [ ]` (open) and `- [x]` (ticked), arrows as → ← ↑ ↓, dates as written.",
    "Keep the writer's words, spelling and language; do not translate, summarise, correct or complete anything.",
    "Mark a word you cannot read as [?]. Describe nothing that is not text (omit drawings).",
    "Answer with the Markdown only: no preamble, no comments, no code fences. If there is no text, answer with nothing.",
  ];
  if (opts.languages.trim()) lines.push(`The handwriting is most likely in: ${opts.languages.trim()}.`);
  return lines.join("\n");
}
