/**
 * Collections and scoped keys, end to end over HTTP with real SQLite, LanceDB and the extractive
 * engine: three department collections (plus `allgemein`), keys of every role for each, and in
 * every forbidden collection a planted document that answers the question better than anything the
 * key may see. No route and neither answer path (JSON, SSE) ever shows a key a document outside its
 * collections: not in citations, sources, candidates, listings, document metadata or text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../src/answer/answer-contract.ts';
import { createAnswerService } from '../src/create-answerer.ts';
import { ExtractiveLanguageModel } from '../src/engine/extractive/extractive-language-model.ts';
import { readServerSentEvents } from './helpers/start-app.ts';
import { startRealApp, type RealApp } from './helpers/start-real-app.ts';
import { openTestContext } from './helpers/storage-app.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

const ADMIN_KEY = 'admin-key-0123456789abcdef';
const DEPARTMENTS = ['personal', 'finanzen', 'technik'] as const;
type Department = (typeof DEPARTMENTS)[number];
const ROLES = ['read', 'write', 'admin'] as const;

/** Facts every department has its own version of: the forbidden versions are the planted documents. */
const TOPICS = [
  { question: 'Wie lautet der Code für den Tresor im Keller?', fact: (code: string) => `Der Code für den Tresor im Keller lautet ${code}. Er wird jedes Quartal geändert.` },
  { question: 'Wer hat den Schlüssel zum Serverraum?', fact: (code: string) => `Den Schlüssel zum Serverraum hat ${code}. Eine Kopie liegt beim Pförtner.` },
  { question: 'Wie hoch ist das Budget für die Weihnachtsfeier?', fact: (code: string) => `Das Budget für die Weihnachtsfeier beträgt ${code} Euro. Es wurde im Mai beschlossen.` },
  { question: 'Welches Passwort hat das WLAN im Gästebereich?', fact: (code: string) => `Das Passwort für das WLAN im Gästebereich ist ${code}. Es gilt bis Jahresende.` },
];

/** A department's marker inside its facts, e.g. `PERSONAL-1`; a quote holding another's marker is a leak. */
const marker = (department: Department, topic: number) => `${department.toUpperCase()}-${topic + 1}${topic + 7}`;

type Key = { secret: string; role: (typeof ROLES)[number]; collections: Department[] };

let app: RealApp;
const keys: Key[] = [];
/** Document ids by collection, as uploaded. */
const documentsIn = new Map<Department, Set<string>>(DEPARTMENTS.map((department) => [department, new Set<string>()]));
let sharedId = '';

