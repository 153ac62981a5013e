/** drizzle-kit for SQLite: `npx drizzle-kit generate` turns changes in src/db/schema.ts into migrations/ (PostgreSQL: drizzle.postgres.config.ts). */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
});
