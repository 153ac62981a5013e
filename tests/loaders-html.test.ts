import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BelegError } from '../src/errors.ts';
import { loadDocument, type LoadOptions } from '../src/ingest/load-document.ts';
import type { LoadedDocument } from '../src/ingest/types.ts';

const options: LoadOptions = { maxBytes: 10 * 1024 * 1024, fetchTimeoutMs: 5000, maxRedirects: 3, urlAllowList: [] };
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/documents/${name}`, import.meta.url)));
const encode = (text: string) => new TextEncoder().encode(text);

function loadHtml(bytes: Uint8Array, fileName = 'seite.html', mimeType?: string): Promise<LoadedDocument> {
  return loadDocument({ kind: 'file', fileName, bytes, mimeType }, options);
}

function sectionTexts(document: LoadedDocument): Array<[string, string]> {
  return (document.sections ?? []).map((section) => [section.headingPath.join(' > '), document.text.slice(section.charStart, section.charEnd)]);
}

describe('HTML loader', () => {
  it('keeps the main content and drops navigation, header, footer, aside, cookie banner, scripts and forms', async () => {
    const document = await loadHtml(fixture('stadtinfo-utf8.html'));
    expect(document.text).toBe(
      [
        'Münster',
        'Münster ist eine kreisfreie Großstadt in Nordrhein-Westfalen. Sie hat ca. 320.000 Einwohner und ist u. a. für ihre Fahrräder bekannt.',
        'Geschichte',
        'Die Stadt wurde im Jahr 793 gegründet. Am 24. Oktober 1648 wurde hier der Westfälische Friede geschlossen.',
        'Mittelalter',
        'Im 13. Jh. trat Münster der Hanse bei. Der Dom St. Paulus wurde 1264 geweiht.',
        'Verkehr',
        'Etwa 39 % aller Wege werden mit dem Fahrrad zurückgelegt.\nDie Promenade ist eine autofreie Ringstraße.',
        'Hauptbahnhof mit Fernverkehr',
        'Flughafen Münster/Osnabrück',
      ].join('\n\n'),
    );
    for (const boilerplate of ['Startseite', 'Impressum', 'Cookies', 'Werbung', 'Teilen', 'Datenschutz', 'Tracking', 'JavaScript', 'Suchen']) {
      expect(document.text).not.toContain(boilerplate);
    }
  });

  it('reads title, canonical URL, language and headings as section paths', async () => {
    const document = await loadHtml(fixture('stadtinfo-utf8.html'));
    expect(document.title).toBe('Münster – Stadtinfo');
    expect(document.canonicalUrl).toBe('https://stadtinfo.example/staedte/muenster');
    expect(document.language).toBe('de');
    expect(document.mimeType).toBe('text/html');
    expect(sectionTexts(document).map(([path]) => path)).toEqual([
      'Münster',
      'Münster > Geschichte',
      'Münster > Geschichte > Mittelalter',
      'Münster > Verkehr',
    ]);
    expect(sectionTexts(document)[2]![1]).toBe('Mittelalter\n\nIm 13. Jh. trat Münster der Hanse bei. Der Dom St. Paulus wurde 1264 geweiht.');
  });

  it('decodes a page declared ISO-8859-1 in a meta tag (Windows-1252 bytes) with correct umlauts', async () => {
    const document = await loadHtml(fixture('stadtinfo-latin1.html'));
    expect(document.title).toBe('Gemeinde Großröhrsdorf – Über uns');
    expect(document.text).toContain('Großröhrsdorf liegt im Südosten Sachsens.');
    expect(document.text).toContain('Schöne Grüße aus der Oberlausitz!');
    expect(document.text).toContain('Öffnungszeiten');
    expect(document.text).not.toContain('\uFFFD');
    expect(document.text).not.toContain('Impressum');
    expect(document.text).not.toContain('Rathaus</a>');
  });

  it('lets the Content-Type charset win over the bytes (Latin-1 page without a meta tag)', async () => {
    const html = '<html><body><p>Bürgersteig und Straßenbahn.</p></body></html>';
    const latin1 = Uint8Array.from([...html].map((character) => character.charCodeAt(0)));
    const document = await loadHtml(latin1, 'seite.html', 'text/html; charset=iso-8859-1');
    expect(document.text).toBe('Bürgersteig und Straßenbahn.');
    const undeclared = await loadHtml(latin1, 'seite.html', 'text/html');
    expect(undeclared.text).toBe('Bürgersteig und Straßenbahn.');
  });

  it('decodes UTF-8 declared with <meta charset>', async () => {
    const document = await loadHtml(encode('<!doctype html><meta charset="utf-8"><title>Grüße</title><p>Öl, Äpfel &amp; Übermut – „Zitat“.</p>'));
    expect(document.text).toBe('Öl, Äpfel & Übermut – „Zitat“.');
    expect(document.title).toBe('Grüße');
  });

  it('recognises HTML by content when the name says nothing', async () => {
    const document = await loadHtml(encode('<!DOCTYPE html><html><body><p>Ein Absatz.</p><p>Noch einer.</p></body></html>'), 'download');
    expect(document.mimeType).toBe('text/html');
    expect(document.text).toBe('Ein Absatz.\n\nNoch einer.');
  });

  it('reads a page nested 100 000 elements deep quickly and keeps its text', async () => {
    const depth = 100_000;
    const html = `<html><body>${'<div>'.repeat(depth)}<p>Ganz tief unten steht ein Satz.</p>${'</div>'.repeat(depth)}<p>Und danach noch einer.</p></body></html>`;
    const started = performance.now();
    const document = await loadHtml(encode(html));
    expect(document.text).toBe('Ganz tief unten steht ein Satz.\n\nUnd danach noch einer.');
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it('refuses a page without main content with html_no_content', async () => {
    const html = '<html><head><title>Leer</title><script>render()</script></head><body><nav>Menü</nav><div id="app"></div><footer>© 2024</footer></body></html>';
    const error = await loadHtml(encode(html)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BelegError);
    expect((error as BelegError).code).toBe('html_no_content');
    expect((error as BelegError).message).toMatch(/no readable main content/);
  });
});
