import type { ArtifactManifest, PartitionEntry } from './manifest.js';

/**
 * An artifact whose manifest and files were checked (loadArtifact). Plain data: it can be posted
 * to worker threads as it is.
 */
export interface LoadedArtifact {
  /** The artifact directory, absolute, symlinks resolved. */
  readonly dir: string;
  readonly manifest: ArtifactManifest;
  /** Absolute real path of every partition file, by partition name. */
  readonly partitionPaths: Readonly<Record<string, string>>;
  /** Absolute real path of the vocabulary, when the artifact has one. */
  readonly vocabPath: string | null;
  /** Absolute real path of report.json, when the artifact has one. */
  readonly reportPath: string | null;
  /** Absolute real paths of `manifest.files`, in order. */
  readonly filePaths: readonly string[];
}

/** The host and device partitions that serve a bucket (the manifest guarantees exactly one each). */
export function partitionsForBucket(
  manifest: ArtifactManifest,
  bucket: number,
): { readonly host: PartitionEntry; readonly device: PartitionEntry } | undefined {
  const find = (placement: 'host' | 'device') =>
    manifest.partitions.find((p) => p.placement === placement && p.buckets.includes(bucket));
  const host = find('host');
  const device = find('device');
  return host && device ? { host, device } : undefined;
}
