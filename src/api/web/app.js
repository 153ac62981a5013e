// beleg's web page: plain JavaScript, no build step. Talks to the same API as every other
// client (documents, /ask with server-sent events). All text from the server is inserted with
// textContent, never as HTML. The page is German: every request asks for German messages
// (Accept-Language: de), and the page's own texts from the message catalogue (decline reasons,
// document states, confidence and error lines) come with the page config, which the server
// builds from the catalogue (src/api/web-assets.ts).

const keyStorage = 'beleg.apiKey';
const passageContextChars = 240;

/** Sources shown when a declined answer has no candidates. */
const possibleSourcesShown = 3;

const element = (id) => document.getElementById(id);

// The server's settings, written into the page (see src/api/web-assets.ts): the confidence bands
// under its threshold, highest first, the last starting at 0, and the page's German texts from the
// message catalogue, by id.
const pageConfig = JSON.parse(element('page-config').textContent);
const { messages } = pageConfig;

/** A catalogue text with its {placeholders} filled in; the id itself when the catalogue lacks it. */
function format(id, values = {}) {
  const template = messages[id];
  if (template === undefined) return id;
  return template.replace(/\{(\w+)\}/g, (placeholder, name) => (name in values ? String(values[name]) : placeholder));
}

const statusLabel = (status) => messages[`fragment.document_status.${status}`] ?? status;
const reasonLabel = (reason) => messages[`declined.${reason}`] ?? '';

// ---- talking to the API

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function authHeaders() {
  const key = localStorage.getItem(keyStorage);
  return key ? { Authorization: `Bearer ${key}` } : {};
}

async function api(path, options = {}) {
  const headers = { 'Accept-Language': 'de', ...authHeaders(), ...(options.headers ?? {}) };
  const response = await fetch(path, { ...options, headers });
  if (response.ok) return response;
  let code = 'http_error';
  let message = format('web.http_error', { status: response.status });
  try {
    const body = await response.json();
    code = body.error.code;
    message = body.error.message;
  } catch {
    // not the JSON error shape; keep the generic message
  }
  if (response.status === 401) {
    element('key-settings').open = true;
    message = format('web.needs_key');
  }
  throw new ApiError(response.status, code, message);
}

// ---- collections

/** The chosen collection's id; '' for all the key may use. */
const chosenCollection = () => element('collection').value;

/** Lists the key's collections with their document counts; hidden when the server has none to choose from. */
async function refreshCollections() {
  try {
    const response = await api('/collections');
    const { collections } = await response.json();
    const select = element('collection');
    const chosen = select.value;
    const all = document.createElement('option');
    all.value = '';
    all.textContent = 'Alle Sammlungen';
    const options = collections.map((collection) => {
      const option = document.createElement('option');
      option.value = collection.id;
      option.textContent = `${collection.name} (${collection.documentCount})`;
      return option;
    });
    select.replaceChildren(all, ...options);
    if (collections.some((collection) => collection.id === chosen)) select.value = chosen;
    element('collection-choice').hidden = collections.length === 0;
  } catch {
    element('collection-choice').hidden = true;
  }
}

element('collection').addEventListener('change', () => refreshDocuments());

// ---- documents

let pollTimer = null;

function documentName(document) {
  return document.title || document.fileName || document.url || document.id;
}

function renderDocuments(documents) {
  const body = element('documents').querySelector('tbody');
  body.replaceChildren();
  element('documents-empty').hidden = documents.length > 0;
  for (const document_ of documents) {
    const row = document.createElement('tr');
    row.dataset.documentId = document_.id;
    const name = document.createElement('td');
    name.textContent = documentName(document_);
    const origin = document_.url || document_.fileName;
    if (origin && origin !== name.textContent) {
      const detail = document.createElement('div');
      detail.className = 'muted';
      detail.textContent = origin;
      name.append(detail);
    }
    const status = document.createElement('td');
    const badge = document.createElement('span');
    badge.className = `status ${document_.status}`;
    badge.textContent = statusLabel(document_.status);
    if (document_.errorMessage) badge.title = document_.errorMessage;
    status.append(badge);
    if (document_.status === 'indexing' && document_.progress && document_.progress.ocrPagesTotal > 0) {
      const ocr = document.createElement('div');
      ocr.className = 'muted ocr-progress';
      ocr.textContent = format('web.ocr_progress', { done: document_.progress.ocrPagesDone, total: document_.progress.ocrPagesTotal });
      status.append(ocr);
    }
    if (document_.status === 'failed' && document_.errorMessage) {
      const reason = document.createElement('div');
      reason.className = 'muted';
      reason.textContent = document_.errorMessage;
      status.append(reason);
    }
    const pages = document.createElement('td');
    pages.textContent = document_.pageCount ?? '–';
    const chunks = document.createElement('td');
    chunks.textContent = document_.status === 'ready' ? String(document_.chunkCount) : '–';
    const actions = document.createElement('td');
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'delete';
    remove.textContent = 'Löschen';
    remove.setAttribute('aria-label', `${documentName(document_)} löschen`);
    remove.addEventListener('click', () => deleteDocument(document_));
    actions.append(remove);
    row.append(name, status, pages, chunks, actions);
    body.append(row);
  }
}

