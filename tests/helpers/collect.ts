/** Reads a stream of parts to the end; `onPart` sees each part as it arrives. */
export async function collect<T>(parts: AsyncIterable<T>, onPart?: (part: T) => void): Promise<T[]> {
  const result: T[] = [];
  for await (const part of parts) {
    result.push(part);
    onPart?.(part);
  }
  return result;
}
