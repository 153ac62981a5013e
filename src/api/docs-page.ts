/**
 * The reference page at `/docs`: the routes of the OpenAPI document as a plain HTML list,
 * rendered on the server (no script, no CDN). Clients that want more read `/openapi.json`.
 */
import { routeDescriptions, type RouteAccess } from './openapi.ts';

const accessLabels: Record<RouteAccess, string> = {
  public: 'no key',
  read: 'any key (its collections)',
  write: 'write or admin key (its collections)',
  admin: 'admin key',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Escapes `text` and shows its `backticked` parts as code, as the OpenAPI summaries write them. */
function summaryHtml(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** Renders the `/docs` HTML. */
export function renderDocsPage(): string {
  const rows = routeDescriptions
    .map((route) => {
      const statuses = Object.keys(route.responses).join(', ');
      const query = route.query ? Object.keys(route.query.shape).map((name) => `<code>${escapeHtml(name)}</code>`).join(' ') : '';
      const bodies = (route.requestBodies ?? []).map((body) => `<code>${escapeHtml(body.contentType)}</code>`).join(' ');
      return `<tr><td><span class="method ${route.method}">${route.method.toUpperCase()}</span></td><td><code>${escapeHtml(route.path)}</code></td><td>${summaryHtml(route.summary)}${query ? `<br><small>query: ${query}</small>` : ''}${bodies ? `<br><small>body: ${bodies}</small>` : ''}</td><td>${accessLabels[route.access]}</td><td>${statuses}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>beleg API</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1d232b; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .45rem .6rem; border-bottom: 1px solid #dde2e8; }
code { font: 13px ui-monospace, monospace; }
.method { font: 600 12px ui-monospace, monospace; padding: .1rem .35rem; border-radius: 3px; background: #e8edf3; }
.post { background: #e2f2e5; } .delete { background: #f9e1e1; }
</style>
</head>
<body>
<h1>beleg API</h1>
<p>The full description is the <a href="/openapi.json">OpenAPI 3.1 document</a>. Send API keys as <code>Authorization: Bearer &lt;key&gt;</code>; errors look like <code>{ "error": { "code": "…", "message": "…" } }</code>.</p>
<table>
<thead><tr><th>Method</th><th>Path</th><th>What it does</th><th>Needs</th><th>Statuses</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
