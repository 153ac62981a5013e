/**
 * Prometheus metrics in the text exposition format (version 0.0.4), written by hand: a few
 * counters, one histogram and gauges read at scrape time need no client library.
 */
import type { Answer } from '../answer/answer-contract.ts';
import type { QueueStatus } from '../ingest/types.ts';

const latencyBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

type Histogram = { buckets: number[]; count: number; sum: number };

/** Values read when Prometheus scrapes. */
export type MetricGauges = {
  ingestionQueueDepth: number;
  generationsActive: number;
  generationsQueued: number;
  /** This process's role (`beleg serve --role`). */
  role?: 'all' | 'api' | 'worker';
  /** The ingestion queue as the ingestion service reports it. */
  queue?: QueueStatus;
};

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs)
    .map(([name, value]) => `${name}="${escapeLabel(value)}"`)
    .join(',');
  return body === '' ? '' : `{${body}}`;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  return String(value);
}

/** Collects request and answer metrics and renders them for `GET /metrics`. */
export class Metrics {
  readonly #requests = new Map<string, { labels: Record<string, string>; count: number }>();
  readonly #latency = new Map<string, { labels: Record<string, string>; histogram: Histogram }>();
  readonly #answers = new Map<string, number>();
  readonly #refusals = new Map<string, number>();
  #unverifiableQuotes = 0;
  #completionTokens = 0;
  /** Local engines: model runs and tokens jump-forward appended without a model choice. */
  #forwardPasses = 0;
  #forcedTokens = 0;
  #cachedPromptTokens = 0;
  #prefillSeconds = 0;
  #generationSeconds = 0;
  #lastTokensPerSecond = 0;

  /** Records one finished HTTP request. `route` is the route pattern, never the raw path. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const countLabels = { method, route, status: String(status) };
    const countKey = JSON.stringify(countLabels);
    const counted = this.#requests.get(countKey) ?? { labels: countLabels, count: 0 };
    counted.count += 1;
    this.#requests.set(countKey, counted);

    const latencyLabels = { method, route };
    const latencyKey = JSON.stringify(latencyLabels);
    const entry = this.#latency.get(latencyKey) ?? {
      labels: latencyLabels,
      histogram: { buckets: latencyBucketsSeconds.map(() => 0), count: 0, sum: 0 },
    };
    latencyBucketsSeconds.forEach((bound, index) => {
      if (seconds <= bound) entry.histogram.buckets[index] += 1;
    });
    entry.histogram.count += 1;
    entry.histogram.sum += seconds;
    this.#latency.set(latencyKey, entry);
  }

  /** Records a finished answer: engine, refusals by reason, generated tokens and time. */
  observeAnswer(answer: Answer): void {
    this.#answers.set(answer.engine, (this.#answers.get(answer.engine) ?? 0) + 1);
    if (answer.declined) {
      const reason = answer.reason ?? 'unknown';
      this.#refusals.set(reason, (this.#refusals.get(reason) ?? 0) + 1);
      if (reason === 'unverifiable_quote') this.#unverifiableQuotes += 1;
    }
    const seconds = answer.timings.generateMs / 1000;
    this.#completionTokens += answer.usage.completionTokens;
    this.#forwardPasses += answer.timings.forwardPasses ?? 0;
    this.#forcedTokens += answer.timings.forcedTokens ?? 0;
    this.#cachedPromptTokens += answer.timings.cachedPromptTokens ?? 0;
    this.#prefillSeconds += (answer.timings.prefillMs ?? 0) / 1000;
    this.#generationSeconds += seconds;
    if (seconds > 0 && answer.usage.completionTokens > 0) this.#lastTokensPerSecond = answer.usage.completionTokens / seconds;
  }

  /** The exposition text. */
  render(gauges: MetricGauges): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

