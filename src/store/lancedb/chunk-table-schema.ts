/**
 * The Arrow schema of LanceDB's `chunks` table and the conversion between its rows and
 * `StoredChunk`. Columns are snake_case so SQL filters need no quoting.
 *
 * The vector column: a nullable `FixedSizeList<Float32>[dimension]` named `vector`, present only
 * when an embedding model is configured (its dimension is known then). Without a model the table
 * has no vector column and beleg searches lexically; configuring a model later adds the column
 * (all null) and chunks written from then on carry vectors. A model of another dimension replaces
 * the column (old vectors are meaningless to a new model); chunks without a vector are skipped by
 * vector search.
 *
 * The search column: `search_text` is what the German full-text index covers — the chunk text
 * plus whatever the store's search-text expansion adds (German compound parts, see
 * src/retrieve/decompound.ts). `text` stays the verbatim chunk text, so offsets and quotes are
 * unchanged; `search_text` is never read back.
 *
 * The sentence flags column: `sentence_flags` (nullable, one integer of bits per sentence, see
 * `StoredChunk.sentenceFlags`). Tables from before it get the column (all null) on open; their
 * chunks are rebuilt because the index settings record the chunking they were cut with.
 *
 * The collections column: `collections` (a list of collection ids, with a label-list index) says
 * which collections each chunk's document is in, so a collection's search filters inside LanceDB
 * with `array_has_any(collections, [...])` — measured at 100K chunks far cheaper than passing the
 * collection's document ids as a `document_id IN (…)` list (bench/collection-filter). SQLite's
 * memberships stay the truth; the ingestion service copies them onto the chunks whenever they
 * change, and start-up reconciliation repairs any difference (e.g. after a crash in between).
 */
import { createRequire } from 'node:module';
import type * as Arrow from 'apache-arrow';
import type { ChunkRow, StoredChunk } from '../chunk-store.ts';

// LanceDB is CommonJS and checks `instanceof Field`/`Schema` against the CommonJS build of
// apache-arrow; an ESM `import` would load the second (ESM) build, whose classes fail that check.
const { Field, FixedSizeList, Float32, Int32, List, Schema, Utf8 } = createRequire(import.meta.url)('apache-arrow') as typeof Arrow;

export const CHUNKS_TABLE = 'chunks';
export const VECTOR_COLUMN = 'vector';
export const SEARCH_TEXT_COLUMN = 'search_text';
export const SENTENCE_FLAGS_COLUMN = 'sentence_flags';
export const COLLECTIONS_COLUMN = 'collections';

/** The Arrow field of the vector column for `dimension`. */
export function vectorField(dimension: number): Arrow.Field {
  return new Field(VECTOR_COLUMN, new FixedSizeList(dimension, new Field('item', new Float32(), true)), true);
}

/** The Arrow field of the sentence flags column (nullable: older rows have none). */
export function sentenceFlagsField(): Arrow.Field {
  return new Field(SENTENCE_FLAGS_COLUMN, new List(new Field('item', new Int32(), true)), true);
}

/** The Arrow field of the collections column (nullable: rows of older tables have none until reconciled). */
export function collectionsField(): Arrow.Field {
  return new Field(COLLECTIONS_COLUMN, new List(new Field('item', new Utf8(), true)), true);
}

/** The table schema; with a vector column when `vectorDimension` is a number. */
export function chunkTableSchema(vectorDimension: number | null): Arrow.Schema {
  const fields = [
    new Field('id', new Utf8(), false),
    new Field('document_id', new Utf8(), false),
    new Field('ordinal', new Int32(), false),
    new Field('text', new Utf8(), false),
    new Field(SEARCH_TEXT_COLUMN, new Utf8(), true),
    new Field('char_start', new Int32(), false),
    new Field('char_end', new Int32(), false),
    new Field('page', new Int32(), true),
    new Field('heading_path', new Utf8(), true),
    new Field('token_count', new Int32(), false),
    new Field('sentence_offsets', new List(new Field('item', new Int32(), true)), false),
    sentenceFlagsField(),
    collectionsField(),
  ];
  if (vectorDimension !== null) fields.push(vectorField(vectorDimension));
  return new Schema(fields);
}

/** Columns read back for a `StoredChunk` (never the vector). */
export const CHUNK_COLUMNS = [
  'id',
  'document_id',
  'ordinal',
  'text',
  'char_start',
  'char_end',
  'page',
  'heading_path',
  'token_count',
  'sentence_offsets',
  SENTENCE_FLAGS_COLUMN,
];

/** A chunk as a table row; `searchText` is the content of the full-text search column. */
export function toTableRow(row: ChunkRow, vectorDimension: number | null, searchText: string = row.text): Record<string, unknown> {
  const record: Record<string, unknown> = {
    id: row.id,
    document_id: row.documentId,
    ordinal: row.ordinal,
    text: row.text,
    [SEARCH_TEXT_COLUMN]: searchText,
    char_start: row.charStart,
    char_end: row.charEnd,
    page: row.page,
    heading_path: row.headingPath,
    token_count: row.tokenCount,
    sentence_offsets: row.sentenceOffsets,
    [SENTENCE_FLAGS_COLUMN]: row.sentenceFlags ?? null,
    [COLLECTIONS_COLUMN]: row.collections ? [...row.collections] : [],
  };
  if (vectorDimension !== null) record[VECTOR_COLUMN] = row.vector ? Array.from(row.vector) : null;
  return record;
}

/** A table row as a chunk. */
export function fromTableRow(record: Record<string, unknown>): StoredChunk {
  const sentenceOffsets = numbersOf(record.sentence_offsets) ?? [];
  const sentenceFlags = numbersOf(record[SENTENCE_FLAGS_COLUMN]);
  return {
    id: String(record.id),
    documentId: String(record.document_id),
    ordinal: Number(record.ordinal),
    text: String(record.text),
    charStart: Number(record.char_start),
    charEnd: Number(record.char_end),
    page: record.page == null ? null : Number(record.page),
    headingPath: record.heading_path == null ? null : String(record.heading_path),
    tokenCount: Number(record.token_count),
    sentenceOffsets: sentenceOffsets.map(Number),
    ...(sentenceFlags ? { sentenceFlags: sentenceFlags.map(Number) } : {}),
  };
}

/** A list column's value as numbers; null when the row has none. */
function numbersOf(value: unknown): number[] | null {
  const list = value as { toArray?: () => ArrayLike<number> } | number[] | null | undefined;
  if (list == null) return null;
  return Array.isArray(list) ? list : Array.from(list.toArray!());
}

/** A SQL string literal (single quotes doubled). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Chunks in at least one of these collections (answered by the label-list index). */
export function collectionFilter(collectionIds: readonly string[]): string {
  return `array_has_any(${COLLECTIONS_COLUMN}, [${collectionIds.map(sqlString).join(', ')}])`;
}

/** `document_id IN (...)` for a list of ids. */
export function documentFilter(documentIds: readonly string[]): string {
  return `document_id IN (${documentIds.map(sqlString).join(', ')})`;
}
