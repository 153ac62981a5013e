import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GPTQ_PROMPT_TOKENS, languageOfLocale, loadConfig } from './config.ts';
import { answerServiceSettings } from './create-answerer.ts';
import { ValidationError } from './errors.ts';

describe('loadConfig', () => {
  it('uses loopback, port 8080 and ./data by default', () => {
    const config = loadConfig({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8080);
    expect(config.dataDir.endsWith('/data')).toBe(true);
    expect(config.apiKeys).toEqual([]);
    expect(config.limits.maxDocumentBytes).toBeGreaterThan(0);
  });

  it('reads environment variables and lets flags win', () => {
    const config = loadConfig(
      { BELEG_PORT: '9000', BELEG_HOST: '0.0.0.0', BELEG_API_KEYS: 'a'.repeat(20) + ':read,' + 'b'.repeat(20) },
      { port: 9001 },
    );
    expect(config.port).toBe(9001);
    expect(config.host).toBe('0.0.0.0');
    expect(config.apiKeys).toEqual([
      { key: 'a'.repeat(20), role: 'read' },
      { key: 'b'.repeat(20), role: 'admin' },
    ]);
  });

  it('runs every role in one process by default, and refuses api or worker roles without shared storage', () => {
    expect(loadConfig({}).role).toBe('all');
    const shared = { BELEG_DATABASE_URL: 'postgres://beleg@db.example/beleg', BELEG_LANCEDB_URI: '/srv/beleg/lancedb' };
    expect(loadConfig(shared, { role: 'worker' })).toMatchObject({ role: 'worker', queueLeaseMs: 30000, queuePollMs: 250 });
    expect(loadConfig({ ...shared, BELEG_ROLE: 'API', BELEG_QUEUE_LEASE_MS: '5000' })).toMatchObject({ role: 'api', queueLeaseMs: 5000 });
    for (const environment of [{}, { BELEG_DATABASE_URL: shared.BELEG_DATABASE_URL }, { BELEG_LANCEDB_URI: shared.BELEG_LANCEDB_URI }]) {
      try {
        loadConfig(environment, { role: 'worker' });
        expect.unreachable('a worker without shared storage must be refused');
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).message).toContain('BELEG_DATABASE_URL');
        expect((error as ValidationError).message).toContain('--role all');
      }
    }
    expect(() => loadConfig({ BELEG_ROLE: 'scheduler' })).toThrow(ValidationError);
  });

  it('names the bad setting', () => {
    expect(() => loadConfig({ BELEG_PORT: 'eighty' })).toThrow(ValidationError);
    expect(() => loadConfig({ BELEG_PORT: 'eighty' })).toThrow(/'port'/);
    expect(() => loadConfig({ BELEG_MAX_QUESTION_CHARS: '-3' })).toThrow(/limits.maxQuestionChars/);
  });

  it('runs the GPTQ engine fast unless exact arithmetic is asked for', () => {
    expect(loadConfig({}).gptqAccuracy).toBe('fast');
    expect(loadConfig({ BELEG_GPTQ_ACCURACY: 'exact', BELEG_GPTQ_THREADS: '2' })).toMatchObject({ gptqAccuracy: 'exact', gptqThreads: 2 });
    expect(() => loadConfig({ BELEG_GPTQ_ACCURACY: 'turbo' })).toThrow(/'gptqAccuracy'/);
  });

  it('gives only the GPTQ engine a lean prompt budget, and 0 lets it fill the context', () => {
    expect(answerServiceSettings(loadConfig({})).promptTokens).toEqual({ gptq: DEFAULT_GPTQ_PROMPT_TOKENS });
    expect(DEFAULT_GPTQ_PROMPT_TOKENS).toBeLessThan(4096);
    expect(answerServiceSettings(loadConfig({ BELEG_GPTQ_PROMPT_TOKENS: '768' })).promptTokens).toEqual({ gptq: 768 });
    expect(answerServiceSettings(loadConfig({ BELEG_GPTQ_PROMPT_TOKENS: '0' })).promptTokens).toEqual({});
    expect(() => loadConfig({ BELEG_GPTQ_PROMPT_TOKENS: '-1' })).toThrow(/'gptqPromptTokens'/);
  });

  it('logs at info unless BELEG_LOG_LEVEL says otherwise, and names a level it does not know', () => {
    expect(loadConfig({}).logLevel).toBe('info');
    expect(loadConfig({ BELEG_LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(loadConfig({ BELEG_LOG_LEVEL: 'silent' }).logLevel).toBe('silent');
    expect(() => loadConfig({ BELEG_LOG_LEVEL: 'verbose' })).toThrow(/'logLevel'/);
  });

  it('takes the language of messages from the locale: LC_ALL, then LC_MESSAGES, then LANG', () => {
    expect(loadConfig({}).language).toBe('en');
    expect(loadConfig({ LANG: 'de_DE.UTF-8' }).language).toBe('de');
    expect(loadConfig({ LANG: 'en_US.UTF-8', LC_MESSAGES: 'de_AT.UTF-8' }).language).toBe('de');
    expect(loadConfig({ LANG: 'de_DE.UTF-8', LC_ALL: 'C' }).language).toBe('en');
    expect(loadConfig({ LANG: 'de_DE.UTF-8', LC_ALL: '' }).language).toBe('de');
    expect(languageOfLocale({ LANG: 'de' })).toBe('de');
    expect(languageOfLocale({ LANG: 'de@euro' })).toBe('de');
    expect(languageOfLocale({ LANG: 'dexyz' })).toBe('en');
    expect(languageOfLocale({ LANG: 'POSIX' })).toBe('en');
  });

  it('says what is wrong with a setting in German too', () => {
    const error = (() => {
      try {
        loadConfig({ BELEG_PORT: 'eighty' });
      } catch (caught) {
        return caught as ValidationError;
      }
      throw new Error('no error');
    })();
    expect(error.messageIn('en')).toMatch(/^Invalid configuration 'port': .*expected number/);
    expect(error.messageIn('de')).toMatch(/^Ungültige Einstellung 'port': .*erwartet Zahl/);
  });

  it('reads the server the CLI talks to and its API key, and refuses a server URL that is not http(s)', () => {
    const defaults = loadConfig({});
    expect(defaults.serverUrl).toBeUndefined();
    expect(defaults.serverApiKey).toBeUndefined();
    const config = loadConfig({ BELEG_SERVER_URL: 'http://127.0.0.1:8080', BELEG_API_KEY: 'k'.repeat(20) });
    expect(config).toMatchObject({ serverUrl: 'http://127.0.0.1:8080', serverApiKey: 'k'.repeat(20) });
    expect(loadConfig({ BELEG_SERVER_URL: 'http://127.0.0.1:8080' }, { serverUrl: 'http://127.0.0.1:9090' }).serverUrl).toBe('http://127.0.0.1:9090');
    expect(() => loadConfig({ BELEG_SERVER_URL: 'ftp://127.0.0.1' })).toThrow(/'serverUrl'/);
  });

  it('reads a shared LanceDB location, its storage options and its read consistency', () => {
    const defaults = loadConfig({});
    expect(defaults).toMatchObject({ lancedbStorageOptions: {}, lancedbReadConsistencyMs: 0, lancedbMaintenanceIntervalMs: 1000 });
    expect(defaults.lancedbUri).toBeUndefined();
    expect(loadConfig({ BELEG_LANCEDB_URI: 'shared/lancedb' }).lancedbUri).toBe(path.resolve('shared/lancedb'));
    const remote = loadConfig({
      BELEG_LANCEDB_URI: 's3://bucket/beleg',
      BELEG_LANCEDB_STORAGE_OPTIONS: '{"region":"eu-central-1","endpoint":"http://minio:9000","allow_http":"true"}',
      BELEG_LANCEDB_READ_CONSISTENCY_MS: '250',
    });
    expect(remote).toMatchObject({
      lancedbUri: 's3://bucket/beleg',
      lancedbStorageOptions: { region: 'eu-central-1', endpoint: 'http://minio:9000', allow_http: 'true' },
      lancedbReadConsistencyMs: 250,
    });
    expect(() => loadConfig({ BELEG_LANCEDB_STORAGE_OPTIONS: 'region=eu' })).toThrow(/'lancedbStorageOptions'/);
    expect(() => loadConfig({ BELEG_LANCEDB_STORAGE_OPTIONS: '{"timeout":60}' })).toThrow(/'lancedbStorageOptions.timeout'/);
    expect(() => loadConfig({ BELEG_LANCEDB_READ_CONSISTENCY_MS: '-1' })).toThrow(/'lancedbReadConsistencyMs'/);
  });
});