async function refreshDocuments() {
  clearTimeout(pollTimer);
  try {
    const collection = chosenCollection();
    const response = await api(`/documents?limit=200${collection ? `&collectionIds=${encodeURIComponent(collection)}` : ''}`);
    const { documents } = await response.json();
    renderDocuments(documents);
    if (documents.some((document_) => document_.status === 'pending' || document_.status === 'indexing')) {
      pollTimer = setTimeout(refreshDocuments, 1000);
    } else if (element('documents-message').dataset.kind === 'progress') {
      showDocumentsMessage('');
    }
  } catch (error) {
    showDocumentsMessage(error.message, true);
  }
}

function showDocumentsMessage(text, isError = false, kind = 'note') {
  const message = element('documents-message');
  message.textContent = text;
  message.className = isError ? 'error' : 'muted';
  message.dataset.kind = kind;
}

async function deleteDocument(document_) {
  if (!confirm(`„${documentName(document_)}“ löschen?`)) return;
  try {
    await api(`/documents/${encodeURIComponent(document_.id)}`, { method: 'DELETE' });
    showDocumentsMessage(`„${documentName(document_)}“ wurde gelöscht.`);
  } catch (error) {
    showDocumentsMessage(error.message, true);
  }
  await refreshDocuments();
  await refreshCollections();
}

async function submitDocuments(body, headers = {}) {
  try {
    const collection = chosenCollection();
    const path = collection ? `/documents?collection=${encodeURIComponent(collection)}` : '/documents';
    const response = await api(path, { method: 'POST', body, headers });
    const { documents } = await response.json();
    const text = documents.length === 1 ? `„${documentName(documents[0])}“ wird verarbeitet.` : `${documents.length} Dokumente werden verarbeitet.`;
    showDocumentsMessage(text, false, 'progress');
  } catch (error) {
    showDocumentsMessage(error.message, true);
  }
  await refreshDocuments();
  await refreshCollections();
}

element('upload-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = element('files');
  if (input.files.length === 0) return showDocumentsMessage(format('web.choose_file'), true);
  const form = new FormData();
  for (const file of input.files) form.append('file', file, file.name);
  await submitDocuments(form);
  input.value = '';
});

element('url-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = element('url');
  if (!input.value) return;
  await submitDocuments(JSON.stringify({ url: input.value }), { 'Content-Type': 'application/json' });
  input.value = '';
});

// ---- asking

let askController = null;

function resetAnswer() {
  element('answer').hidden = false;
  element('answer-text').textContent = '';
  element('answer-confidence').hidden = true;
  element('refusal').hidden = true;
  element('citations').replaceChildren();
  element('possible').hidden = true;
  element('possible-list').replaceChildren();
  element('answer-meta').textContent = '';
  element('answer-status').textContent = 'Suche in den Dokumenten …';
  element('answer-status').className = 'muted';
}

/** Where a quote stands: ", Seite n", ", Folie n" or ", Tabelle Haushalt, Zeile 5 (A5:D5)"; '' when unknown. */
function locationLabel(citation) {
  const location = citation.location;
  if (location?.kind === 'slide') return `, Folie ${location.number}`;
  if (location?.kind === 'row') return `, Tabelle ${location.sheet ?? ''}, Zeile ${location.number}${location.cells ? ` (${location.cells})` : ''}`;
  return citation.page !== null && citation.page !== undefined ? `, Seite ${citation.page}` : '';
}

