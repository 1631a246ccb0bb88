// Browser test of the Buurtmaker's console (/admin/) against the real server.
//
//   BUURTLIJN_BIN=build/debug/gateway/buurtlijn BUURTLIJN_ARTIFACTS=build/debug/e2e-artifacts \
//     node --test --test-reporter=spec tests/e2e/admin.test.mjs
//
// Creates a console user with `buurtlijn admin add-user` (password on stdin), starts
// `buurtlijn serve` on a free port with a fresh data directory, and drives Debian's
// Chromium through playwright-core: the console on a tablet-sized page, the web chat on
// a phone-sized page in the same browser. Steps: a wrong password is refused; log in; a
// state-changing request without the CSRF token gets 403; edit the Romanian milieupas
// answer and see the web chat return the new text; revert it; take over a web chat
// conversation, reply with a ready answer that arrives in Romanian, see the bot stay
// silent, release it. Screenshots of every page (admin-*.png) and the server log land
// in BUURTLIJN_ARTIFACTS.
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
const USER = 'buurtmaker';
const MILIEUPAS_KEY = 'nodes.waste_milieupas.text';
const NEW_RO_TEXT = 'Text de test: milieupas (card pentru deșeuri) se cere la proprietar.';

describe('the Buurtmaker\'s console', { skip: !BIN && 'BUURTLIJN_BIN is not set', timeout: 8 * TEST_TIMEOUT_MS }, () => {
  let server;
  let dataDir;
  let profileDir;
  let context;
  let admin;   // the console, tablet-sized
  let chat;    // the web chat, phone-sized
  let base;
  let originalRoText = '';
  let chatUi;  // Romanian web chat strings
  const pageProblems = [];

  async function step(name, fn) {
    try {
      await fn();
    } catch (error) {
      for (const [label, page] of [['admin', admin], ['chat', chat]]) {
        if (page) {
          await withTimeout(page.screenshot({ path: path.join(ARTIFACTS, `admin-failure-${name}-${label}.png`) }),
            10_000, 'failure screenshot').catch(() => {});
        }
      }
      throw error;
    }
  }

  function watch(page, label) {
    page.on('pageerror', (error) => pageProblems.push(`${label} uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
        pageProblems.push(`${label} CSP: ${message.text()}`);
      }
    });
  }

  // Sends a text in the web chat; resolves with the first bot message after it.
  async function chatSend(text) {
    const input = chat.getByRole('textbox', { name: chatUi.placeholder, exact: true });
    await input.fill(text);
    await chat.getByRole('button', { name: chatUi.send, exact: true }).click();
    const bubble = chat.locator('#log > .user[data-state="sent"]', { hasText: text }).last();
    await bubble.waitFor({ timeout: WAIT_MS });
    return bubble;
  }

  function replyAfter(bubble) {
    return bubble.locator('xpath=following-sibling::div[contains(concat(" ", normalize-space(@class), " "), " bot ")][1]');
  }

  async function shot(page, name) {
    await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
  }

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    dataDir = await mkdtemp(path.join(tmpdir(), 'buurtlijn-e2e-admin-'));
    profileDir = await mkdtemp(path.join(tmpdir(), 'buurtlijn-e2e-admin-chromium-'));
    const bin = path.resolve(BIN);

    const added = await run(bin, ['admin', 'add-user', '--name', USER, '--role', 'coordinator',
      '--data-dir', dataDir], `${PASSWORD}\n`);
    assert.equal(added.code, 0, `admin add-user: ${added.stderr}`);
    const refused = await run(bin, ['admin', 'add-user', '--name', 'kort', '--role', 'buurtmaker',
      '--data-dir', dataDir], 'kort\n');
    assert.equal(refused.code, 2, 'a short password is refused');

    server = new Server(bin, dataDir);
    const kill = () => { try { server.child?.kill('SIGKILL'); } catch { /* gone */ } };
    process.once('exit', kill);
    const port = await server.start();
    base = `http://127.0.0.1:${port}`;
    const languages = await (await fetch(`${base}/webchat/languages.json`)).json();
    chatUi = languages.languages.find((l) => l.code === 'ro').ui;

    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000,
      viewport: { width: 1024, height: 768 }, locale: 'nl-NL',
    });
    context.setDefaultTimeout(WAIT_MS);
    admin = context.pages()[0] ?? await context.newPage();
    chat = await context.newPage();
    await chat.setViewportSize({ width: 360, height: 740 });
    watch(admin, 'admin');
    watch(chat, 'chat');
  }, { timeout: 180_000 });

  after(async () => {
    if (context) await withTimeout(context.close(), 20_000, 'closing Chromium').catch(() => {});
    if (server) {
      await server.stop().catch(() => {});
      await writeFile(path.join(ARTIFACTS, 'admin-server.log'), server.log.join('\n') + '\n').catch(() => {});
    }
    for (const dir of [profileDir, dataDir]) {
      if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
    }
  }, { timeout: 60_000 });

  test('a wrong password is refused', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('login-refused', async () => {
      await admin.goto(`${base}/admin/`);
      assert.match(admin.url(), /\/admin\/login$/, 'the console asks to log in first');
      await admin.getByLabel('Gebruikersnaam').fill(USER);
      await admin.getByLabel('Wachtwoord').fill('niet het goede wachtwoord');
      const [response] = await Promise.all([
        admin.waitForResponse((r) => r.url().endsWith('/admin/login') && r.request().method() === 'POST'),
        admin.getByRole('button', { name: 'Inloggen' }).click(),
      ]);
      assert.equal(response.status(), 401);
      await admin.getByRole('alert').filter({ hasText: 'klopt niet' }).waitFor();
      const cookies = await context.cookies(`${base}/admin/`);
      assert.ok(!cookies.some((c) => c.name === 'bl_session'), 'no session cookie after a refusal');
      await shot(admin, 'admin-login-refused.png');
    });
  });

  test('log in', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('login', async () => {
      await admin.getByLabel('Gebruikersnaam').fill(USER);
      await admin.getByLabel('Wachtwoord').fill(PASSWORD);
      await admin.getByRole('button', { name: 'Inloggen' }).click();
      await admin.waitForURL(/\/admin\/inbox$/);
      await admin.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
      const cookie = (await context.cookies(`${base}/admin/`)).find((c) => c.name === 'bl_session');
      assert.ok(cookie, 'a session cookie');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Strict');
      await shot(admin, 'admin-inbox-empty.png');
    });
  });

  test('a state-changing request without the CSRF token is rejected', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('csrf', async () => {
      const form = { lang: 'ro', key: MILIEUPAS_KEY, text: 'zonder token' };
      const without = await admin.request.post(`${base}/admin/save`, { form, maxRedirects: 0 });
      assert.equal(without.status(), 403);
      const wrong = await admin.request.post(`${base}/admin/save`, { form: { ...form, csrf: 'wrong' }, maxRedirects: 0 });
      assert.equal(wrong.status(), 403);
      const api = await admin.request.post(`${base}/admin/api/preview`, { form, maxRedirects: 0 });
      assert.equal(api.status(), 403);
    });
  });

  test('edit the Romanian milieupas answer and see the web chat return it', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('content', async () => {
      await admin.getByRole('link', { name: 'Teksten' }).click();
      await admin.getByRole('heading', { level: 1, name: 'Teksten' }).waitFor();
      await shot(admin, 'admin-content.png');
      await admin.goto(`${base}/admin/node?id=waste_milieupas`);
      const area = admin.locator(`textarea[id="t-ro-${MILIEUPAS_KEY}"]`);
      originalRoText = await area.inputValue();
      assert.ok(originalRoText.length > 0);
      await area.fill(NEW_RO_TEXT);
      const card = admin.locator(`article[id="card-ro-${MILIEUPAS_KEY}"]`);
      await card.locator('.preview', { hasText: NEW_RO_TEXT }).waitFor();  // live preview
      await card.locator('.counts', { hasText: `${[...NEW_RO_TEXT].length} tekens` }).waitFor();
      await shot(admin, 'admin-node-editing.png');
      await card.getByRole('button', { name: 'Opslaan' }).click();
      await admin.waitForURL(/saved=1/, { timeout: WAIT_MS });
      await admin.getByRole('status').filter({ hasText: 'Opgeslagen' }).waitFor();
      assert.equal(await admin.locator(`textarea[id="t-ro-${MILIEUPAS_KEY}"]`).inputValue(), NEW_RO_TEXT);
    });
    await step('chat-new-text', async () => {
      await chat.goto(`${base}/`);
      await chat.getByRole('button', { name: 'Română', exact: true }).click();
      await chat.locator('#log > .bot[lang="ro"]').first().waitFor();
      const reply = replyAfter(await chatSend('ce e milieupas?'));
      await reply.waitFor();
      assert.match(await reply.textContent(), /Text de test: milieupas/);
      await shot(chat, 'admin-webchat-edited.png');
    });
  });

  test('revert the edit', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('revert', async () => {
      await admin.goto(`${base}/admin/history?lang=ro&key=${MILIEUPAS_KEY}`);
      await admin.locator('td.diff ins', { hasText: 'Text' }).first().waitFor();
      await shot(admin, 'admin-history.png');
      await admin.getByRole('button', { name: 'Terugzetten' }).first().click();
      await admin.waitForURL(/reverted=1/, { timeout: WAIT_MS });
      assert.equal((await admin.locator('blockquote').textContent()).trim(), originalRoText.trim());
      const reply = replyAfter(await chatSend('ce e milieupas? '));
      await reply.waitFor();
      assert.ok(!(await reply.textContent()).includes('Text de test'), 'the old text is back');
    });
    await step('coverage-audit', async () => {
      await admin.getByRole('link', { name: 'Vertalingen' }).click();
      await admin.getByRole('heading', { level: 1, name: 'Vertalingen' }).waitFor();
      await shot(admin, 'admin-coverage.png');
      await admin.getByRole('link', { name: 'Logboek' }).click();
      await admin.locator('td', { hasText: 'content.revert' }).first().waitFor();
      await admin.locator('td', { hasText: 'content.edit' }).first().waitFor();
      await shot(admin, 'admin-audit.png');
    });
  });

  test('take over a web chat conversation, reply with a ready answer, release it', { timeout: TEST_TIMEOUT_MS }, async () => {
    let conversationLink;
    await step('hand-over', async () => {
      // "Talk to a person" from the main menu (its fifth button) hands over.
      const menu = replyAfter(await chatSend('meniu'));
      const choice = menu.locator('button.choice').nth(4);
      const label = (await choice.textContent()).trim();
      await choice.click();
      // The hand-over commits with the message, whose acknowledgement marks it sent: only
      // then does the inbox list it (the list is drawn once per page load).
      await chat.locator('#log > .user[data-state="sent"]', { hasText: label }).last()
        .waitFor({ timeout: WAIT_MS });
      await admin.goto(`${base}/admin/inbox`);
      conversationLink = admin.getByRole('link', { name: /^Gesprek \d+$/ }).first();
      await conversationLink.waitFor();
      await admin.locator('td', { hasText: 'Vroeg om een medewerker' }).first().waitFor();
      await admin.locator('#inbox-count', { hasText: '1' }).waitFor();  // the poller's count
      await shot(admin, 'admin-inbox.png');
    });
    await step('take-over', async () => {
      await conversationLink.click();
      await admin.getByRole('button', { name: 'Gesprek overnemen' }).click();
      await admin.getByRole('button', { name: 'Teruggeven aan de chatbot' }).waitFor();
      await admin.getByLabel('Kant-en-klaar antwoord').selectOption('waste_milieupas');
      const before = await chat.locator('#log > .bot').count();
      await admin.getByRole('button', { name: 'Versturen' }).click();
      await admin.getByRole('status').filter({ hasText: 'Verstuurd' }).waitFor();
      await shot(admin, 'admin-conversation.png');
      // It arrives in Romanian, the user's language, though the console is in Dutch.
      const arrived = chat.locator('#log > .bot').nth(before);
      await arrived.waitFor();
      assert.equal(await arrived.getAttribute('lang'), 'ro');
      const arrivedText = (await arrived.textContent()).trim();
      assert.ok(arrivedText.includes(originalRoText.trim().slice(0, 40)),
        `the ready answer is the Romanian milieupas text (got: ${arrivedText})`);
      await shot(chat, 'admin-webchat-ready-answer.png');
    });
    await step('bot-silent', async () => {
      const count = await chat.locator('#log > .bot').count();
      await chatSend('mulțumesc, mai am o întrebare');
      await admin.reload();
      await admin.locator('ol.messages li.in', { hasText: 'mai am o întrebare' }).waitFor();
      assert.equal(await chat.locator('#log > .bot').count(), count, 'the bot stays silent while taken over');
    });
    await step('release', async () => {
      await admin.getByRole('button', { name: 'Teruggeven aan de chatbot' }).click();
      await admin.waitForURL(/\/admin\/inbox$/);
      const reply = replyAfter(await chatSend('meniu'));
      await reply.waitFor();
      assert.equal(await reply.getAttribute('lang'), 'ro', 'the bot answers again');
    });
  });

  test('translations go out and come back as PO, with the changes shown before applying', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('po', async () => {
      const exported = await admin.request.get(`${base}/admin/export?lang=ro`);
      assert.equal(exported.status(), 200);
      assert.match(exported.headers()['content-disposition'], /buurtlijn-ro\.po/);
      const po = await exported.text();
      assert.match(po, /msgctxt "nodes\.waste_milieupas\.text"/);
      const changed = po.replace(/(msgctxt "nodes\.waste_sorting\.text"\nmsgid "[^\n]*"\nmsgstr ")/, '$1Tradus din nou: ');
      assert.notEqual(changed, po, 'the PO has the waste_sorting text');
      await admin.getByRole('link', { name: 'Vertalen (PO)' }).click();
      await admin.getByLabel('Of plak de inhoud van het PO-bestand').fill(changed);
      await admin.getByRole('button', { name: 'Wijzigingen bekijken' }).click();
      await admin.getByRole('heading', { name: '1 wijziging voor ro' }).waitFor();
      await admin.locator('td.diff ins', { hasText: 'Tradus' }).waitFor();
      await shot(admin, 'admin-import.png');
      await admin.getByRole('button', { name: 'Toepassen' }).click();
      await admin.waitForURL(/\/admin\/coverage\?imported=1/, { timeout: WAIT_MS });
      await admin.getByRole('status').filter({ hasText: '1 tekst opgeslagen' }).waitFor();
    });
  });

  test('the console ran without script errors or Content-Security-Policy violations', () => {
    assert.deepEqual(pageProblems, []);
  });
});
