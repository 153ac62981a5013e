/**
 * Builds the hostile-document corpus for tests/hostile-documents.test.ts: broken, malicious and
 * mislabelled files, each small to build (the largest, a 50 MB HTML page, is one repeated string).
 * PDFs are written by hand so that they can lie about their structure in ways no PDF library
 * would write.
 */
import { deflateSync } from 'node:zlib';
import { seededRandom } from '../../src/eval/bootstrap.ts';

/** One hostile input: a file name and its bytes. */
export type HostileDocument = { name: string; fileName: string; bytes: Uint8Array };

const encoder = new TextEncoder();

/**
 * A PDF from numbered object bodies (object n is `objects[n - 1]`), with a correct cross-reference
 * table, so that only the objects themselves are hostile. Strings are Latin-1; Uint8Array parts go
 * in unchanged (stream data).
 */
export function rawPdf(objects: (string | Uint8Array)[][]): Uint8Array {
  const parts: Uint8Array[] = [latin1('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(length);
    for (const part of [`${index + 1} 0 obj\n`, ...body, '\nendobj\n']) {
      const bytes = typeof part === 'string' ? latin1(part) : part;
      parts.push(bytes);
      length += bytes.length;
    }
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`)];
  parts.push(latin1(`${xref.join('')}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`));
  return concat(parts);
}

/** A stream object body: its dictionary entries (without Length) and data. */
export function streamObject(dictionary: string, data: Uint8Array): (string | Uint8Array)[] {
  return [`<< ${dictionary} /Length ${data.length} >>\nstream\n`, data, '\nendstream'];
}

/** Objects 1–4 of a one-page PDF (catalog, page tree, page, font); the page's content is object 5. */
function onePage(pagesBody = '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', resources = ''): string[][] {
  return [
    ['<< /Type /Catalog /Pages 2 0 R >>'],
    [pagesBody],
    [`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> ${resources} >> /Contents 5 0 R >>`],
    ['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'],
  ];
}

const TEXT_CONTENT = latin1('BT /F1 12 Tf 72 700 Td (Der Rhein ist ein Strom in Mitteleuropa.) Tj ET');

/** A page tree that declares 10^6 pages: a million references to one page object (≈7 MB). */
export function millionPagePdf(): Uint8Array {
  const kids = '3 0 R '.repeat(1_000_000);
  return rawPdf([...onePage(`<< /Type /Pages /Kids [${kids}] /Count 1000000 >>`), streamObject('', TEXT_CONTENT)]);
}

/** A page tree whose node lists itself as its own child. */
export function selfReferencingPageTreePdf(): Uint8Array {
  return rawPdf([...onePage('<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>'), streamObject('', TEXT_CONTENT)]);
}

/** A form XObject that draws itself: unbounded recursion for a naive text extractor. */
export function selfDrawingFormPdf(): Uint8Array {
  const form = streamObject('/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /X 6 0 R >> >>', latin1('/X Do'));
  return rawPdf([...onePage(undefined, '/XObject << /X 6 0 R >>'), streamObject('', latin1('/X Do')), form]);
}

/** An object stream that claims a million objects and a content stream made of it. */
export function hugeObjectStreamPdf(): Uint8Array {
  const objectStream = streamObject('/Type /ObjStm /N 1000000 /First 12', latin1('7 0 8 3 9 6 << >> << >> << >>'));
  return rawPdf([...onePage(), streamObject('', TEXT_CONTENT), objectStream]);
}

/**
 * A FlateDecode stream of ~`inflatedBytes` zero bytes: by default the embedded font file of the
 * page's font (pdf.js inflates it in one go while extracting text), or the page's content stream
 * (inflated byte by byte as it is read: slower to blow up). Written as raw deflate (one
 * fixed-Huffman block of length-258 back-references, 13 bits each), so a 2 GiB bomb costs
 * 13.5 MB and no compression work to build.
 */
export function compressionBombPdf(inflatedBytes = 2 * 1024 ** 3, where: 'font' | 'content' = 'font'): Uint8Array {
  const bomb = streamObject('/Filter /FlateDecode', zeroBomb(inflatedBytes));
  if (where === 'content') return rawPdf([...onePage(), bomb]);
  return rawPdf([
    ['<< /Type /Catalog /Pages 2 0 R >>'],
    ['<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
    ['<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>'],
    ['<< /Type /Font /Subtype /TrueType /BaseFont /Bombe /FirstChar 32 /LastChar 126 /FontDescriptor 6 0 R /Encoding /WinAnsiEncoding >>'],
    streamObject('', TEXT_CONTENT),
    ['<< /Type /FontDescriptor /FontName /Bombe /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 /FontFile2 7 0 R >>'],
    bomb,
  ]);
}

/** A zlib stream of `inflatedBytes` zeros built bit by bit (2 GiB in 13.5 MB): header, fixed-Huffman block, Adler-32. */
export function zeroBomb(inflatedBytes: number): Uint8Array {
  const matches = Math.floor((inflatedBytes - 1) / 258);
  const bits = new BitWriter(Math.ceil((3 + 8 + matches * 13 + 7) / 8) + 16);
  bits.write(1, 1); // BFINAL
  bits.write(1, 2); // BTYPE = 01, fixed Huffman
  bits.writeCode(0b00110000, 8); // literal 0x00
  for (let index = 0; index < matches; index++) {
    bits.writeCode(0b11000101, 8); // length code 285: 258 bytes
    bits.writeCode(0b00000, 5); // distance code 0: 1 byte back
  }
  bits.writeCode(0b0000000, 7); // end of block
  const body = bits.finish();
  const total = 1 + matches * 258;
  const adler = (((total % 65521) << 16) | 1) >>> 0; // Adler-32 of zeros: a = 1, b = n mod 65521
  return concat([new Uint8Array([0x78, 0x01]), body, new Uint8Array([adler >>> 24, (adler >>> 16) & 255, (adler >>> 8) & 255, adler & 255])]);
}

/** Writes a deflate bit stream: values LSB first, Huffman codes MSB first. */
class BitWriter {
  readonly #bytes: Uint8Array;
  #position = 0;
  #bit = 0;
  constructor(capacity: number) {
    this.#bytes = new Uint8Array(capacity);
  }
  write(value: number, count: number): void {
    for (let index = 0; index < count; index++) this.#push((value >>> index) & 1);
  }
  writeCode(code: number, length: number): void {
    for (let index = length - 1; index >= 0; index--) this.#push((code >>> index) & 1);
  }
  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#position + (this.#bit > 0 ? 1 : 0));
  }
  #push(bit: number): void {
    if (bit) this.#bytes[this.#position]! |= 1 << this.#bit;
    if (++this.#bit === 8) {
      this.#bit = 0;
      this.#position++;
    }
  }
}

/** A valid PDF cut at `fractions` of its length (all but the full file). */
export function truncations(pdf: Uint8Array, count: number): HostileDocument[] {
  return Array.from({ length: count }, (_, index) => {
    const offset = Math.floor(((index + 1) * pdf.length) / (count + 1));
    return { name: `truncated at ${offset} of ${pdf.length}`, fileName: `cut-${offset}.pdf`, bytes: pdf.slice(0, offset) };
  });
}

/** A valid PDF with `flips` bytes XOR-ed by a random value, from a seeded generator (repeatable). */
export function flippedBytes(pdf: Uint8Array, variants: number, flips: number, seed = 8): HostileDocument[] {
  const random = seededRandom(seed);
  return Array.from({ length: variants }, (_, variant) => {
    const bytes = pdf.slice();
    for (let index = 0; index < flips; index++) bytes[Math.floor(random() * bytes.length)]! ^= 1 + Math.floor(random() * 255);
    return { name: `${flips} flipped bytes #${variant}`, fileName: `flipped-${variant}.pdf`, bytes };
  });
}