/** "Quelle: <title>, Seite n" (or Folie n, Tabelle …, Zeile n); with `withFileName`, the file name follows a differing title. */
function sourceLabel(citation, { withFileName = false } = {}) {
  const label = document.createElement('div');
  label.className = 'source';
  let name = citation.title || citation.fileName || citation.url || citation.documentId;
  if (withFileName && citation.title && citation.fileName && citation.fileName !== citation.title) name = `${name} (${citation.fileName})`;
  if (citation.url) {
    const link = document.createElement('a');
    link.href = citation.url;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    link.textContent = name;
    label.append('Quelle: ', link);
  } else {
    label.append(`Quelle: ${name}`);
  }
  label.append(locationLabel(citation));
  if (citation.ocr) label.append(' ', ocrBadge(citation));
  return label;
}

/** "aus gescanntem Dokument (OCR)" next to a quote whose page was read by OCR, its confidence in the tooltip. */
function ocrBadge(citation) {
  const badge = document.createElement('span');
  badge.className = 'ocr-badge';
  badge.textContent = format('web.ocr_quote');
  if (typeof citation.ocrConfidence === 'number') badge.title = format('web.ocr_quote_title', { percent: confidencePercent(citation.ocrConfidence) });
  return badge;
}

/** The quote inside its passage: from a source chunk when one holds it, else from the stored text. */
async function passageAround(citation, sources) {
  const holder = sources.find(
    (source) => source.documentId === citation.documentId && source.charStart <= citation.charStart && citation.charEnd <= source.charEnd,
  );
  // A chunk's own edges are not marked: only cuts made here get an ellipsis.
  if (holder) return { text: holder.text, start: holder.charStart, startsDocument: true, endsDocument: true };
  const start = Math.max(0, citation.charStart - passageContextChars);
  const end = citation.charEnd + passageContextChars;
  const response = await api(`/documents/${encodeURIComponent(citation.documentId)}/text?start=${start}&end=${end}`);
  const excerpt = await response.json();
  return { text: excerpt.text, start: excerpt.start, startsDocument: excerpt.start === 0, endsDocument: excerpt.end >= excerpt.length };
}

/** The quote highlighted inside its passage. */
async function quotedPassage(citation, sources) {
  const passage = document.createElement('p');
  passage.className = 'passage';
  const mark = document.createElement('mark');
  mark.textContent = citation.quote;
  try {
    const { text, start, startsDocument, endsDocument } = await passageAround(citation, sources);
    let before = text.slice(0, citation.charStart - start);
    let after = text.slice(citation.charEnd - start);
    // Show a readable window around the quote, not a whole long chunk.
    if (before.length > passageContextChars) before = `… ${before.slice(-passageContextChars).replace(/^\S*\s/, '')}`;
    else if (!startsDocument && before) before = `… ${before}`;
    if (after.length > passageContextChars) after = `${after.slice(0, passageContextChars).replace(/\s\S*$/, '')} …`;
    else if (!endsDocument && after) after = `${after} …`;
    // Page breaks (form feeds) read as line breaks.
    passage.append(before.replace(/\f/g, '\n'), mark, after.replace(/\f/g, '\n'));
  } catch {
    passage.append(mark);
  }
  return passage;
}

async function renderCitation(citation, sources) {
  const item = document.createElement('li');
  item.className = 'citation';
  item.append(sourceLabel(citation));
  element('citations').append(item);
  item.append(await quotedPassage(citation, sources));
}

/** A confidence as whole percent, rounded down like the CLI (src/answer/confidence.ts). */
function confidencePercent(confidence) {
  return Math.floor(confidence * 100 + 1e-9);
}

/** Next to an answer: its confidence in words, the percentage in small print and the tooltip. */
function showConfidence(confidence) {
  const holder = element('answer-confidence');
  holder.hidden = false;
  holder.replaceChildren();
  if (confidence === null || confidence === undefined) {
    holder.className = 'confidence unknown';
    holder.textContent = format('web.confidence_unknown');
    holder.title = format('web.confidence_unknown_title');
    return;
  }
  const band = pageConfig.confidenceBands.find((candidate) => confidence >= candidate.from);
  const percent = confidencePercent(confidence);
  holder.className = `confidence ${band.level}`;
  holder.title = format('web.confidence_title', { percent });
  const word = document.createElement('span');
  word.className = 'confidence-word';
  word.textContent = band.word;
  const number = document.createElement('small');
  number.textContent = `${percent} %`;
  holder.append(word, ' ', number);
}

/** A source's text, cut to a readable length at a word boundary. */
function sourceExcerpt(source) {
  const limit = passageContextChars * 2;
  const text = source.text.replace(/\f/g, '\n').trim();
  return text.length > limit ? `${text.slice(0, limit).replace(/\s\S*$/, '')} …` : text;
}

