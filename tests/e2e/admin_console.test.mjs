// Browser test of the console's Users page, the inbox's notification and tone, closed
// cases, and accessibility: axe-core (WCAG 2.1 A and AA rules) on every page, failing on
// serious or critical violations; the dashboard and a case page at tablet width.
//
//   BUURTLIJN_BIN=build/debug/gateway/buurtlijn BUURTLIJN_ARTIFACTS=build/debug/e2e-artifacts \
//     node --test --test-reporter=spec tests/e2e/admin_console.test.mjs
//
// Seeds a waste report in the Binnenstad and one outside every area with `buurtlijn cases
// report`, creates a coordinator and an inspector, starts `buurtlijn serve` and drives
// Chromium. Screenshots (console-*.png) and the server log land in BUURTLIJN_ARTIFACTS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, CHROMIUM_ARGS, run, Server, withTimeout } from './console_harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = process.env.BUURTLIJN_BIN;
const ARTIFACTS = path.resolve(process.env.BUURTLIJN_ARTIFACTS || path.join(here, 'artifacts'));
const WAIT_MS = 60_000;
const TEST_TIMEOUT_MS = 180_000;
const PASSWORD = 'een lang en geheim wachtwoord';
const TABLET = { width: 768, height: 1024 };
const DESKTOP = { width: 1024, height: 768 };

