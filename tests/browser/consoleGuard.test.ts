/**
 * The browser harness's console guard: every browser test file ends with `close()`, which fails the file
 * when the page threw an uncaught exception or logged a console error at any point, so the whole browser
 * suite asserts a clean console (issue 13), not only the tests that look at `pageErrors` themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCleanConsole, openStudioPage, type BrowserStudio } from './browserHarness';

let h: BrowserStudio | undefined;

beforeAll(async () => {
  h = await openStudioPage();
});

afterAll(async () => {
  // the test below closes the studio itself; this only runs when it failed before that
  await h?.close().catch(() => undefined);
});

describe('the console guard of the browser harness', () => {
  it('passes a clean page and names each message of a page that logged errors', () => {
    expect(() => assertCleanConsole([])).not.toThrow();
    expect(() => assertCleanConsole(['boom\n    at stack line', 'second'])).toThrow(
      /2 uncaught exception\(s\) or console error\(s\)[^]*- boom\n {2}- second$/,
    );
  });

  it('fails close() after an uncaught exception and a console error in the real page', async () => {
    const studio = h!;
    expect(studio.pageErrors).toEqual([]);
    await studio.page.evaluate(() => {
      console.error('console error from the guard test');
      setTimeout(() => {
        throw new Error('uncaught exception from the guard test');
      }, 0);
    });
    await expect.poll(() => studio.pageErrors.length).toBe(2);
    h = undefined;
    await expect(studio.close()).rejects.toThrow(
      /console error from the guard test[^]*uncaught exception from the guard test/,
    );
  });
});