/**
 * For a declined answer: the candidates (quotes that did not reach the threshold), each highlighted
 * in its passage, or else the best sources, under "Mögliche Fundstellen" — passages to read.
 */
async function renderPossiblePassages(answer) {
  const list = element('possible-list');
  const { candidates, sources } = answer;
  if (candidates.length === 0 && sources.length === 0) return;
  element('possible').hidden = false;
  element('possible-heading').textContent = format('web.candidates_heading');
  element('possible-note').textContent = format(candidates.length > 0 ? 'web.candidates_note' : 'web.sources_note');
  if (candidates.length === 0) {
    for (const source of sources.slice(0, possibleSourcesShown)) {
      const item = document.createElement('li');
      item.className = 'possible-source';
      const passage = document.createElement('p');
      passage.className = 'passage';
      passage.textContent = sourceExcerpt(source);
      item.append(sourceLabel(source, { withFileName: true }), passage);
      list.append(item);
    }
    return;
  }
  await Promise.all(
    candidates.map(async (candidate) => {
      const item = document.createElement('li');
      item.className = 'candidate';
      const label = sourceLabel(candidate, { withFileName: true });
      const confidence = document.createElement('small');
      confidence.className = 'candidate-confidence';
      confidence.textContent = ` · ${format('web.candidate_confidence', { percent: confidencePercent(candidate.confidence) })}`;
      label.append(confidence);
      item.append(label);
      list.append(item);
      item.append(await quotedPassage(candidate, sources));
    }),
  );
}

function showRefusal(answerText, reason) {
  element('answer-text').textContent = '';
  element('refusal').hidden = false;
  element('refusal-text').textContent = answerText;
  element('refusal-reason').textContent = reasonLabel(reason);
}

/** Splits a server-sent event stream into { event, data } objects. */
async function* serverSentEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n/g, '\n');
    let boundary;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      yield { event, data: data.join('\n') };
    }
  }
}

async function ask(question) {
  askController?.abort();
  const controller = new AbortController();
  askController = controller;
  resetAnswer();
  element('ask-button').disabled = true;
  element('cancel-button').hidden = false;
  let sources = [];
  const pending = [];
  try {
    const response = await api('/ask', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ question, stream: true, ...(chosenCollection() ? { collectionIds: [chosenCollection()] } : {}) }),
      signal: controller.signal,
    });
    for await (const { event, data } of serverSentEvents(response.body)) {
      const part = JSON.parse(data);
      if (event === 'sources') {
        sources = part.sources;
        element('answer-status').textContent = sources.length > 0 ? `${sources.length} passende Stellen gefunden, Antwort entsteht …` : 'Keine passenden Stellen gefunden.';
      } else if (event === 'text-delta') {
        element('answer-text').textContent += part.text;
      } else if (event === 'citation') {
        pending.push(renderCitation(part.citation, sources));
      } else if (event === 'declined') {
        showRefusal(part.answer, part.reason);
      } else if (event === 'finish') {
        const { answer } = part;
        // The streamed text was the engine's provisional output; the verified answer replaces it.
        element('answer-text').textContent = answer.declined ? '' : answer.answer;
        element('answer-status').textContent = answer.declined ? '' : format('web.answered');
        if (answer.declined) pending.push(renderPossiblePassages(answer));
        else showConfidence(answer.confidence);
        const seconds = (answer.timings.totalMs / 1000).toFixed(1);
        element('answer-meta').textContent = `${answer.engine} · ${answer.model} · ${seconds} s`;
      } else if (event === 'error') {
        throw new ApiError(0, part.error.code, part.error.message);
      }
    }
    await Promise.all(pending);
  } catch (error) {
    if (controller.signal.aborted) {
      element('answer-status').textContent = 'Abgebrochen.';
    } else {
      element('answer-status').textContent = error.message;
      element('answer-status').className = 'error';
    }
  } finally {
    if (askController === controller) askController = null;
    element('ask-button').disabled = false;
    element('cancel-button').hidden = true;
  }
}

element('ask-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const question = element('question').value.trim();
  if (question) ask(question);
});

element('cancel-button').addEventListener('click', () => askController?.abort());

// ---- API key

element('api-key').value = localStorage.getItem(keyStorage) ?? '';
element('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = element('api-key').value.trim();
  if (key) localStorage.setItem(keyStorage, key);
  else localStorage.removeItem(keyStorage);
  element('key-settings').open = false;
  refreshCollections().then(refreshDocuments);
});

refreshCollections().then(refreshDocuments);
