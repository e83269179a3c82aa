import Database from 'better-sqlite3';
const db = new Database(process.argv[2], { readonly: true });
const n = db.prepare('SELECT count(*) c FROM events').get().c;
const rows = db.prepare(`SELECT name, sum(pgsize) bytes, sum(payload) payload, sum(ncell) cells FROM dbstat GROUP BY name ORDER BY bytes DESC`).all();
let total = 0; for (const r of rows) total += r.bytes;
console.log('events', n, 'total B/event', (total / n).toFixed(1));
for (const r of rows.slice(0, Number(process.env.TOP ?? 40))) console.log((r.bytes / n).toFixed(2).padStart(8), String(r.cells).padStart(10), r.name);
