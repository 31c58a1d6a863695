import type { CeremonyScript } from "../../byok/report/ceremony-script";
import { html, htmlDocument } from "./html";

/** The ceremony script as one printable HTML document: checkboxes and blank lines to fill in by hand. */
export function renderScriptHtml(script: CeremonyScript, generatedAt: Date): string {
  return htmlDocument(
    script.title,
    html`<h1>${script.title}</h1>
<p class="small">Written ${generatedAt.toISOString()} by keyplane byok script. This document holds no secret: components, material and passphrases are typed at the terminal only.</p>
<h2>Purpose</h2>
<p>${script.purpose}</p>
<h2>Key facts (from AWS KMS)</h2>
<table><tbody>${script.facts.map(([label, value]) => html`<tr><th style="width:22%">${label}</th><td>${value.startsWith("arn:") ? html`<code>${value}</code>` : value || html`<span class="blank"></span>`}</td></tr>`)}</tbody></table>
<h2>Before you start</h2>
<table><tbody>${script.prerequisites.map((item) => html`<tr><td style="width:14pt"><span class="box"></span></td><td>${item}</td></tr>`)}</tbody></table>
<h2>Steps</h2>
<table>
<thead><tr><th style="width:14pt"></th><th>Step</th><th style="width:45%">Record</th></tr></thead>
<tbody>${script.steps.map(
      (step, i) => html`<tr>
<td><span class="box"></span></td>
<td><b>${i + 1}. ${step.title}</b><br><span class="small">${step.detail}</span></td>
<td>${step.record.map((label) => html`${label}:<br><span class="blank"></span><br>`)}</td>
</tr>`,
    )}</tbody>
</table>
<h2>Sign-off</h2>
<table class="sign">
<thead><tr><th>Role</th><th>Name</th><th>Signature</th><th>Date (UTC)</th></tr></thead>
<tbody>${script.signOff.map((entry) => html`<tr><td>${entry.role}</td><td>${entry.name}</td><td></td><td></td></tr>`)}</tbody>
</table>`,
  );
}
