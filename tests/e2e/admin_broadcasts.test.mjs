// Browser test of the console's Broadcasts pages against the real server.
//
//   BUURTLIJN_BIN=build/debug/gateway/buurtlijn BUURTLIJN_ARTIFACTS=build/debug/e2e-artifacts \
//     node --test --test-reporter=spec tests/e2e/admin_broadcasts.test.mjs
//
// Starts a local Telegram Bot API sink (answers every sendMessage with ok and counts
// them per chat), `buurtlijn serve` with Telegram pointed at it, and seeds subscribers
// through the real opt-in dialog on the Telegram webhook: three in Romanian
// ("notificări", "Da") and two in Bulgarian ("известия", "да"). In Chromium the
// Buurtmaker composes from the office_hours template, chooses the Romanian segment,
// sees the preview (3 recipients, the Romanian text), sends, and watches the progress
// reach 3 of 3 sent while the sink gets exactly the three Romanian chats. Then a
// scheduled broadcast is cancelled, another one scheduled for the next minute is queued
// by the server's scheduler when due and reaches the two Bulgarian chats, and a send
// without the CSRF token is refused.
// Screenshots (broadcast-*.png) and the server log land in BUURTLIJN_ARTIFACTS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  CHROMIUM, CHROMIUM_ARGS, PASSWORD, Server, TEST_TIMEOUT_MS, WAIT_MS, login, run, withTimeout,
} from './console_harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = process.env.BUURTLIJN_BIN;
const ARTIFACTS = path.resolve(process.env.BUURTLIJN_ARTIFACTS || path.join(here, 'artifacts'));

const TOKEN = 'e2e:token';
const SECRET = 'e2e-telegram-secret';
const RO_CHATS = [7100001, 7100002, 7100003];
const BG_CHATS = [7200001, 7200002];

// A Telegram Bot API stand-in: records sendMessage bodies, answers ok.
class TelegramSink {
  constructor() {
    this.messages = [];  // {chat_id, text}
    this.server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (d) => { body += d; });
      request.on('end', () => {
        let sent = {};
        try { sent = JSON.parse(body); } catch { /* counted as empty */ }
        this.messages.push({ path: request.url, chat_id: Number(sent.chat_id), text: String(sent.text ?? '') });
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ ok: true, result: { message_id: this.messages.length, date: 1764282200,
          chat: { id: Number(sent.chat_id), type: 'private' }, text: sent.text } }));
      });
    });
  }

  listen() {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve(this.server.address().port)));
  }

  to(chat) { return this.messages.filter((m) => m.chat_id === chat); }
}

