// Notion failures as people read them (issue 13 item 10): the stored reason is the client's
// technical text ("notion: 401 unauthorized: API token is invalid.", "fetch failed", …); the
// dashboard shows what happened and what to do, with the technical text folded away below.
const RULES: [RegExp, string][] = [
  [/authorization was not granted/i, "Access was not granted in Notion. Connect again and allow access to a page."],
  [/token was rejected|\bunauthorized\b|\b401\b|invalid_grant/i, "Notion does not accept the token (it was revoked, or it is not this integration's). Check it, or connect Notion again in Settings › Notion."],
  [/no access|restricted_resource|\b403\b/i, "The integration cannot see that page. In Notion, share the page with the integration (••• › Connections), then try again."],
  [/in the trash|archived/i, "The Notion page or database is in Notion's trash. Restore it there, or choose another page in Settings › Notion."],
  [/object_not_found|\b404\b|could not find/i, "Notion cannot find the page or database: it was deleted or is no longer shared with the integration."],
  [/rate_limited|\b429\b/i, "Notion asked to slow down. The sync goes on by itself in a moment."],
  [/fetch failed|econnrefused|econnreset|enotfound|eai_again|unable to connect|network|socket|timed? ?out|timeout/i, "Notion could not be reached (no network, or Notion is down). The sync tries again by itself."],
  [/\b50[0-9]\b|internal_server_error|service_unavailable|bad gateway|overloaded/i, "Notion had a problem on its side. The sync tries again by itself."],
  [/validation_error|\b400\b|\b413\b|too large/i, "Notion refused part of this notebook's content. The technical detail below says which part."],
];

/** The human sentence for a stored Notion failure, and the technical text when it differs. */
export function notionErrorText(raw: string): { text: string; detail: string | null } {
  const technical = /^notion:|fetch failed|econn|enotfound|\b[45]\d\d\b/i.test(raw);
  if (!technical) return { text: raw, detail: null };
  const hit = RULES.find(([re]) => re.test(raw));
  return { text: hit ? hit[1] : "Notion did not accept the request.", detail: raw.replace(/^notion:\s*/i, "") };
}

/** The sentence, then the technical text folded in <details>. */
export function NotionErrorText(p: { raw: string }) {
  const e = notionErrorText(p.raw);
  return (
    <>
      <span data-notion-human safe>
        {e.text}
      </span>
      {e.detail ? (
        <details class="tech">
          <summary>Technical detail</summary>
          <code safe>{e.detail}</code>
        </details>
      ) : (
        ""
      )}
    </>
  );
}