describe('the console: users, inbox signals, closed cases, accessibility', { skip: !BIN && 'BUURTLIJN_BIN is not set', timeout: 8 * TEST_TIMEOUT_MS }, () => {
  let server;
  let dataDir;
  let profileDir;
  let context;
  let page;
  let chat;
  let base;
  let wasteCase = 0;
  let axeSource = '';
  const pageProblems = [];

  async function shot(name, on = page) {
    await on.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
  }

  async function step(name, fn) {
    try {
      await fn();
    } catch (error) {
      if (page) {
        await withTimeout(page.screenshot({ path: path.join(ARTIFACTS, `console-failure-${name}.png`) }),
          10_000, 'failure screenshot').catch(() => {});
      }
      throw error;
    }
  }

  async function login(name, password = PASSWORD) {
    await context.clearCookies();
    await page.goto(`${base}/admin/login`);
    await page.getByLabel('Gebruikersnaam').fill(name);
    await page.getByLabel('Wachtwoord').fill(password);
    await page.getByRole('button', { name: 'Inloggen' }).click();
  }

  // axe-core on the page as it is: WCAG 2.0/2.1 A and AA rules; serious and critical
  // violations fail the test (listed with their elements).
  async function accessible(name) {
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    }));
    assert.ok(result.passes.length > 10, `${name}: axe checked the page (${result.passes.length} rules passed)`);
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    const described = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n    ')}`);
    assert.deepEqual(described, [], `${name}: accessibility violations`);
  }

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const require = createRequire(import.meta.url);
    axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
    dataDir = await mkdtemp(path.join(tmpdir(), 'buurtlijn-e2e-console-'));
    profileDir = await mkdtemp(path.join(tmpdir(), 'buurtlijn-e2e-console-chromium-'));
    const bin = path.resolve(BIN);
    for (const [name, role] of [['coordinator', 'coordinator'], ['inspecteur', 'enforcement']]) {
      const added = await run(bin, ['admin', 'add-user', '--name', name, '--role', role, '--data-dir', dataDir], `${PASSWORD}\n`);
      assert.equal(added.code, 0, `admin add-user: ${added.stderr}`);
    }
    const source = path.resolve(here, '..', '..');
    const imported = await run(bin, ['areas', 'import', '--geojson', path.join(source, 'data/areas/deventer-illustrative.geojson'),
      '--postcodes', path.join(source, 'data/areas/deventer-illustrative-postcodes.csv'), '--data-dir', dataDir], '');
    assert.equal(imported.code, 0, `areas import: ${imported.stderr}`);
    const outside = await run(bin, ['cases', 'report', '--category', 'noise', '--lat', '52.0',
      '--lon', '5.0', '--address', 'Elders 1', '--language', 'nl', '--data-dir', dataDir], '');
    assert.equal(outside.code, 0, `cases report outside the areas: ${outside.stderr}`);
    const made = await run(bin, ['cases', 'report', '--category', 'waste_beside_container', '--lat', '52.2553',
      '--lon', '6.1639', '--address', 'Brink 1', '--language', 'nl', '--data-dir', dataDir], '');
    assert.equal(made.code, 0, `cases report: ${made.stderr}`);
    const result = JSON.parse(made.stdout.trim().split('\n').pop());
    wasteCase = result.case ?? result.case_id;

    server = new Server(bin, dataDir);
    process.once('exit', () => { try { server.child?.kill('SIGKILL'); } catch { /* gone */ } });
    base = `http://127.0.0.1:${await server.start()}`;
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000,
      viewport: DESKTOP, locale: 'nl-NL',
    });
    context.setDefaultTimeout(WAIT_MS);
    // Records what the inbox page does to get attention (the test's own instrument).
    await context.addInitScript(() => {
      window.__signals = { notifications: [], tones: 0 };
      const Original = window.Notification;
      if (Original) {
        class Recorded extends Original {
          constructor(title, options) {
            super(title, options);
            window.__signals.notifications.push(title);
          }
        }
        Object.defineProperty(Recorded, 'permission', { get: () => Original.permission });
        Recorded.requestPermission = (...args) => Original.requestPermission(...args);
        window.Notification = Recorded;
      }
      const start = OscillatorNode.prototype.start;
      OscillatorNode.prototype.start = function recordedStart(...args) {
        window.__signals.tones += 1;
        return start.apply(this, args);
      };
    });
    page = context.pages()[0] ?? await context.newPage();
    for (const [label, watched] of [['console', page]]) {
      watched.on('pageerror', (error) => pageProblems.push(`${label} uncaught: ${error.message}`));
      watched.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
          pageProblems.push(`${label} CSP: ${message.text()}`);
        }
      });
    }
  }, { timeout: 180_000 });

  after(async () => {
    if (context) await withTimeout(context.close(), 20_000, 'closing Chromium').catch(() => {});
    if (server) {
      await server.stop().catch(() => {});
      await writeFile(path.join(ARTIFACTS, 'console-server.log'), server.log.join('\n') + '\n').catch(() => {});
    }
    for (const dir of [profileDir, dataDir]) {
      if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
    }
  }, { timeout: 60_000 });

  test('the login page is accessible', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('login', async () => {
      await page.goto(`${base}/admin/login`);
      await accessible('login');
      await shot('console-login.png');
    });
  });

  test('the coordinator adds, disables and re-enables a user; others get 403', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('users', async () => {
      await login('inspecteur');
      await page.waitForURL(/\/admin\/cases$/);
      const refused = await page.goto(`${base}/admin/users`);
      assert.equal(refused.status(), 403, 'an inspector may not manage users');

      await login('coordinator');
      await page.waitForURL(/\/admin\/inbox$/);
      await page.getByRole('link', { name: 'Gebruikers' }).click();
      await page.getByRole('heading', { level: 1, name: 'Gebruikers' }).waitFor();
      await accessible('users');
      await page.getByLabel('Gebruikersnaam', { exact: true }).fill('nieuw');
      await page.getByLabel('Rol').selectOption('buurtmaker');
      await page.getByLabel('Maak een eenmalig wachtwoord').check();
      await page.getByRole('button', { name: 'Toevoegen' }).click();
      const once = (await page.locator('#one-time-password').innerText()).trim();
      assert.ok(once.length >= 12, 'a one-time password is shown');
      const row = page.locator('#users-table tr[data-user="nieuw"]');
      assert.match(await row.innerText(), /Buurtmaker[\s\S]*Actief[\s\S]*Nog nooit/);
      await shot('console-users.png');

      await login('nieuw', once);
      await page.waitForURL(/\/admin\/inbox$/);

      await login('coordinator');
      await page.goto(`${base}/admin/users`);
      await page.getByRole('link', { name: 'nieuw', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Gebruiker nieuw' }).waitFor();
      await accessible('user');
      await shot('console-user.png');
      await page.getByRole('button', { name: 'Uitschakelen' }).click();
      await page.getByRole('status').filter({ hasText: 'uitgeschakeld' }).waitFor();
      assert.equal((await page.locator('#user-state').innerText()).trim(), 'Uitgeschakeld');

      await login('nieuw', once);
      await page.getByRole('alert').filter({ hasText: 'klopt niet' }).waitFor();

      await login('coordinator');
      await page.goto(`${base}/admin/audit`);
      await page.locator('tr', { hasText: 'user.disable' }).first().waitFor();
      assert.match(await page.locator('tr', { hasText: 'user.add' }).first().innerText(), /user nieuw/);
      await accessible('audit');
    });
  });

  test('a new hand-over gives a browser notification and a tone on the open inbox', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('inbox-signal', async () => {
      await context.grantPermissions(['notifications'], { origin: base });
      await page.goto(`${base}/admin/inbox`);
      await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
      await page.locator('body').click();  // a touch of the page lets it make sound
      await accessible('inbox');
      await page.waitForFunction(() => document.getElementById('inbox-count') !== null);
      await page.waitForTimeout(1500);  // the first poll: what is waiting now is known

      chat = await context.newPage();
      await chat.setViewportSize({ width: 360, height: 740 });
      const languages = await (await fetch(`${base}/webchat/languages.json`)).json();
      const ui = languages.languages.find((l) => l.code === 'ro').ui;
      await chat.goto(`${base}/`);
      await chat.getByRole('button', { name: 'Română', exact: true }).click();
      await chat.locator('#log > .bot[lang="ro"]').first().waitFor();
      // The menu is the answer to "meniu", not whatever bot message was last before it
      // arrived (a stale "last" could press a button of the welcome message).
      const before = await chat.locator('#log > .bot').count();
      await chat.getByRole('textbox', { name: ui.placeholder, exact: true }).fill('meniu');
      await chat.getByRole('button', { name: ui.send, exact: true }).click();
      const menu = chat.locator('#log > .bot').nth(before).locator('button.choice');
      await menu.nth(4).waitFor();
      await menu.nth(4).click();

      await page.waitForFunction(() => window.__signals.notifications.length > 0, null, { timeout: 20_000 });
      const signals = await page.evaluate(() => window.__signals);
      assert.deepEqual(signals.notifications, ['Buurtlijn: nieuw gesprek in de inbox']);
      assert.ok(signals.tones >= 1, 'a tone was played');
      await page.locator('#inbox-count', { hasText: '1' }).waitFor();
      assert.match(await page.title(), /^\(1\) /, 'the tab title counts what waits');
      await page.getByRole('link', { name: 'Lijst vernieuwen' }).waitFor();
      await chat.close();
      chat = null;
      await page.getByRole('link', { name: 'Lijst vernieuwen' }).click();
      await page.locator('#inbox-table tbody tr').first().waitFor();
      assert.match(await page.locator('#inbox-table tbody tr').first().innerText(), /Onbekend/, 'the area column');
      await shot('console-inbox.png');
    });
  });

  test('closed cases are listed with their outcome; refusals are in words', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('closed', async () => {
      await page.goto(`${base}/admin/case?id=${wasteCase}`);
      await accessible('case');
      await page.getByRole('button', { name: 'Naar: Beoordeeld' }).click();
      await page.getByRole('status').filter({ hasText: 'verplaatst' }).waitFor();
      const close = page.locator('form.step', { has: page.getByRole('heading', { name: 'Gesloten' }) });
      await close.getByLabel('Uitkomst').selectOption('unfounded');
      await close.getByRole('button', { name: 'Naar: Gesloten' }).click();
      await page.getByRole('status').filter({ hasText: 'verplaatst' }).waitFor();
      assert.equal((await page.locator('#case-state').innerText()).trim(), 'Gesloten: Ongegrond');

      await page.goto(`${base}/admin/cases`);
      assert.equal(await page.getByRole('link', { name: String(wasteCase), exact: true }).count(), 0,
        'a closed case is not in the open queue');
      await accessible('cases');
      await page.getByLabel('Stap').selectOption('closed');
      await page.getByRole('button', { name: 'Filteren' }).click();
      await page.waitForURL(/state=closed/);
      const row = page.locator('tr', { has: page.getByRole('link', { name: String(wasteCase), exact: true }) });
      assert.match(await row.innerText(), /Gesloten: Ongegrond/);
      await shot('console-cases-closed.png');
    });
  });

  test('the dashboard map and the pages at tablet width', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('tablet', async () => {
      await page.goto(`${base}/admin/dashboard`);
      await page.locator('svg.map path.area').first().waitFor();
      // One path per wijk of the illustrative map; the Binnenstad holds the waste report.
      assert.equal(await page.locator('svg.map path.area').count(), 5);
      assert.equal(await page.locator('svg.map path.area.c5').count(), 1);
      assert.equal(await page.locator('svg.map path.area.c5').getAttribute('data-code'), 'WK015001');
      assert.equal(await page.locator('#map-unknown').getAttribute('data-count'), '1', 'the report outside every area');
      await accessible('dashboard');
      await page.goto(`${base}/admin/content`);
      await accessible('content');
      await page.setViewportSize(TABLET);
      await page.goto(`${base}/admin/dashboard`);
      await page.locator('svg.map').waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= TABLET.width, `no sideways scrolling at tablet width (page is ${width}px)`);
      await shot('console-dashboard-tablet.png');
      await page.goto(`${base}/admin/case?id=${wasteCase}`);
      await shot('console-case-tablet.png');
      await page.setViewportSize(DESKTOP);
    });
  });

  test('no CSP violations or page errors', () => {
    assert.deepEqual(pageProblems, []);
  });
});
