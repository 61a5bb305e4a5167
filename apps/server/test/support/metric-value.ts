/** The value of one sample of a Prometheus text exposition (labels as written, e.g. `{kind="real"}`); 0 when absent. */
export function metricValue(text: string, name: string, labels = ''): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    const key = line.slice(0, space);
    if (key === `${name}${labels}`) return Number(line.slice(space + 1));
  }
  return 0;
}

/** The sum over every sample of a metric name (all label sets). */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    const key = line.slice(0, space);
    if (key === name || key.startsWith(`${name}{`)) sum += Number(line.slice(space + 1));
  }
  return sum;
}
