// Shared by the console's browser tests: timeouts, running a buurtlijn command, the
// server process (`buurtlijn serve` on a free port, its log kept for the artifacts), the
// Chromium settings and logging in; every console test imports them from here.
// (Not a test file: node --test picks up *.test.mjs only.)
import { spawn } from 'node:child_process';
import readline from 'node:readline';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export const START_TIMEOUT_MS = 60_000;
export const STOP_TIMEOUT_MS = 10_000;
export const WAIT_MS = 60_000;   // slow under sanitizers
export const TEST_TIMEOUT_MS = 180_000;
export const PASSWORD = 'een lang en geheim wachtwoord';

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Runs a buurtlijn command with `input` on stdin; resolves with {code, stdout, stderr}.
export function run(bin, args, input) {
  return withTimeout(new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  }), START_TIMEOUT_MS, `buurtlijn ${args.join(' ')}`);
}

// `buurtlijn serve` with a data directory; `env` is added to the test's environment.
export class Server {
  constructor(bin, dataDir, env = {}) {
    this.bin = bin;
    this.dataDir = dataDir;
    this.env = env;
    this.child = null;
    this.log = [];
    this.port = 0;
  }

  record(stream, line) {
    if (this.log.length < 20_000) this.log.push(`${stream}: ${line}`);
  }

  async start() {
    const child = spawn(this.bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', this.dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.env } });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    readline.createInterface({ input: child.stderr }).on('line', (l) => this.record('stderr', l));
    const lines = readline.createInterface({ input: child.stdout });
    this.port = await withTimeout(new Promise((resolve, reject) => {
      lines.on('line', (line) => {
        this.record('stdout', line);
        let event;
        try { event = JSON.parse(line); } catch { return; }
        if (event && event.event === 'listening' && Number.isInteger(event.port)) resolve(event.port);
      });
      child.once('error', reject);
      this.exited.then(({ code, signal }) => reject(new Error(
        `buurtlijn exited (${code ?? signal}) before listening:\n${this.log.slice(-30).join('\n')}`)));
    }), START_TIMEOUT_MS, 'buurtlijn to log {"event":"listening"}');
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
      await withTimeout(this.exited, STOP_TIMEOUT_MS, 'buurtlijn to die').catch(() => {});
    }
  }
}

// Logs `name` in through the Dutch login form; resolves once the console redirected.
export async function login(page, base, name, password = PASSWORD) {
  await page.goto(`${base}/admin/login`);
  await page.getByLabel('Gebruikersnaam').fill(name);
  await page.getByLabel('Wachtwoord').fill(password);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/login'));
}
