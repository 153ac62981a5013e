/**
 * Word-level German text analysis for the extractive engine: tokenising, stop words and a light
 * stemmer. Deliberately small and dependency-free: the engine must be deterministic, fast, and
 * explainable, and a light stemmer (suffix stripping plus umlaut folding) already matches
 * `Verteidigung`/`Verteidigungen`, `Städte`/`Stadt`, `gab`/`gaben` well enough for ranking.
 */

/** One word of a text: its surface form, its stem and where it sits. */
export type Term = {
  surface: string;
  stem: string;
  /** Position among the words of its text (0-based). */
  position: number;
  /** UTF-16 offset of the word in its text. */
  offset: number;
  capitalised: boolean;
};

/** Function words that carry no topic. Question words are listed separately. */
const STOP_WORDS = new Set(
  `aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes auch auf aus bei bin
  bis bist da damit dann das dass dasselbe dazu dein deine dem den denn der des desselben dessen dich die dies diese
  dieselbe dieselben diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines einig einige
  einigem einigen einiger einiges einmal er es etwas euch euer eure für gegen gewesen hab habe haben hat hatte hatten
  hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in indem ins ist jede jedem jeden jeder jedes
  jene jenem jenen jener jenes jetzt kann kein keine keinem keinen keiner keines können könnte machen man manche
  manchem manchen mancher manches mein meine mich mir mit muss musste nach nicht nichts noch nun nur ob oder ohne sehr
  sein seine seinem seinen seiner seines selbst sich sie sind so solche solchem solchen solcher solches soll sollte
  sondern sonst über um und uns unser unsere unter viel vom von vor war waren warst was weg weil weiter welche welchem
  welchen welcher welches wenn werde werden wie wieder will wir wird wirst wo wollen wollte würde würden zu zum zur
  zwar zwischen wurde wurden worden sei seit gibt gab gaben ab bzw sowie beim darf dürfen durfte durften müssen mussten
  konnte konnten sollen sollten möchte mag`.split(/\s+/),
);

/** Words that say what kind of answer is wanted, not what it is about. */
const QUESTION_WORDS = new Set(
  `wann wer wem wen wessen was wo woher wohin wie warum weshalb wieso welche welcher welches welchem welchen wieviel
  wieviele viele viel genau nennt nennen heißt heisst bezeichnet namens art`.split(/\s+/),
);

/**
 * The measure after "wie" in a question ("Wie hoch ist die Gebühr?", "Wie oft …"): it asks for a
 * number, it is not what the answer is about (the answer says "50 Cent", not "hoch").
 */
const MEASURE_WORDS = new Set('hoch groß gross lang alt weit schwer oft teuer breit tief schnell spät früh'.split(' '));

/**
 * The noun after "welche(m/n/r/s)" that only names the kind of answer ("An welchem Tag …?"):
 * the answer says "Freitag", not "Tag". The question-type cue looks for such answers instead.
 */
const ANSWER_KIND_NOUNS = new Set('tag wochentag uhrzeit datum'.split(' '));

/** Words; hyphenated compounds (`AFC-Championship-Spiel`) count as their parts; `%` and `€` count as words. */
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*|[%€]/gu;

/** Signs that stand for a word, so "25 %" matches "Prozent". */
const SIGN_WORDS: Readonly<Record<string, string>> = { '%': 'prozent', '€': 'euro' };

