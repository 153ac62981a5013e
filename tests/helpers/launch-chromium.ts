/**
 * Launches the headless Chromium the browser tests drive. The browser comes from the
 * `@sparticuz/chromium` npm package (a Chromium build inside the package, unpacked into the temp
 * directory on first use), so `npm ci && npm test` needs nothing installed by hand and CI tests
 * the same browser as a fresh machine. playwright-core only drives it; it never downloads one.
 */
import sparticuzChromium from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

/** Flags for a headless browser in a container: no sandbox, GPU, network chatter or first-run UI. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export async function launchChromium(): Promise<Browser> {
  const executablePath = await sparticuzChromium.executablePath();
  return chromium.launch({ executablePath, headless: true, args: FLAGS });
}