async function call(secret: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${app.url}${path}`, { ...init, headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
}

async function json<T>(response: Response, status = 200): Promise<T> {
  const body = await response.text();
  expect(response.status, body).toBe(status);
  return JSON.parse(body) as T;
}

function visibleTo(key: Key): Set<string> {
  return new Set(key.collections.flatMap((department) => [...documentsIn.get(department)!]));
}

async function waitReady(secret: string, id: string): Promise<void> {
  for (;;) {
    const document = await json<{ status: string }>(await call(secret, `/documents/${id}`));
    if (document.status === 'ready') return;
    expect(document.status).not.toBe('failed');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every document id an answer shows, and every quoted text. */
function shown(answer: Answer): { ids: string[]; texts: string[] } {
  return {
    ids: [...answer.citations, ...answer.candidates, ...answer.sources].map((item) => item.documentId),
    texts: [...answer.citations.map((citation) => citation.quote), ...answer.candidates.map((candidate) => candidate.quote), ...answer.sources.map((source) => source.text)],
  };
}

function expectNoLeak(key: Key, answer: Answer, context: string): void {
  const visible = visibleTo(key);
  const { ids, texts } = shown(answer);
  for (const id of ids) expect(visible.has(id), `${context}: shows document ${id}`).toBe(true);
  for (const department of DEPARTMENTS) {
    if (key.collections.includes(department)) continue;
    for (let topic = 0; topic < TOPICS.length; topic++) {
      for (const text of texts) expect(text.includes(marker(department, topic)), `${context}: quotes ${marker(department, topic)}`).toBe(false);
    }
  }
}

beforeAll(async () => {
  app = await startRealApp('beleg-collections-', { BELEG_API_KEYS: ADMIN_KEY, BELEG_RATE_LIMIT_PER_MINUTE: '1000000', BELEG_MIN_CONFIDENCE: '0' });
  for (const department of DEPARTMENTS) await json(await call(ADMIN_KEY, '/collections', { method: 'POST', body: JSON.stringify({ id: department, name: department }) }), 201);
  for (const department of DEPARTMENTS) {
    for (const role of ROLES) {
      const created = await json<{ secret: string }>(await call(ADMIN_KEY, '/keys', { method: 'POST', body: JSON.stringify({ name: `${department}-${role}`, role, collections: [department] }) }), 201);
      keys.push({ secret: created.secret, role, collections: [department] });
    }
  }
  const pair = await json<{ secret: string }>(await call(ADMIN_KEY, '/keys', { method: 'POST', body: JSON.stringify({ name: 'personal+technik', role: 'read', collections: ['personal', 'technik'] }) }), 201);
  keys.push({ secret: pair.secret, role: 'read', collections: ['personal', 'technik'] });

  // Each department's writer uploads its version of every fact (into its own collection, unnamed).
  for (const department of DEPARTMENTS) {
    const writer = keys.find((key) => key.role === 'write' && key.collections[0] === department)!;
    for (let topic = 0; topic < TOPICS.length; topic++) {
      const text = `${TOPICS[topic]!.fact(marker(department, topic))}\n\nDiese Angabe gilt für die Abteilung ${department}.`;
      const accepted = await json<{ documents: { id: string; collectionIds: string[] }[] }>(
        await call(writer.secret, '/documents', { method: 'POST', body: JSON.stringify({ text, title: `${department} ${topic}` }) }),
        202,
      );
      expect(accepted.documents[0]!.collectionIds).toEqual([department]);
      documentsIn.get(department)!.add(accepted.documents[0]!.id);
    }
  }
  // Identical content into two collections: stored once, visible in both, not in the third.
  const shared = 'Die Kantine hat montags bis freitags von 11 bis 14 Uhr geöffnet. Am Freitag gibt es Fisch.';
  const first = await json<{ documents: { id: string }[] }>(await call(ADMIN_KEY, '/documents', { method: 'POST', body: JSON.stringify({ text: shared, collection: 'personal' }) }), 202);
  const second = await json<{ documents: { id: string }[] }>(await call(ADMIN_KEY, '/documents', { method: 'POST', body: JSON.stringify({ text: shared, collection: 'finanzen' }) }), 202);
  sharedId = first.documents[0]!.id;
  expect(second.documents[0]!.id).toBe(sharedId);
  documentsIn.get('personal')!.add(sharedId);
  documentsIn.get('finanzen')!.add(sharedId);
  for (const ids of documentsIn.values()) for (const id of ids) await waitReady(ADMIN_KEY, id);
}, 120_000);

afterAll(async () => {
  await app?.close();
});

describe('collections and scoped keys', () => {
  it('lists, reads and deletes only inside the key’s collections', async () => {
    for (const key of keys) {
      const visible = visibleTo(key);
      const listed = await json<{ documents: { id: string; collectionIds: string[] }[]; total: number }>(await call(key.secret, '/documents?limit=200'));
      expect(new Set(listed.documents.map((document) => document.id))).toEqual(visible);
      expect(listed.total).toBe(visible.size);
      for (const document of listed.documents) for (const id of document.collectionIds) expect(key.collections).toContain(id);
      const collections = await json<{ collections: { id: string; documentCount: number }[] }>(await call(key.secret, '/collections'));
      expect(collections.collections.map((collection) => collection.id).sort()).toEqual([...key.collections].sort());
      for (const department of DEPARTMENTS) {
        if (key.collections.includes(department)) continue;
        // A collection the key may not use: refused when named, whatever the route.
        expect((await call(key.secret, `/documents?collectionIds=${department}`)).status).toBe(403);
        expect((await call(key.secret, '/ask', { method: 'POST', body: JSON.stringify({ question: TOPICS[0]!.question, collectionIds: [department] }) })).status).toBe(403);
        for (const id of documentsIn.get(department)!) {
          if (visible.has(id)) continue;
          expect((await call(key.secret, `/documents/${id}`)).status).toBe(404);
          const text = await call(key.secret, `/documents/${id}/text`);
          expect(text.status).toBe(404);
          expect(await text.text()).not.toContain(department.toUpperCase());
          expect((await call(key.secret, `/documents/${id}`, { method: 'DELETE' })).status).toBe(key.role === 'read' ? 403 : 404);
        }
      }
      for (const id of visible) {
        const text = await json<{ text: string }>(await call(key.secret, `/documents/${id}/text`));
        expect(text.text.length).toBeGreaterThan(0);
      }
    }
    // Nothing was deleted by the refused attempts.
    const all = await json<{ total: number }>(await call(ADMIN_KEY, '/documents'));
    expect(all.total).toBe(TOPICS.length * DEPARTMENTS.length + 1);
  }, 120_000);

  it('a read key may not upload, create collections or keys; a write key may not manage keys', async () => {
    const reader = keys.find((key) => key.role === 'read')!;
    expect((await call(reader.secret, '/documents', { method: 'POST', body: JSON.stringify({ text: 'Neu.' }) })).status).toBe(403);
    const writer = keys.find((key) => key.role === 'write')!;
    expect((await call(writer.secret, '/collections', { method: 'POST', body: JSON.stringify({ id: 'neu' }) })).status).toBe(403);
    expect((await call(writer.secret, '/keys')).status).toBe(403);
    expect((await call(writer.secret, '/audit')).status).toBe(403);
    // A writer may upload only into its own collection.
    const elsewhere = DEPARTMENTS.find((department) => !writer.collections.includes(department))!;
    const refused = await call(writer.secret, '/documents', { method: 'POST', body: JSON.stringify({ text: 'Fremd.', collection: elsewhere }) });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden_collection');
  });

  it('answers 2,000 random question/key combinations, JSON and SSE, without one leak', async () => {
    let seed = 16;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const combinations = Array.from({ length: 2000 }, (_, index) => {
      const key = keys[Math.floor(random() * keys.length)]!;
      const topic = Math.floor(random() * (TOPICS.length + 1));
      const question = topic === TOPICS.length ? 'Wann hat die Kantine geöffnet?' : TOPICS[topic]!.question;
      // Sometimes the request names the key's own collections, sometimes not.
      const named = random() < 0.3 ? { collectionIds: key.collections } : {};
      return { key, question, named, stream: index % 2 === 1 };
    });
    let answered = 0;
    let next = 0;
    const worker = async () => {
      while (next < combinations.length) {
        const { key, question, named, stream } = combinations[next++]!;
        const response = await call(key.secret, '/ask', { method: 'POST', body: JSON.stringify({ question, stream, ...named }) });
        expect(response.status).toBe(200);
        let answer: Answer;
        if (stream) {
          const events = await readServerSentEvents(response);
          for (const event of events) {
            if (event.event === 'citation') expect(visibleTo(key).has((JSON.parse(event.data) as { citation: { documentId: string } }).citation.documentId)).toBe(true);
            if (event.event === 'sources') for (const source of (JSON.parse(event.data) as { sources: { documentId: string }[] }).sources) expect(visibleTo(key).has(source.documentId)).toBe(true);
          }
          answer = (JSON.parse(events.find((event) => event.event === 'finish')!.data) as { answer: Answer }).answer;
        } else {
          answer = (await response.json()) as Answer;
        }
        expectNoLeak(key, answer, `${key.collections.join('+')} ${question}`);
        if (!answer.declined) answered++;
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    // The battery is only meaningful if questions were answered from the allowed collections.
    expect(answered).toBeGreaterThan(1000);
  }, 600_000);

  it('cites the department’s own version of a fact, and the shared document in both collections that hold it', async () => {
    for (const department of DEPARTMENTS) {
      const reader = keys.find((key) => key.role === 'read' && key.collections.length === 1 && key.collections[0] === department)!;
      const answer = await json<Answer>(await call(reader.secret, '/ask', { method: 'POST', body: JSON.stringify({ question: TOPICS[0]!.question }) }));
      expect(answer.declined).toBe(false);
      expect(answer.citations[0]!.quote).toContain(marker(department, 0));
      const canteen = await json<Answer>(await call(reader.secret, '/ask', { method: 'POST', body: JSON.stringify({ question: 'Wann hat die Kantine geöffnet?' }) }));
      if (department === 'technik') expect(canteen.citations).toEqual([]);
      else expect(canteen.citations[0]?.documentId).toBe(sharedId);
    }
  });

  it('records uploads and questions with the cited ids, never document text, for the admin', async () => {
    const events = await json<{ events: { action: string; actor: string; question: string | null; citedDocumentIds: string[] | null; collectionIds: string[] }[] }>(
      await call(ADMIN_KEY, '/audit?limit=1000'),
    );
    const uploads = await json<{ events: { actor: string; documentId: string; collectionIds: string[] }[] }>(await call(ADMIN_KEY, '/audit?action=upload&limit=1000'));
    expect(uploads.events.length).toBe(TOPICS.length * DEPARTMENTS.length + 2);
    expect(uploads.events.find((event) => event.documentId === sharedId && event.collectionIds[0] === 'finanzen')?.actor).toBe('key-1');
    const asked = events.events.filter((event) => event.action === 'ask');
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.some((event) => (event.citedDocumentIds ?? []).length > 0)).toBe(true);
    for (const event of events.events) expect(JSON.stringify(event)).not.toMatch(/Quartal|Pförtner|beschlossen/);
  });

  it('lists keys without secrets, rotates and revokes them', async () => {
    const listed = await json<{ keys: Record<string, unknown>[] }>(await call(ADMIN_KEY, '/keys'));
    expect(listed.keys.length).toBe(keys.length);
    for (const key of listed.keys) expect(Object.keys(key)).not.toContain('secretSha256');
    expect(JSON.stringify(listed)).not.toContain(keys[0]!.secret);
    const id = listed.keys.find((key) => key.name === 'personal-read')!.id as string;
    const rotated = await json<{ secret: string }>(await call(ADMIN_KEY, `/keys/${id}/rotate`, { method: 'POST' }));
    expect((await call(keys[0]!.secret, '/documents')).status).toBe(401);
    expect((await call(rotated.secret, '/documents')).status).toBe(200);
    expect((await call(ADMIN_KEY, `/keys/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(rotated.secret, '/documents')).status).toBe(401);
  });
});

