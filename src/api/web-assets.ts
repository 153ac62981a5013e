/**
 * The web page's files (./web: plain HTML, CSS and JavaScript, no build step), read once at
 * start-up and served from memory with a strict Content-Security-Policy: everything comes from
 * this origin, nothing from a CDN.
 *
 * What the page needs from the server's settings (the confidence bands under the server's
 * threshold) is written into the HTML as a JSON data block (`#page-config`), so the page keeps no
 * copy of them and needs no extra request before it can show an answer. The same block carries
 * the page's texts from the message catalogue (decline reasons, document states, its own lines),
 * in German: the page is German and holds no second copy of them. Error messages of the API come
 * German because the page asks for `Accept-Language: de`.
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { confidenceBands, type ConfidenceBand } from '../answer/confidence.ts';
import { catalogue } from '../messages/index.ts';
import type { AppEnvironment } from './app-environment.ts';

const webDirectory = new URL('./web/', import.meta.url);

const assets = [
  { route: '/', file: 'index.html', contentType: 'text/html; charset=utf-8' },
  { route: '/assets/app.js', file: 'app.js', contentType: 'text/javascript; charset=utf-8' },
  { route: '/assets/style.css', file: 'style.css', contentType: 'text/css; charset=utf-8' },
] as const;

const contentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** The settings and texts the page reads from `#page-config`; `messages` are German catalogue texts by id. */
export type PageConfig = { confidenceBands: ConfidenceBand[]; messages: Record<string, string> };

/** The catalogue texts the page shows itself, by id prefix. */
const pageTextPrefixes = ['declined.', 'web.', 'fragment.document_status.'];

/** The German texts of the page, by catalogue id. */
function pageMessages(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(catalogue)
      .filter(([id]) => pageTextPrefixes.some((prefix) => id.startsWith(prefix)))
      .map(([id, entry]) => [id, entry.de]),
  );
}

/** Where index.html takes the page config. */
const pageConfigPlaceholder = '{{PAGE_CONFIG}}';

export type WebRoutesOptions = {
  /** The server's confidence threshold (BELEG_MIN_CONFIDENCE); default DEFAULT_MIN_CONFIDENCE. */
  minConfidence?: number;
};

/** The page config as JSON that is safe inside a `<script>` element. */
function pageConfigJson(options: WebRoutesOptions): string {
  const config: PageConfig = { confidenceBands: confidenceBands(options.minConfidence), messages: pageMessages() };
  return JSON.stringify(config).replace(/</g, '\\u003c');
}

/** Routes serving the page and its assets. */
export function webRoutes(options: WebRoutesOptions = {}): Hono<AppEnvironment> {
  const routes = new Hono<AppEnvironment>();
  for (const asset of assets) {
    let body = readFileSync(new URL(asset.file, webDirectory), 'utf8');
    if (asset.file === 'index.html') body = body.replace(pageConfigPlaceholder, pageConfigJson(options));
    routes.get(asset.route, (context) => {
      context.header('Content-Type', asset.contentType);
      context.header('Content-Security-Policy', contentSecurityPolicy);
      context.header('X-Content-Type-Options', 'nosniff');
      context.header('Referrer-Policy', 'no-referrer');
      context.header('Cache-Control', 'no-cache');
      return context.body(body);
    });
  }
  return routes;
}
