/**
 * HTML by tagged template: every interpolated value is escaped unless it is markup built by `html` itself,
 * so a journal field or a key alias can never inject markup into a report. No template engine: the
 * documents are a few tables, and escaping in one place is easier to audit than an engine's rules.
 */

const MARKUP = Symbol("markup");

export interface Markup {
  readonly [MARKUP]: string;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

export type HtmlValue = string | number | Markup | readonly HtmlValue[] | null | undefined | false;

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  if (typeof value === "object" && MARKUP in value) return (value as Markup)[MARKUP];
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Markup {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return { [MARKUP]: out };
}

export function markupText(markup: Markup): string {
  return markup[MARKUP];
}

/** A whole printable document: A4, a print stylesheet, no external resources (it must print offline). */
export function htmlDocument(title: string, body: Markup): string {
  return `<!doctype html>\n${markupText(html`<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>${{ [MARKUP]: STYLE }}</style>
</head>
<body>
${body}
</body>
</html>
`)}`;
}

const STYLE = `
@page { size: A4; margin: 14mm; }
body { font: 10pt/1.4 "DejaVu Sans", Arial, sans-serif; color: #111; max-width: 190mm; margin: 0 auto; }
h1 { font-size: 16pt; margin: 0 0 4pt; }
h2 { font-size: 12pt; margin: 14pt 0 4pt; border-bottom: 1px solid #999; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; }
th, td { border: 1px solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { break-inside: avoid; }
code, .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; overflow-wrap: anywhere; }
.fact { display: inline-block; margin-right: 10pt; }
.verdict { padding: 6pt 8pt; border: 2px solid; font-weight: bold; margin: 8pt 0; }
.ok { color: #0a5c1f; border-color: #0a5c1f; background: #e8f5ec; }
.fail { color: #b00020; border-color: #b00020; background: #fdecee; }
tr.bad td { color: #b00020; background: #fdecee; }
.hash { font: bold 13pt "DejaVu Sans Mono", monospace; letter-spacing: 1pt; }
.box { display: inline-block; width: 10pt; height: 10pt; border: 1px solid #111; margin-right: 4pt; }
.blank { display: inline-block; min-width: 45mm; border-bottom: 1px solid #111; }
.sign td { height: 22pt; }
.small { font-size: 8.5pt; color: #444; }
@media print { a { color: inherit; text-decoration: none; } }
`;
