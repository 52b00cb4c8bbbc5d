import * as tfc from '@tensorflow/tfjs-core';
import { loadGraphModel, registerOp, type GraphModel } from '@tensorflow/tfjs-converter';
// Named imports, not bare ones: these packages declare themselves side-effect free, so a bundler
// would drop a bare import, and with it the backend's registration.
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fixWasmCastToBool, registerDetectionOps } from './customOps';

/**
 * Which TensorFlow.js backend runs the model:
 * - `tensorflow`: native libtensorflow through `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`
 *   (installed only in the serving container; also the only way to run a SavedModel);
 * - `wasm`: WebAssembly with SIMD, one thread; the default everywhere else (about 100 ms per image
 *   for an SSD MobileNet);
 * - `cpu`: plain JavaScript, about 25 times slower than wasm; the last resort.
 */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

/** The tfjs-core API; with tfjs-node it is tfjs-node's own copy (see {@link TfRuntime}). */
export type TfCore = typeof tfc;

/** A SavedModel signature loaded by tfjs-node (`tf.node.loadSavedModel`). */
export interface NodeSavedModel {
  predict(inputs: tfc.NamedTensorMap): tfc.Tensor | tfc.Tensor[] | tfc.NamedTensorMap;
  dispose(): void;
}

interface SavedModelTensorInfo {
  readonly name: string;
  readonly dtype: string;
  readonly shape?: readonly number[];
}

/** One meta graph of a SavedModel as `tf.node.getMetaGraphsFromSavedModel` describes it. */
export interface SavedModelMetaGraph {
  readonly tags: readonly string[];
  readonly signatureDefs: Record<
    string,
    {
      readonly inputs: Record<string, SavedModelTensorInfo>;
      readonly outputs: Record<string, SavedModelTensorInfo>;
    }
  >;
}

/** The part of `@tensorflow/tfjs-node`'s `tf.node` namespace this code uses. */
export interface TfNodeApi {
  loadSavedModel(path: string, tags?: string[], signature?: string): Promise<NodeSavedModel>;
  getMetaGraphsFromSavedModel(path: string): Promise<SavedModelMetaGraph[]>;
}

/**
 * The TensorFlow.js instance models run on. With tfjs-node, `tf` and `loadGraphModel` come from
 * tfjs-node's own tfjs (its native backend registers with that copy of tfjs-core, not with the
 * one bundled here), so every tensor of a detection is made by the same engine.
 */
export interface TfRuntime {
  readonly backend: BackendName;
  readonly tf: TfCore;
  loadGraphModel(handler: tfc.io.IOHandler): Promise<GraphModel>;
  /** Present only on the `tensorflow` backend. */
  readonly node?: TfNodeApi;
  /** Why a preferred backend was passed over, for the log. */
  readonly notes: readonly string[];
  /** The TensorFlow.js version this runtime runs, for the log. */
  readonly version: string;
}

export interface RuntimeOptions {
  /** `auto` (default, or env `TFOD_BACKEND`): tensorflow if tfjs-node is installed, else wasm, else cpu. */
  readonly backend?: BackendChoice;
  /** Folder with the `tfjs-backend-wasm*.wasm` files (default: env `TFOD_WASM_DIR`, next to the bundle, or the npm package). */
  readonly wasmDir?: string;
}

const WASM_FILE = 'tfjs-backend-wasm-simd.wasm';

let current: { choice: BackendChoice; runtime: Promise<TfRuntime> } | undefined;

/**
 * Initialises TensorFlow.js once per process and returns it. tfjs keeps one global engine, so a
 * second call with a different explicit backend is refused rather than silently switching the
 * backend under models already loaded.
 */
export function getTfRuntime(options: RuntimeOptions = {}): Promise<TfRuntime> {
  const choice = options.backend ?? backendFromEnv();
  if (current) {
    if (choice === 'auto' || choice === current.choice) return current.runtime;
    return current.runtime.then((runtime) => {
      if (runtime.backend !== choice)
        throw new Error(
          `TensorFlow.js already runs on the ${runtime.backend} backend in this process; cannot switch to ${choice}`,
        );
      return runtime;
    });
  }
  const runtime = initRuntime(choice, options);
  current = { choice, runtime };
  runtime.catch(() => {
    current = undefined;
  });
  return runtime;
}

