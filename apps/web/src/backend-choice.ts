/**
 * The one place a tab chooses its compute backends (ONNX image/text encoding and tfjs training), in a fixed
 * fallback order: WebGPU on a real (non-fallback) adapter, else wasm. `?backend=webgpu|wasm` overrides it.
 * A software WebGPU adapter (SwiftShader) is far slower than wasm, so "has WebGPU" alone is not enough.
 */
export type ComputeBackend = 'webgpu' | 'wasm';

export interface BackendChoice {
  onnx: ComputeBackend;
  tf: ComputeBackend;
  reason: string;
  gpuAdapter?: string;
  fallbackAdapter?: boolean;
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

export async function probeWebGpu(): Promise<{ adapter: string; fallback: boolean } | null> {
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return null;
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
  return { adapter: name, fallback: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) };
}

export async function chooseBackends(params: URLSearchParams): Promise<BackendChoice> {
  const forced = params.get('backend');
  const gpu = await probeWebGpu();
  const gpuFields = gpu ? { gpuAdapter: gpu.adapter, fallbackAdapter: gpu.fallback } : {};
  if (forced === 'webgpu') {
    if (!gpu) throw new Error('?backend=webgpu was asked for, but this browser exposes no WebGPU adapter (Chromium needs --enable-unsafe-webgpu without a GPU)');
    return { onnx: 'webgpu', tf: 'webgpu', reason: `forced by ?backend=webgpu (adapter: ${gpu.adapter}${gpu.fallback ? ', software fallback' : ''})`, ...gpuFields };
  }
  if (forced === 'wasm') return { onnx: 'wasm', tf: 'wasm', reason: 'forced by ?backend=wasm', ...gpuFields };
  if (forced) throw new Error(`unknown ?backend=${forced}; use webgpu or wasm`);
  if (!gpu) return { onnx: 'wasm', tf: 'wasm', reason: 'no WebGPU adapter in this browser, so WebAssembly' };
  if (gpu.fallback) {
    return { onnx: 'wasm', tf: 'wasm', reason: `WebGPU adapter "${gpu.adapter}" is a software fallback, slower than WebAssembly`, ...gpuFields };
  }
  return { onnx: 'webgpu', tf: 'webgpu', reason: `hardware WebGPU adapter "${gpu.adapter}"`, ...gpuFields };
}
