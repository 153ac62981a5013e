/**
 * The app served with the in-memory fakes for `bench/api/run.ts`, in its own process so the load
 * generator does not share its event loop. Prints `listening <port>` once ready.
 * Usage: node --import tsx bench/api/fake-server.ts '<limits as JSON>'
 */
import { configSchema } from '../../src/config.ts';
import { FakeAnswerer } from '../../tests/helpers/fake-answerer.ts';
import { FakeIngestion } from '../../tests/helpers/fake-ingestion.ts';
import { serveApp } from '../../tests/helpers/start-app.ts';

const limits = JSON.parse(process.argv[2] ?? '{}') as Record<string, number>;
const config = configSchema.parse({ dataDir: '/nonexistent/beleg-bench', limits });
const ingestion = new FakeIngestion();
await ingestion.ingest({
  kind: 'text',
  title: 'Benutzungsordnung der Stadtbibliothek',
  text: 'Die Bibliothek öffnet montags bis freitags um neun Uhr. Ausleihen sind vier Wochen lang möglich. Eine Verlängerung ist zweimal erlaubt. Für verspätete Rückgaben wird eine Gebühr von einem Euro je Woche erhoben.',
});
const served = await serveApp(config, ingestion, new FakeAnswerer(ingestion));
console.log(`listening ${new URL(served.url).port}`);
process.on('SIGTERM', () => void served.close().then(() => process.exit(0)));