    family('beleg_http_requests_total', 'counter', 'HTTP requests by method, route and status.');
    for (const { labels: pairs, count } of this.#requests.values()) lines.push(`beleg_http_requests_total${labels(pairs)} ${count}`);

    family('beleg_http_request_duration_seconds', 'histogram', 'HTTP request latency by method and route.');
    for (const { labels: pairs, histogram } of this.#latency.values()) {
      latencyBucketsSeconds.forEach((bound, index) => {
        lines.push(`beleg_http_request_duration_seconds_bucket${labels({ ...pairs, le: String(bound) })} ${histogram.buckets[index]}`);
      });
      lines.push(`beleg_http_request_duration_seconds_bucket${labels({ ...pairs, le: '+Inf' })} ${histogram.count}`);
      lines.push(`beleg_http_request_duration_seconds_sum${labels(pairs)} ${formatNumber(histogram.sum)}`);
      lines.push(`beleg_http_request_duration_seconds_count${labels(pairs)} ${histogram.count}`);
    }

    family('beleg_ingestion_queue_depth', 'gauge', 'Documents waiting for or in ingestion.');
    lines.push(`beleg_ingestion_queue_depth ${gauges.ingestionQueueDepth}`);
    if (gauges.role) {
      family('beleg_process_role', 'gauge', 'What this process does (1 for its role).');
      lines.push(`beleg_process_role${labels({ role: gauges.role })} 1`);
    }
    if (gauges.queue) {
      const queue = labels({ queue: gauges.queue.kind });
      family('beleg_ingestion_queue_waiting', 'gauge', 'Documents waiting for a worker (shared queue: any worker).');
      lines.push(`beleg_ingestion_queue_waiting${queue} ${gauges.queue.waiting}`);
      family('beleg_ingestion_queue_running', 'gauge', 'Documents being indexed (shared queue: held by a live lease of any worker).');
      lines.push(`beleg_ingestion_queue_running${queue} ${gauges.queue.running}`);
      family('beleg_ingestion_queue_local', 'gauge', 'Documents this process has taken and not finished.');
      lines.push(`beleg_ingestion_queue_local${queue} ${gauges.queue.local}`);
    }
    family('beleg_generations_active', 'gauge', 'Answers being generated now.');
    lines.push(`beleg_generations_active ${gauges.generationsActive}`);
    family('beleg_generations_queued', 'gauge', 'Questions waiting for a generation slot.');
    lines.push(`beleg_generations_queued ${gauges.generationsQueued}`);

    family('beleg_answers_total', 'counter', 'Answers returned (including refusals) by engine.');
    for (const [engine, count] of this.#answers) lines.push(`beleg_answers_total${labels({ engine })} ${count}`);
    family('beleg_refusals_total', 'counter', 'Answers declined, by reason.');
    for (const [reason, count] of this.#refusals) lines.push(`beleg_refusals_total${labels({ reason })} ${count}`);
    family('beleg_unverifiable_quotes_total', 'counter', 'Answers whose quote could not be found in the stored text.');
    lines.push(`beleg_unverifiable_quotes_total ${this.#unverifiableQuotes}`);

    family('beleg_generated_tokens_total', 'counter', 'Completion tokens generated.');
    lines.push(`beleg_generated_tokens_total ${this.#completionTokens}`);
    family('beleg_model_forward_passes_total', 'counter', 'Runs of a local model (prompt, decode steps, jump-forward stretches).');
    lines.push(`beleg_model_forward_passes_total ${this.#forwardPasses}`);
    family('beleg_forced_tokens_total', 'counter', 'Tokens a local engine appended by jump-forward without a model choice.');
    lines.push(`beleg_forced_tokens_total ${this.#forcedTokens}`);
    family('beleg_cached_prompt_tokens_total', 'counter', 'Prompt tokens a local engine resumed from an earlier prompt instead of reading them again.');
    lines.push(`beleg_cached_prompt_tokens_total ${this.#cachedPromptTokens}`);
    family('beleg_prefill_seconds_total', 'counter', 'Time local engines spent reading prompts.');
    lines.push(`beleg_prefill_seconds_total ${formatNumber(this.#prefillSeconds)}`);
    family('beleg_generation_seconds_total', 'counter', 'Seconds spent generating; rate(tokens)/rate(seconds) is tokens per second.');
    lines.push(`beleg_generation_seconds_total ${formatNumber(this.#generationSeconds)}`);
    family('beleg_tokens_per_second', 'gauge', 'Generation speed of the most recent answer.');
    lines.push(`beleg_tokens_per_second ${formatNumber(this.#lastTokensPerSecond)}`);
    return `${lines.join('\n')}\n`;
  }
}
