/**
 * The dashboard in a real headless browser: Debian's chromium driven by playwright-core against a
 * running server with seeded data. Skipped (with the reason) when /usr/bin/chromium is absent.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { ACCOUNT_NAMES, API_TOKEN, createFixture, RED_REASON, REPS, seed, type Fixture } from '../http/fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping the dashboard browser test: ${CHROMIUM} is not installed (apt-get install chromium)`);

describe.skipIf(!hasChromium)('dashboard in chromium', () => {
  let fx: Fixture;
  let server: RunningHttpServer;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    fx = await createFixture();
    await seed(fx.ctx);
    server = await startHttpServer(fx.ctx, { port: 0, expectWorkers: false });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    dir = await mkdtemp(join(tmpdir(), 'ap-dashboard-'));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fx?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the login form, then the seeded data as charts after logging in', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    // console errors other than the login page's own 401: CSP violations, missing assets
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().includes('status of 401')) consoleErrors.push(m.text());
    });

    const anonymous = await page.goto(`${server.url}/`);
    expect(anonymous?.status()).toBe(401);
    await page.fill('#token', API_TOKEN);
    await Promise.all([page.waitForURL(`${server.url}/`), page.click('button[type=submit]')]);
    expect(await page.locator('h1').first().textContent()).toBe('AccountPulse');

    // one bar per rep, each with its name and attainment
    expect(await page.locator('svg.rep-chart rect.rep-bar').count()).toBe(REPS.length);
    const ada = page.locator('svg.rep-chart g.row[data-subject="salesforce:005A"]');
    expect(await ada.locator('text.label').textContent()).toBe('Ada Lovelace');
    expect(await ada.locator('text.value').textContent()).toBe('82% · pace 164%');
    expect(await ada.locator('rect.rep-bar').getAttribute('data-attainment')).toBe('0.8200');
    // Alan Turing (105%) draws a longer bar than Grace Hopper (25%)
    const width = async (id: string) => Number(await page.locator(`svg.rep-chart g.row[data-subject="${id}"] rect.rep-bar`).getAttribute('width'));
    expect(await width('salesforce:005C')).toBeGreaterThan(await width('salesforce:005B'));
    expect(await page.locator('svg.team-chart rect.team-bar').count()).toBe(2);
    expect(await page.locator('svg.forecast-chart rect.forecast-bar').count()).toBe(4);

    // risk: the red account's reason, escaped names, alert title, cross-sell evidence
    await expect.poll(() => page.locator('#risk').textContent()).toContain(RED_REASON);
    expect(await page.locator('tr.risk-row.band-red').count()).toBe(2);
    expect(await page.locator('#risk').textContent()).toContain(ACCOUNT_NAMES[2]);
    expect(await page.locator('#risk img').count()).toBe(0);
    expect(await page.locator('#risk a', { hasText: 'Acme Corp' }).getAttribute('href')).toBe('https://acme.my.salesforce.com/001A');
    expect(await page.locator('.alert-title').allTextContents()).toEqual(['Acme Corp turned red (risk 82)']);
    expect(await page.locator('#cross-sell').textContent()).toContain('62% of accounts that own Core and API also own Analytics');
    expect(consoleErrors).toEqual([]);

    const file = join(dir, 'dashboard.png');
    await page.screenshot({ path: file, fullPage: true });
    const png = await readFile(file);
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.length).toBeGreaterThan(20_000);
    const imageWidth = png.readUInt32BE(16);
    const imageHeight = png.readUInt32BE(20);
    expect(imageWidth).toBe(1280);
    expect(imageHeight).toBeGreaterThan(800);

    // decode it in a blank page and count the colours: a rendered dashboard has many
    const blank = await browser.newPage();
    // (a string: the test is type-checked without DOM typings)
    const colours = await blank.evaluate(`(async () => {
      const img = new Image();
      img.src = 'data:image/png;base64,${png.toString('base64')}';
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const g = canvas.getContext('2d');
      g.drawImage(img, 0, 0);
      const data = g.getImageData(0, 0, img.width, img.height).data;
      const seen = new Set();
      for (let i = 0; i < data.length && seen.size < 1000; i += 4 * 7) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return seen.size;
    })()`);
    expect(colours).toBeGreaterThan(20);
  });

  it('renders empty states with no data', async () => {
    const empty = await createFixture();
    const emptyServer = await startHttpServer(empty.ctx, { port: 0, expectWorkers: false });
    try {
      const page = await browser.newPage();
      await page.goto(`${emptyServer.url}/?token=${API_TOKEN}`);
      expect(await page.locator('.empty').allTextContents()).toEqual([
        'No attainment for this period yet: it appears after the first sync of quotas and deals.',
        'No attainment for this period yet: it appears after the first sync of quotas and deals.',
        'No org-level forecast for this period yet.',
        'No churn scores yet.',
        'No account is amber or red.',
        'No cross-sell opportunity yet.',
        'No open alert.',
      ]);
    } finally {
      await emptyServer.close();
      await empty.cleanup();
    }
  });
});