describe('the console\'s broadcasts', { skip: !BIN && 'BUURTLIJN_BIN is not set', timeout: 5 * TEST_TIMEOUT_MS }, () => {
  let server;
  let sink;
  let dataDir;
  let profileDir;
  let context;
  let page;
  let base;
  let update = 500;
  const pageProblems = [];

  async function shot(name) {
    await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
  }

  async function step(name, fn) {
    try {
      await fn();
    } catch (error) {
      if (page) {
        await withTimeout(page.screenshot({ path: path.join(ARTIFACTS, `broadcast-failure-${name}.png`) }),
          10_000, 'failure screenshot').catch(() => {});
      }
      throw error;
    }
  }

  // One Telegram update through the real webhook; 200 means it is committed.
  async function say(chat, text) {
    update += 1;
    const response = await fetch(`${base}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': SECRET },
      body: JSON.stringify({ update_id: update, message: { message_id: update,
        from: { id: chat, is_bot: false, first_name: 'E2E' }, chat: { id: chat, type: 'private', first_name: 'E2E' },
        date: 1764282200, text } }),
    });
    assert.equal(response.status, 200, `webhook for chat ${chat}`);
  }

  async function waitFor(condition, what) {
    const deadline = Date.now() + WAIT_MS;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    dataDir = await mkdtemp(path.join(tmpdir(), 'buurtlijn-e2e-broadcast-'));
    profileDir = await mkdtemp(path.join(tmpdir(), 'buurtlijn-e2e-broadcast-chromium-'));
    const bin = path.resolve(BIN);
    const added = await run(bin, ['admin', 'add-user', '--name', 'buurtmaker', '--role', 'buurtmaker',
      '--data-dir', dataDir], `${PASSWORD}\n`);
    assert.equal(added.code, 0, `admin add-user: ${added.stderr}`);

    sink = new TelegramSink();
    const sinkPort = await sink.listen();
    server = new Server(bin, dataDir, {
      BUURTLIJN_TELEGRAM_TOKEN: TOKEN,
      BUURTLIJN_TELEGRAM_SECRET: SECRET,
      BUURTLIJN_TELEGRAM_API_BASE: `http://127.0.0.1:${sinkPort}`,
    });
    process.once('exit', () => { try { server.child?.kill('SIGKILL'); } catch { /* gone */ } });
    base = `http://127.0.0.1:${await server.start()}`;

    // Subscribers through the opt-in dialog: the keyword, then yes; each confirmed.
    for (const chat of RO_CHATS) {
      await say(chat, 'notificări');
      await say(chat, 'Da');
    }
    for (const chat of BG_CHATS) {
      await say(chat, 'известия');
      await say(chat, 'да');
    }
    for (const chat of [...RO_CHATS, ...BG_CHATS]) {
      await waitFor(() => sink.to(chat).length >= 2, `the opt-in question and confirmation to ${chat}`);
    }
    assert.match(sink.to(RO_CHATS[0])[1].text, /De acum primiți știri/);
    assert.match(sink.to(BG_CHATS[0])[1].text, /Вече ще получавате новини/);

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
      await writeFile(path.join(ARTIFACTS, 'broadcast-server.log'), server.log.join('\n') + '\n').catch(() => {});
    }
    if (sink) sink.server.close();
    for (const dir of [profileDir, dataDir]) {
      if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
    }
  }, { timeout: 60_000 });

  test('send a broadcast to the Romanian segment and see its progress', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('compose', async () => {
      await login(page, base, 'buurtmaker');
      await page.getByRole('link', { name: 'Berichten versturen' }).click();
      await page.getByRole('heading', { level: 1, name: 'Berichten versturen' }).waitFor();
      await shot('broadcast-list-empty.png');
      await page.getByRole('link', { name: 'Nieuw bericht opstellen' }).click();
      await page.getByLabel('Tekst').selectOption('template:office_hours');
      await page.getByRole('button', { name: 'Kiezen' }).click();
      await page.getByLabel('Veld day').fill('dinsdag');
      await page.getByLabel('Veld hours').fill('9-12');
      await page.getByLabel('Veld place').fill('Keizerstraat 2');
      await page.getByLabel('Taal').selectOption('ro');
      await shot('broadcast-compose.png');
      await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click();
    });
    await step('preview', async () => {
      await page.getByRole('heading', { level: 1, name: 'Voorbeeld en versturen' }).waitFor();
      assert.match(await page.locator('#recipient-count').innerText(), /^3 mensen krijgen dit bericht\./);
      assert.equal(await page.locator('#preview-channels tr[data-channel="telegram"] td').first().innerText(), '3');
      assert.equal(await page.locator('#preview-languages tr[data-language="ro"] td').innerText(), '3');
      assert.equal(await page.locator('#preview-languages tr').count(), 2, 'a header row and Romanian only');
      const text = page.locator('p.preview[lang="ro"]');
      assert.match(await text.innerText(), /Programul Buurtmaker.*dinsdag.*9-12.*Keizerstraat 2/);
      assert.equal(await text.getAttribute('dir'), 'ltr');
      await shot('broadcast-preview.png');
    });
    await step('send', async () => {
      const before = sink.messages.length;
      await page.getByRole('button', { name: 'Nu versturen naar 3 mensen' }).click();
      await page.waitForURL(/\/admin\/broadcast\?id=\d+/);
      // The page polls api/broadcast until nothing waits any more.
      await page.locator('#progress-summary', { hasText: 'Klaar: 3 van 3 verstuurd, 0 mislukt.' }).waitFor();
      assert.equal(await page.locator('#progress').getAttribute('data-done'), 'true');
      assert.equal(await page.locator('#progress tr[data-channel="telegram"] td[data-state="sent"]').innerText(), '3');
      assert.equal(await page.locator('#progress tr[data-channel="telegram"] td[data-state="queued"]').innerText(), '0');
      const broadcast = sink.messages.slice(before);
      assert.deepEqual(broadcast.map((m) => m.chat_id).sort(), [...RO_CHATS].sort(), 'exactly the Romanian subscribers');
      for (const message of broadcast) assert.match(message.text, /Programul Buurtmaker/);
      for (const chat of BG_CHATS) assert.equal(sink.to(chat).length, 2, 'nothing more to the Bulgarian chats');
      await shot('broadcast-progress-done.png');
    });
  });

  test('schedule a broadcast and cancel it before it is due', { timeout: TEST_TIMEOUT_MS }, async () => {
    await step('schedule', async () => {
      await page.goto(`${base}/admin/broadcast-new?source=template%3Aoffice_hours`);
      await page.getByLabel('Veld day').fill('woensdag');
      await page.getByLabel('Veld hours').fill('13-16');
      await page.getByLabel('Veld place').fill('Brink 1');
      await page.getByLabel('Taal').selectOption('bg');
      await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click();
      assert.match(await page.locator('#recipient-count').innerText(), /^2 mensen/);
      const tomorrow = new Date(Date.now() + 26 * 3600 * 1000);
      const local = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit',
        day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(tomorrow).replace(' ', 'T');
      await page.getByLabel('Datum en tijd (Europe/Amsterdam)').fill(local);
      await page.getByRole('button', { name: 'Inplannen' }).click();
      await page.waitForURL(/\/admin\/broadcast\?id=\d+&scheduled=1/);
      assert.equal(await page.locator('#broadcast-state').innerText(), 'Gepland');
      assert.match(await page.locator('dl.facts').innerText(), new RegExp(local.replace('T', ' ')));
      await shot('broadcast-scheduled.png');
    });
    await step('cancel', async () => {
      await page.getByRole('button', { name: 'Geplande verzending annuleren' }).click();
      await page.waitForURL(/cancelled=1/);
      assert.equal(await page.locator('#broadcast-state').innerText(), 'Geannuleerd');
      await page.getByRole('link', { name: 'Terug naar alle berichten' }).click();
      const rows = page.locator('table tbody tr');
      assert.equal(await rows.count(), 2);
      assert.match(await rows.nth(0).innerText(), /Geannuleerd/);
      assert.match(await rows.nth(1).innerText(), /Verstuurd naar de wachtrij\s+3/);
      await shot('broadcast-list.png');
    });
  });

  test('a scheduled broadcast is queued by the running server when it is due', { timeout: TEST_TIMEOUT_MS }, async () => {
    // The form takes whole minutes: the next one, at least 3 s ahead. The server's
    // scheduler looks every 5 s, so this waits about a minute.
    const due = new Date(Math.ceil((Date.now() + 3000) / 60000) * 60000);
    const local = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit',
      day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(due).replace(' ', 'T');
    let id;
    await step('schedule-due', async () => {
      await page.goto(`${base}/admin/broadcast-new?source=template%3Aoffice_hours`);
      await page.getByLabel('Veld day').fill('vrijdag');
      await page.getByLabel('Veld hours').fill('9-12');
      await page.getByLabel('Veld place').fill('Brink 2');
      await page.getByLabel('Taal').selectOption('bg');
      await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click();
      assert.match(await page.locator('#recipient-count').innerText(), /^2 mensen/);
      await page.getByLabel('Datum en tijd (Europe/Amsterdam)').fill(local);
      await page.getByRole('button', { name: 'Inplannen' }).click();
      await page.waitForURL(/\/admin\/broadcast\?id=\d+&scheduled=1/);
      id = new URL(page.url()).searchParams.get('id');
      assert.equal(await page.locator('#broadcast-state').innerText(), 'Gepland');
      for (const chat of BG_CHATS) assert.equal(sink.to(chat).length, 2, `nothing sent early to ${chat}`);
    });
    await step('due', async () => {
      const deadline = due.getTime() + WAIT_MS;
      while (!BG_CHATS.every((chat) => sink.to(chat).length >= 3)) {
        if (Date.now() > deadline) throw new Error('timed out: the scheduled broadcast at the Bulgarian chats');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.ok(Date.now() >= due.getTime(), 'not before it was due');
      for (const chat of BG_CHATS) assert.match(sink.to(chat)[2].text, /Brink 2/);
      for (const chat of RO_CHATS) assert.ok(sink.to(chat).every((m) => !/Brink 2/.test(m.text)), `not to ${chat}`);
      await page.goto(`${base}/admin/broadcast?id=${id}`);
      assert.equal(await page.locator('#broadcast-state').innerText(), 'Verstuurd naar de wachtrij');
      await shot('broadcast-scheduled-sent.png');
    });
  });

  test('a send without the CSRF token is refused', { timeout: TEST_TIMEOUT_MS }, async () => {
    const before = sink.messages.length;
    const response = await page.request.post(`${base}/admin/broadcast-send`, {
      form: { source: 'template:office_hours', 'param.day': 'x', 'param.hours': 'y', 'param.place': 'z',
        language: 'ro', when: 'now' },
      headers: { Origin: base },
    });
    assert.equal(response.status(), 403);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(sink.messages.length, before, 'nothing was sent');
    assert.deepEqual(pageProblems, []);
  });
});
