// Local AT Protocol network for Plaza's Bluesky tests: PLC + PDS + Bluesky appview (plus the
// bsync and Ozone services that @atproto/dev-env's TestNetwork always starts), all on
// 127.0.0.1 with free ports.
//
// Run with Node 22 (./start.sh does that). Environment:
//   PLAZA_BSKY_POSTGRES    (required) postgres://user@host:port/db; the appview, bsync and Ozone
//                          keep their state there. A fresh database plaza_bsky_<pid>_<letters> is
//                          created for this run and dropped on shutdown; if the role may not
//                          create databases, fresh schemas in the given database are used.
//   PLAZA_BSKY_READY_FILE  (required) where to write the ready JSON (atomically, once all is up).
//                          It is removed again on shutdown.
//   PLAZA_BSKY_WATCH_STDIN=1  also shut down when stdin reaches EOF (so a test harness that
//                          dies without signalling us does not leave the network running).
//   LOG_ENABLED=true       turn on the services' own pino logs (sent to stderr).
//
// The process runs until SIGTERM or SIGINT. Everything it prints goes to stderr.
//
// Control endpoint (control_url in the ready JSON, loopback only):
//   POST /process-all  waits until the PDS's pending work is flushed and the appview has
//                      indexed every firehose event the PDS has emitted so far; 200 when done.
//   GET  /health       200 while the network is up.

import crypto from 'node:crypto';
import dns from 'node:dns';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const started = Date.now();
const log = (...parts) => process.stderr.write(`[bluesky-net +${((Date.now() - started) / 1000).toFixed(1)}s] ${parts.join(' ')}\n`);
// Nothing may go to stdout: libraries that use console.log are sent to stderr too.
console.log = console.error;
console.info = console.error;

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  log(`needs Node >= 22, this is ${process.version}; run it with ./start.sh`);
  process.exit(2);
}

const pgUrl = process.env.PLAZA_BSKY_POSTGRES;
const readyFile = process.env.PLAZA_BSKY_READY_FILE;
if (!pgUrl || !readyFile) {
  log('set PLAZA_BSKY_POSTGRES (postgres URL) and PLAZA_BSKY_READY_FILE (path for the ready JSON)');
  process.exit(2);
}
// A ready file left by an earlier run that was killed must not be mistaken for this one's.
fs.rmSync(readyFile, { force: true });
if (/^(true|t|1)$/i.test(process.env.LOG_ENABLED ?? '') && !process.env.LOG_DESTINATION) {
  process.env.LOG_DESTINATION = '/dev/stderr';
}
// dev-env insists on REDIS_HOST being set, but nothing in the PDS/appview setup it builds
// connects to Redis; give it a placeholder.
process.env.REDIS_HOST ??= 'unused-no-redis';

// --- loopback only -------------------------------------------------------------------------
// The services call server.listen(port) with no host, i.e. on all interfaces. Give every
// listen without an explicit host 127.0.0.1 instead. Their own URLs say "localhost", which
// resolves to 127.0.0.1 here; prefer IPv4 in any case.
const LOOPBACK = '127.0.0.1';
dns.setDefaultResultOrder('ipv4first');
const WILDCARD = new Set([undefined, '', '0.0.0.0', '::']);
const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first] = args;
  const isPort = typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first));
  if (isPort) {
    // listen(port[, host][, backlog][, callback])
    if (typeof args[1] !== 'string') args.splice(1, 0, LOOPBACK);
    else if (WILDCARD.has(args[1])) args[1] = LOOPBACK;
  } else if (first === undefined || typeof first === 'function') {
    args.unshift(0, LOOPBACK);
  } else if (first && typeof first === 'object' && !('fd' in first) && !('_handle' in first)
    && first.path === undefined && WILDCARD.has(first.host)) {
    args[0] = { ...first, host: LOOPBACK };
  }
  return originalListen.apply(this, args);
};

// Imported after the listen patch; the port-reservation files of dev-env's get-port live in the
// real temp dir (fixed at import), so parallel networks on this machine avoid each other.
const { TestNetwork } = await import('@atproto/dev-env');
const { default: pg } = await import('pg');

