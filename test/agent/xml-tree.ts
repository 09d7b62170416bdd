// A strict little XML reader for tests: throws on anything not well-formed (unbalanced or
// mismatched tags, unknown entities, a raw `<` or `&` in text or attributes, unquoted attributes,
// content after the root), and returns the element tree with text and attributes decoded, so a
// test can ask what a generated file *means* (`find(root, "Triggers/LogonTrigger/UserId")`),
// not only what characters it contains.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(s: string, where: string): string {
  if (s.includes("<")) throw new Error(`raw '<' in ${where}`);
  return s.replace(/&([^;]*);|&/g, (m, name: string | undefined) => {
    if (name === undefined) throw new Error(`bare '&' in ${where}`);
    if (name in ENTITIES) return ENTITIES[name]!;
    const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(name);
    if (num) return String.fromCodePoint(parseInt(num[1] ?? num[2]!, num[1] ? 16 : 10));
    throw new Error(`unknown entity ${m} in ${where}`);
  });
}

export function parseXml(src: string): { declaration: Record<string, string>; root: XmlElement } {
  let i = 0;
  const declaration: Record<string, string> = {};
  const decl = /^<\?xml\s+([^?]*)\?>/.exec(src);
  if (decl) {
    for (const m of decl[1]!.matchAll(/(\w+)="([^"]*)"/g)) declaration[m[1]!] = m[2]!;
    i = decl[0].length;
  }
  const skipMisc = () => {
    for (;;) {
      const ws = /^\s+/.exec(src.slice(i));
      if (ws) i += ws[0].length;
      if (src.startsWith("<!--", i)) {
        const end = src.indexOf("-->", i);
        if (end < 0) throw new Error("unterminated comment");
        i = end + 3;
      } else if (src.startsWith("<!DOCTYPE", i)) {
        i = src.indexOf(">", i) + 1;
      } else return;
    }
  };
  const element = (): XmlElement => {
    const open = /^<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(src.slice(i));
    if (!open) throw new Error(`expected a start tag at ${i}: ${JSON.stringify(src.slice(i, i + 30))}`);
    i += open[0].length;
    const el: XmlElement = { name: open[1]!, attrs: {}, children: [], text: "" };
    for (const m of open[2]!.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      if (m[1]! in el.attrs) throw new Error(`duplicate attribute ${m[1]}`);
      el.attrs[m[1]!] = decode(m[2] ?? m[3]!, `attribute ${m[1]}`);
    }
    if (open[3]) return el;
    for (;;) {
      const next = src.indexOf("<", i);
      if (next < 0) throw new Error(`unclosed <${el.name}>`);
      el.text += decode(src.slice(i, next), `<${el.name}>`);
      i = next;
      if (src.startsWith("</", i)) {
        const close = /^<\/([^\s>]+)\s*>/.exec(src.slice(i));
        if (!close || close[1] !== el.name) throw new Error(`</${close?.[1]}> closes <${el.name}>`);
        i += close[0].length;
        return el;
      }
      if (src.startsWith("<!--", i)) {
        skipMisc();
        continue;
      }
      el.children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== src.length) throw new Error(`content after the root element at ${i}`);
  return { declaration, root };
}

/** The elements at a slash-separated path of child names below `el`. */
export function findAll(el: XmlElement, path: string): XmlElement[] {
  let level = [el];
  for (const name of path.split("/")) level = level.flatMap((e) => e.children.filter((c) => c.name === name));
  return level;
}

export function find(el: XmlElement, path: string): XmlElement {
  const all = findAll(el, path);
  if (all.length !== 1) throw new Error(`${path}: ${all.length} elements`);
  return all[0]!;
}