/** A page of roughly `bytes` bytes of HTML (one paragraph repeated). */
export function hugeHtml(bytes: number): Uint8Array {
  const paragraph = '<p>Die Mosel mündet bei Koblenz in den Rhein.</p>\n';
  return latin1(`<!doctype html><html><body>${paragraph.repeat(Math.ceil(bytes / paragraph.length))}</body></html>`);
}

/** HTML nested `depth` elements deep. */
export function deeplyNestedHtml(depth: number): Uint8Array {
  return latin1(`<html><body>${'<div>'.repeat(depth)}Tief verschachtelt steht hier ein Satz.${'</div>'.repeat(depth)}</body></html>`);
}

/** Bytes that are not UTF-8: lone continuation bytes, overlongs, surrogates, 0xFF. */
export function invalidUtf8(): Uint8Array {
  return concat([encoder.encode('Gültiger Anfang. '), new Uint8Array([0x80, 0xbf, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xff, 0xfe, 0xf8, 0x88]), encoder.encode(' Ende des Textes über Köln.')]);
}

/** Text with NUL bytes between its words. */
export function nulBytes(): Uint8Array {
  return encoder.encode('Der\0Satz\0enthält\0Nullbytes.\0\0\0 Dann folgt normaler Text über den Dom.');
}

/** A 1x1 PNG image. */
export function pngImage(): Uint8Array {
  return Uint8Array.from(
    Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'),
  );
}

/** A compressed stream of random bytes (deflateSync of noise: incompressible, binary garbage). */
export function randomBinary(size: number, seed = 3): Uint8Array {
  const random = seededRandom(seed);
  return deflateSync(Uint8Array.from({ length: size }, () => Math.floor(random() * 256)));
}

function latin1(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
