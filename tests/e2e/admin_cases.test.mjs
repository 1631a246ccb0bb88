// Browser test of the console's Cases pages (/admin/cases, /admin/case) against the
// real server.
//
//   BUURTLIJN_BIN=build/debug/gateway/buurtlijn BUURTLIJN_ARTIFACTS=build/debug/e2e-artifacts \
//     node --test --test-reporter=spec tests/e2e/admin_cases.test.mjs
//
// Seeds a housing case and an exploitation case with `buurtlijn cases report`, creates an
// enforcement user and an enforcement user of the restricted exploitation team, starts
// `buurtlijn serve`, and in Chromium: the inspector sees the housing case in the queue
// (not the exploitation one), filters it, opens it, moves it from new to triaged and then
// plans an inspection (date, evening shift, two inspectors) with the keyboard-usable
// forms; a pair of one inspector is refused; the history and the deadline show it; the
// exploitation team sees only its case. Screenshots (cases-*.png) and the server log
// land in BUURTLIJN_ARTIFACTS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CHROMIUM, CHROMIUM_ARGS, PASSWORD, run, Server, TEST_TIMEOUT_MS, WAIT_MS, withTimeout,
} from './console_harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = process.env.BUURTLIJN_BIN;
const ARTIFACTS = path.resolve(process.env.BUURTLIJN_ARTIFACTS || path.join(here, 'artifacts'));



