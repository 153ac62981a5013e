/** drizzle-kit for PostgreSQL: `npx drizzle-kit generate --config drizzle.postgres.config.ts` turns changes in src/db/postgres/schema.ts into migrations/postgres/. */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/postgres/schema.ts',
  out: './migrations/postgres',
});