function backendFromEnv(): BackendChoice {
  const value = process.env.TFOD_BACKEND?.trim().toLowerCase();
  if (!value) return 'auto';
  if (value === 'auto' || value === 'tensorflow' || value === 'wasm' || value === 'cpu')
    return value;
  throw new Error(`TFOD_BACKEND=${value} is not one of auto, tensorflow, wasm, cpu`);
}

async function initRuntime(choice: BackendChoice, options: RuntimeOptions): Promise<TfRuntime> {
  const notes: string[] = [];
  if (choice === 'tensorflow' || choice === 'auto') {
    const native = loadTfjsNode(notes);
    if (native) return native;
    if (choice === 'tensorflow')
      throw new Error(
        `the tensorflow backend needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu: ${notes.join('; ')}`,
      );
  }
  tfc.enableProdMode();
  registerDetectionOps(registerOp);
  if (choice === 'wasm' || choice === 'auto') {
    const wasmDir = options.wasmDir ?? findWasmDir();
    if (wasmDir) {
      setWasmPaths(wasmDir.endsWith('/') ? wasmDir : `${wasmDir}/`);
      fixWasmCastToBool();
      if (await tfc.setBackend('wasm').catch(() => false))
        return {
          backend: 'wasm',
          tf: tfc,
          loadGraphModel: (h) => loadGraphModel(h),
          notes,
          version: `tfjs-core ${tfc.version_core}, tfjs-backend-wasm ${version_wasm}`,
        };
      notes.push(`the wasm backend did not start (wasm files in ${wasmDir})`);
    } else {
      notes.push(`no ${WASM_FILE} found (set TFOD_WASM_DIR to the folder that holds it)`);
    }
    if (choice === 'wasm') throw new Error(notes.join('; '));
  }
  await tfc.setBackend('cpu');
  return {
    backend: 'cpu',
    tf: tfc,
    loadGraphModel: (h) => loadGraphModel(h),
    notes,
    version: `tfjs-core ${tfc.version_core}, tfjs-backend-cpu ${version_cpu}`,
  };
}

/** The module shape of `@tensorflow/tfjs-node(-gpu)` as far as it is used here. */
type TfNodeModule = TfCore & {
  loadGraphModel: typeof loadGraphModel;
  registerOp: typeof registerOp;
  node: TfNodeApi;
};

/**
 * tfjs-node is an optional, native dependency present only in the serving container; it is
 * required by a computed name so bundlers leave it alone. A GPU build that cannot find CUDA
 * throws on load; then the CPU build is tried.
 */
function loadTfjsNode(notes: string[]): TfRuntime | undefined {
  // Resolved from this file (the bundle in the container's /opt/program/dist), never from the
  // working directory, so a stray tfjs-node elsewhere is not picked up.
  const req = createRequire(typeof __filename === 'string' ? __filename : mainPath());
  for (const name of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    let tfNode: TfNodeModule;
    try {
      tfNode = req(name) as TfNodeModule;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND')
        notes.push(`${name} failed to load: ${error instanceof Error ? error.message : error}`);
      continue;
    }
    registerDetectionOps(tfNode.registerOp);
    return {
      backend: 'tensorflow',
      tf: tfNode,
      loadGraphModel: (h) => tfNode.loadGraphModel(h),
      node: tfNode.node,
      notes,
      version: `${name} ${tfNode.version_core}`,
    };
  }
  notes.push('@tensorflow/tfjs-node is not installed');
  return undefined;
}

/**
 * Whether `name` (a tfjs-node build) could be loaded by {@link getTfRuntime}, without loading it:
 * resolved from this file as there, so the answer is the one the runtime would find.
 */
export function nativeBindingInstalled(
  name: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu',
): boolean {
  try {
    createRequire(typeof __filename === 'string' ? __filename : mainPath()).resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** The bundle's folder first (the build copies the .wasm files there), then the npm package's. */
function findWasmDir(): string | undefined {
  const candidates: string[] = [];
  if (process.env.TFOD_WASM_DIR) candidates.push(process.env.TFOD_WASM_DIR);
  if (typeof __dirname === 'string') candidates.push(__dirname);
  try {
    const req = createRequire(typeof __filename === 'string' ? __filename : mainPath());
    const pkg = '@tensorflow/tfjs-backend-wasm/package.json';
    candidates.push(join(dirname(req.resolve(pkg)), 'dist'));
  } catch {
    // Not installed beside this code (a packaged extension): the bundle folder must have them.
  }
  return candidates.find((dir) => existsSync(join(dir, WASM_FILE)));
}

function mainPath(): string {
  return process.argv[1] ?? join(process.cwd(), 'index.js');
}
