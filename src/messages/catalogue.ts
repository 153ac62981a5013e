/**
 * Every text beleg shows a user when something goes wrong, in German and English: error messages,
 * the reasons next to a refusal, and the status lines of the CLI and the web page. Code never
 * builds such a text itself; it names an id here with the values of its `{placeholders}` (see
 * ./user-message.ts).
 *
 * Ids:
 * - `<code>`: the text of error code `<code>` (every code has one; the API's `error.code`);
 * - `<code>.<variant>`: a more specific text for the same code (`validation_failed.question_too_long`);
 * - `declined.<reason>`: shown next to a refusal with that reason;
 * - `cli.…`, `web.…`: lines of the CLI and the web page;
 * - `fragment.…`: parts other texts insert (an address range, "redirected from …").
 *
 * Adding an error code is one line here: `new_code: { en: '…', de: '…' },`. Both texts use the
 * same placeholders; tests/messages-catalogue.test.ts checks that, and that every code the
 * sources raise has both texts. German addresses the reader with "Sie".
 */
export const catalogue = {
  // ---- requests and input
  validation_failed: { en: "Invalid {where}: '{field}': {problem}.", de: "Ungültige Angabe in {where}: '{field}': {problem}." },
  'validation_failed.body_empty': {
    en: "Invalid request body: 'body': the body is empty; send a JSON object.",
    de: "Ungültige Angabe in der Anfrage: 'body': Die Anfrage ist leer; senden Sie ein JSON-Objekt.",
  },
  'validation_failed.body_not_json': {
    en: "Invalid request body: 'body': it is not valid JSON.",
    de: "Ungültige Angabe in der Anfrage: 'body': Er ist kein gültiges JSON.",
  },
  'validation_failed.multipart_unreadable': {
    en: "Invalid request body: 'file': the multipart body could not be read.",
    de: "Ungültige Angabe in der Anfrage: 'file': Der Multipart-Inhalt ließ sich nicht lesen.",
  },
  'validation_failed.no_file': {
    en: "Invalid request body: 'file': send at least one file in the multipart field 'file'.",
    de: "Ungültige Angabe in der Anfrage: 'file': Senden Sie mindestens eine Datei im Multipart-Feld 'file'.",
  },
  'validation_failed.question_too_long': {
    en: "Invalid request body: 'question': it has {length} characters, more than the limit of {limit}. Shorten it or raise BELEG_MAX_QUESTION_CHARS.",
    de: "Ungültige Angabe in der Anfrage: 'question': Die Frage hat {length} Zeichen, mehr als die Grenze von {limit}. Kürzen Sie sie oder erhöhen Sie BELEG_MAX_QUESTION_CHARS.",
  },
  'validation_failed.text_start_past_end': {
    en: "Invalid query: 'start': {start} is past the end of the text ({length} characters).",
    de: "Ungültige Angabe in der Abfrage: 'start': {start} liegt hinter dem Ende des Textes ({length} Zeichen).",
  },
  'validation_failed.text_end_before_start': {
    en: "Invalid query: 'end': {end} is before start {start}.",
    de: "Ungültige Angabe in der Abfrage: 'end': {end} liegt vor dem Anfang {start}.",
  },
  'validation_failed.text_range_too_long': {
    en: "Invalid query: 'end': ask for at most {limit} characters at once.",
    de: "Ungültige Angabe in der Abfrage: 'end': Fragen Sie höchstens {limit} Zeichen auf einmal ab.",
  },
  'validation_failed.not_a_url': {
    en: "'{url}' is not a valid URL. Give a full http:// or https:// address.",
    de: "'{url}' ist keine gültige URL. Geben Sie eine vollständige http://- oder https://-Adresse an.",
  },
  'validation_failed.role_needs_shared_storage': {
    en: "The role '{role}' needs storage that other processes share: set BELEG_DATABASE_URL (PostgreSQL) and BELEG_LANCEDB_URI (one LanceDB location for every process), or run with --role all.",
    de: "Die Rolle '{role}' braucht Speicher, den andere Prozesse mitbenutzen: Setzen Sie BELEG_DATABASE_URL (PostgreSQL) und BELEG_LANCEDB_URI (ein LanceDB-Ort für alle Prozesse) oder starten Sie mit --role all.",
  },
  'validation_failed.configuration': {
    en: "Invalid configuration '{setting}': {problem}.",
    de: "Ungültige Einstellung '{setting}': {problem}.",
  },
  'validation_failed.document_input': {
    en: "Invalid document input '{field}': {problem}.",
    de: "Ungültige Dokumentangabe '{field}': {problem}.",
  },
  'validation_failed.allow_list_entry': {
    en: "URL allow-list entry '{entry}' is not a valid CIDR range (e.g. 10.0.0.0/8 or fd00::/8).",
    de: "Der Eintrag '{entry}' in BELEG_URL_ALLOW_LIST ist kein gültiger CIDR-Bereich (z. B. 10.0.0.0/8 oder fd00::/8).",
  },
  'validation_failed.question': { en: 'Invalid question: {problem}.', de: 'Ungültige Frage: {problem}.' },
  'validation_failed.question_empty': { en: 'The question is empty. Ask something.', de: 'Die Frage ist leer. Bitte stellen Sie eine Frage.' },
  'validation_failed.question_too_many_tokens': {
    en: 'The question and instructions take {promptTokens} tokens, more than the {budget} available (context {contextTokens} minus {maxNewTokens} for the answer and 1 for BOS). Ask a shorter question.',
    de: 'Frage und Anweisungen brauchen {promptTokens} Tokens, mehr als die verfügbaren {budget} (Kontext {contextTokens} minus {maxNewTokens} für die Antwort und 1 für BOS). Stellen Sie eine kürzere Frage.',
  },
  'validation_failed.message_empty': { en: 'The message is empty.', de: 'Die Nachricht ist leer.' },
  'validation_failed.prompt_source_missing': {
    en: 'The prompt has no source {sourceIndex}; it has {count}.',
    de: 'Der Prompt hat keine Quelle {sourceIndex}; er hat {count}.',
  },
  'validation_failed.prompt_offsets': {
    en: 'Offsets {start}..{end} lie outside source {sourceIndex} (length {length}).',
    de: 'Die Positionen {start}..{end} liegen außerhalb von Quelle {sourceIndex} (Länge {length}).',
  },
  'validation_failed.sentence_offsets': {
    en: "Sentence {start}..{end} lies outside source {sourceIndex} (length {length}); the prompt's sentence offsets are wrong.",
    de: 'Der Satz {start}..{end} liegt außerhalb von Quelle {sourceIndex} (Länge {length}); die Satzpositionen des Prompts sind falsch.',
  },
  'validation_failed.search_query_empty': { en: 'The search query is empty.', de: 'Die Suchanfrage ist leer.' },
  'validation_failed.search_limit': {
    en: 'limit must be a positive integer, not {limit}.',
    de: 'limit muss eine positive ganze Zahl sein, nicht {limit}.',
  },
  'validation_failed.retriever_weight': {
    en: "The weight of retriever '{name}' must be a finite number >= 0, not {weight}.",
    de: "Das Gewicht des Suchverfahrens '{name}' muss eine endliche Zahl >= 0 sein, nicht {weight}.",
  },
  'validation_failed.default_engine': {
    en: "The default engine '{engine}' is not among the configured engines ({configured}).",
    de: "Die Standard-Engine '{engine}' ist nicht unter den eingerichteten Engines ({configured}).",
  },
  'validation_failed.engine_url_missing': {
    en: "BELEG_ENGINE={engine} needs the server's address in BELEG_ENGINE_URL (e.g. http://127.0.0.1:8080).",
    de: 'BELEG_ENGINE={engine} braucht die Adresse des Servers in BELEG_ENGINE_URL (z. B. http://127.0.0.1:8080).',
  },
  'validation_failed.model_dir_missing': {
    en: 'BELEG_ENGINE=gptq needs a GPTQ checkpoint directory in BELEG_MODEL_DIR.',
    de: 'BELEG_ENGINE=gptq braucht ein Verzeichnis mit einem GPTQ-Checkpoint in BELEG_MODEL_DIR.',
  },
  'validation_failed.model_repository': {
    en: "'{repo}' is not a Hugging Face model id; expected 'owner/name', e.g. intfloat/multilingual-e5-small.",
    de: "'{repo}' ist keine Hugging-Face-Modellkennung; erwartet wird 'owner/name', z. B. intfloat/multilingual-e5-small.",
  },
  'validation_failed.prompt_empty': {
    en: 'The prompt is empty; it needs at least one token (usually BOS).',
    de: 'Der Prompt ist leer; er braucht mindestens ein Token (meist BOS).',
  },
  'validation_failed.prompt_too_long': {
    en: 'The prompt has {promptTokens} tokens; this model reads at most {maxTokens} before generating. Shorten the prompt.',
    de: 'Der Prompt hat {promptTokens} Tokens; dieses Modell liest höchstens {maxTokens}, bevor es erzeugt. Kürzen Sie den Prompt.',
  },
  'validation_failed.cli_no_question': { en: 'No question given.\n\n{usage}', de: 'Keine Frage angegeben.\n\n{usage}' },
  'validation_failed.cli_choice': {
    en: '--{flag} must be one of {choices}, not \'{value}\'.',
    de: "--{flag} muss eines von {choices} sein, nicht '{value}'.",
  },
  'validation_failed.cli_min_confidence': {
    en: "--min-confidence must be a number from 0 to 1, not '{value}' (e.g. 0.7).",
    de: "--min-confidence muss eine Zahl von 0 bis 1 sein, nicht '{value}' (z. B. 0.7).",
  },
  'validation_failed.cli_top_k': { en: '--top-k must be an integer from 1 to 50.', de: '--top-k muss eine ganze Zahl von 1 bis 50 sein.' },
  'validation_failed.cli_no_model': {
    en: 'No model given. Pass --model <dir> or set BELEG_MODEL_DIR.\n\n{usage}',
    de: 'Kein Modell angegeben. Geben Sie --model <Verzeichnis> an oder setzen Sie BELEG_MODEL_DIR.\n\n{usage}',
  },
  'validation_failed.cli_non_negative': {
    en: "--{flag} must be a non-negative integer, not '{value}'.",
    de: "--{flag} muss eine nicht negative ganze Zahl sein, nicht '{value}'.",
  },
  'validation_failed.cli_at_least_one': {
    en: "--{flag} must be a whole number of at least 1, not '{value}'.",
    de: "--{flag} muss eine ganze Zahl von mindestens 1 sein, nicht '{value}'.",
  },
  'validation_failed.cli_positive': { en: '--{flag} must be a positive integer.', de: '--{flag} muss eine positive ganze Zahl sein.' },
  'validation_failed.cli_prompt_ids': {
    en: "--prompt-ids must be comma-separated token ids, not '{value}'.",
    de: "--prompt-ids müssen durch Kommas getrennte Token-Nummern sein, nicht '{value}'.",
  },
  'validation_failed.cli_prompt_ids_vocabulary': {
    en: '--prompt-ids has ids outside the vocabulary of {vocabulary}.',
    de: '--prompt-ids enthält Nummern außerhalb des Vokabulars von {vocabulary}.',
  },
  'validation_failed.cli_one_prompt': {
    en: 'Give exactly one prompt (quoted) or --prompt-ids.\n\n{usage}',
    de: 'Geben Sie genau einen Prompt (in Anführungszeichen) oder --prompt-ids an.\n\n{usage}',
  },
  'validation_failed.cli_no_inputs': { en: 'Name at least one file or URL.\n\n{usage}', de: 'Nennen Sie mindestens eine Datei oder URL.\n\n{usage}' },
  'validation_failed.cli_no_document_ids': {
    en: 'Name at least one document id.\n\n{usage}',
    de: 'Nennen Sie mindestens eine Dokumentkennung.\n\n{usage}',
  },
  'validation_failed.cli_one_model': {
    en: "Name exactly one model repository, e.g. 'beleg models pull {example}'.",
    de: "Nennen Sie genau ein Modell-Repository, z. B. 'beleg models pull {example}'.",
  },
  'validation_failed.cli_backup_file': {
    en: 'Name exactly one backup file to write.\n\n{usage}',
    de: 'Nennen Sie genau eine Sicherungsdatei, die geschrieben werden soll.\n\n{usage}',
  },
  'validation_failed.cli_restore_file': {
    en: 'Name exactly one backup file to restore.\n\n{usage}',
    de: 'Nennen Sie genau eine Sicherungsdatei, die wiederhergestellt werden soll.\n\n{usage}',
  },
  'validation_failed.cli_restore_target': {
    en: 'Name the directory to restore into with --data-dir.\n\n{usage}',
    de: 'Nennen Sie mit --data-dir das Verzeichnis, in das wiederhergestellt werden soll.\n\n{usage}',
  },
  'validation_failed.cli_squad_needs_out': {
    en: '--from-squad needs --out <dataset-dir>.\n\n{usage}',
    de: '--from-squad braucht --out <Datensatz-Verzeichnis>.\n\n{usage}',
  },
  'validation_failed.cli_compare_two': {
    en: '--compare needs exactly two report.json files.\n\n{usage}',
    de: '--compare braucht genau zwei report.json-Dateien.\n\n{usage}',
  },
  'validation_failed.cli_one_dataset': { en: 'Name one dataset folder.\n\n{usage}', de: 'Nennen Sie einen Datensatz-Ordner.\n\n{usage}' },

  not_found: {
    en: "Document '{id}' does not exist. List what exists with GET /documents or 'beleg docs'.",
    de: "Das Dokument '{id}' gibt es nicht. Was es gibt, listen GET /documents und 'beleg docs' auf.",
  },
  route_not_found: {
    en: 'There is no route {method} {path}. The routes are listed at /docs and /openapi.json.',
    de: 'Die Route {method} {path} gibt es nicht. Die Routen stehen unter /docs und /openapi.json.',
  },
  conflict: {
    en: 'The request conflicts with the current state of beleg. Reload and try again.',
    de: 'Die Anfrage passt nicht zum aktuellen Zustand von beleg. Laden Sie neu und versuchen Sie es noch einmal.',
  },
  document_not_ready: {
    en: "Document '{id}' is {status}, not ready; its text is available once indexing succeeds.",
    de: "Das Dokument '{id}' ist nicht bereit (Status: {status}); sein Text ist verfügbar, sobald die Verarbeitung gelungen ist.",
  },
  unauthenticated: {
    en: 'This route needs an API key. Send the header Authorization: Bearer <key> (keys are set with BELEG_API_KEYS).',
    de: 'Diese Route braucht einen API-Schlüssel. Senden Sie den Header Authorization: Bearer <Schlüssel> (Schlüssel werden mit BELEG_API_KEYS gesetzt).',
  },
  'unauthenticated.key_in_url': {
    en: 'API keys are not accepted in the URL (they end up in logs). Send the header Authorization: Bearer <key> instead.',
    de: 'API-Schlüssel in der URL werden nicht angenommen (sie landen in Protokollen). Senden Sie stattdessen den Header Authorization: Bearer <Schlüssel>.',
  },
  'unauthenticated.invalid_key': {
    en: 'The API key is not valid. Check it against BELEG_API_KEYS.',
    de: 'Der API-Schlüssel ist ungültig. Vergleichen Sie ihn mit BELEG_API_KEYS.',
  },
  forbidden: {
    en: 'This API key may only read and ask. Uploading and deleting documents needs a key with the role write.',
    de: 'Dieser API-Schlüssel darf nur lesen und fragen. Zum Hochladen und Löschen von Dokumenten braucht es einen Schlüssel mit der Rolle write.',
  },
  request_too_large: {
    en: 'The request body is larger than the limit of {limitBytes} bytes. Send fewer or smaller files per request, or raise BELEG_MAX_REQUEST_BYTES.',
    de: 'Die Anfrage ist größer als die Grenze von {limitBytes} Bytes. Senden Sie weniger oder kleinere Dateien pro Anfrage oder erhöhen Sie BELEG_MAX_REQUEST_BYTES.',
  },
  overloaded: {
    en: 'All {slots} generation slots are busy and {waiting} questions are waiting. Retry in {retryAfter} s.',
    de: 'Alle {slots} Plätze für Antworten sind belegt und {waiting} Fragen warten. Versuchen Sie es in {retryAfter} s erneut.',
  },
  'overloaded.rate_limit': {
    en: 'Too many requests: this key may send {perMinute} requests per minute. Retry in {retryAfter} s or raise BELEG_RATE_LIMIT_PER_MINUTE.',
    de: 'Zu viele Anfragen: Dieser Schlüssel darf {perMinute} Anfragen pro Minute senden. Versuchen Sie es in {retryAfter} s erneut oder erhöhen Sie BELEG_RATE_LIMIT_PER_MINUTE.',
  },
  'overloaded.ingest_queue': {
    en: 'The ingestion queue is full ({queueSize} documents). Retry when it has drained, or raise BELEG_INGEST_QUEUE_SIZE.',
    de: 'Die Warteschlange für Dokumente ist voll ({queueSize} Dokumente). Versuchen Sie es erneut, wenn sie abgearbeitet ist, oder erhöhen Sie BELEG_INGEST_QUEUE_SIZE.',
  },
  'overloaded.remote': {
    en: 'The {server} server at {url} is overloaded (429: {reply}) after {attempts} attempts. Try again later.',
    de: 'Der {server}-Server unter {url} ist überlastet (429: {reply}), auch nach {attempts} Versuchen. Versuchen Sie es später erneut.',
  },
  cancelled: { en: 'The operation was cancelled.', de: 'Der Vorgang wurde abgebrochen.' },
  'cancelled.client_gone': {
    en: 'The client went away before the question was answered.',
    de: 'Der Client hat die Verbindung beendet, bevor die Frage beantwortet war.',
  },
  'cancelled.client_gone_queued': {
    en: 'The client went away while its question was queued.',
    de: 'Der Client hat die Verbindung beendet, während seine Frage wartete.',
  },
  'cancelled.generation': { en: 'The generation was cancelled.', de: 'Das Erzeugen der Antwort wurde abgebrochen.' },
  'cancelled.loading': { en: 'Loading the document was cancelled.', de: 'Das Laden des Dokuments wurde abgebrochen.' },
  'cancelled.parsing': { en: 'Parsing the document was cancelled.', de: 'Das Lesen des Dokuments wurde abgebrochen.' },
  'cancelled.fetching': { en: "Fetching '{url}' was cancelled.", de: "Der Abruf von '{url}' wurde abgebrochen." },
  'cancelled.not_queued': {
    en: "Document '{id}' is {status} but not queued in this process; it resumes at the next start.",
    de: "Das Dokument '{id}' hat den Status „{status}“, wartet aber nicht in diesem Prozess; es wird beim nächsten Start fortgesetzt.",
  },
  'cancelled.document_removed': {
    en: "Document '{id}' was removed while it was being indexed.",
    de: "Das Dokument '{id}' wurde gelöscht, während es verarbeitet wurde.",
  },
  'cancelled.shutting_down': { en: 'beleg is shutting down.', de: 'beleg wird beendet.' },
  'cancelled.lease_lost': {
    en: "This worker lost its lease on document '{id}' (it took longer than the lease, or lost the database); another worker indexes it.",
    de: "Dieser Worker hat die Zuteilung für das Dokument '{id}' verloren (er brauchte länger als die Zuteilung dauert oder verlor die Datenbank); ein anderer Worker verarbeitet es.",
  },
  'cancelled.shut_down_before_indexed': {
    en: 'beleg shut down before the document was indexed; it resumes at the next start.',
    de: 'beleg wurde beendet, bevor das Dokument verarbeitet war; es wird beim nächsten Start fortgesetzt.',
  },
  'cancelled.no_new_documents': {
    en: 'beleg is shutting down and takes no new documents.',
    de: 'beleg wird beendet und nimmt keine neuen Dokumente an.',
  },
  internal_error: {
    en: 'Something went wrong inside beleg. The server log has the details.',
    de: 'In beleg ist etwas schiefgegangen. Die Einzelheiten stehen im Server-Protokoll.',
  },

  // ---- documents
  unsupported_document: {
    en: 'The document is {detected}, which beleg cannot read. Upload PDF (also scanned), Word (DOCX), RTF, OpenDocument (ODT, ODS, ODP), PowerPoint (PPTX), Excel (XLSX), e-mail (EML, MSG), EPUB, HTML, Markdown, plain text or PNG/JPEG/TIFF images.',
    de: 'Das Dokument ist {detected}; das kann beleg nicht lesen. Laden Sie PDF (auch gescannt), Word (DOCX), RTF, OpenDocument (ODT, ODS, ODP), PowerPoint (PPTX), Excel (XLSX), E-Mail (EML, MSG), EPUB, HTML, Markdown, reinen Text oder Bilder (PNG, JPEG, TIFF) hoch.',
  },
  'unsupported_document.binary': {
    en: 'The document contains binary data of no format beleg reads. Upload PDF (also scanned), Word (DOCX), RTF, OpenDocument (ODT, ODS, ODP), PowerPoint (PPTX), Excel (XLSX), e-mail (EML, MSG), EPUB, HTML, Markdown, plain text or PNG/JPEG/TIFF images.',
    de: 'Das Dokument enthält Binärdaten in keinem Format, das beleg liest. Laden Sie PDF (auch gescannt), Word (DOCX), RTF, OpenDocument (ODT, ODS, ODP), PowerPoint (PPTX), Excel (XLSX), E-Mail (EML, MSG), EPUB, HTML, Markdown, reinen Text oder Bilder (PNG, JPEG, TIFF) hoch.',
  },
  'unsupported_document.binary_file': {
    en: "'{fileName}' contains binary data in no format beleg reads. Convert it to PDF, DOCX or text first.",
    de: "'{fileName}' enthält Binärdaten in keinem Format, das beleg liest. Wandeln Sie die Datei zuerst in PDF, DOCX oder Text um.",
  },
  'unsupported_document.type': {
    en: "Documents of type '{type}' are not supported. Upload PDF (also scanned), Word (DOCX), RTF, OpenDocument (ODT, ODS, ODP), PowerPoint (PPTX), Excel (XLSX), e-mail (EML, MSG), EPUB, HTML, Markdown, plain text or PNG/JPEG/TIFF images.",
    de: "Dokumente vom Typ '{type}' werden nicht unterstützt. Laden Sie PDF (auch gescannt), Word (DOCX), RTF, OpenDocument (ODT, ODS, ODP), PowerPoint (PPTX), Excel (XLSX), E-Mail (EML, MSG), EPUB, HTML, Markdown, reinen Text oder Bilder (PNG, JPEG, TIFF) hoch.",
  },
  'unsupported_document.content_type': {
    en: "POST /documents takes multipart/form-data with the field 'file', or JSON with \"url\" or \"text\"; got '{contentType}'.",
    de: "POST /documents nimmt multipart/form-data mit dem Feld 'file' oder JSON mit \"url\" oder \"text\" an; erhalten: '{contentType}'.",
  },
  document_too_large: {
    en: 'The document has {sizeBytes} bytes, more than the limit of {limitBytes} bytes. Split it or raise BELEG_MAX_DOCUMENT_BYTES.',
    de: 'Das Dokument hat {sizeBytes} Bytes, mehr als die Grenze von {limitBytes} Bytes. Teilen Sie es auf oder erhöhen Sie BELEG_MAX_DOCUMENT_BYTES.',
  },
  empty_document: {
    en: 'The document is empty (0 bytes). Upload a file with content.',
    de: 'Das Dokument ist leer (0 Bytes). Laden Sie eine Datei mit Inhalt hoch.',
  },
  'empty_document.no_text': {
    en: 'The document contains no text. Upload a file with text in it.',
    de: 'Das Dokument enthält keinen Text. Laden Sie eine Datei hoch, in der Text steht.',
  },
  'empty_document.nothing_to_index': {
    en: 'The document has no text to index. Upload a document with text content.',
    de: 'Das Dokument hat keinen Text, der sich verarbeiten ließe. Laden Sie ein Dokument mit Text hoch.',
  },
  html_too_large: {
    en: "The HTML page has {sizeBytes} bytes, more than the {limitBytes} bytes beleg parses as HTML. Save the page's text (or print it to PDF) and upload that.",
    de: 'Die HTML-Seite hat {sizeBytes} Bytes, mehr als die {limitBytes} Bytes, die beleg als HTML liest. Speichern Sie den Text der Seite (oder drucken Sie sie als PDF) und laden Sie das hoch.',
  },
  html_no_content: {
    en: 'The web page has no readable main content (only navigation, scripts or an empty body). Pages that build their text with JavaScript are not supported; save the text or a PDF instead.',
    de: 'Die Webseite hat keinen lesbaren Hauptinhalt (nur Navigation, Skripte oder einen leeren Body). Seiten, die ihren Text mit JavaScript aufbauen, werden nicht unterstützt; speichern Sie stattdessen den Text oder ein PDF.',
  },
  pdf_too_many_pages: {
    en: 'The PDF declares {pageCount} pages, more than the {limitPages} beleg reads. Split it into smaller files and upload those.',
    de: 'Das PDF gibt {pageCount} Seiten an, mehr als die {limitPages}, die beleg liest. Teilen Sie es in kleinere Dateien auf und laden Sie diese hoch.',
  },
  pdf_scanned: {
    en: 'The PDF has no text layer; it looks scanned (pages are images), and text recognition (OCR) is switched off. Set BELEG_OCR=auto to read scans, or run it through an OCR tool first and upload the result.',
    de: 'Das PDF hat keine Textebene; es sieht gescannt aus (die Seiten sind Bilder), und die Texterkennung (OCR) ist ausgeschaltet. Setzen Sie BELEG_OCR=auto, um Scans zu lesen, oder lassen Sie es zuerst durch ein OCR-Programm laufen und laden Sie das Ergebnis hoch.',
  },
  pdf_encrypted: {
    en: 'The PDF is encrypted with a password. Remove the password (save an unprotected copy) and upload that.',
    de: 'Das PDF ist mit einem Passwort verschlüsselt. Entfernen Sie das Passwort (speichern Sie eine ungeschützte Kopie) und laden Sie diese hoch.',
  },
  pdf_corrupt: {
    en: 'The PDF is corrupt and cannot be read ({reason}). Export or download it again.',
    de: 'Das PDF ist beschädigt und lässt sich nicht lesen ({reason}). Exportieren oder laden Sie es noch einmal herunter.',
  },
  'pdf_corrupt.truncated': {
    en: 'The PDF is truncated (it does not end with %%EOF): the upload or download was cut off. Upload the complete file.',
    de: 'Das PDF ist abgeschnitten (es endet nicht mit %%EOF): Hoch- oder Herunterladen wurde unterbrochen. Laden Sie die vollständige Datei hoch.',
  },
  'pdf_corrupt.no_header': {
    en: 'The file is named or typed as a PDF but does not start with a PDF header, so it is corrupt or not a PDF. Export it again as PDF.',
    de: 'Die Datei ist als PDF benannt oder ausgewiesen, beginnt aber nicht mit einem PDF-Kopf; sie ist also beschädigt oder kein PDF. Exportieren Sie sie noch einmal als PDF.',
  },
  archive_corrupt: {
    en: 'The file is a damaged ZIP container (DOCX, XLSX, PPTX, ODF and EPUB files are ZIPs) and cannot be opened. Save or export it again and upload that.',
    de: 'Die Datei ist ein beschädigter ZIP-Container (DOCX-, XLSX-, PPTX-, ODF- und EPUB-Dateien sind ZIPs) und lässt sich nicht öffnen. Speichern oder exportieren Sie sie noch einmal und laden Sie das hoch.',
  },
  archive_too_large: {
    en: 'The file unpacks to more than {limitBytes} bytes (or has too many parts); beleg refuses it as a possible decompression bomb. Split the document or save it without embedded media.',
    de: 'Die Datei entpackt sich zu mehr als {limitBytes} Bytes (oder hat zu viele Teile); beleg lehnt sie als mögliche Dekompressionsbombe ab. Teilen Sie das Dokument auf oder speichern Sie es ohne eingebettete Medien.',
  },
  xml_invalid: {
    en: 'The document contains invalid XML in {part} ({reason}). Save or export it again with an office program and upload that.',
    de: 'Das Dokument enthält ungültiges XML in {part} ({reason}). Speichern oder exportieren Sie es mit einem Office-Programm noch einmal und laden Sie das hoch.',
  },
  // ---- DOCX, ODT, RTF
  office_encrypted: {
    en: 'The office document is protected with a password (encrypted), so beleg cannot read it. Open it, remove the password (save without encryption) and upload it again.',
    de: 'Das Office-Dokument ist mit einem Passwort geschützt (verschlüsselt); beleg kann es nicht lesen. Öffnen Sie es, entfernen Sie das Passwort (ohne Verschlüsselung speichern) und laden Sie es erneut hoch.',
  },
  office_no_content: {
    en: 'The {format} document contains no text beleg could read (perhaps only images or drawings). Upload a document with text, or a PDF with a text layer.',
    de: 'Das {format}-Dokument enthält keinen Text, den beleg lesen könnte (vielleicht nur Bilder oder Zeichnungen). Laden Sie ein Dokument mit Text hoch oder ein PDF mit Textebene.',
  },
  rtf_corrupt: {
    en: 'The file is named or typed as RTF but does not start with an RTF header, so it is damaged or not RTF. Save it again as RTF or DOCX and upload that.',
    de: 'Die Datei ist als RTF benannt oder ausgewiesen, beginnt aber nicht mit einem RTF-Kopf; sie ist also beschädigt oder kein RTF. Speichern Sie sie noch einmal als RTF oder DOCX und laden Sie das hoch.',
  },
  'unsupported_document.doc': {
    en: 'The document is an old binary Word file (.doc), which beleg cannot read. Open it in Word or LibreOffice, save it as DOCX ("Save as" → Word document) and upload that.',
    de: 'Das Dokument ist eine alte binäre Word-Datei (.doc); die kann beleg nicht lesen. Öffnen Sie sie in Word oder LibreOffice, speichern Sie sie als DOCX („Speichern unter“ → Word-Dokument) und laden Sie das hoch.',
  },
  // ---- PPTX, ODP, XLSX, ODS
  spreadsheet_too_large: {
    en: 'The spreadsheet holds more than {limitCells} filled cells (or repeats rows that often); beleg reads at most that many. Split the workbook or delete unused rows and upload that.',
    de: 'Die Tabelle enthält mehr als {limitCells} gefüllte Zellen (oder wiederholt Zeilen so oft); beleg liest höchstens so viele. Teilen Sie die Arbeitsmappe auf oder löschen Sie ungenutzte Zeilen und laden Sie das hoch.',
  },
  // ---- e-mail (.eml, .msg) and EPUB
  mail_corrupt: {
    en: 'The e-mail could not be read ({reason}). Save the message again from your mail program (as .eml or .msg) and upload that.',
    de: 'Die E-Mail konnte nicht gelesen werden ({reason}). Speichern Sie die Nachricht in Ihrem E-Mail-Programm noch einmal (als .eml oder .msg) und laden Sie diese Datei hoch.',
  },
  mail_empty: {
    en: 'The e-mail has no subject, sender, text or attachments. Check that you uploaded the right file.',
    de: 'Die E-Mail hat weder Betreff, Absender, Text noch Anhänge. Prüfen Sie, ob Sie die richtige Datei hochgeladen haben.',
  },
  epub_corrupt: {
    en: 'The EPUB e-book is damaged ({reason}). Export or download the book again and upload that.',
    de: 'Das EPUB-E-Book ist beschädigt ({reason}). Exportieren oder laden Sie das Buch noch einmal herunter und laden Sie es dann hoch.',
  },
  epub_encrypted: {
    en: 'The EPUB e-book is protected by DRM (its chapters are encrypted), so beleg cannot read it. Upload a DRM-free copy of the book.',
    de: 'Das EPUB-E-Book ist mit DRM geschützt (seine Kapitel sind verschlüsselt), daher kann beleg es nicht lesen. Laden Sie eine DRM-freie Ausgabe des Buchs hoch.',
  },
  epub_no_content: {
    en: 'The EPUB e-book has no readable text in its chapters (perhaps only images). Upload a version with text.',
    de: 'Das EPUB-E-Book enthält in seinen Kapiteln keinen lesbaren Text (vielleicht nur Bilder). Laden Sie eine Ausgabe mit Text hoch.',
  },
  // ---- scanned PDFs and images (OCR)
  'unsupported_document.ocr_off': {
    en: 'The document is {detected}. Reading text from images (OCR) is switched off: set BELEG_OCR=auto, or upload a PDF with a text layer.',
    de: 'Das Dokument ist {detected}. Die Texterkennung aus Bildern (OCR) ist ausgeschaltet: Setzen Sie BELEG_OCR=auto oder laden Sie ein PDF mit Textebene hoch.',
  },
  ocr_no_text: {
    en: 'Text recognition (OCR) found no text in the scanned pages. The scan may be blank, too faint or too coarse; scan it again at 300 dpi and upload that.',
    de: 'Die Texterkennung (OCR) hat auf den gescannten Seiten keinen Text gefunden. Der Scan ist vielleicht leer, zu blass oder zu grob; scannen Sie mit 300 dpi neu und laden Sie das hoch.',
  },
  ocr_too_many_pages: {
    en: 'The document has {pageCount} scanned pages, more than the {limitPages} that text recognition (OCR) reads per document. Split it or raise BELEG_OCR_MAX_PAGES.',
    de: 'Das Dokument hat {pageCount} gescannte Seiten, mehr als die {limitPages}, die die Texterkennung (OCR) je Dokument liest. Teilen Sie es auf oder erhöhen Sie BELEG_OCR_MAX_PAGES.',
  },
  ocr_failed: {
    en: 'Text recognition (OCR) failed on page {page}: {reason}. The image is probably damaged; scan or export it again and upload that.',
    de: 'Die Texterkennung (OCR) ist auf Seite {page} gescheitert: {reason}. Das Bild ist wahrscheinlich beschädigt; scannen oder exportieren Sie es noch einmal und laden Sie das hoch.',
  },
  ocr_timeout: {
    en: 'Text recognition (OCR) of page {page} took longer than {timeoutMs} ms and was stopped. Split the document or raise BELEG_OCR_PAGE_TIMEOUT_MS.',
    de: 'Die Texterkennung (OCR) von Seite {page} dauerte länger als {timeoutMs} ms und wurde abgebrochen. Teilen Sie das Dokument auf oder erhöhen Sie BELEG_OCR_PAGE_TIMEOUT_MS.',
  },
  image_too_large: {
    en: 'The image has {width} × {height} pixels, more than the {limitMegapixels} megapixels beleg reads. Scan at 300 dpi (an A4 page has 8.7 megapixels) and upload that.',
    de: 'Das Bild hat {width} × {height} Pixel, mehr als die {limitMegapixels} Megapixel, die beleg liest. Scannen Sie mit 300 dpi (eine A4-Seite hat 8,7 Megapixel) und laden Sie das hoch.',
  },
  image_corrupt: {
    en: 'The image could not be read ({reason}). The file is probably damaged or cut off; save it again and upload that.',
    de: 'Das Bild ließ sich nicht lesen ({reason}). Die Datei ist wahrscheinlich beschädigt oder abgeschnitten; speichern Sie sie noch einmal und laden Sie das hoch.',
  },
  'fragment.image_kind.png': { en: 'a PNG image', de: 'ein PNG-Bild' },
  'fragment.image_kind.jpeg': { en: 'a JPEG image', de: 'ein JPEG-Bild' },
  'fragment.image_kind.tiff': { en: 'a TIFF image', de: 'ein TIFF-Bild' },
  'web.ocr_quote': { en: 'from a scanned document (OCR)', de: 'aus gescanntem Dokument (OCR)' },
  'web.ocr_quote_title': {
    en: 'This text was recognised from a scan (mean confidence on this page: {percent} %). Check the quote against the original page.',
    de: 'Dieser Text wurde aus einem Scan erkannt (mittlere Sicherheit auf dieser Seite: {percent} %). Prüfen Sie das Zitat an der Originalseite.',
  },
  'web.ocr_progress': { en: 'text recognition: page {done} of {total}', de: 'Texterkennung: Seite {done} von {total}' },
  'cli.ocr_progress': { en: '{name}: text recognition, page {done} of {total}', de: '{name}: Texterkennung, Seite {done} von {total}' },
  'cli.ocr_quote': { en: '[from a scanned document (OCR), page confidence {percent} %]', de: '[aus gescanntem Dokument (OCR), Sicherheit der Seite {percent} %]' },
  // ---- collections, scoped keys and audit
  collection_not_found: {
    en: "Collection '{id}' does not exist. List the collections with GET /collections or 'beleg collections'.",
    de: "Die Sammlung '{id}' gibt es nicht. Die Sammlungen listen GET /collections und 'beleg collections' auf.",
  },
  forbidden_collection: {
    en: "This API key may not use collection '{id}'. Ask an administrator for a key that includes it.",
    de: "Dieser API-Schlüssel darf die Sammlung '{id}' nicht verwenden. Bitten Sie eine Administratorin oder einen Administrator um einen Schlüssel, der sie einschließt.",
  },
  'validation_failed.cli_no_id': {
    en: 'Name the id of the key or collection.\n\n{usage}',
    de: 'Nennen Sie die Kennung des Schlüssels oder der Sammlung.\n\n{usage}',
  },
  'forbidden.admin': {
    en: 'Only an API key with the role admin may manage collections, keys and the audit log.',
    de: 'Nur ein API-Schlüssel mit der Rolle admin darf Sammlungen, Schlüssel und das Prüfprotokoll verwalten.',
  },
  'conflict.collection_exists': {
    en: "Collection '{id}' exists already. Choose another id.",
    de: "Die Sammlung '{id}' gibt es schon. Wählen Sie eine andere Kennung.",
  },
  'conflict.collection_not_empty': {
    en: "Collection '{id}' still holds documents. Delete or move them first.",
    de: "Die Sammlung '{id}' enthält noch Dokumente. Löschen oder verschieben Sie sie zuerst.",
  },
  'not_found.key': {
    en: "There is no active API key '{id}'. List the keys with GET /keys or 'beleg keys list'.",
    de: "Einen aktiven API-Schlüssel '{id}' gibt es nicht. Die Schlüssel listen GET /keys und 'beleg keys list' auf.",
  },
  parse_timeout: {
    en: 'Parsing the document took longer than {timeoutMs} ms and was stopped. The file is probably damaged or built to stall parsers; export it again (e.g. "print to PDF") and upload that.',
    de: 'Das Lesen des Dokuments dauerte länger als {timeoutMs} ms und wurde abgebrochen. Die Datei ist wahrscheinlich beschädigt oder darauf angelegt, Leseprogramme aufzuhalten; exportieren Sie sie noch einmal (z. B. „als PDF drucken“) und laden Sie das hoch.',
  },
  parse_out_of_memory: {
    en: "Parsing the document needed more than the parser's {limit} of {limitMb} MiB and was stopped. The file is probably damaged or a decompression bomb; export it again and upload that.",
    de: 'Das Lesen des Dokuments brauchte mehr als die {limit} des Leseprozesses von {limitMb} MiB und wurde abgebrochen. Die Datei ist wahrscheinlich beschädigt oder eine Dekompressionsbombe; exportieren Sie sie noch einmal und laden Sie das hoch.',
  },
  parse_failed: {
    en: 'The document parser stopped unexpectedly ({reason}). Export the file again and upload that.',
    de: 'Der Leseprozess für Dokumente brach unerwartet ab ({reason}). Exportieren Sie die Datei noch einmal und laden Sie das hoch.',
  },
  'parse_failed.parser_error': {
    en: 'The {format} parser failed on this document ({reason}). Export the file again and upload that.',
    de: 'Das Lesen des {format} scheiterte an diesem Dokument ({reason}). Exportieren Sie die Datei noch einmal und laden Sie das hoch.',
  },
  ingestion_failed: {
    en: 'Indexing failed unexpectedly: {reason}',
    de: 'Die Verarbeitung scheiterte unerwartet: {reason}',
  },
  ingestion_interrupted: {
    en: 'beleg stopped while indexing this document and its saved input is gone. Ingest it again.',
    de: 'beleg wurde beendet, während es dieses Dokument verarbeitete, und die gespeicherte Eingabe ist weg. Fügen Sie das Dokument noch einmal hinzu.',
  },
  input_lost: {
    en: 'The saved input of this document is gone, so it cannot be indexed. Ingest it again.',
    de: 'Die gespeicherte Eingabe dieses Dokuments ist weg, deshalb lässt es sich nicht verarbeiten. Fügen Sie es noch einmal hinzu.',
  },
  file_unreadable: {
    en: "Cannot read '{path}' ({reason}). Check the path and permissions.",
    de: "'{path}' lässt sich nicht lesen ({reason}). Prüfen Sie Pfad und Zugriffsrechte.",
  },

  // ---- URLs
  blocked_url: {
    en: "Refused to fetch '{url}'{hop}: {reason}. beleg only fetches public addresses; add the host or range to BELEG_URL_ALLOW_LIST to allow it.",
    de: "Der Abruf von '{url}'{hop} wurde verweigert: {reason}. beleg ruft nur öffentliche Adressen ab; tragen Sie den Host oder Bereich in BELEG_URL_ALLOW_LIST ein, um ihn zu erlauben.",
  },
  'blocked_url.scheme': {
    en: "Only http and https URLs can be ingested, not '{scheme}'{hop}.",
    de: "Nur http- und https-URLs lassen sich hinzufügen, nicht '{scheme}'{hop}.",
  },
  'blocked_url.credentials': {
    en: 'URLs with credentials (user:password@) are refused{hop}. Download the document yourself and upload the file.',
    de: 'URLs mit Zugangsdaten (benutzer:passwort@) werden abgelehnt{hop}. Laden Sie das Dokument selbst herunter und laden Sie die Datei hoch.',
  },
  too_many_redirects: {
    en: "'{url}' redirected more than {maxRedirects} times. Use the final address of the page instead.",
    de: "'{url}' leitete mehr als {maxRedirects}-mal weiter. Verwenden Sie stattdessen die endgültige Adresse der Seite.",
  },
  http_error: {
    en: "The server answered {status} for '{url}'. Check that the address is right and publicly reachable.",
    de: "Der Server antwortete mit {status} auf '{url}'. Prüfen Sie, ob die Adresse stimmt und öffentlich erreichbar ist.",
  },
  fetch_failed: {
    en: "Fetching '{url}' failed ({reason}). Check the address or try again later.",
    de: "Der Abruf von '{url}' ist gescheitert ({reason}). Prüfen Sie die Adresse oder versuchen Sie es später erneut.",
  },
  'fetch_failed.damaged_body': {
    en: 'The server sent a damaged {encoding} body. Try again later.',
    de: 'Der Server schickte einen beschädigten {encoding}-Inhalt. Versuchen Sie es später erneut.',
  },
  'fetch_failed.invalid_redirect': {
    en: "'{url}' redirected to an invalid address '{location}'.",
    de: "'{url}' leitete auf die ungültige Adresse '{location}' weiter.",
  },
  fetch_timeout: {
    en: "Fetching '{url}' took longer than {timeoutMs} ms. Try again later or upload the file.",
    de: "Der Abruf von '{url}' dauerte länger als {timeoutMs} ms. Versuchen Sie es später erneut oder laden Sie die Datei hoch.",
  },
  dns_failed: {
    en: "The host of '{url}' could not be found. Check the address.",
    de: "Der Server von '{url}' wurde nicht gefunden. Prüfen Sie die Adresse.",
  },

  // ---- engines and models
  database_unavailable: {
    en: "The PostgreSQL database at {host} could not be opened: {reason}. Check BELEG_DATABASE_URL and that PostgreSQL is running and reachable.",
    de: "Die PostgreSQL-Datenbank unter {host} ließ sich nicht öffnen: {reason}. Prüfen Sie BELEG_DATABASE_URL und ob PostgreSQL läuft und erreichbar ist.",
  },
  engine_unavailable: {
    en: "The engine '{engine}' is not configured here. Configured: {configured}.",
    de: "Die Engine '{engine}' ist hier nicht eingerichtet. Eingerichtet: {configured}.",
  },
  'engine_unavailable.queue_timeout': {
    en: 'The question waited {waitedMs} ms for a free generation slot; the engine is busy. Retry in {retryAfter} s.',
    de: 'Die Frage wartete {waitedMs} ms auf einen freien Platz für Antworten; die Engine ist ausgelastet. Versuchen Sie es in {retryAfter} s erneut.',
  },
  'engine_unavailable.remote_timeout': {
    en: 'The {server} server at {url} did not answer within {timeoutMs} ms. Check that it is running and not overloaded, or raise the timeout.',
    de: 'Der {server}-Server unter {url} hat nicht innerhalb von {timeoutMs} ms geantwortet. Prüfen Sie, ob er läuft und nicht überlastet ist, oder erhöhen Sie die Wartezeit.',
  },
  'engine_unavailable.remote_unreachable': {
    en: 'Cannot reach the {server} server at {url} ({reason}). Start it or fix BELEG_ENGINE_URL.',
    de: 'Der {server}-Server unter {url} ist nicht erreichbar ({reason}). Starten Sie ihn oder korrigieren Sie BELEG_ENGINE_URL.',
  },
  'engine_unavailable.remote_status': {
    en: 'The {server} server at {url} answered {status}: {reply}',
    de: 'Der {server}-Server unter {url} antwortete mit {status}: {reply}',
  },
  'engine_unavailable.remote_garbage': {
    en: 'The {server} server at {url} returned {what}. Check that BELEG_ENGINE_URL points at a {server} server.',
    de: 'Der {server}-Server unter {url} lieferte {what}. Prüfen Sie, ob BELEG_ENGINE_URL auf einen {server}-Server zeigt.',
  },
  'engine_unavailable.gptq_no_result': { en: 'The GPTQ engine ended without a result.', de: 'Die GPTQ-Engine endete ohne Ergebnis.' },
  'engine_unavailable.gptq_no_quote_mask': {
    en: 'This GPTQ engine was created without createTokenMask, so it cannot honour a quote constraint.',
    de: 'Diese GPTQ-Engine wurde ohne createTokenMask erzeugt und kann deshalb keine Zitatvorgabe einhalten.',
  },
  'engine_unavailable.gptq_disposed': { en: 'The GPTQ engine was disposed.', de: 'Die GPTQ-Engine wurde bereits freigegeben.' },
  engine_failed: { en: 'The engine failed: {reason}', de: 'Die Engine ist gescheitert: {reason}' },
  'engine_failed.no_finish': {
    en: 'The engine ended its stream without a finish part.',
    de: 'Die Engine beendete ihren Datenstrom ohne Abschluss.',
  },
  chunk_store_busy: {
    en: 'Writing to the chunk store failed {attempts} times because other beleg processes sharing it committed at the same moment. Try again; if it persists, start fewer ingestion workers on this store.',
    de: 'Das Schreiben in den Abschnittsspeicher ist {attempts}-mal gescheitert, weil andere beleg-Prozesse, die ihn mitbenutzen, im selben Moment geschrieben haben. Versuchen Sie es erneut; hält das an, starten Sie weniger Ingestion-Worker auf diesem Speicher.',
  },
  vector_search_unavailable: {
    en: 'The chunk store has no vectors: no embedding model is configured. Set BELEG_EMBEDDING_MODEL_DIR or search by text.',
    de: 'Der Abschnittsspeicher hat keine Vektoren: Es ist kein Embedding-Modell eingerichtet. Setzen Sie BELEG_EMBEDDING_MODEL_DIR oder suchen Sie im Text.',
  },
  model_not_found: {
    en: "No config.json in '{directory}'. Point --model at a GPTQ checkpoint directory.",
    de: "In '{directory}' gibt es keine config.json. Lassen Sie --model auf ein Verzeichnis mit einem GPTQ-Checkpoint zeigen.",
  },
  'model_not_found.no_safetensors': {
    en: "No .safetensors files in '{directory}'. Point --model at a GPTQ checkpoint directory.",
    de: "In '{directory}' gibt es keine .safetensors-Dateien. Lassen Sie --model auf ein Verzeichnis mit einem GPTQ-Checkpoint zeigen.",
  },
  'model_not_found.index_tensor_missing': {
    en: "The index says tensor '{name}' is in '{fileName}', but it is not there. The download is incomplete.",
    de: "Laut Index steht der Tensor '{name}' in '{fileName}', dort ist er aber nicht. Der Download ist unvollständig.",
  },
  'model_not_found.tensor_missing': {
    en: "Tensor '{name}' is missing from {where}.",
    de: "Der Tensor '{name}' fehlt in {where}.",
  },
  'model_not_found.cannot_open': {
    en: "Cannot open safetensors file '{path}': {reason}",
    de: "Die safetensors-Datei '{path}' lässt sich nicht öffnen: {reason}",
  },
  'model_not_found.no_onnx': {
    en: "No ONNX model in '{directory}' (looked for model.onnx and onnx/model*.onnx). Pull an ONNX export with 'beleg models pull <repo>' or point BELEG_EMBEDDING_MODEL_DIR to one.",
    de: "In '{directory}' gibt es kein ONNX-Modell (gesucht: model.onnx und onnx/model*.onnx). Laden Sie einen ONNX-Export mit 'beleg models pull <repo>' herunter oder lassen Sie BELEG_EMBEDDING_MODEL_DIR auf einen zeigen.",
  },
  'model_not_found.embedding_directory': {
    en: "The embedding model directory '{directory}' does not exist. Pull one with 'beleg models pull <repo>'.",
    de: "Das Verzeichnis des Embedding-Modells '{directory}' gibt es nicht. Laden Sie eines mit 'beleg models pull <repo>' herunter.",
  },
  'model_not_found.embedding_tokenizer': {
    en: "The embedding model in '{directory}' has no tokenizer.json. Export it with its tokenizer (sentence-transformers or optimum do).",
    de: "Das Embedding-Modell in '{directory}' hat keine tokenizer.json. Exportieren Sie es mit seinem Tokenizer (sentence-transformers und optimum tun das).",
  },
  'model_not_found.tokenizer': {
    en: "No tokenizer.json in '{directory}'. Point to a model directory that has one.",
    de: "In '{directory}' gibt es keine tokenizer.json. Geben Sie ein Modellverzeichnis an, das eine hat.",
  },
  'model_not_found.hub_no_model': {
    en: "The hub has no model '{repo}' at revision '{revision}'. Check the name and --revision.",
    de: "Der Hub hat kein Modell '{repo}' in der Revision '{revision}'. Prüfen Sie den Namen und --revision.",
  },
  'model_not_found.hub_refused': {
    en: "The hub refused to list '{repo}' (HTTP {status}): {reason}",
    de: "Der Hub verweigerte die Auflistung von '{repo}' (HTTP {status}): {reason}",
  },
  'model_not_found.hub_unreachable': {
    en: "beleg cannot reach the Hugging Face hub{hub} ({reason}). This machine may be offline: download '{repo}' where there is network and copy it to '{directory}', or point BELEG_EMBEDDING_MODEL_DIR to a local ONNX export.",
    de: "beleg erreicht den Hugging-Face-Hub{hub} nicht ({reason}). Dieser Rechner ist vielleicht offline: Laden Sie '{repo}' dort herunter, wo es Netz gibt, und kopieren Sie es nach '{directory}', oder lassen Sie BELEG_EMBEDDING_MODEL_DIR auf einen lokalen ONNX-Export zeigen.",
  },
  'model_not_found.file_vanished': {
    en: "'{file}' vanished from '{repo}' while downloading. Try again.",
    de: "'{file}' verschwand während des Downloads aus '{repo}'. Versuchen Sie es noch einmal.",
  },
  'model_not_found.checksum': {
    en: "'{file}' of '{repo}' arrived with a wrong checksum. Run the pull again.",
    de: "'{file}' aus '{repo}' kam mit falscher Prüfsumme an. Laden Sie es noch einmal herunter.",
  },
  'model_not_found.no_onnx_export': {
    en: "'{repo}' has no ONNX export (model.onnx or onnx/model*.onnx). Choose a repository with one, or pass --all to fetch everything.",
    de: "'{repo}' hat keinen ONNX-Export (model.onnx oder onnx/model*.onnx). Wählen Sie ein Repository mit einem oder geben Sie --all an, um alles zu laden.",
  },
  unsupported_model: {
    en: "'{file}' is not valid: {problem}.",
    de: "'{file}' ist ungültig: {problem}.",
  },
  'unsupported_model.invalid_json': {
    en: "'{file}' is not valid JSON: {reason}",
    de: "'{file}' ist kein gültiges JSON: {reason}",
  },
  'unsupported_model.invalid_setting': {
    en: "'{file}' has an invalid setting '{setting}': {problem}.",
    de: "'{file}' hat eine ungültige Einstellung '{setting}': {problem}.",
  },
  'unsupported_model.config_setting': {
    en: 'config.json says {setting}={value}; {supported}.',
    de: 'config.json gibt {setting}={value} an; {supported}.',
  },
  'unsupported_model.quantization_setting': {
    en: '{setting}={value}; {supported}.',
    de: '{setting}={value}; {supported}.',
  },
  'unsupported_model.rope_scaling': {
    en: 'config.json sets rope_scaling; beleg supports only plain RoPE. Use a checkpoint without rope_scaling.',
    de: 'config.json setzt rope_scaling; beleg unterstützt nur einfaches RoPE. Verwenden Sie einen Checkpoint ohne rope_scaling.',
  },
  'unsupported_model.not_gptq': {
    en: "'{directory}' has neither quantize_config.json nor quantization_config in config.json; it is not a GPTQ checkpoint.",
    de: "'{directory}' hat weder quantize_config.json noch quantization_config in config.json; es ist kein GPTQ-Checkpoint.",
  },
  'unsupported_model.head_count': {
    en: 'num_attention_heads={heads} is not a multiple of num_key_value_heads={keyValueHeads}.',
    de: 'num_attention_heads={heads} ist kein Vielfaches von num_key_value_heads={keyValueHeads}.',
  },
  'unsupported_model.head_dimension': {
    en: 'hidden_size/num_attention_heads={headDimension} must be an even integer.',
    de: 'hidden_size/num_attention_heads={headDimension} muss eine gerade ganze Zahl sein.',
  },
  'unsupported_model.no_lm_head': {
    en: 'The checkpoint has no lm_head.weight and config.json does not set tie_word_embeddings.',
    de: 'Der Checkpoint hat kein lm_head.weight und config.json setzt tie_word_embeddings nicht.',
  },
  'unsupported_model.tensor_shape': {
    en: "Tensor '{name}' has shape [{shape}], expected [{expected}] {source}.",
    de: "Der Tensor '{name}' hat die Form [{shape}], erwartet ist [{expected}] {source}.",
  },
  'unsupported_model.tensor_dtype': {
    en: "Tensor '{name}' has dtype {dtype}; {expected}.",
    de: "Der Tensor '{name}' hat den Datentyp {dtype}; {expected}.",
  },
  'unsupported_model.group_index': {
    en: "'{name}.g_idx' names group {group}, but there are {groups} groups.",
    de: "'{name}.g_idx' nennt die Gruppe {group}, es gibt aber nur {groups} Gruppen.",
  },
  'unsupported_model.group_index_length': {
    en: "'{name}.g_idx' has {length} entries, expected {expected}.",
    de: "'{name}.g_idx' hat {length} Einträge, erwartet sind {expected}.",
  },
  'unsupported_model.group_sizes': {
    en: "'{name}' has groups whose sizes are not multiples of 16; MatMulNBits needs blocks of at least 16 channels.",
    de: "'{name}' hat Gruppen, deren Größe kein Vielfaches von 16 ist; MatMulNBits braucht Blöcke von mindestens 16 Kanälen.",
  },
  'unsupported_model.safetensors_header': {
    en: "'{path}' is not a safetensors file (header length {length}).",
    de: "'{path}' ist keine safetensors-Datei (Kopflänge {length}).",
  },
  'unsupported_model.safetensors_header_json': {
    en: "'{path}' has a corrupt safetensors header (not JSON).",
    de: "'{path}' hat einen beschädigten safetensors-Kopf (kein JSON).",
  },
  'unsupported_model.safetensors_index': {
    en: "'{path}' is not a valid safetensors index: {problem}",
    de: "'{path}' ist kein gültiger safetensors-Index: {problem}",
  },
  'unsupported_model.safetensors_dtype': {
    en: "Tensor '{name}' in '{path}' has dtype {dtype}, which beleg cannot read.",
    de: "Der Tensor '{name}' in '{path}' hat den Datentyp {dtype}, den beleg nicht lesen kann.",
  },
  'unsupported_model.safetensors_offsets': {
    en: "Tensor '{name}' in '{path}' has inconsistent offsets; the file is corrupt or truncated.",
    de: "Der Tensor '{name}' in '{path}' hat widersprüchliche Positionen; die Datei ist beschädigt oder abgeschnitten.",
  },
  'unsupported_model.truncated': {
    en: "'{path}' ended early; the file is truncated.",
    de: "'{path}' endet zu früh; die Datei ist abgeschnitten.",
  },
  'unsupported_model.pooling': {
    en: "The embedding model in '{directory}' uses a pooling beleg does not support (only mean and CLS are). Choose another model.",
    de: "Das Embedding-Modell in '{directory}' verwendet ein Pooling, das beleg nicht unterstützt (nur mean und CLS). Wählen Sie ein anderes Modell.",
  },
  'unsupported_model.onnx_load': {
    en: "onnxruntime cannot load '{file}': {reason}",
    de: "onnxruntime kann '{file}' nicht laden: {reason}",
  },
  'unsupported_model.onnx_input': {
    en: "'{file}' has no input '{input}'; it is not a text embedding export.",
    de: "'{file}' hat keinen Eingang '{input}'; es ist kein Export eines Text-Embedding-Modells.",
  },
  'unsupported_model.tokenizer_unreadable': {
    en: "tokenizer.json in '{directory}' cannot be read: {reason}.",
    de: "tokenizer.json in '{directory}' lässt sich nicht lesen: {reason}.",
  },

  // ---- evaluation
  invalid_dataset: {
    en: '{file} has {count} problem(s); fix them and run again:{problems}',
    de: '{file} hat {count} Problem(e); beheben Sie sie und starten Sie erneut:{problems}',
  },
  'invalid_dataset.inconsistent': {
    en: 'The dataset is inconsistent ({count} problem(s)):{problems}',
    de: 'Der Datensatz ist widersprüchlich ({count} Problem(e)):{problems}',
  },
  'invalid_dataset.folder_unreadable': {
    en: "Cannot read the dataset folder '{directory}' ({reason}). Pass a folder with corpus.jsonl and cases.jsonl.",
    de: "Der Datensatz-Ordner '{directory}' lässt sich nicht lesen ({reason}). Geben Sie einen Ordner mit corpus.jsonl und cases.jsonl an.",
  },
  'invalid_dataset.layout': {
    en: "'{directory}' needs corpus.jsonl and cases.jsonl, or exactly one SQuAD-format .json file (found {count}: {files}). See eval/README.md.",
    de: "'{directory}' braucht corpus.jsonl und cases.jsonl oder genau eine .json-Datei im SQuAD-Format (gefunden: {count}: {files}). Siehe eval/README.md.",
  },
  'invalid_dataset.missing_files': {
    en: 'The corpus names files that do not exist:{problems}',
    de: 'Das Korpus nennt Dateien, die es nicht gibt:{problems}',
  },
  'invalid_dataset.not_squad': {
    en: 'The JSON is not in SQuAD format (data[].paragraphs[].context and qas[]).{problems}',
    de: 'Das JSON ist nicht im SQuAD-Format (data[].paragraphs[].context und qas[]).{problems}',
  },
  'invalid_dataset.too_many_documents': {
    en: 'The corpus has {count} documents; an evaluation restricts every question to the corpus and can name at most {limit}. Split the dataset.',
    de: 'Das Korpus hat {count} Dokumente; eine Auswertung beschränkt jede Frage auf das Korpus und kann höchstens {limit} nennen. Teilen Sie den Datensatz auf.',
  },
  'invalid_dataset.not_json': {
    en: '{file} is not valid JSON ({reason}).{hint}',
    de: '{file} ist kein gültiges JSON ({reason}).{hint}',
  },
  'invalid_dataset.not_a_report': {
    en: '{file} is not a beleg evaluation report:{problems}',
    de: '{file} ist kein Auswertungsbericht von beleg:{problems}',
  },
  'invalid_dataset.report_version': {
    en: '{file} has report schema version {version}; this beleg reads version {expected}. Re-run the evaluation.',
    de: '{file} hat die Berichtsversion {version}; dieses beleg liest Version {expected}. Führen Sie die Auswertung erneut aus.',
  },
  'invalid_dataset.not_gates': {
    en: '{file} is not a gates file (an object with "min" and "max", each mapping metrics to values):{problems}',
    de: '{file} ist keine Schwellenwert-Datei (ein Objekt mit "min" und "max", die Metriken auf Werte abbilden):{problems}',
  },
  'invalid_dataset.unknown_metrics': {
    en: 'The gates file names unknown metrics:{problems}',
    de: 'Die Schwellenwert-Datei nennt unbekannte Metriken:{problems}',
  },
  'invalid_dataset.no_case_in_split': {
    en: "No case of the dataset is in split '{split}'. Cases get a split from their 'split' field (SQuAD datasets: even articles 'tune', odd 'test'); run without --split to use them all.",
    de: "Kein Fall des Datensatzes gehört zum Teil '{split}'. Fälle bekommen ihren Teil aus dem Feld 'split' (SQuAD-Datensätze: gerade Artikel 'tune', ungerade 'test'); lassen Sie --split weg, um alle zu verwenden.",
  },
  'invalid_dataset.file_unreadable': {
    en: "Cannot read {what} '{file}' ({reason}). Check the path.",
    de: "{what} '{file}' lässt sich nicht lesen ({reason}). Prüfen Sie den Pfad.",
  },

  // ---- backup and restore
  backup_exists: {
    en: "The file '{file}' already exists. Choose another name, or delete it first: beleg never overwrites a backup.",
    de: "Die Datei '{file}' gibt es schon. Wählen Sie einen anderen Namen oder löschen Sie sie zuerst: beleg überschreibt nie eine Sicherung.",
  },
  backup_postgres_metadata: {
    en: 'beleg backup and restore copy SQLite metadata only, and BELEG_DATABASE_URL keeps it in PostgreSQL. Back the database up with pg_dump; the LanceDB chunks are rebuilt from the stored texts when they are missing.',
    de: 'beleg backup und restore sichern nur Metadaten in SQLite, und BELEG_DATABASE_URL hält sie in PostgreSQL. Sichern Sie die Datenbank mit pg_dump; die Abschnitte in LanceDB baut beleg aus den gespeicherten Texten neu auf, wenn sie fehlen.',
  },
  backup_source_missing: {
    en: "'{dataDir}' is not a beleg data directory (it has no beleg.sqlite). Name the directory 'beleg serve' uses, with --data-dir or BELEG_DATA_DIR.",
    de: "'{dataDir}' ist kein Datenverzeichnis von beleg (es hat keine beleg.sqlite). Nennen Sie das Verzeichnis, das 'beleg serve' benutzt, mit --data-dir oder BELEG_DATA_DIR.",
  },
  backup_not_found: {
    en: "The backup file '{file}' does not exist or is not a file. Name a file written by 'beleg backup'.",
    de: "Die Sicherungsdatei '{file}' gibt es nicht, oder sie ist keine Datei. Nennen Sie eine Datei, die 'beleg backup' geschrieben hat.",
  },
  backup_invalid: {
    en: "'{file}' is not a beleg backup: {reason}. Restore a file written by 'beleg backup'; nothing was restored.",
    de: "'{file}' ist keine Sicherung von beleg: {reason}. Stellen Sie eine Datei wieder her, die 'beleg backup' geschrieben hat; es wurde nichts wiederhergestellt.",
  },
  backup_corrupt: {
    en: "The backup '{file}' is damaged: {reason}. Nothing was restored; use another copy of the backup.",
    de: "Die Sicherung '{file}' ist beschädigt: {reason}. Es wurde nichts wiederhergestellt; verwenden Sie eine andere Kopie der Sicherung.",
  },
  backup_incompatible: {
    en: "The backup '{file}' is newer than this beleg: {reason}. Update beleg, then restore; nothing was restored.",
    de: "Die Sicherung '{file}' ist neuer als dieses beleg: {reason}. Aktualisieren Sie beleg und stellen Sie dann wieder her; es wurde nichts wiederhergestellt.",
  },
  restore_target_not_empty: {
    en: "'{dataDir}' is not empty (it holds {entries}). Restore into a new or empty directory (e.g. --data-dir {dataDir}-restored); nothing was changed.",
    de: "'{dataDir}' ist nicht leer (darin: {entries}). Stellen Sie in ein neues oder leeres Verzeichnis wieder her (z. B. --data-dir {dataDir}-restored); es wurde nichts verändert.",
  },
  'restore_target_not_empty.file': {
    en: "'{dataDir}' is a file, not a directory. Restore into a new or empty directory (e.g. --data-dir {dataDir}-restored); nothing was changed.",
    de: "'{dataDir}' ist eine Datei, kein Verzeichnis. Stellen Sie in ein neues oder leeres Verzeichnis wieder her (z. B. --data-dir {dataDir}-restored); es wurde nichts verändert.",
  },
  backup_failed: {
    en: "The backup of '{dataDir}' failed: {reason}. No backup file was written; fix the cause and run it again.",
    de: "Die Sicherung von '{dataDir}' ist gescheitert: {reason}. Es wurde keine Sicherungsdatei geschrieben; beheben Sie die Ursache und starten Sie sie erneut.",
  },

  // ---- the data directory and the server
  data_directory_locked: {
    en: "The data directory '{dataDir}' is in use by another beleg process (a command such as beleg ingest, or a server that is starting). Only one beleg process opens a data directory: wait for it to finish or stop it, talk to a running server with --server URL, or choose another --data-dir.",
    de: "Das Datenverzeichnis '{dataDir}' wird von einem anderen beleg-Prozess benutzt (einem Befehl wie beleg ingest oder einem Server, der gerade startet). Nur ein beleg-Prozess öffnet ein Datenverzeichnis: Warten Sie, bis er fertig ist, oder beenden Sie ihn, sprechen Sie einen laufenden Server mit --server URL an oder wählen Sie ein anderes --data-dir.",
  },
  'data_directory_locked.process': {
    en: "The data directory '{dataDir}' is in use by beleg process {pid} (a command such as beleg ingest, or a server that is starting). Only one beleg process opens a data directory: wait for it to finish or stop it, talk to a running server with --server URL, or choose another --data-dir.",
    de: "Das Datenverzeichnis '{dataDir}' wird vom beleg-Prozess {pid} benutzt (einem Befehl wie beleg ingest oder einem Server, der gerade startet). Nur ein beleg-Prozess öffnet ein Datenverzeichnis: Warten Sie, bis er fertig ist, oder beenden Sie ihn, sprechen Sie einen laufenden Server mit --server URL an oder wählen Sie ein anderes --data-dir.",
  },
  'data_directory_locked.server': {
    en: "The data directory '{dataDir}' is in use by the beleg server at {url} (process {pid}). Only one beleg process opens a data directory: stop the server, use it (beleg ingest, ask, docs and rm talk to it by themselves), or choose another --data-dir.",
    de: "Das Datenverzeichnis '{dataDir}' wird vom beleg-Server unter {url} benutzt (Prozess {pid}). Nur ein beleg-Prozess öffnet ein Datenverzeichnis: Beenden Sie den Server, nutzen Sie ihn (beleg ingest, ask, docs und rm sprechen ihn von selbst an) oder wählen Sie ein anderes --data-dir.",
  },
  port_in_use: {
    en: 'Port {port} on {host} is in use. Stop the other process or choose another with --port or BELEG_PORT.',
    de: 'Port {port} auf {host} ist belegt. Beenden Sie den anderen Prozess oder wählen Sie einen anderen mit --port oder BELEG_PORT.',
  },
  listen_failed: {
    en: 'Cannot listen on {host}:{port}: {reason}',
    de: 'beleg kann nicht auf {host}:{port} lauschen: {reason}',
  },
  server_unreachable: {
    en: 'Cannot reach the beleg server at {url} ({reason}). Check that it runs (npm start) and that --server or BELEG_SERVER_URL names it; a server that is starting answers in a moment.',
    de: 'Der beleg-Server unter {url} ist nicht erreichbar ({reason}). Prüfen Sie, dass er läuft (npm start) und dass --server oder BELEG_SERVER_URL ihn nennt; ein Server, der gerade startet, antwortet gleich.',
  },
  server_api_key_missing: {
    en: "The beleg server at {url} needs an API key. Set BELEG_API_KEY to one of the server's BELEG_API_KEYS (a write key to ingest or remove).",
    de: 'Der beleg-Server unter {url} braucht einen API-Schlüssel. Setzen Sie BELEG_API_KEY auf einen der BELEG_API_KEYS des Servers (zum Einlesen oder Löschen einen mit der Rolle write).',
  },
  server_api_key_rejected: {
    en: "The beleg server at {url} does not accept the API key in BELEG_API_KEY. Set it to one of the server's BELEG_API_KEYS.",
    de: 'Der beleg-Server unter {url} nimmt den API-Schlüssel aus BELEG_API_KEY nicht an. Setzen Sie ihn auf einen der BELEG_API_KEYS des Servers.',
  },
  server_response_invalid: {
    en: 'The server at {url} did not answer {request} like a beleg server. Check --server or BELEG_SERVER_URL.',
    de: 'Der Server unter {url} hat auf {request} nicht wie ein beleg-Server geantwortet. Prüfen Sie --server oder BELEG_SERVER_URL.',
  },

  // ---- why an answer was declined (shown next to the refusal)
  'declined.no_sources': {
    en: 'No matching passage was found in the documents.',
    de: 'In den Dokumenten fand sich keine passende Stelle.',
  },
  'declined.model_declined': {
    en: 'The passages found do not answer the question.',
    de: 'Die gefundenen Stellen beantworten die Frage nicht.',
  },
  'declined.unverifiable_quote': {
    en: 'The quote could not be found in the stored text and was discarded.',
    de: 'Das Zitat ließ sich im gespeicherten Text nicht nachweisen und wurde verworfen.',
  },
  'declined.below_threshold': {
    en: 'No passage fits the question surely enough.',
    de: 'Keine Stelle passt sicher genug zur Frage.',
  },
  'declined.focus_not_found': {
    en: 'A term the question is about does not occur in the passages found.',
    de: 'Ein Begriff, um den es in der Frage geht, kommt in den gefundenen Stellen nicht vor.',
  },
  'declined.off_topic': {
    en: 'The best passage found is not about what the question asks.',
    de: 'Die beste gefundene Stelle handelt nicht von dem, wonach gefragt ist.',
  },

  // ---- the command line
  'cli.error': { en: 'error [{code}]: {message}', de: 'Fehler [{code}]: {message}' },
  'cli.warning': { en: 'warning: {message}', de: 'Warnung: {message}' },
  'cli.unknown_command': { en: "Unknown command '{name}'.\n\n{usage}", de: "Unbekannter Befehl '{name}'.\n\n{usage}" },
  'cli.ingest.ready': { en: 'ok      {id}  {chunks} chunks  {title}', de: 'ok      {id}  {chunks} Abschnitte  {title}' },
  'cli.ingest.failed': { en: 'failed  {id}  [{code}] {message}', de: 'Fehler  {id}  [{code}] {message}' },
  'cli.ingest.summary': {
    en: '{succeeded} of {total} ingested, {failed} failed.',
    de: '{succeeded} von {total} aufgenommen, {failed} fehlgeschlagen.',
  },
  'cli.rm.removed': { en: 'removed {id}', de: 'gelöscht {id}' },
  'cli.docs.none': {
    en: "No documents. Add some with 'beleg ingest <file|url>'.",
    de: "Keine Dokumente. Fügen Sie welche mit 'beleg ingest <Datei|URL>' hinzu.",
  },
  'cli.docs.more': { en: '… {count} more (use --limit).', de: '… {count} weitere (siehe --limit).' },
  'cli.docs.attachment_of': { en: '(attachment of {id})', de: '(Anhang von {id})' },
  'cli.docs.attachments': { en: '({count} attachments: {ids})', de: '({count} Anhänge: {ids})' },
  'cli.ask.declined': { en: 'Declined: {explanation} [{reason}]', de: 'Abgelehnt: {explanation} [{reason}]' },
  'cli.ask.confidence': { en: 'Confidence: {word} ({percent} %)', de: 'Sicherheit: {word} ({percent} %)' },
  'cli.ask.confidence_unknown': {
    en: 'Confidence: not estimated (this engine does not estimate it)',
    de: 'Sicherheit: nicht geschätzt (diese Engine schätzt sie nicht)',
  },
  'cli.ask.candidates_heading': { en: 'Possible passages:', de: 'Mögliche Fundstellen:' },
  'cli.ask.candidates_note': {
    en: 'No sure answer. These passages might fit – please check them yourself.',
    de: 'Keine sichere Antwort. Diese Stellen könnten passen – bitte selbst prüfen.',
  },
  'cli.ask.candidate_confidence': { en: 'estimated {percent} %', de: 'geschätzt {percent} %' },
  'cli.ask.citation': {
    en: '{name}{page} (document {id}, characters {start}–{end}{normalized})',
    de: '{name}{page} (Dokument {id}, Zeichen {start}–{end}{normalized})',
  },
  'cli.ask.page': { en: ', page {page}', de: ', Seite {page}' },
  'cli.ask.slide': { en: ', slide {number}', de: ', Folie {number}' },
  'cli.ask.row': { en: ', sheet {sheet}, row {number} ({cells})', de: ', Tabelle {sheet}, Zeile {number} ({cells})' },
  'cli.ask.normalized': { en: ', normalized', de: ', normalisiert' },
  'cli.ask.summary': {
    en: 'engine {engine} ({model}); {sources} sources; retrieve {retrieveMs} ms, generate {generateMs} ms, total {totalMs} ms',
    de: 'Engine {engine} ({model}); {sources} Quellen; Suche {retrieveMs} ms, Antwort {generateMs} ms, gesamt {totalMs} ms',
  },
  'cli.serve.loopback_only': {
    en: 'BELEG_HOST={host} ignored: without API keys (BELEG_API_KEYS) beleg listens on 127.0.0.1 only.',
    de: 'BELEG_HOST={host} wird ignoriert: Ohne API-Schlüssel (BELEG_API_KEYS) lauscht beleg nur auf 127.0.0.1.',
  },

  // ---- the web page (always German; English for completeness)
  'web.http_error': { en: 'The server answered with {status}.', de: 'Der Server antwortete mit {status}.' },
  'web.needs_key': {
    en: 'This server requires a valid API key. Please enter it below under “API key”.',
    de: 'Dieser Server verlangt einen gültigen API-Schlüssel. Bitte unten unter „API-Schlüssel“ eintragen.',
  },
  'web.choose_file': { en: 'Please choose a file first.', de: 'Bitte zuerst eine Datei auswählen.' },
  'web.answered': { en: 'Answer with proof', de: 'Antwort mit Beleg' },
  'web.confidence_title': {
    en: 'Estimated probability that the quote answers the question: {percent} %',
    de: 'Geschätzte Wahrscheinlichkeit, dass das Zitat die Frage beantwortet: {percent} %',
  },
  'web.confidence_unknown': { en: 'Confidence not estimated', de: 'Sicherheit nicht geschätzt' },
  'web.confidence_unknown_title': {
    en: 'This engine does not estimate how sure its answers are.',
    de: 'Diese Engine schätzt nicht, wie sicher ihre Antworten sind.',
  },
  'web.candidates_heading': { en: 'Possible passages', de: 'Mögliche Fundstellen' },
  'web.candidates_note': {
    en: 'No sure answer. These passages might fit – please check them yourself.',
    de: 'Keine sichere Antwort. Diese Stellen könnten passen – bitte selbst prüfen.',
  },
  'web.sources_note': {
    en: 'No sure answer. These passages found might help – please check them yourself.',
    de: 'Keine sichere Antwort. Diese gefundenen Abschnitte könnten weiterhelfen – bitte selbst prüfen.',
  },
  'web.candidate_confidence': { en: 'estimated {percent} %', de: 'geschätzt {percent} %' },

  // ---- fragments other texts insert
  'fragment.issue.question_empty': { en: 'question must not be empty', de: 'die Frage darf nicht leer sein' },
  'fragment.issue.text_empty': { en: 'text must not be empty', de: 'text darf nicht leer sein' },
  'fragment.issue.url_or_text': { en: 'send exactly one of url or text', de: 'senden Sie genau eines von url oder text' },
  'fragment.issue.server_url': {
    en: 'must be an http or https URL, e.g. http://127.0.0.1:8080',
    de: 'muss eine http- oder https-URL sein, z. B. http://127.0.0.1:8080',
  },
  'fragment.issue.database_url': {
    en: 'must be a postgres:// or postgresql:// URL, e.g. postgres://beleg:secret@db:5432/beleg',
    de: 'muss eine postgres://- oder postgresql://-URL sein, z. B. postgres://beleg:geheim@db:5432/beleg',
  },
  'fragment.where.request_body': { en: 'request body', de: 'der Anfrage' },
  'fragment.where.query': { en: 'query', de: 'der Abfrage' },
  'fragment.document_status.pending': { en: 'pending', de: 'wartet' },
  'fragment.document_status.indexing': { en: 'indexing', de: 'wird verarbeitet' },
  'fragment.document_status.ready': { en: 'ready', de: 'bereit' },
  'fragment.document_status.failed': { en: 'failed', de: 'fehlgeschlagen' },
  'fragment.confidence.sure': { en: 'sure', de: 'sicher' },
  'fragment.confidence.likely': { en: 'likely', de: 'wahrscheinlich' },
  'fragment.confidence.unsure': { en: 'unsure', de: 'unsicher' },
  'fragment.redirected_from': { en: " (redirected from '{url}')", de: " (weitergeleitet von '{url}')" },
  'fragment.host_is': { en: '{host} is {range}', de: '{host} ist {range}' },
  'fragment.host_resolves_to': { en: "'{host}' resolves to {address}, which is {range}", de: "'{host}' löst sich zu {address} auf, und das ist {range}" },
  'fragment.address.invalid': { en: 'not a valid IP address', de: 'keine gültige IP-Adresse' },
  'fragment.address.ipv6_form_of_ipv4': { en: 'an IPv6 form of the IPv4 address {ipv4}', de: 'eine IPv6-Schreibweise der IPv4-Adresse {ipv4}' },
  'fragment.address.ipv6_form_of_range': { en: 'an IPv6 form of {ipv4}, {range}', de: 'eine IPv6-Schreibweise von {ipv4}, {range}' },
  'fragment.address.loopback': { en: 'a loopback address', de: 'eine Loopback-Adresse' },
  'fragment.address.private': { en: 'a private address', de: 'eine private Adresse' },
  'fragment.address.linkLocal': {
    en: 'a link-local (this includes cloud metadata services) address',
    de: 'eine link-lokale Adresse (dazu gehören Metadatendienste von Clouds)',
  },
  'fragment.address.uniqueLocal': { en: 'a unique-local (private IPv6) address', de: 'eine unique-local-Adresse (privates IPv6)' },
  'fragment.address.unspecified': { en: 'an unspecified (0.0.0.0 / ::) address', de: 'eine unbestimmte Adresse (0.0.0.0 / ::)' },
  'fragment.address.multicast': { en: 'a multicast address', de: 'eine Multicast-Adresse' },
  'fragment.address.broadcast': { en: 'a broadcast address', de: 'eine Broadcast-Adresse' },
  'fragment.address.carrierGradeNat': { en: 'a carrier-grade NAT (shared private) address', de: 'eine Carrier-Grade-NAT-Adresse (geteilt privat)' },
  'fragment.address.reserved': { en: 'a reserved address', de: 'eine reservierte Adresse' },
  'fragment.address.other': { en: 'a non-public ({range}) address', de: 'eine nicht öffentliche Adresse ({range})' },
  'fragment.parser_exited': { en: 'the parser exited with {how}', de: 'der Leseprozess endete mit {how}' },
  'fragment.parser_limit.heap': { en: 'heap limit', de: 'Heap-Grenze' },
  'fragment.parser_limit.resident': { en: 'memory limit', de: 'Speichergrenze' },
  'fragment.hub_at': { en: ' at {url}', de: ' unter {url}' },
  'fragment.checkpoint': { en: 'the checkpoint', de: 'dem Checkpoint' },
  'fragment.from_config': { en: 'from config.json', de: 'laut config.json' },
  'fragment.from_quantize_config': {
    en: "for this config; the checkpoint does not match its quantize_config.json",
    de: 'für diese Konfiguration; der Checkpoint passt nicht zu seiner quantize_config.json',
  },
  'fragment.expected_float': { en: 'expected a float type', de: 'erwartet ist ein Gleitkommatyp' },
  'fragment.expected_int32': { en: 'AutoGPTQ stores it as I32', de: 'AutoGPTQ speichert ihn als I32' },
  'fragment.supports_llama': { en: 'beleg runs only LlamaForCausalLM checkpoints', de: 'beleg führt nur Checkpoints vom Typ LlamaForCausalLM aus' },
  'fragment.supports_silu': { en: 'beleg supports only silu', de: 'beleg unterstützt nur silu' },
  'fragment.supports_gptq': { en: 'beleg runs only GPTQ checkpoints', de: 'beleg führt nur GPTQ-Checkpoints aus' },
  'fragment.supports_bits': { en: 'beleg supports GPTQ checkpoints with bits 4 or 8', de: 'beleg unterstützt GPTQ-Checkpoints mit bits 4 oder 8' },
  'fragment.supports_group_size': { en: 'it must be -1 or positive', de: 'er muss -1 oder positiv sein' },
  'fragment.supports_gptq_format': {
    en: "beleg reads AutoGPTQ's 'gptq' format only (not gptq_v2 or marlin)",
    de: "beleg liest nur das Format 'gptq' von AutoGPTQ (nicht gptq_v2 oder marlin)",
  },
  'fragment.eval_file.squad': { en: 'the SQuAD file', de: 'Die SQuAD-Datei' },
  'fragment.eval_file.report': { en: 'the report', de: 'Der Bericht' },
  'fragment.eval_file.gates': { en: 'the gates file', de: 'Die Schwellenwert-Datei' },
  'fragment.report_hint': { en: " Pass a report.json written by 'beleg eval'.", de: " Geben Sie eine report.json an, die 'beleg eval' geschrieben hat." },
  'fragment.reply.not_json': { en: 'a body that is not JSON: {text}', de: 'einen Inhalt, der kein JSON ist: {text}' },
  'fragment.reply.empty_stream': { en: 'an empty stream', de: 'einen leeren Datenstrom' },
  'fragment.reply.generation_error': { en: 'an error during generation: {reason}', de: 'einen Fehler beim Erzeugen: {reason}' },
  'fragment.reply.unreadable_part': { en: 'a {part} beleg cannot read: {text}', de: 'ein Stück ({part}), das beleg nicht lesen kann: {text}' },
  'fragment.reply.part_not_json': { en: 'a {part} that is not JSON: {text}', de: 'ein Stück ({part}), das kein JSON ist: {text}' },
  'fragment.reply.stream_unfinished': { en: 'a stream that ended {how}', de: 'einen Datenstrom, der endete {how}' },
  'fragment.reply.without_done': { en: 'without [DONE]', de: 'ohne [DONE]' },
  'fragment.reply.before_final_event': { en: 'before its final event', de: 'vor seinem letzten Ereignis' },
  'fragment.reply.missing_field': { en: 'a {what} without {field} ({problem})', de: 'eine Antwort ({what}) ohne {field} ({problem})' },
} as const satisfies Record<string, { readonly en: string; readonly de: string }>;
