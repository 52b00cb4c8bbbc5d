/**
 * Instance types offered in pickers, GPU types first: Object Detection API training on a CPU is
 * slow enough that a GPU is what most users want. SageMaker has more types than these; a
 * well-formed type that is not listed is accepted with a warning (regions and accounts differ).
 */
export interface InstanceType {
  readonly name: string;
  readonly gpus: number;
  /** A short description for pickers: "1 × NVIDIA T4, 4 vCPU, 16 GiB". */
  readonly detail: string;
}

const gpu = (name: string, gpus: number, detail: string): InstanceType => ({ name, gpus, detail });
const cpu = (name: string, detail: string): InstanceType => ({ name, gpus: 0, detail });

export const TRAINING_INSTANCE_TYPES: readonly InstanceType[] = [
  gpu('ml.p3.2xlarge', 1, '1 × NVIDIA V100 16 GB, 8 vCPU, 61 GiB'),
  gpu('ml.g4dn.xlarge', 1, '1 × NVIDIA T4 16 GB, 4 vCPU, 16 GiB'),
  gpu('ml.g5.xlarge', 1, '1 × NVIDIA A10G 24 GB, 4 vCPU, 16 GiB'),
  gpu('ml.g4dn.2xlarge', 1, '1 × NVIDIA T4 16 GB, 8 vCPU, 32 GiB'),
  gpu('ml.g5.2xlarge', 1, '1 × NVIDIA A10G 24 GB, 8 vCPU, 32 GiB'),
  gpu('ml.g6.xlarge', 1, '1 × NVIDIA L4 24 GB, 4 vCPU, 16 GiB'),
  gpu('ml.p3.8xlarge', 4, '4 × NVIDIA V100 16 GB, 32 vCPU, 244 GiB'),
  gpu('ml.g4dn.12xlarge', 4, '4 × NVIDIA T4 16 GB, 48 vCPU, 192 GiB'),
  gpu('ml.g5.12xlarge', 4, '4 × NVIDIA A10G 24 GB, 48 vCPU, 192 GiB'),
  gpu('ml.p3.16xlarge', 8, '8 × NVIDIA V100 16 GB, 64 vCPU, 488 GiB'),
  gpu('ml.p4d.24xlarge', 8, '8 × NVIDIA A100 40 GB, 96 vCPU, 1152 GiB'),
  cpu('ml.m5.large', '2 vCPU, 8 GiB'),
  cpu('ml.m5.xlarge', '4 vCPU, 16 GiB'),
  cpu('ml.m5.2xlarge', '8 vCPU, 32 GiB'),
  cpu('ml.m5.4xlarge', '16 vCPU, 64 GiB'),
  cpu('ml.c5.xlarge', '4 vCPU, 8 GiB'),
  cpu('ml.c5.2xlarge', '8 vCPU, 16 GiB'),
  cpu('ml.c5.4xlarge', '16 vCPU, 32 GiB'),
  cpu('ml.c5.9xlarge', '36 vCPU, 72 GiB'),
];

/** Endpoint (hosting) types, CPU first: a detector serves one image at a time well on a CPU. */
export const ENDPOINT_INSTANCE_TYPES: readonly InstanceType[] = [
  cpu('ml.m5.large', '2 vCPU, 8 GiB'),
  cpu('ml.m5.xlarge', '4 vCPU, 16 GiB'),
  cpu('ml.c5.large', '2 vCPU, 4 GiB'),
  cpu('ml.c5.xlarge', '4 vCPU, 8 GiB'),
  cpu('ml.t2.medium', '2 vCPU, 4 GiB (burstable)'),
  gpu('ml.g4dn.xlarge', 1, '1 × NVIDIA T4 16 GB, 4 vCPU, 16 GiB'),
  gpu('ml.g5.xlarge', 1, '1 × NVIDIA A10G 24 GB, 4 vCPU, 16 GiB'),
  gpu('ml.p3.2xlarge', 1, '1 × NVIDIA V100 16 GB, 8 vCPU, 61 GiB'),
];

/** SageMaker's instance type names: `ml.<family>.<size>`. */
export const INSTANCE_TYPE_PATTERN = /^ml\.[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/** NVIDIA GPU families (p and g); Trainium and Inferentia cannot run the TensorFlow image. */
const GPU_FAMILY = /^ml\.(p\d|g\d)[a-z0-9-]*\./;

export function isGpuInstanceType(name: string): boolean {
  const known = [...TRAINING_INSTANCE_TYPES, ...ENDPOINT_INSTANCE_TYPES].find(
    (type) => type.name === name,
  );
  return known ? known.gpus > 0 : GPU_FAMILY.test(name);
}
