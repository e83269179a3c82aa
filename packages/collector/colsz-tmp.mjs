import Database from 'better-sqlite3';
const db = new Database(process.argv[2], { readonly: true });
const cols = db.prepare(`SELECT name FROM pragma_table_xinfo('events') WHERE hidden = 0`).all().map((r) => r.name);
const size = (c) => `CASE typeof(${c}) WHEN 'null' THEN 0 WHEN 'text' THEN length(CAST(${c} AS BLOB)) WHEN 'blob' THEN length(${c}) WHEN 'real' THEN 8
 ELSE CASE WHEN ${c} IN (0,1) THEN 0 WHEN abs(${c}) < 128 THEN 1 WHEN abs(${c}) < 32768 THEN 2 WHEN abs(${c}) < 8388608 THEN 3 WHEN abs(${c}) < 2147483648 THEN 4 WHEN abs(${c}) < 140737488355328 THEN 6 ELSE 8 END END`;
const sql = `SELECT count(*) n, ${cols.map((c) => `avg(${size(c)}) AS "${c}"`).join(', ')} FROM (SELECT * FROM events LIMIT ${process.env.LIMIT ?? 200000})`;
const r = db.prepare(sql).get();
console.log('columns', cols.length);
for (const [k, v] of Object.entries(r).filter(([k]) => k !== 'n').sort((a, b) => b[1] - a[1])) console.log(v.toFixed(2).padStart(8), k);
