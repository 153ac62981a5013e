/**
 * Copies a file that is never changed in place (a LanceDB data file, a saved upload) by giving it
 * a second name where the file system allows (instant, no extra space, and the copy stays whole
 * even if the original name is deleted a moment later), else by copying its bytes.
 */
import { copyFileSync, constants, linkSync } from 'node:fs';

/** Hard-links `source` to `target`, or copies it when they are on different file systems. */
export function linkOrCopyFile(source: string, target: string): void {
  try {
    linkSync(source, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EXDEV: another file system; EPERM/ENOTSUP/EMLINK: no hard links here.
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw error;
    copyFileSync(source, target, constants.COPYFILE_FICLONE);
  }
}
