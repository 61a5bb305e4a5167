import { writeFileSync } from 'node:fs';

/** Print a result as a readable table and as one JSON line; write the JSON to a file when asked. */
export function report(name: string, result: Record<string, unknown>, jsonPath?: string): void {
  const rows = Object.entries(result).filter(([, v]) => typeof v !== 'object' || v === null);
  const width = Math.max(...rows.map(([k]) => k.length), 6);
  console.log(`\n${name}`);
  console.log(`${'metric'.padEnd(width)}  value`);
  console.log(`${'-'.repeat(width)}  -----`);
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${typeof v === 'number' ? fmt(v) : String(v)}`);
  const json = JSON.stringify({ benchmark: name, ...result });
  console.log(json);
  if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify({ benchmark: name, ...result }, null, 2)}\n`);
}

function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);
}
