// `npm start` (scripts/serve-web.mjs under npm): stopping npm stops the server it started. npm runs the
// script through `sh -c`, and a SIGTERM sent to npm reaches the shell only; the server notices that its
// parent went away and exits, freeing the port. Ctrl-C in a terminal (SIGINT to the whole foreground
// process group: npm waits for its script on SIGINT) and SIGTERM to the server itself close it too. Uses --no-build (no build needed: the port is what is checked).
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/shared.js';

/** A port that is free now (listen on 0, close). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address() as { port: number };
  await new Promise((ok) => s.close(ok));
  return port;
}

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const c = connect({ host: '127.0.0.1', port });
    c.once('connect', () => {
      c.destroy();
      ok(true);
    });
    c.once('error', () => ok(false));
  });
}

async function until(f: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return true;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  return f();
}

/** Starts `npm start -- --no-build` on a free port; resolves once the server printed its address. */
async function npmStart(): Promise<{ npm: ChildProcess; port: number; output: () => string }> {
  const port = await freePort();
  // detached: its own process group, as a terminal gives a foreground job (Ctrl-C signals that group).
  const npm = spawn('npm', ['start', '--', '--no-build'], {
    cwd: ROOT, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let out = '';
  npm.stdout!.on('data', (c) => (out += c));
  npm.stderr!.on('data', (c) => (out += c));
  const up = await until(async () => out.includes(`http://127.0.0.1:${port}/`), 30_000);
  if (!up) {
    npm.kill('SIGKILL');
    throw new Error(`npm start did not come up on port ${port}:\n${out}`);
  }
  expect(await listening(port)).toBe(true);
  return { npm, port, output: () => out };
}

/** The server's pid: the node process serving under npm (npm → sh → node, or npm → node). */
async function serverPid(npmPid: number): Promise<number | null> {
  const { execFileSync } = await import('node:child_process');
  const ps = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  const rows = ps.trim().split('\n').map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)!).filter(Boolean).map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
  const below = new Set([npmPid]);
  for (let changed = true; changed;) {
    changed = false;
    for (const r of rows) if (below.has(r.ppid) && !below.has(r.pid)) (below.add(r.pid), (changed = true));
  }
  return rows.find((r) => below.has(r.pid) && r.pid !== npmPid && /^node .*serve-web\.mjs/.test(r.args))?.pid ?? null;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start', () => {
  it.each([
    ['SIGTERM to npm', (npm: ChildProcess): void => void npm.kill('SIGTERM')],
    ['Ctrl-C (SIGINT to the process group)', (npm: ChildProcess): void => void process.kill(-npm.pid!, 'SIGINT')],
  ] as const)('%s stops the server: the port is freed and the node process is gone', async (_how, stop) => {
    const { npm, port, output } = await npmStart();
    const pid = await serverPid(npm.pid!);
    expect(pid, output()).not.toBeNull();
    const exited = new Promise((ok) => npm.once('exit', ok));
    stop(npm);
    const npmExited = await Promise.race([exited.then(() => true), new Promise((ok) => setTimeout(() => ok(false), 10_000))]);
    if (!npmExited) npm.kill('SIGKILL');
    const freed = await until(async () => !(await listening(port)), 5000);
    const gone = await until(async () => !alive(pid!), 5000);
    if (alive(pid!)) process.kill(pid!, 'SIGKILL'); // leave nothing behind if the assertion fails
    expect(freed, `port ${port} still served after npm exited:\n${output()}`).toBe(true);
    expect(gone, `server ${pid} still running`).toBe(true);
  }, 60_000);

  it('SIGTERM to the server stops it cleanly (exit 0) and npm with it', async () => {
    const { npm, port, output } = await npmStart();
    const pid = await serverPid(npm.pid!);
    expect(pid).not.toBeNull();
    const exited = new Promise<number | null>((ok) => npm.once('exit', (code) => ok(code)));
    process.kill(pid!, 'SIGTERM');
    expect(await exited, output()).toBe(0);
    expect(await listening(port)).toBe(false);
    expect(output()).toContain('stopping (SIGTERM)');
  }, 60_000);
});
