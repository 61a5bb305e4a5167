import type { CompileResult } from '../compile.js';

/** A number with an SI suffix: 1234567 -> "1.23 M". */
export function si(n: number, unit = ''): string {
  const steps: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [v, s] of steps) if (Math.abs(n) >= v) return `${(n / v).toFixed(2)} ${s}${unit}`;
  return `${n} ${unit}`.trim();
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const exp = (x: number): string => x.toExponential(2);

/**
 * The compile's summary as text tables: partitions (placement, buckets, nodes, parameters, bytes),
 * FLOPs per sequence per bucket, precision, fusions, verification figures per bucket, stage times.
 */
export function formatSummary(result: CompileResult): string {
  const r = result.report;
  const m = result.manifest;
  const out: string[] = [];
  out.push(
    `artifact ${result.outputDir}: ${r.rewrite.detected.head}, ${r.rewrite.path} path${r.rewrite.fallback ? ' (fallback)' : ''}, precision ${m.precision}, batch ${m.batchSize}, buckets ${m.buckets.join(',')}`,
  );
  out.push('');
  out.push(
    table(
      ['partition', 'placement', 'buckets', 'nodes', 'parameters', 'weights', 'file'],
      r.partitions.map((p) => [
        p.name,
        p.placement,
        p.buckets.join(','),
        String(p.nodes),
        si(p.parameters),
        si(p.parameterBytes, 'B'),
        si(p.fileBytes, 'B'),
      ]),
    ),
  );
  out.push('');
  out.push(
    table(
      ['bucket', 'FLOP/sequence', 'host', 'device', 'analytic'],
      r.flops.map((f) => [
        String(f.bucket),
        si(f.perSequence),
        si(f.host),
        si(f.device),
        si(f.analyticPerSequence),
      ]),
    ),
  );
  out.push('');
  const byPrecision = Object.entries(r.precision.nodesByPrecision)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  out.push(
    `precision ${r.precision.policy}: nodes ${byPrecision}; casts ${r.precision.castsInserted}; parameters ${Object.entries(
      r.precision.parametersByDtype,
    )
      .map(([k, v]) => `${k} ${si(v!.count)}`)
      .join(', ')}`,
  );
  if (r.fusion !== null) {
    const fused = Object.entries(r.fusion.fusedOps)
      .map(([k, v]) => `${v} ${k.replace('com.microsoft:', '')}`)
      .join(', ');
    out.push(
      `device fusions: ${fused || 'none'} (${r.fusion.nodes.before} -> ${r.fusion.nodes.after} nodes)`,
    );
  }
  const v = r.verification;
  if (v.status === 'skipped') out.push('verification: skipped');
  else {
    out.push(
      `verification ${v.status} (${v.tolerance.rule}): ${v.samples} ${v.sampleSource} samples per bucket, ${v.seconds.toFixed(1)} s`,
    );
    out.push(
      table(
        [
          'bucket',
          'samples',
          'max abs err',
          'rel err',
          'argmax agree',
          ...(v.buckets.some((b) => b.reference) ? ['rel err vs ref'] : []),
        ],
        v.buckets.map((b) => [
          String(b.bucket),
          String(b.samples),
          exp(b.source.maxAbsError),
          exp(b.source.maxRelError),
          b.source.argmaxCompared === 0 ? 'n/a' : `${(b.source.argmaxAgreement * 100).toFixed(1)}%`,
          ...(b.reference ? [exp(b.reference.maxRelError)] : []),
        ]),
      ),
    );
  }
  const total = result.stages.reduce((n, s) => n + s.seconds, 0);
  out.push('');
  out.push(
    `stages: ${result.stages.map((s) => `${s.stage} ${s.seconds.toFixed(1)} s`).join(', ')}; total ${total.toFixed(1)} s`,
  );
  for (const n of r.notes) out.push(`note: ${n}`);
  return `${out.join('\n')}\n`;
}