describe('documents moved or deleted while a question runs', () => {
  it('never cites a document that left the asked collections or was deleted after retrieval began (JSON and stream)', async () => {
    const context = await openTestContext();
    try {
      const repository = context.access;
      await repository.createCollection('personal', 'Personal');
      await repository.createCollection('finanzen', 'Finanzen');
      const answerer = createAnswerService(context, { extractive: new ExtractiveLanguageModel() }, 'extractive', { minConfidence: 0 });
      const question = 'Wie lautet der Code für den Tresor im Keller?';
      for (const [round, change] of (['move', 'delete', 'move-stream', 'delete-stream'] as const).entries()) {
        const moving = await context.ingestion.ingest({ kind: 'text', text: `Der Code für den Tresor im Keller lautet ${round}-WEG. Runde ${round}.` }, { collectionId: 'personal' });
        const staying = await context.ingestion.ingest({ kind: 'text', text: `Im Keller steht auch ein Regal. Runde ${round}.` }, { collectionId: 'personal' });
        expect(moving.status).toBe('ready');
        // Baseline: without the change the moving document is the answer.
        const before = await answerer.answer({ question, collectionIds: ['personal'] });
        expect(before.citations[0]?.documentId).toBe(moving.id);
        // The answer starts (its collection's ready ids are read synchronously), then the document moves or goes
        // (in SQLite first, then on its chunks: the search may still find it by its old collection).
        const streamed = change.endsWith('stream');
        const pending = streamed
          ? (async () => {
              let finished: Answer | undefined;
              for await (const part of answerer.stream({ question, collectionIds: ['personal'] })) {
                if (part.type === 'citation') expect(part.citation.documentId).not.toBe(moving.id);
                if (part.type === 'finish') finished = part.answer;
              }
              return finished!;
            })()
          : answerer.answer({ question, collectionIds: ['personal'] });
        if (change.startsWith('move')) {
          await context.ingestion.move(moving.id, 'finanzen', ['personal']);
        } else {
          await context.ingestion.remove(moving.id);
        }
        const answer = await pending;
        expect(answer.citations.map((citation) => citation.documentId)).not.toContain(moving.id);
        expect(answer.candidates.map((candidate) => candidate.documentId)).not.toContain(moving.id);
        await context.ingestion.remove(staying.id);
        if (change.startsWith('move')) await context.ingestion.remove(moving.id);
      }
    } finally {
      await context.close();
    }
  }, 60_000);
});
