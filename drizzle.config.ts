/** drizzle-kit: `npx drizzle-kit generate` turns changes in src/db/schema.ts into migrations/. */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
});