const pidAlive = (pid) => {
  try { process.kill(pid, 0); return true; } catch (err) { return err.code !== 'ESRCH'; }
};

// The PDS keeps its sqlite files and blobs under os.tmpdir(); give this run its own directory
// and remove it on shutdown.
// Directories of runs that were killed outright (pid gone) are removed first.
for (const entry of fs.readdirSync(os.tmpdir())) {
  const m = /^plaza-bsky-(\d+)-/.exec(entry);
  if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) {
    fs.rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
  }
}
const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), `plaza-bsky-${process.pid}-`));
process.env.TMPDIR = runTmp;

// --- postgres --------------------------------------------------------------------------------
// Letters only: the appview and bsync accept schema names matching [A-Za-z_]+.
const runTag = Array.from(crypto.randomBytes(8), (b) => String.fromCharCode(97 + (b % 26))).join('');
const DB_PREFIX = 'plaza_bsky_';
const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;

async function withPg(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}


// Returns { url, schema, cleanup } for TestNetwork.
async function preparePostgres() {
  return withPg(pgUrl, async (client) => {
    // Drop databases left behind by runs that were killed outright (their pid is gone). A plain
    // DROP DATABASE fails while anyone is connected, so a live run's database is never touched.
    const stale = await client.query(
      `SELECT datname FROM pg_database WHERE datname LIKE '${DB_PREFIX}%'`);
    for (const { datname } of stale.rows) {
      const pid = Number(datname.slice(DB_PREFIX.length).split('_')[0]);
      if (Number.isSafeInteger(pid) && pid > 0 && !pidAlive(pid)) {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)}`)
          .then(() => log(`dropped stale database ${datname}`), () => {});
      }
    }
    const dbName = `${DB_PREFIX}${process.pid}_${runTag}`;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(dbName)}`);
    } catch (err) {
      if (err.code !== '42501') throw err; // only "insufficient privilege" falls back
      const schema = `plaza_${runTag}`;
      log(`may not create databases (${err.message}); using schemas *_${schema} in the given database`);
      return {
        url: pgUrl,
        schema,
        cleanup: () => withPg(pgUrl, async (c) => {
          for (const prefix of ['appview_', 'bsync_', 'ozone_']) {
            await c.query(`DROP SCHEMA IF EXISTS ${quoteIdent(prefix + schema)} CASCADE`);
          }
        }),
      };
    }
    const url = new URL(pgUrl);
    url.pathname = `/${dbName}`;
    log(`created database ${dbName}`);
    return {
      url: url.toString(),
      schema: 'plaza',
      cleanup: () => withPg(pgUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`)),
    };
  });
}

// --- xrpc over fetch ------------------------------------------------------------------------
async function xrpc(base, nsid, { body, token } = {}) {
  const res = await fetch(`${base}/xrpc/${nsid}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${nsid} -> HTTP ${res.status}: ${text}`);
  return text ? JSON.parse(text) : {};
}

const loopbackUrl = (url) => {
  const u = new URL(url);
  if (u.hostname === 'localhost') u.hostname = LOOPBACK;
  return u.origin;
};

function writeReadyFile(data) {
  const dir = path.dirname(path.resolve(readyFile));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(readyFile)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, readyFile);
}

// --- shutdown ---------------------------------------------------------------------------------
let network;
let control;
let pgCleanup;
let shuttingDown = false;

async function shutdown(reason, code = 0) {
  if (shuttingDown) {
    log(`${reason} again: exiting without waiting`);
    process.exit(code || 1);
  }
  shuttingDown = true;
  log(`${reason}: shutting down`);
  const force = setTimeout(() => { log('shutdown took over 30 s; exiting'); process.exit(code || 1); }, 30_000);
  force.unref();
  try { fs.rmSync(readyFile, { force: true }); } catch {}
  if (control) {
    const closed = new Promise((resolve) => control.close(resolve));
    control.closeIdleConnections();
    await closed;
  }
  if (network) {
    try { await network.close(); } catch (err) { log(`network.close: ${err?.stack ?? err}`); code ||= 1; }
  }
  if (pgCleanup) {
    try { await pgCleanup(); } catch (err) { log(`postgres cleanup: ${err?.message ?? err}`); }
  }
  fs.rmSync(runTmp, { recursive: true, force: true });
  log(`stopped (exit ${code})`);
  process.exit(code);
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
if (process.env.PLAZA_BSKY_WATCH_STDIN === '1') {
  process.stdin.on('end', () => void shutdown('stdin closed'));
  process.stdin.on('error', () => void shutdown('stdin error'));
  process.stdin.resume();
}

// --- control endpoint -----------------------------------------------------------------------
let processing = Promise.resolve();
function processAll() {
  // One at a time; callers queue up behind each other.
  const run = processing.then(() => network.processAll(15_000));
  processing = run.catch(() => {});
  return run;
}

function startControl() {
  const server = http.createServer((req, res) => {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (shuttingDown) return reply(503, { error: 'shutting down' });
    if (req.method === 'POST' && req.url === '/process-all') {
      const t0 = Date.now();
      processAll().then(
        () => reply(200, { ok: true, ms: Date.now() - t0 }),
        (err) => reply(500, { error: String(err?.message ?? err) }),
      );
    } else if (req.method === 'GET' && req.url === '/health') {
      reply(200, { ok: true });
    } else {
      reply(404, { error: 'POST /process-all or GET /health' });
    }
    req.resume();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve(server));
  });
}

// --- main -------------------------------------------------------------------------------------
async function createAccount(pdsUrl, handle) {
  const password = `pw-${crypto.randomBytes(12).toString('hex')}`;
  const email = `${handle.split('.')[0]}@plaza.invalid`;
  const session = await xrpc(pdsUrl, 'com.atproto.server.createAccount', {
    body: { handle, email, password },
  });
  return { handle: session.handle, did: session.did, password, email, accessJwt: session.accessJwt };
}

async function main() {
  const pgSetup = await preparePostgres();
  pgCleanup = pgSetup.cleanup;

  log('starting PLC, PDS, bsync, appview and Ozone');
  network = await TestNetwork.create({
    dbPostgresUrl: pgSetup.url,
    dbPostgresSchema: pgSetup.schema,
  });
  const pdsUrl = loopbackUrl(network.pds.url);
  const appviewUrl = loopbackUrl(network.bsky.url);
  const plcUrl = loopbackUrl(network.plc.url);
  log(`up: pds ${pdsUrl}, appview ${appviewUrl}, plc ${plcUrl}`);

  const city = await createAccount(pdsUrl, 'city.test');
  const resident = await createAccount(pdsUrl, 'resident.test');
  const appPassword = await xrpc(pdsUrl, 'com.atproto.server.createAppPassword', {
    token: city.accessJwt,
    body: { name: 'plaza-tests' },
  });
  await processAll();
  // Both accounts must be known to the appview before we report ready.
  for (const account of [city, resident]) {
    await xrpc(appviewUrl, `app.bsky.actor.getProfile?actor=${encodeURIComponent(account.did)}`);
  }

  if (shuttingDown) return;
  control = await startControl();
  const controlUrl = `http://${LOOPBACK}:${control.address().port}`;

  const strip = ({ accessJwt, ...rest }) => rest;
  writeReadyFile({
    pid: process.pid,
    pds_url: pdsUrl,
    appview_url: appviewUrl,
    appview_did: network.bsky.ctx.cfg.serverDid,
    plc_url: plcUrl,
    control_url: controlUrl,
    city: { ...strip(city), app_password: appPassword.password },
    resident: strip(resident),
  });
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s; wrote ${readyFile}`);
  // The one line on stdout: a harness blocks reading it instead of polling for the file.
  process.stdout.write('ready\n');
}

main().catch((err) => {
  log(`failed to start: ${err?.stack ?? err}`);
  void shutdown('startup failure', 1);
});
