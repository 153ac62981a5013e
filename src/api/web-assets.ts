/**
 * The web page's files (./web: plain HTML, CSS and JavaScript, no build step), read once at
 * start-up and served from memory with a strict Content-Security-Policy: everything comes from
 * this origin, nothing from a CDN.
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { AppEnvironment } from './app-environment.ts';

const webDirectory = new URL('./web/', import.meta.url);

const assets = [
  { route: '/', file: 'index.html', contentType: 'text/html; charset=utf-8' },
  { route: '/assets/app.js', file: 'app.js', contentType: 'text/javascript; charset=utf-8' },
  { route: '/assets/style.css', file: 'style.css', contentType: 'text/css; charset=utf-8' },
] as const;

const contentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Routes serving the page and its assets. */
export function webRoutes(): Hono<AppEnvironment> {
  const routes = new Hono<AppEnvironment>();
  for (const asset of assets) {
    const body = readFileSync(new URL(asset.file, webDirectory), 'utf8');
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
