/**
 * The Hono environment shared by beleg's routes: the authenticated caller is the only per-request
 * variable.
 */
import type { AuthVariables } from './authenticate.ts';

/** Hono `Env` of every beleg route. */
export type AppEnvironment = { Variables: AuthVariables };
