/** Opens the metadata database a configuration names: PostgreSQL when a URL is given, else SQLite in the data directory. */
import { openPostgresMetadata, type PostgresMetadataDatabase } from './postgres/postgres-metadata-database.ts';
import { openSqliteMetadata, type SqliteMetadataDatabase } from './sqlite-metadata-database.ts';

/** Where the metadata lives: `databaseUrl` (BELEG_DATABASE_URL) wins over the SQLite file. */
export type MetadataLocation = {
  databaseUrl?: string;
  sqliteFile: string;
  /** PostgreSQL: most connections of the main pool (BELEG_DATABASE_POOL_SIZE; content locks use 4 more). */
  maxConnections?: number;
};

/** Opens and migrates the metadata database; SQLite's also hands back its raw handle. */
export async function openMetadataDatabase(location: MetadataLocation): Promise<SqliteMetadataDatabase | PostgresMetadataDatabase> {
  if (location.databaseUrl !== undefined) return openPostgresMetadata(location.databaseUrl, { maxConnections: location.maxConnections });
  return openSqliteMetadata(location.sqliteFile);
}
