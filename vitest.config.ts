import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here and in CI: keep parallelism modest so timing-sensitive tests stay honest.
    maxWorkers: 2,
    // The CLI speaks the locale's language: tests that read its English output must not depend on
    // the machine's LANG (tests of the German output set it themselves).
    env: { LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '' },
  },
});
