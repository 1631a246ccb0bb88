// Browser test of the web chat against the real server.
//
//   BUURTLIJN_BIN=build/gateway/buurtlijn BUURTLIJN_ARTIFACTS=build/e2e-artifacts \
//     node --test --test-reporter=spec tests/e2e/
//
// Starts `buurtlijn serve` on a free port with a fresh data directory, drives Debian's
// Chromium through playwright-core (it never downloads a browser) on a phone-sized
// screen, and leaves screenshots (webchat-ro.png, webchat-ar.png, and one per failed
// step) plus the server's log in BUURTLIJN_ARTIFACTS.
// Every wait is bounded; the server and the browser are stopped in `after` even when a
// step fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = process.env.BUURTLIJN_BIN;
const ARTIFACTS = path.resolve(process.env.BUURTLIJN_ARTIFACTS || path.join(here, 'artifacts'));
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const START_TIMEOUT_MS = 30_000;   // server up and listening
const STOP_TIMEOUT_MS = 10_000;    // SIGTERM, then SIGKILL
const WAIT_MS = 20_000;            // any single thing the page should show
const TEST_TIMEOUT_MS = 120_000;

const LANGUAGE_ORDER = ['nl', 'en', 'bg', 'ro', 'uk', 'de', 'fr', 'es', 'it', 'pt', 'ar', 'pl',
  'zh', 'fa', 'hi', 'ti'];

// Resolves with the promise's value, or rejects after `ms` with `what` in the message.
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// --- the server ----------------------------------------------------------------------

class Server {
  constructor(bin, dataDir) {
    this.bin = bin;
    this.dataDir = dataDir;
    this.child = null;
    this.log = [];        // every line it printed, stdout and stderr, for the artifacts
    this.port = 0;
  }

  record(stream, line) {
    if (this.log.length < 20_000) this.log.push(`${stream}: ${line}`);
  }

  async start() {
    const child = spawn(this.bin,
      ['serve', '--listen', '127.0.0.1:0', '--data-dir', this.dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    readline.createInterface({ input: child.stderr }).on('line', (l) => this.record('stderr', l));
    const lines = readline.createInterface({ input: child.stdout });

    this.port = await withTimeout(new Promise((resolve, reject) => {
      // Keeps reading after the port is known, so the pipe never fills up.
      lines.on('line', (line) => {
        this.record('stdout', line);
        let event;
        try { event = JSON.parse(line); } catch { return; }
        if (event && event.event === 'listening') {
          const port = event.port ?? event.fields?.port;
          if (Number.isInteger(port) && port > 0) resolve(port);
        }
      });
      child.once('error', reject);
      this.exited.then(({ code, signal }) => reject(new Error(
        `buurtlijn exited (${code ?? signal}) before listening:\n${this.log.slice(-30).join('\n')}`)));
    }), START_TIMEOUT_MS, 'buurtlijn to log {"event":"listening","port":…}');
    return this.port;
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    try {
      await withTimeout(this.exited, STOP_TIMEOUT_MS, 'buurtlijn to stop after SIGTERM');
    } catch {
      child.kill('SIGKILL');
      await withTimeout(this.exited, STOP_TIMEOUT_MS, 'buurtlijn to die after SIGKILL').catch(() => {});
    }
  }
}

// --- the test ----------------------------------------------------------------------

describe('web chat in a phone browser', { skip: !BIN && 'BUURTLIJN_BIN is not set', timeout: 6 * TEST_TIMEOUT_MS }, () => {
  let server;
  let dataDir;
  let profileDir;
  let context;
  let page;
  let base;
  let languages;        // languages.json as the server serves it
  let ui;               // code -> ui strings
  let token = '';
  const pageProblems = [];   // uncaught errors and Content-Security-Policy violations
  const consoleErrors = [];

  // Runs one step; on failure leaves a screenshot named after it and rethrows.
  async function step(name, fn) {
    try {
      await fn();
    } catch (error) {
      if (page) {
        await withTimeout(page.screenshot({ path: path.join(ARTIFACTS, `webchat-failure-${name}.png`) }),
          10_000, 'failure screenshot').catch(() => {});
      }
      throw error;
    }
  }

  // The first bot message after `bubble` (a user's message): the answer to it, even
  // when the server also re-sends older messages meanwhile.
  async function replyTo(bubble) {
    const reply = bubble.locator('xpath=following-sibling::div[contains(concat(" ", normalize-space(@class), " "), " bot ")][1]');
    await reply.waitFor({ timeout: WAIT_MS });
    return reply;
  }



  async function attribute(selector, name) {
    return page.locator(selector).getAttribute(name);
  }

  // No part of the page may be wider than a 360 px phone.
  async function assertNoHorizontalScroll() {
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      view: window.innerWidth,
    }));
    assert.ok(widths.page <= widths.view, `page is ${widths.page} px wide on a ${widths.view} px screen`);
  }

