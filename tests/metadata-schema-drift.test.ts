/**
 * The SQLite and PostgreSQL schemas are kept by hand in step (src/db/schema.ts,
 * src/db/postgres/schema.ts): this fails when a table, column or index exists in one and not the
 * other, or a column's nullability, default or allowed values differ.
 */
import { getTableConfig as getPgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as getSqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as postgres from '../src/db/postgres/schema.ts';
import * as sqlite from '../src/db/schema.ts';

/** Columns only one dialect has, and why. */
const DIALECT_ONLY_COLUMNS = {
  // SQLite keeps the link order in its implicit rowid; PostgreSQL has none.
  postgres: ['document_attachments.position', 'ingest_jobs.lease_owner', 'ingest_jobs.lease_expires_at'],
  sqlite: [] as string[],
};

/** Tables only one dialect has, and why. */
const DIALECT_ONLY_TABLES = {
  // Upload bytes every process reads; SQLite mode keeps them as files in its data directory.
  postgres: ['upload_blobs'],
  sqlite: [] as string[],
};

type ColumnShape = { notNull: boolean; hasDefault: boolean; enumValues: string[] | undefined };
type TableShape = { columns: Record<string, ColumnShape>; indexes: string[] };

function sqliteShapes(): Record<string, TableShape> {
  const shapes: Record<string, TableShape> = {};
  for (const value of Object.values(sqlite)) {
    if (!(value instanceof SQLiteTable)) continue;
    const config = getSqliteTableConfig(value);
    shapes[config.name] = {
      columns: Object.fromEntries(config.columns.map((column) => [column.name, { notNull: column.notNull, hasDefault: column.hasDefault, enumValues: column.enumValues }])),
      indexes: config.indexes.map((index) => index.config.name).sort(),
    };
  }
  return shapes;
}

function postgresShapes(): Record<string, TableShape> {
  const shapes: Record<string, TableShape> = {};
  for (const value of Object.values(postgres)) {
    if (!(value instanceof PgTable)) continue;
    const config = getPgTableConfig(value);
    shapes[config.name] = {
      columns: Object.fromEntries(
        config.columns.map((column) => [
          column.name,
          { notNull: column.notNull, hasDefault: column.hasDefault || column.generatedIdentity !== undefined, enumValues: column.enumValues },
        ]),
      ),
      indexes: config.indexes.map((index) => index.config.name!).sort(),
    };
  }
  return shapes;
}

function withoutDialectOnly(shapes: Record<string, TableShape>, dialectOnly: readonly string[], dialectOnlyTables: readonly string[]): Record<string, TableShape> {
  return Object.fromEntries(
    Object.entries(shapes).filter(([table]) => !dialectOnlyTables.includes(table)).map(([table, shape]) => [
      table,
      { ...shape, columns: Object.fromEntries(Object.entries(shape.columns).filter(([column]) => !dialectOnly.includes(`${table}.${column}`))) },
    ]),
  );
}

describe('metadata schemas of both dialects', () => {
  it('have the same tables, columns (with nullability, defaults and allowed values) and indexes', () => {
    const fromSqlite = withoutDialectOnly(sqliteShapes(), DIALECT_ONLY_COLUMNS.sqlite, DIALECT_ONLY_TABLES.sqlite);
    const fromPostgres = withoutDialectOnly(postgresShapes(), DIALECT_ONLY_COLUMNS.postgres, DIALECT_ONLY_TABLES.postgres);
    expect(Object.keys(fromSqlite).length).toBeGreaterThanOrEqual(9);
    expect(fromPostgres).toEqual(fromSqlite);
  });

  it('names only dialect-only columns that exist', () => {
    const columns = Object.entries(postgresShapes()).flatMap(([table, shape]) => Object.keys(shape.columns).map((column) => `${table}.${column}`));
    for (const column of DIALECT_ONLY_COLUMNS.postgres) expect(columns).toContain(column);
    for (const table of DIALECT_ONLY_TABLES.postgres) expect(Object.keys(postgresShapes())).toContain(table);
  });
});
