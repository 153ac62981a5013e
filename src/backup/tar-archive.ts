/**
 * Tar archives for backups: the only code that imports `tar` (node-tar). Plain POSIX tar, no
 * owners or modes (portable), so a backup restores on any machine as the user who restores it.
 */
import * as tar from 'tar';

/** One entry of an archive as it was read. */
export type ArchiveEntry = { path: string; type: string; bytes: number };

/** Reading the archive failed (not a tar file, truncated, a damaged header); `entriesRead` says how far it got. */
export class ArchiveReadError extends Error {
  readonly entriesRead: readonly ArchiveEntry[];
  constructor(message: string, entriesRead: readonly ArchiveEntry[], cause: unknown) {
    super(message, { cause });
    this.entriesRead = entriesRead;
  }
}

/** Writes `entries` (paths relative to `directory`; directories with everything below) to a new tar `file`, in that order. */
export async function writeArchive(file: string, directory: string, entries: readonly string[]): Promise<void> {
  await tar.create({ file, cwd: directory, portable: true }, [...entries]);
}

/**
 * Extracts the archive `file` into `directory`, only the entries `accept` takes; returns every
 * entry read, in order, accepted or not. Throws ArchiveReadError when the archive cannot be read
 * to its end. Paths never leave `directory` (node-tar drops `..` and leading `/`), and entries
 * are written with the current user's default modes.
 */
export async function extractArchive(file: string, directory: string, accept: (entry: ArchiveEntry) => boolean): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  try {
    await tar.extract({
      file,
      cwd: directory,
      strict: true,
      preserveOwner: false,
      noChmod: true,
      filter: (entryPath, entry) => {
        const read: ArchiveEntry = { path: entryPath, type: 'type' in entry ? entry.type : 'File', bytes: 'size' in entry ? Number(entry.size) : 0 };
        entries.push(read);
        return accept(read);
      },
    });
  } catch (error) {
    throw new ArchiveReadError(error instanceof Error ? error.message : String(error), entries, error);
  }
  return entries;
}
