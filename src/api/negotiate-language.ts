/**
 * The reader's language from `Accept-Language` (RFC 9110 §12.5.4): German when the header
 * prefers German (`de`, `de-DE`, …) over English by q-value, English otherwise and when the header
 * is absent. Languages beleg does not speak are skipped; `*` stands for English, the default.
 * Equal q-values keep the header's order.
 */
import type { Language } from '../messages/index.ts';

type Preference = { language: Language; quality: number; position: number };

function preferenceOf(entry: string, position: number): Preference | null {
  const [range = '', ...parameters] = entry.split(';').map((part) => part.trim());
  const tag = range.toLowerCase();
  const language: Language | null = tag === 'de' || tag.startsWith('de-') ? 'de' : tag === 'en' || tag.startsWith('en-') || tag === '*' ? 'en' : null;
  if (!language) return null;
  const qualityParameter = parameters.find((parameter) => /^q\s*=/i.test(parameter));
  const quality = qualityParameter === undefined ? 1 : Number(qualityParameter.replace(/^q\s*=\s*/i, ''));
  if (!Number.isFinite(quality) || quality <= 0 || quality > 1) return null;
  return { language, quality, position };
}

/** `de` when `Accept-Language` prefers German, else `en`. */
export function negotiateLanguage(acceptLanguage: string | null | undefined): Language {
  if (!acceptLanguage) return 'en';
  const preferences = acceptLanguage
    .split(',')
    .map(preferenceOf)
    .filter((preference): preference is Preference => preference !== null)
    .sort((first, second) => second.quality - first.quality || first.position - second.position);
  return preferences[0]?.language ?? 'en';
}
