/**
 * The one place a tab chooses its compute backends (ONNX image/text encoding and tfjs training), by measuring
 * rather than by name: the first visit on a device times the same small ONNX model on WebAssembly and on WebGPU
 * and keeps the faster; the result is remembered per device (user agent + GPU adapter) in localStorage, so a
 * returning volunteer starts at once. A software WebGPU adapter (SwiftShader) is far slower than wasm and a real
 * GPU far faster, so "has WebGPU" alone is not enough. Fallback order, every step logged in `reason`:
 *   1. `?backend=webgpu|wasm` overrides everything;
 *   2. no WebGPU adapter: WebAssembly;
 *   3. a measurement remembered for this device;
 *   4. a new measurement (WebGPU must clearly win, else WebAssembly; a failed WebGPU probe means WebAssembly).
 */
export type ComputeBackend = 'webgpu' | 'wasm';

export interface BackendMeasurement {
  /** Median milliseconds per run of the probe model on each provider. */
  wasmMs: number;
  webgpuMs: number | null;
  /** Why WebGPU has no time (its probe failed or ran past its limit). */
  webgpuError?: string;
}

export interface BackendChoice {
  onnx: ComputeBackend;
  tf: ComputeBackend;
  reason: string;
  gpuAdapter?: string;
  fallbackAdapter?: boolean;
  measured?: BackendMeasurement & { at: string; cached: boolean };
}

export interface GpuProbe {
  adapter: string;
  fallback: boolean;
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

/** WebGPU must take at most this share of wasm's time to be chosen: its first-visit costs are higher. */
export const WEBGPU_ADVANTAGE = 0.8;
/** A remembered measurement is trusted this long (drivers and browsers change). */
export const MEASUREMENT_TTL_MS = 30 * 24 * 3600 * 1000;
const STORAGE_PREFIX = 'clipfed.backend.v1|';

export async function probeWebGpu(): Promise<GpuProbe | null> {
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return null;
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
  return { adapter: name, fallback: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) };
}

/** The key a measurement is remembered under: the same browser on the same GPU adapter. */
export function deviceKey(gpu: GpuProbe, userAgent: string): string {
  return `${STORAGE_PREFIX}${userAgent}|${gpu.adapter}|${gpu.fallback ? 'fallback' : 'hardware'}`;
}

export function decide(m: BackendMeasurement): ComputeBackend {
  return m.webgpuMs !== null && m.webgpuMs <= WEBGPU_ADVANTAGE * m.wasmMs ? 'webgpu' : 'wasm';
}

function describe(m: BackendMeasurement, gpu: GpuProbe, chosen: ComputeBackend, cached: boolean): string {
  const adapter = `adapter "${gpu.adapter}"${gpu.fallback ? ', a software fallback' : ''}`;
  const times = m.webgpuMs === null ? `WebGPU failed (${m.webgpuError ?? 'no time'}), WebAssembly ${m.wasmMs.toFixed(1)} ms` : `WebGPU ${m.webgpuMs.toFixed(1)} ms vs WebAssembly ${m.wasmMs.toFixed(1)} ms`;
  const winner = chosen === 'webgpu' ? 'WebGPU' : 'WebAssembly';
  return `${cached ? 'measured on this device before' : 'measured now'}: ${times} per probe run on ${adapter}, so ${winner}`;
}

interface StoredMeasurement extends BackendMeasurement {
  at: string;
}

function readStored(storage: Pick<Storage, 'getItem'> | undefined, key: string, now: number): StoredMeasurement | null {
  try {
    const raw = storage?.getItem(key);
    if (!raw) return null;
    const m = JSON.parse(raw) as StoredMeasurement;
    if (typeof m.wasmMs !== 'number' || !(m.webgpuMs === null || typeof m.webgpuMs === 'number')) return null;
    if (!(now - Date.parse(m.at) < MEASUREMENT_TTL_MS)) return null;
    return m;
  } catch {
    return null; // storage disabled (private window) or garbage: measure again
  }
}

export interface ChooseDeps {
  probe?: () => Promise<GpuProbe | null>;
  measure?: () => Promise<BackendMeasurement>;
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
  userAgent?: string;
  now?: () => number;
}

