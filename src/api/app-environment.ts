/**
 * The Hono environment shared by beleg's routes: the authenticated caller, and the request id and
 * log entry of `requestLog`.
 */
import type { AuthVariables } from './authenticate.ts';
import type { RequestLogVariables } from './request-log.ts';

/** Hono `Env` of every beleg route. */
export type AppEnvironment = { Variables: AuthVariables & RequestLogVariables };