  // Types text, sends it, and waits until the server acked it; returns the bubble.
  async function sendText(code, text) {
    const input = page.getByRole('textbox', { name: ui[code].placeholder, exact: true });
    await input.fill(text);
    await page.getByRole('button', { name: ui[code].send, exact: true }).click();
    const bubble = page.locator('#log > .user', { hasText: text }).last();
    await bubble.waitFor({ timeout: WAIT_MS });
    await page.locator('#log > .user[data-state="sent"]', { hasText: text }).last()
      .waitFor({ timeout: WAIT_MS });
    assert.equal(await input.inputValue(), '', 'the input is emptied after sending');
    return replyTo(bubble);
  }

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    dataDir = await mkdtemp(path.join(tmpdir(), 'buurtlijn-e2e-data-'));
    profileDir = await mkdtemp(path.join(tmpdir(), 'buurtlijn-e2e-chromium-'));

    server = new Server(path.resolve(BIN), dataDir);
    // Should this process be stopped from outside, the server must not outlive it.
    const kill = () => { try { server.child?.kill('SIGKILL'); } catch { /* gone */ } };
    process.once('exit', kill);
    for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => { kill(); process.exit(1); });
    const port = await server.start();
    base = `http://127.0.0.1:${port}`;

    const response = await withTimeout(fetch(`${base}/webchat/languages.json`), WAIT_MS, 'languages.json');
    assert.equal(response.status, 200, 'GET /webchat/languages.json');
    languages = await response.json();
    ui = Object.fromEntries(languages.languages.map((l) => [l.code, l.ui]));

    let chromium;
    try {
      ({ chromium } = await import('playwright-core'));
    } catch (error) {
      throw new Error(`playwright-core is not installed: run scripts/setup (npm ci in tests/e2e): ${error.message}`);
    }
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      timeout: 60_000,
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'nl-NL',
    });
    context.setDefaultTimeout(WAIT_MS);
    context.setDefaultNavigationTimeout(30_000);
    page = context.pages()[0] ?? await context.newPage();
    page.on('pageerror', (error) => pageProblems.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      if (/Content Security Policy|Refused to/i.test(text)) pageProblems.push(`CSP: ${text}`);
      else consoleErrors.push(text);
    });
  }, { timeout: 120_000 });

  after(async () => {
    if (context) await withTimeout(context.close(), 20_000, 'closing Chromium').catch(() => {});
    if (server) {
      await server.stop().catch(() => {});
      await writeFile(path.join(ARTIFACTS, 'webchat-server.log'), server.log.join('\n') + '\n')
        .catch(() => {});
    }
    if (consoleErrors.length) {
      await writeFile(path.join(ARTIFACTS, 'webchat-console-errors.log'), consoleErrors.join('\n') + '\n')
        .catch(() => {});
    }
    for (const dir of [profileDir, dataDir]) {
      if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
    }
  }, { timeout: 60_000 });

  test('languages.json lists the 16 languages with their ui strings', () => {
    assert.deepEqual(languages.languages.map((l) => l.code), LANGUAGE_ORDER);
    for (const l of languages.languages) {
      assert.equal(l.dir, l.code === 'ar' || l.code === 'fa' ? 'rtl' : 'ltr', `dir of ${l.code}`);
      for (const key of ['title', 'choose_language', 'change_language', 'placeholder', 'send']) {
        assert.ok(typeof l.ui?.[key] === 'string' && l.ui[key].length > 0, `${l.code}.ui.${key}`);
      }
    }
  });

  test('Română: pick the language, press a button, type a message, get answers', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('ro-open', async () => {
      await page.goto(`${base}/`, { waitUntil: 'domcontentloaded' });
      // Before a choice the page speaks the browser's language (nl-NL here).
      await page.locator('#language-list button').nth(15).waitFor();
      assert.equal(await attribute('html', 'lang'), 'nl');
      assert.equal(await page.locator('#title').textContent(), ui.nl.title);
      const picker = page.getByRole('region', { name: ui.nl.choose_language, exact: true });
      await picker.waitFor();
      const buttons = await page.locator('#language-list button').evaluateAll((list) =>
        list.map((b) => ({ lang: b.lang, dir: b.dir, name: b.textContent.trim() })));
      assert.deepEqual(buttons, languages.languages.map((l) => ({ lang: l.code, dir: l.dir, name: l.name })));
      await assertNoHorizontalScroll();
    });

    await step('ro-pick', async () => {
      await page.getByRole('button', { name: 'Română', exact: true }).click();
      const welcome = page.locator('#log > .bot[lang="ro"]').first();
      await welcome.waitFor();
      await welcome.locator('button.choice').first().waitFor();
      assert.equal(await welcome.getAttribute('dir'), 'ltr');
      assert.equal(await attribute('html', 'lang'), 'ro');
      assert.equal(await page.locator('#title').textContent(), ui.ro.title);
      await page.getByRole('textbox', { name: ui.ro.placeholder, exact: true }).waitFor();
      token = await page.evaluate(() => localStorage.getItem('buurtlijn.token'));
      assert.ok(token, 'the token from "ready" is kept in localStorage');
      assert.equal(await page.evaluate(() => localStorage.getItem('buurtlijn.language')), 'ro');
    });

    await step('ro-button', async () => {
      const welcome = page.locator('#log > .bot[lang="ro"]').first();
      const button = welcome.locator('button.choice').first();
      const label = (await button.textContent()).trim();
      await button.click();
      const bubble = page.locator('#log > .user', { hasText: label }).last();
      await page.locator('#log > .user[data-state="sent"]', { hasText: label }).last().waitFor();
      await replyTo(bubble);
      assert.ok(await button.isDisabled(), 'buttons of older messages are disabled');
    });

    await step('ro-type', async () => {
      const reply = await sendText('ro', 'Cum mă înregistrez la primărie?');
      assert.equal(await reply.getAttribute('lang'), 'ro');
      assert.ok((await reply.textContent()).trim().length > 0, 'the reply has text');
      await assertNoHorizontalScroll();
      await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-ro.png') });
    });
  });

  test('العربية: changing the language turns the chat right-to-left', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('ar-change', async () => {
      await page.getByRole('button', { name: ui.ro.change_language, exact: true }).click();
      await page.getByRole('button', { name: 'العربية', exact: true }).click();
      await page.locator('#chat[dir="rtl"]').waitFor();
      const direction = await page.locator('#chat').evaluate((el) => getComputedStyle(el).direction);
      assert.equal(direction, 'rtl');
      assert.equal(await attribute('#chat', 'dir'), 'rtl');
      assert.equal(await attribute('html', 'lang'), 'ar');
      assert.equal(await attribute('html', 'dir'), 'rtl');
      await page.getByRole('textbox', { name: ui.ar.placeholder, exact: true }).waitFor();

      const welcome = await replyTo(page.locator('#log > .user[lang="ar"]', { hasText: 'العربية' }).last());
      assert.equal(await welcome.getAttribute('lang'), 'ar');
      assert.equal(await welcome.getAttribute('dir'), 'rtl');
      assert.equal(await page.evaluate(() => localStorage.getItem('buurtlijn.language')), 'ar');
      await assertNoHorizontalScroll();
      await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-ar.png') });
    });
  });

  test('reload: the conversation resumes with its token and language', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('reload', async () => {
      await page.reload({ waitUntil: 'domcontentloaded' });
      const input = page.getByRole('textbox', { name: ui.ar.placeholder, exact: true });
      await input.waitFor();
      assert.equal(await attribute('#chat', 'dir'), 'rtl');
      assert.ok(await page.locator('#picker').isHidden(), 'no language picker after a reload');

      const reply = await sendText('ar', 'كيف أسجل في البلدية؟');
      assert.equal(await reply.getAttribute('lang'), 'ar');
      assert.equal(await reply.getAttribute('dir'), 'rtl');
      assert.equal(await page.evaluate(() => localStorage.getItem('buurtlijn.token')), token,
        'the same token resumes the same conversation');
      assert.ok(await page.locator('#picker').isHidden(), 'still no language picker');
    });
  });

  test('the page ran without script errors or Content-Security-Policy violations', () => {
    assert.deepEqual(pageProblems, []);
  });
});
