import { readFileSync } from 'node:fs';

/** The compiler's name and version, as the manifest records them (from package.json). */
export const COMPILER_NAME = '@bert-neuron/neuron-compile';

export function compilerVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