describe('the console\'s cases', { skip: !BIN && 'BUURTLIJN_BIN is not set', timeout: 6 * TEST_TIMEOUT_MS }, () => {
  let server;
  let dataDir;
  let profileDir;
  let context;
  let page;
  let base;
  let housingCase = 0;
  let exploitationCase = 0;
  const pageProblems = [];

  async function shot(name) {
    await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
  }

  async function step(name, fn) {
    try {
      await fn();
    } catch (error) {
      if (page) {
        await withTimeout(page.screenshot({ path: path.join(ARTIFACTS, `cases-failure-${name}.png`) }),
          10_000, 'failure screenshot').catch(() => {});
      }
      throw error;
    }
  }

  async function login(name) {
    await context.clearCookies();
    await page.goto(`${base}/admin/login`);
    await page.getByLabel('Gebruikersnaam').fill(name);
    await page.getByLabel('Wachtwoord').fill(PASSWORD);
    await page.getByRole('button', { name: 'Inloggen' }).click();
    await page.waitForURL(/\/admin\/(cases|inbox)$/);
  }

  async function logout() {
    await page.getByRole('button', { name: 'Uitloggen' }).click();
    await page.waitForURL(/\/admin\/login$/);
  }

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    dataDir = await mkdtemp(path.join(tmpdir(), 'buurtlijn-e2e-cases-'));
    profileDir = await mkdtemp(path.join(tmpdir(), 'buurtlijn-e2e-cases-chromium-'));
    const bin = path.resolve(BIN);
    for (const [name, team, role] of [['inspecteur', '', 'enforcement'], ['uitbuiting', 'exploitation', 'enforcement'],
      ['coordinator', '', 'coordinator']]) {
      const args = ['admin', 'add-user', '--name', name, '--role', role, '--data-dir', dataDir];
      if (team) args.push('--team', team);
      const added = await run(bin, args, `${PASSWORD}\n`);
      assert.equal(added.code, 0, `admin add-user: ${added.stderr}`);
    }
    // The illustrative wijken, so that the dashboard draws its map.
    const source = path.resolve(here, '..', '..');
    const imported = await run(bin, ['areas', 'import', '--geojson', path.join(source, 'data/areas/deventer-illustrative.geojson'),
      '--data-dir', dataDir], '');
    assert.equal(imported.code, 0, `areas import: ${imported.stderr}`);
    const seed = async (category, address) => {
      const made = await run(bin, ['cases', 'report', '--category', category, '--lat', '52.2553',
        '--lon', '6.1639', '--address', address, '--language', 'nl', '--data-dir', dataDir], '');
      assert.equal(made.code, 0, `cases report: ${made.stderr}`);
      const result = JSON.parse(made.stdout.trim().split('\n').pop());
      assert.ok(Number.isInteger(result.case) || Number.isInteger(result.case_id), made.stdout);
      return result.case ?? result.case_id;
    };
    housingCase = await seed('overcrowded_housing', 'Brink 1');
    exploitationCase = await seed('exploitation', 'Brink 3');

    server = new Server(bin, dataDir);
    process.once('exit', () => { try { server.child?.kill('SIGKILL'); } catch { /* gone */ } });
    base = `http://127.0.0.1:${await server.start()}`;
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000,
      viewport: { width: 1024, height: 768 }, locale: 'nl-NL',
    });
    context.setDefaultTimeout(WAIT_MS);
    page = context.pages()[0] ?? await context.newPage();
    page.on('pageerror', (error) => pageProblems.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
        pageProblems.push(`CSP: ${message.text()}`);
      }
    });
  }, { timeout: 180_000 });

  after(async () => {
    if (context) await withTimeout(context.close(), 20_000, 'closing Chromium').catch(() => {});
    if (server) {
      await server.stop().catch(() => {});
      await writeFile(path.join(ARTIFACTS, 'cases-server.log'), server.log.join('\n') + '\n').catch(() => {});
    }
    for (const dir of [profileDir, dataDir]) {
      if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
    }
  }, { timeout: 60_000 });

  test('the inspector sees the queue, without the restricted cases', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('queue', async () => {
      await login('inspecteur');
      await page.getByRole('heading', { level: 1, name: 'Zaken' }).waitFor();
      const link = page.getByRole('link', { name: String(housingCase), exact: true });
      await link.waitFor();
      assert.equal(await page.getByRole('link', { name: String(exploitationCase), exact: true }).count(), 0,
        'the exploitation case is not in an ordinary inspector\'s queue');
      await page.getByLabel('Soort melding').selectOption('noise');
      await page.getByRole('button', { name: 'Filteren' }).click();
      await page.waitForURL(/category=noise/);
      assert.equal(await page.getByRole('link', { name: String(housingCase), exact: true }).count(), 0,
        'the category filter hides the housing case');
      await page.getByLabel('Soort melding').selectOption('overcrowded_housing');
      await page.getByRole('button', { name: 'Filteren' }).click();
      await page.getByRole('link', { name: String(housingCase), exact: true }).waitFor();
      await shot('cases-queue.png');
    });
  });

  test('move the case from new to inspection planned', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('move', async () => {
      await page.getByRole('link', { name: String(housingCase), exact: true }).click();
      await page.getByRole('heading', { level: 1, name: `Zaak ${housingCase}` }).waitFor();
      assert.equal(await page.locator('#case-state').getAttribute('data-state'), 'new');
      const body = await page.locator('main').innerText();
      assert.match(body, /52\.25530, 6\.16390/, 'the place as coordinates');
      // From new only "triaged" is offered.
      assert.equal(await page.locator('form.step').count(), 1, 'one next step from new');
      await page.getByRole('button', { name: 'Naar: Beoordeeld' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'verplaatst' }).waitFor();
      assert.equal(await page.locator('#case-state').getAttribute('data-state'), 'triaged');
      assert.equal(await page.getByRole('button', { name: 'Naar: Proces-verbaal opgemaakt' }).count(), 0,
        'no official report is offered before an inspection found a violation');

      // Plan the inspection: a pair of inspectors is required.
      const form = page.locator('form.step', { has: page.getByRole('heading', { name: 'Controle gepland' }) });
      await form.getByLabel('Datum van de controle').fill('2026-12-03');
      await form.getByLabel('Dienst').selectOption('evening');
      await form.getByLabel('Eerste inspecteur').fill('Jansen');
      await form.getByLabel('Tweede inspecteur').fill('Jansen');
      await form.getByRole('button', { name: 'Naar: Controle gepland' }).click();
      // Refused in words from the texts, not as the workflow's code.
      await page.getByRole('alert').filter({ hasText: 'Niet gelukt: een controle doen altijd twee verschillende inspecteurs' }).waitFor();
      assert.doesNotMatch(await page.getByRole('alert').innerText(), /inspection_planned|pair of/);
      assert.equal(await page.locator('#case-state').getAttribute('data-state'), 'triaged');
      await shot('cases-refused.png');

      const again = page.locator('form.step', { has: page.getByRole('heading', { name: 'Controle gepland' }) });
      await again.getByLabel('Datum van de controle').fill('2026-12-03');
      await again.getByLabel('Dienst').selectOption('evening');
      await again.getByLabel('Eerste inspecteur').fill('Jansen');
      await again.getByLabel('Tweede inspecteur').fill('Öztürk');
      await again.getByRole('button', { name: 'Naar: Controle gepland' }).click();
      await page.getByRole('status').filter({ hasText: 'verplaatst' }).waitFor();
      assert.equal(await page.locator('#case-state').getAttribute('data-state'), 'inspection_planned');
      const after = await page.locator('main').innerText();
      assert.match(after, /Controle: 2026-12-03/, 'the inspection deadline');
      const timeline = await page.locator('ol.timeline li').allInnerTexts();
      assert.ok(timeline.some((t) => /Nieuw → Beoordeeld/.test(t) && /inspecteur/.test(t)), timeline.join('\n'));
      assert.ok(timeline.some((t) => /Beoordeeld → Controle gepland/.test(t)), timeline.join('\n'));
      await shot('cases-inspection-planned.png');
      await logout();
    });
  });

  test('the exploitation team sees only its own cases', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('restricted', async () => {
      await login('uitbuiting');
      await page.getByRole('link', { name: String(exploitationCase), exact: true }).waitFor();
      assert.equal(await page.getByRole('link', { name: String(housingCase), exact: true }).count(), 0);
      const response = await page.goto(`${base}/admin/case?id=${housingCase}`);
      assert.equal(response.status(), 404, 'another team\'s case is not shown');
      await page.goto(`${base}/admin/cases`);
      await shot('cases-restricted.png');
      await logout();
    });
  });

  test('the coordinator\'s dashboard draws the seeded figures', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('dashboard', async () => {
      await login('coordinator');
      await page.getByRole('link', { name: 'Dashboard' }).click();
      await page.getByRole('heading', { level: 1, name: 'Meldingen Woonoverlast' }).waitFor();
      const value = async (chart, label) => page.locator(`#${chart} svg g.bar`, { hasText: label })
        .locator('rect').getAttribute('data-value');
      assert.equal(await value('chart-open-closed', 'Open'), '2', 'two open cases');
      assert.equal(await value('chart-open-closed', 'Gesloten'), '0');
      assert.equal(await value('chart-categories', 'Overbewoning'), '1');
      assert.equal(await value('chart-categories', 'Uitbuiting'), '1');
      const open = await page.locator('#chart-open-closed table tr', { hasText: 'Open' }).innerText();
      assert.match(open, /\b2\b/, 'the table repeats the chart');
      assert.equal(await page.locator('svg.chart[role="img"] > title').count(), 5, 'five titled charts');
      // The map: one path per wijk, the seeded wijk (both reports) in the darkest class,
      // the others in the "none" class, each with its name as a tooltip; the table agrees.
      const areas = page.locator('#area-map svg.map path.area');
      assert.equal(await areas.count(), 5, 'one path per wijk');
      const seeded = page.locator('#area-map path.area[data-code="WK015001"]');
      assert.match(await seeded.getAttribute('class'), /\bc5\b/);
      assert.equal(await seeded.getAttribute('data-count'), '2');
      assert.equal(await seeded.locator('title').textContent(), 'Binnenstad: 2 meldingen');
      assert.equal(await page.locator('#area-map path.area.c0').count(), 4);
      assert.match(await page.locator('#map-table tr[data-code="WK015001"]').innerText(), /Binnenstad\s+2/);
      assert.equal(await page.locator('#map-unknown').getAttribute('data-count'), '0');
      await page.getByLabel('Kaart per').selectOption('buurt');
      await page.getByRole('button', { name: 'Tonen' }).click();
      await page.waitForURL(/level=buurt/);
      assert.equal(await areas.count(), 8, 'one path per buurt');
      assert.equal(await page.locator('#area-map path.area.c5').count(), 1);
      await shot('cases-dashboard-buurten.png');
      await page.goto(`${base}/admin/dashboard`);
      // A period before the seeds shows nothing.
      await page.getByLabel('Van').fill('2020-01-01');
      await page.getByLabel('Tot en met').fill('2020-12-31');
      await page.getByRole('button', { name: 'Tonen' }).click();
      await page.waitForURL(/from=2020-01-01/);
      assert.equal(await value('chart-open-closed', 'Open'), '0');
      const csv = await page.request.get(`${base}/admin/dashboard.csv`);
      assert.equal(csv.status(), 200);
      assert.match(await csv.text(), /metric,area,category,period,value/);
      await page.goto(`${base}/admin/dashboard`);
      await shot('cases-dashboard.png');
      await page.goto(`${base}/admin/audit`);
      const moves = page.locator('tr', { hasText: 'case.move' });
      assert.equal(await moves.count(), 2, 'both moves are in the audit log');
      assert.match(await moves.first().innerText(), new RegExp(`case:${housingCase}`));
      await logout();
    });
  });

  test('no CSP violations or page errors', () => {
    assert.deepEqual(pageProblems, []);
  });
});