export async function chooseBackends(params: URLSearchParams, deps: ChooseDeps = {}): Promise<BackendChoice> {
  const forced = params.get('backend');
  const gpu = await (deps.probe ?? probeWebGpu)();
  const gpuFields = gpu ? { gpuAdapter: gpu.adapter, fallbackAdapter: gpu.fallback } : {};
  if (forced === 'webgpu') {
    if (!gpu) throw new Error('?backend=webgpu was asked for, but this browser exposes no WebGPU adapter (Chromium needs --enable-unsafe-webgpu without a GPU)');
    return { onnx: 'webgpu', tf: 'webgpu', reason: `forced by ?backend=webgpu (adapter: ${gpu.adapter}${gpu.fallback ? ', software fallback' : ''})`, ...gpuFields };
  }
  if (forced === 'wasm') return { onnx: 'wasm', tf: 'wasm', reason: 'forced by ?backend=wasm', ...gpuFields };
  if (forced) throw new Error(`unknown ?backend=${forced}; use webgpu or wasm`);
  if (!gpu) return { onnx: 'wasm', tf: 'wasm', reason: 'no WebGPU adapter in this browser, so WebAssembly' };

  const storage = deps.storage ?? (typeof localStorage !== 'undefined' ? localStorage : undefined);
  const now = (deps.now ?? Date.now)();
  const key = deviceKey(gpu, deps.userAgent ?? navigator.userAgent);
  const stored = readStored(storage, key, now);
  if (stored) {
    const chosen = decide(stored);
    return { onnx: chosen, tf: chosen, reason: describe(stored, gpu, chosen, true), ...gpuFields, measured: { ...stored, cached: true } };
  }
  const measurement = await (deps.measure ?? measureOnnxBackends)();
  const chosen = decide(measurement);
  const at = new Date(now).toISOString();
  try {
    storage?.setItem(key, JSON.stringify({ ...measurement, at }));
  } catch {
    /* a full or disabled storage only means measuring again next time */
  }
  return { onnx: chosen, tf: chosen, reason: describe(measurement, gpu, chosen, false), ...gpuFields, measured: { ...measurement, at, cached: false } };
}

/** Probe runs per provider after one warm-up run, and the longest the WebGPU probe may take in all. */
const PROBE_RUNS = 3;
const WEBGPU_PROBE_LIMIT_MS = 15_000;

/**
 * Times one small model (32 × 512 input, two 512 × 512 layers: the adapter's shape) on onnxruntime-web's wasm and
 * WebGPU providers: median of PROBE_RUNS runs after a warm-up. The model is written in the page with the
 * project's ONNX writer, so nothing extra is downloaded. About a second on wasm; a software WebGPU adapter
 * takes a few seconds (once per device).
 */
export async function measureOnnxBackends(wasmPaths = '/ort/'): Promise<BackendMeasurement> {
  const model = await probeModel();
  const wasmMs = await timeProvider('wasm', model, wasmPaths);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`took over ${WEBGPU_PROBE_LIMIT_MS / 1000} s`)), WEBGPU_PROBE_LIMIT_MS);
    });
    return { wasmMs, webgpuMs: await Promise.race([timeProvider('webgpu', model, wasmPaths), limit]) };
  } catch (e) {
    return { wasmMs, webgpuMs: null, webgpuError: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
}

async function probeModel(): Promise<Uint8Array> {
  const { OnnxGraphBuilder } = await import('@clipfed/clip/onnx-writer');
  const d = 512;
  const weights = (seed: number) => {
    const w = new Float32Array(d * d);
    for (let i = 0; i < w.length; i++) w[i] = (((i * 2654435761 + seed) >>> 0) / 4294967296 - 0.5) / 16;
    return w;
  };
  const g = new OnnxGraphBuilder({ graphName: 'backend_probe', producerName: 'clipfed' });
  g.input('x', 'float32', [32, d]);
  g.node('MatMul', ['x', g.initializer('w1', weights(1), [d, d])], ['h'])
    .node('Tanh', ['h'], ['a'])
    .node('MatMul', ['a', g.initializer('w2', weights(2), [d, d])], ['y'])
    .output('y', 'float32', [32, d]);
  return g.toBytes();
}

async function timeProvider(provider: ComputeBackend, model: Uint8Array, wasmPaths: string): Promise<number> {
  const ort = provider === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web');
  ort.env.wasm.wasmPaths = wasmPaths;
  ort.env.logLevel = 'error';
  const session = await ort.InferenceSession.create(model, { executionProviders: [provider] });
  try {
    const x = new Float32Array(32 * 512);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin(i);
    const feed = { x: new ort.Tensor('float32', x, [32, 512]) };
    const once = async () => {
      const out = await session.run(feed);
      await out.y.getData();
      out.y.dispose();
    };
    await once();
    const times: number[] = [];
    for (let i = 0; i < PROBE_RUNS; i++) {
      const t0 = performance.now();
      await once();
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  } finally {
    await session.release();
  }
}