/** Folds umlauts and ß, lowercases, strips common inflection suffixes. */
export function stem(word: string): string {
  const sign = SIGN_WORDS[word];
  if (sign) return sign;
  let result = word
    .toLowerCase()
    .replace(/ä/g, 'a')
    .replace(/ö/g, 'o')
    .replace(/ü/g, 'u')
    .replace(/ß/g, 'ss')
    .replace(/[-'’]/g, '');
  if (/^\d/.test(result)) return result;
  // Longest first, at most two rounds (`Bayerns` → `Bayern` → `Bayer`, like `Bayern`); keep at
  // least four letters so short words are not mangled.
  for (let round = 0; round < 2; round += 1) {
    const suffix = ['ern', 'em', 'en', 'er', 'es', 'e', 's', 'n'].find((ending) => result.length - ending.length >= 4 && result.endsWith(ending));
    if (!suffix) break;
    result = result.slice(0, -suffix.length);
  }
  return result;
}

/** All words of `text` with stems and offsets. */
export function terms(text: string): Term[] {
  const result: Term[] = [];
  let position = 0;
  for (const match of text.matchAll(WORD)) {
    const surface = match[0];
    result.push({
      surface,
      stem: stem(surface),
      position,
      offset: match.index,
      capitalised: /^\p{Lu}/u.test(surface),
    });
    position += 1;
  }
  return result;
}

/** True for words that carry no topic (stop words and question words). */
export function isFunctionWord(surface: string): boolean {
  const lower = surface.toLowerCase();
  return STOP_WORDS.has(lower) || QUESTION_WORDS.has(lower);
}

/**
 * Topic terms of a question: its words minus function words and the words that only say what
 * kind of answer is wanted ("wie hoch", "welchem Tag"), deduplicated by stem.
 */
export function contentStems(text: string): string[] {
  const seen = new Set<string>();
  const all = terms(text);
  all.forEach((term, index) => {
    if (isFunctionWord(term.surface) || term.stem.length < 2) return;
    const previous = all[index - 1]?.surface.toLowerCase();
    const lower = term.surface.toLowerCase();
    if (previous === 'wie' && MEASURE_WORDS.has(lower)) return;
    if (previous !== undefined && /^welche[mnrs]?$/.test(previous) && ANSWER_KIND_NOUNS.has(lower)) return;
    seen.add(term.stem);
  });
  return [...seen];
}

/** A stem without derivational endings of foreign verbs and their nouns (`kombiniert`, `kombination` → `kombin`). */
function derivationRoot(stemmed: string): string {
  const root = stemmed.replace(/(?:ierung|ation|ieren|ierte|iert|ier)$/, '');
  return root.length >= 5 ? root : stemmed;
}

/**
 * How well two stems match: 1 when equal; partial when one is the head or modifier of a compound
 * containing the other (`stadt` in `hauptstadt`, `verteidigung` in `verteidigungslinie`).
 */
export function stemSimilarity(questionStem: string, sentenceStem: string): number {
  if (questionStem === sentenceStem) return 1;
  const questionRoot = derivationRoot(questionStem);
  if (questionRoot !== questionStem && questionRoot === derivationRoot(sentenceStem)) return 0.8;
  const shorter = questionStem.length <= sentenceStem.length ? questionStem : sentenceStem;
  const longer = shorter === questionStem ? sentenceStem : questionStem;
  if (shorter.length < 4 || /^\d/.test(shorter)) return 0;
  if (longer.endsWith(shorter)) return 0.7;
  if (longer.startsWith(shorter) && shorter.length >= 5) return 0.6;
  return 0;
}

/** Endings of derivations and verb forms stripped for `wordRoot`, longest first. */
const DERIVATION_ENDINGS = /(?:ierung|ation|atio|ieren|ierte|iert|ungen|ung|heit|keit|lich|isch|ten|te|et|t)$/;

/**
 * The root of a stem for matching words of one family: a participle without `ge-`
 * (`geplant` → `plan`, like `Plänen` → `plan`), a noun without `-ung` or `-ation` (`Wiedereröffnung` and
 * `wiedereröffnet` → `wiedereroffn`), a verb without `-ieren`. Returns the stem itself when the
 * root would be shorter than three letters, and numbers unchanged.
 */
export function wordRoot(stemmed: string): string {
  if (/^\d/.test(stemmed)) return stemmed;
  let root = stemmed;
  if (root.startsWith('ge') && root.length >= 6 && /(?:t|et|en)$/.test(root)) root = root.slice(2);
  root = root.replace(DERIVATION_ENDINGS, '');
  return root.length >= 3 ? root : stemmed;
}

/**
 * The reader's word match: `stemSimilarity` (equal stems, compound parts), plus words of one
 * family through their roots (0.8: `gegründet`/`Gründung`, `geplant`/`Plänen`) and compounds of
 * such roots (0.6). Retrieval keeps `stemSimilarity`, whose weights were tuned with it.
 */
export function readerSimilarity(questionStem: string, sentenceStem: string): number {
  const direct = stemSimilarity(questionStem, sentenceStem);
  if (direct >= 0.8) return direct;
  const questionRoot = wordRoot(questionStem);
  const sentenceRoot = wordRoot(sentenceStem);
  if (questionRoot === sentenceRoot) return 0.8;
  const shorter = questionRoot.length <= sentenceRoot.length ? questionRoot : sentenceRoot;
  const longer = shorter === questionRoot ? sentenceRoot : questionRoot;
  if (shorter.length >= 4 && !/^\d/.test(shorter) && longer.endsWith(shorter)) return Math.max(direct, 0.6);
  return direct;
}
