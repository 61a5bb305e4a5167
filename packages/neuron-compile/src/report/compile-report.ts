import type {
  BertConfig,
  BertHeadKind,
  BoundaryTensor,
  GeluForm,
  PrecisionPolicy,
  PrecisionStats,
  RewritePath,
} from '@bert-neuron/bert-rewrite';
import type { DeviceFusionReport } from '../fuse/device-fusions.js';
import type { StageTiming } from '../pipeline/stage-timer.js';
import type { VerificationResult } from '../verify/verify-artifact.js';

/** One partition of the artifact and its size. */
export interface PartitionSummary {
  readonly name: string;
  readonly placement: 'host' | 'device';
  readonly buckets: readonly number[];
  readonly file: string;
  readonly nodes: number;
  /** Constant elements and their bytes. */
  readonly parameters: number;
  readonly parameterBytes: number;
  /** Size of the ONNX file (and its external data, if any). */
  readonly fileBytes: number;
}

/** FLOPs of one sequence at a bucket (matrix products; the analytic figure for the config beside it). */
export interface BucketFlops {
  readonly bucket: number;
  readonly perSequence: number;
  readonly host: number;
  readonly device: number;
  /** bert-rewrite's bertFlops for the detected config at this length. */
  readonly analyticPerSequence: number;
}

/** report.json: what the compiler did and what verification measured. */
export interface CompileReport {
  readonly compiler: { readonly name: string; readonly version: string };
  readonly createdAt: string;
  readonly source: {
    readonly file: string;
    readonly sha256: string;
    readonly bytes: number;
    readonly producer: string;
    readonly opset: number | null;
    readonly nodes: number;
  };
  readonly options: {
    readonly batchSize: number;
    readonly buckets: readonly number[];
    readonly precision: PrecisionPolicy;
    /** The path asked for (null: the default, the model path with the no-model path as fallback). */
    readonly path: RewritePath | null;
    readonly fuse: boolean;
    readonly verifySamples: number;
    readonly verify: boolean;
    readonly vocab: string | null;
    readonly lowerCase: boolean;
  };
  readonly rewrite: {
    readonly path: RewritePath;
    /** Why the no-model path was used although the model path was the default, or null. */
    readonly fallback: string | null;
    readonly detected: {
      readonly config: BertConfig;
      readonly head: BertHeadKind;
      readonly gelu: GeluForm;
      readonly notes: readonly string[];
    };
    readonly rules: {
      readonly fired: Readonly<Record<string, number>>;
      readonly rejected: Readonly<Record<string, Readonly<Record<string, number>>>>;
    };
    /** Reshape targets made constant so that no shape arithmetic crosses from host to device. */
    readonly staticReshapeTargets: number;
  };
  readonly precision: Omit<PrecisionStats, 'policy'> & { readonly policy: PrecisionPolicy };
  /** The device fusions (null when turned off). */
  readonly fusion: DeviceFusionReport | null;
  readonly partitions: readonly PartitionSummary[];
  /** What the host hands to the device. */
  readonly boundary: readonly BoundaryTensor[];
  readonly flops: readonly BucketFlops[];
  readonly verification: VerificationResult | { readonly status: 'skipped' };
  readonly stages: readonly StageTiming[];
  readonly notes: readonly string[];
}
