/**
 * The HTTP application (hono). The only layer that knows HTTP: it turns the answer contract and
 * beleg's errors into responses.
 */
import { Hono } from 'hono';
import type { Config } from '../config.ts';

export type AppDependencies = { config: Config };

export function createApp(dependencies: AppDependencies): Hono {
  const app = new Hono();
  app.get('/health', (context) => context.json({ status: 'ok', dataDir: dependencies.config.dataDir }));
  return app;
}
