/**
 * beleg's log: one JSON object per line on stdout, written by pino (the only file that imports it).
 * Each line has `level` (a name, not pino's number), `time` (ISO 8601), `msg`, and the fields the
 * caller passed. Writes are synchronous, so the lines written just before an exit (a start-up
 * failure, the shutdown) are never lost; beleg logs one line per request, far below the rate at
 * which that costs throughput.
 *
 * What goes into fields is the caller's choice, and callers pass only what an operator needs:
 * never document text, quotes, full questions or credentials (see src/api/request-log.ts).
 */
import { pino, type DestinationStream } from 'pino';

/** The levels, most severe first; a logger writes its level and everything above it. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Structured fields of one line. An `error` field is written with its type, message and stack. */
export type LogFields = Record<string, unknown>;

type Write = (message: string, fields?: LogFields) => void;

/** A structured logger. */
export type Logger = {
  fatal: Write;
  error: Write;
  warn: Write;
  info: Write;
  debug: Write;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
};

/** Where lines go: stdout unless a test passes a stream of its own. */
export type LoggerOptions = { level: LogLevel; destination?: { write(line: string): void } };

function wrap(logger: pino.Logger): Logger {
  const writer =
    (level: 'fatal' | 'error' | 'warn' | 'info' | 'debug'): Write =>
    (message, fields) =>
      fields === undefined ? logger[level](message) : logger[level](fields, message);
  return {
    fatal: writer('fatal'),
    error: writer('error'),
    warn: writer('warn'),
    info: writer('info'),
    debug: writer('debug'),
    child: (fields) => wrap(logger.child(fields)),
  };
}

/** Creates the JSON logger. */
export function createLogger(options: LoggerOptions): Logger {
  const destination: DestinationStream = options.destination ?? pino.destination({ dest: 1, sync: true });
  return wrap(
    pino(
      {
        level: options.level,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        serializers: { error: pino.stdSerializers.err },
      },
      destination,
    ),
  );
}

/** A logger that writes nothing (the default where no logger is handed in). */
export const silentLogger: Logger = createLogger({ level: 'silent', destination: { write: () => undefined } });
