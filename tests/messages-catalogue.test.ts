/**
 * The message catalogue is complete: every error code the code base can raise, every decline
 * reason and every text the CLI and web page name has an English and a German text with the same
 * placeholders. Codes are found in two ways, so that a code added without texts fails here with
 * its name and place:
 * - the catalogue ids the sources name (`userMessage('…')`, `text(language, '…')`), which the
 *   type checker also checks;
 * - a scan of the sources for codes written as string literals: `code: '…'`, `errorCode: '…'`,
 *   `new BelegError('…'` (and the other classes that used to take a code first), `super('…'` in
 *   error classes, and the status table of src/api/error-response.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { declineReasons } from '../src/answer/answer-contract.ts';
import { catalogue, errorCodeOf, formatMessage, languages, userMessage } from '../src/messages/index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const catalogueFile = 'src/messages/catalogue.ts';
const texts: Record<string, Record<string, string | undefined>> = catalogue;
const ids = Object.keys(texts);
const textNamespaces = ['declined', 'cli', 'web', 'fragment'];
const errorIds = ids.filter((id) => !textNamespaces.includes(id.split('.')[0]!));

function sourceFiles(directory: string): string[] {
  return readdirSync(path.join(root, directory), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [relative] : [];
  });
}

type Use = { value: string; where: string };

/** Every match of `pattern`'s first group in the sources, with file and line. */
function findInSources(pattern: RegExp, files = sourceFiles('src')): Use[] {
  const uses: Use[] = [];
  for (const file of files) {
    const source = readFileSync(path.join(root, file), 'utf8');
    for (const match of source.matchAll(pattern)) {
      const line = source.slice(0, match.index).split('\n').length;
      uses.push({ value: match[1]!, where: `${file}:${line}` });
    }
  }
  return uses;
}

const placeholdersOf = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort();

/** What is missing for one message id: "… has no German text", in words a person can act on. */
function missingTexts(id: string, what: string, where: string): string[] {
  const entry = texts[id];
  const missing = (['en', 'de'] as const).filter((language) => !entry?.[language]?.trim());
  if (missing.length === 0) return [];
  const names = missing.map((language) => (language === 'de' ? 'German' : 'English')).join(' and no ');
  return [`${what} '${id}' (${where}) has no ${names} text in ${catalogueFile}`];
}

describe('message catalogue', () => {
  it('has an English and a German text with the same placeholders for every id', () => {
    const problems: string[] = [];
    for (const id of ids) {
      problems.push(...missingTexts(id, 'message', catalogueFile));
      const entry = texts[id]!;
      if (!entry.en || !entry.de) continue;
      const english = placeholdersOf(entry.en);
      const german = placeholdersOf(entry.de);
      if (english.join() !== german.join()) problems.push(`'${id}': English uses {${english.join('}, {')}}, German {${german.join('}, {')}}`);
      for (const language of languages) {
        const stray = entry[language]!.replace(/\{\w+\}/g, '').match(/[{}]/);
        if (stray) problems.push(`'${id}' (${language}) has a brace that is not a {placeholder}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('has a German text that is a translation, not a copy, for every error message', () => {
    // Texts that read the same in both languages on purpose.
    const same = new Set(['unsupported_model.quantization_setting']);
    const copies = errorIds.filter((id) => !same.has(id) && texts[id]!.en === texts[id]!.de);
    expect(copies).toEqual([]);
  });

  it('has a text for every error code itself, not only for its variants', () => {
    const codes = new Set(errorIds.map(errorCodeOf));
    const problems = [...codes].flatMap((code) => missingTexts(code, 'error code', `variants: ${errorIds.filter((id) => errorCodeOf(id) === code).join(', ')}`));
    expect(problems).toEqual([]);
  });

  it('has a text for every id the sources name', () => {
    const literal = [
      ...findInSources(/userMessage\(\s*'([^']+)'/g),
      ...findInSources(/\btext\(\s*[\w.]+,\s*'([^']+)'/g),
      ...findInSources(/\bmessages\[\s*'([^']+)'\s*\]/g, ['src/api/web/app.js']),
      ...findInSources(/\bformat\(\s*'([^']+)'/g, ['src/api/web/app.js']),
    ];
    expect(literal.length).toBeGreaterThan(200);
    const problems = literal.flatMap((use) => missingTexts(use.value, 'message', use.where));
    // Ids built from a template (`fragment.address.${range}`) need at least one text of that shape.
    for (const use of findInSources(/userMessage\(\s*`([^`]+)`/g)) {
      const shape = new RegExp(`^${use.value.split(/\$\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\w.]+')}$`);
      if (!ids.some((id) => shape.test(id))) problems.push(`no text in ${catalogueFile} fits the message id \`${use.value}\` (${use.where})`);
    }
    expect(problems).toEqual([]);
  });

  it('has a text for every error code written as a string literal in the sources', () => {
    const codes = [
      ...findInSources(/\b(?:code|errorCode):\s*'([a-z][a-z0-9_]*)'/g),
      ...findInSources(/new\s+(?:BelegError|UnprocessableDocumentError|FetchFailedError)\(\s*'([a-z][a-z0-9_]*)'/g),
      ...findInSources(/\bsuper\(\s*'([a-z][a-z0-9_]*)'/g),
      ...findInSources(/^\s+([a-z][a-z0-9_]*): \d{3},$/gm, ['src/api/error-response.ts']),
    ];
    expect(codes.map((use) => use.value)).toContain('document_not_ready');
    // zod's issue code in `ctx.addIssue({ code: 'custom', … })` is not one of beleg's.
    const problems = codes.filter((use) => use.value !== 'custom').flatMap((use) => missingTexts(use.value, 'error code', use.where));
    expect(problems).toEqual([]);
  });

  it('has a text for every decline reason of the answer contract', () => {
    const problems = declineReasons.flatMap((reason) => missingTexts(`declined.${reason}`, 'decline reason', 'src/answer/answer-contract.ts'));
    expect(problems).toEqual([]);
  });

  it('says what is missing, naming the code, the place and the language', () => {
    expect(missingTexts('lock_held', 'error code', 'src/db/lock.ts:12')).toEqual([
      `error code 'lock_held' (src/db/lock.ts:12) has no English and no German text in ${catalogueFile}`,
    ]);
  });

  it('renders values, nested messages and texts both languages already have', () => {
    const blocked = userMessage('blocked_url', {
      url: 'http://10.0.0.1/',
      hop: '',
      reason: userMessage('fragment.host_is', { host: '10.0.0.1', range: userMessage('fragment.address.private') }),
    });
    expect(formatMessage(blocked, 'en')).toMatch(/^Refused to fetch 'http:\/\/10\.0\.0\.1\/': 10\.0\.0\.1 is a private address\. /);
    expect(formatMessage(blocked, 'de')).toMatch(/^Der Abruf von 'http:\/\/10\.0\.0\.1\/' wurde verweigert: 10\.0\.0\.1 ist eine private Adresse\. /);
    const question = userMessage('validation_failed.question', { problem: { en: 'Too big', de: 'Zu groß' } });
    expect([formatMessage(question, 'en'), formatMessage(question, 'de')]).toEqual(['Invalid question: Too big.', 'Ungültige Frage: Zu groß.']);
    // A message stored by another version of beleg whose id this one lacks shows its id, not nothing.
    expect(formatMessage({ id: 'gone_code' as never, values: {} }, 'de')).toBe('gone_code');
  });
});
