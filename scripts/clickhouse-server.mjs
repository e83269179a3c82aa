// Private clickhouse-server processes for tests and benchmarks: each with its
// own config.xml and users.xml in a temporary directory, loopback only, on
// free ports, small caches. Plain JavaScript so that both the vitest suites
// (through test/support/clickhouse-server.ts) and bench/ (plain Node) use
// this one implementation; the types are in clickhouse-server.d.mts.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's `clickhouse-server` (18.16); CI installs it with apt. */
export const CLICKHOUSE_SERVER_PATH = process.env.CHATMETER_CLICKHOUSE_SERVER ?? '/usr/sbin/clickhouse-server';

/** The cluster name written into every server's `remote_servers` when more than one shard is started. */
export const TEST_CLUSTER = 'chatmeter_test_cluster';

/**
 * A second user with a password beside the password-less `default` (which the
 * `Distributed` tables use between shards), so tests can exercise
 * `--clickhouse-user` / `--clickhouse-password`.
 */
export const TEST_USER = Object.freeze({ username: 'chatmeter', password: 'chatmeter-test-password' });

/** Ports the OS reports free right now; the server may still lose a race for one, so start retries. */
async function freePorts(count) {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => server.address().port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function escapeXml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A config for a test server: loopback only, everything under `directory`,
 * and caches of 64 MiB instead of the packaged 5–8 GiB (the machine runs
 * several servers and test processes at once; the test data is tiny).
 */
function configXml(directory, ports, clusterTcpPorts) {
  const path = (name) => escapeXml(join(directory, name) + '/');
  const shards = clusterTcpPorts
    .map((port) => `      <shard><replica><host>127.0.0.1</host><port>${port}</port></replica></shard>`)
    .join('\n');
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${escapeXml(join(directory, 'log', 'server.log'))}</log>
    <errorlog>${escapeXml(join(directory, 'log', 'server.err.log'))}</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <max_connections>256</max_connections>
  <!-- 3 s as packaged: a SIGTERMed server waits for idle keep-alive connections, so a longer one slows every stop(). -->
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <shutdown_wait_unfinished>1</shutdown_wait_unfinished>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>67108864</mark_cache_size>
  <path>${path('data')}</path>
  <tmp_path>${path('tmp')}</tmp_path>
  <user_files_path>${path('user_files')}</user_files_path>
  <format_schema_path>${path('format_schemas')}</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <remote_servers>
${clusterTcpPorts.length > 0 ? `    <${TEST_CLUSTER}>\n${shards}\n    </${TEST_CLUSTER}>` : ''}
  </remote_servers>
</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>2000000000</max_memory_usage>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
    <${TEST_USER.username}>
      <password>${TEST_USER.password}</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </${TEST_USER.username}>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`;

/** Children still running, killed if the test process exits without stopping them. */
const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function launch(directory, ports, clusterTcpPorts) {
  for (const name of ['data', 'tmp', 'user_files', 'format_schemas', 'log']) mkdirSync(join(directory, name), { recursive: true });
  writeFileSync(join(directory, 'config.xml'), configXml(directory, ports, clusterTcpPorts));
  writeFileSync(join(directory, 'users.xml'), USERS_XML);
  const child = spawn(CLICKHOUSE_SERVER_PATH, [`--config-file=${join(directory, 'config.xml')}`], {
    cwd: directory,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', () => {
    running.delete(child);
    resolve();
  }));
  return { child, exited, directory, ports, output: () => output };
}

function errorLog(directory) {
  try {
    return readFileSync(join(directory, 'log', 'server.err.log'), 'utf8').slice(-4000);
  } catch {
    return '';
  }
}

/** Resolves when `/ping` answers `Ok.`; rejects when the server exits first or after `timeoutMs`. */
async function waitForPing(server, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void server.exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) break;
    try {
      const response = await fetch(`http://127.0.0.1:${server.ports.http}/ping`);
      if (response.ok && (await response.text()).trim() === 'Ok.') return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const why = gone ? `exited with ${server.child.exitCode ?? server.child.signalCode}` : `did not answer /ping within ${timeoutMs / 1000} s`;
  throw new Error(`clickhouse-server (HTTP port ${server.ports.http}) ${why}.\noutput: ${server.output()}\nerror log: ${errorLog(server.directory)}`);
}

async function stopServer(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const killTimer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await server.exited;
  clearTimeout(killTimer);
}

async function query(httpPort, sql) {
  const response = await fetch(`http://127.0.0.1:${httpPort}/`, { method: 'POST', body: sql });
  const body = await response.text();
  if (!response.ok) throw new Error(`ClickHouse answered ${response.status} to ${JSON.stringify(sql.slice(0, 200))}: ${body}`);
  return body;
}

/**
 * Starts private clickhouse-server processes (one per shard) in a fresh
 * temporary directory, each with its own config.xml and users.xml, on free
 * loopback ports, and resolves when every one answers `/ping`. Call `stop()`
 * in `afterAll`.
 *
 * @example
 * const clickhouse = await startClickHouse({ shards: 2 });
 * // clickhouse.url, clickhouse.urls, clickhouse.cluster === TEST_CLUSTER
 * await clickhouse.stop();
 */
export async function startClickHouse(options = {}) {
  const shardCount = options.shards ?? 1;
  const root = mkdtempSync(join(tmpdir(), 'chatmeter-clickhouse-'));
  let servers = [];
  const stopAll = async () => {
    await Promise.all(servers.map(stopServer));
  };
  // A port found free may be taken before the server binds it; a few fresh attempts make that race harmless.
  for (let attempt = 1; ; attempt++) {
    const ports = await freePorts(3 * shardCount);
    const serverPorts = Array.from({ length: shardCount }, (_, index) => ({
      http: ports[3 * index],
      tcp: ports[3 * index + 1],
      interserver: ports[3 * index + 2],
    }));
    const clusterTcpPorts = shardCount > 1 ? serverPorts.map((server) => server.tcp) : [];
    servers = serverPorts.map((serverPort, index) => {
      const directory = join(root, `attempt-${attempt}`, `shard-${index + 1}`);
      return launch(directory, serverPort, clusterTcpPorts);
    });
    try {
      await Promise.all(servers.map((server) => waitForPing(server, 60_000)));
      break;
    } catch (error) {
      await stopAll();
      if (attempt >= 3) {
        rmSync(root, { recursive: true, force: true });
        throw error;
      }
    }
  }
  let stopped;
  const urls = servers.map((server) => `http://127.0.0.1:${server.ports.http}`);
  return {
    url: urls[0],
    urls,
    directory: root,
    tcpPorts: servers.map((server) => server.ports.tcp),
    ...(shardCount > 1 ? { cluster: TEST_CLUSTER } : {}),
    query: (sql, serverIndex = 0) => query(servers[serverIndex].ports.http, sql),
    stopServer: (serverIndex) => stopServer(servers[serverIndex]),
    stop() {
      stopped ??= stopAll().then(() => rmSync(root, { recursive: true, force: true }));
      return stopped;
    },
  };
}
