import { describe, expect, it, vi } from 'vitest';
import { chooseBackends, decide, deviceKey, MEASUREMENT_TTL_MS, type BackendMeasurement, type GpuProbe } from './backend-choice';

const SWIFTSHADER: GpuProbe = { adapter: 'google swiftshader', fallback: true };
const REAL_GPU: GpuProbe = { adapter: 'nvidia ampere', fallback: false };
const UA = 'Mozilla/5.0 test';

function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), items };
}

function deps(gpu: GpuProbe | null, measurement: BackendMeasurement, storage = memoryStorage(), now = () => Date.parse('2026-11-23T12:00:00Z')) {
  const measure = vi.fn(async () => measurement);
  return { probe: async () => gpu, measure, storage, userAgent: UA, now };
}

const none = new URLSearchParams();

describe('backend choice by measurement', () => {
  it('keeps ?backend= overrides and refuses an unknown one', async () => {
    const d = deps(SWIFTSHADER, { wasmMs: 3, webgpuMs: 200 });
    expect(await chooseBackends(new URLSearchParams('backend=webgpu'), d)).toMatchObject({ onnx: 'webgpu', tf: 'webgpu', reason: expect.stringMatching(/forced.*software fallback/) });
    expect(await chooseBackends(new URLSearchParams('backend=wasm'), d)).toMatchObject({ onnx: 'wasm', reason: 'forced by ?backend=wasm' });
    await expect(chooseBackends(new URLSearchParams('backend=cuda'), d)).rejects.toThrow(/unknown \?backend=cuda/);
    await expect(chooseBackends(new URLSearchParams('backend=webgpu'), deps(null, { wasmMs: 1, webgpuMs: null }))).rejects.toThrow(/no WebGPU adapter/);
    expect(d.measure).not.toHaveBeenCalled();
  });

  it('uses WebAssembly without measuring when there is no WebGPU adapter', async () => {
    const d = deps(null, { wasmMs: 3, webgpuMs: 1 });
    expect(await chooseBackends(none, d)).toMatchObject({ onnx: 'wasm', tf: 'wasm', reason: 'no WebGPU adapter in this browser, so WebAssembly' });
    expect(d.measure).not.toHaveBeenCalled();
  });

  it('picks wasm over a slow software adapter, and says so', async () => {
    const choice = await chooseBackends(none, deps(SWIFTSHADER, { wasmMs: 3.2, webgpuMs: 240 }));
    expect(choice).toMatchObject({ onnx: 'wasm', tf: 'wasm', fallbackAdapter: true });
    expect(choice.reason).toMatch(/measured now: WebGPU 240\.0 ms vs WebAssembly 3\.2 ms .*software fallback, so WebAssembly/);
  });

  it('picks WebGPU when it clearly wins, whatever the adapter is called', async () => {
    expect(await chooseBackends(none, deps(REAL_GPU, { wasmMs: 40, webgpuMs: 4 }))).toMatchObject({ onnx: 'webgpu', tf: 'webgpu' });
    // A fast software adapter would be chosen too: the measurement decides, not the name.
    expect((await chooseBackends(none, deps(SWIFTSHADER, { wasmMs: 40, webgpuMs: 4 }))).onnx).toBe('webgpu');
    // A tie goes to wasm: WebGPU must be clearly faster to be worth its start-up cost.
    expect(decide({ wasmMs: 10, webgpuMs: 9 })).toBe('wasm');
    expect(decide({ wasmMs: 10, webgpuMs: 8 })).toBe('webgpu');
  });

  it('falls back to wasm with the reason when the WebGPU probe fails', async () => {
    const choice = await chooseBackends(none, deps(REAL_GPU, { wasmMs: 5, webgpuMs: null, webgpuError: 'device lost' }));
    expect(choice.onnx).toBe('wasm');
    expect(choice.reason).toMatch(/WebGPU failed \(device lost\)/);
  });

  it('measures once per device and remembers it; another adapter or browser measures again', async () => {
    const storage = memoryStorage();
    const first = deps(REAL_GPU, { wasmMs: 40, webgpuMs: 4 }, storage);
    expect((await chooseBackends(none, first)).measured?.cached).toBe(false);
    const again = await chooseBackends(none, first);
    expect(first.measure).toHaveBeenCalledTimes(1);
    expect(again).toMatchObject({ onnx: 'webgpu', measured: { cached: true, wasmMs: 40, webgpuMs: 4 } });
    expect(again.reason).toMatch(/^measured on this device before/);
    expect(storage.items.has(deviceKey(REAL_GPU, UA))).toBe(true);

    const otherGpu = deps(SWIFTSHADER, { wasmMs: 3, webgpuMs: 200 }, storage);
    expect((await chooseBackends(none, otherGpu)).onnx).toBe('wasm');
    expect(otherGpu.measure).toHaveBeenCalledTimes(1);
  });

  it('measures again once a remembered result is too old or unreadable', async () => {
    const storage = memoryStorage();
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    await chooseBackends(none, deps(REAL_GPU, { wasmMs: 40, webgpuMs: 4 }, storage, () => t0));
    const later = deps(REAL_GPU, { wasmMs: 3, webgpuMs: 30 }, storage, () => t0 + MEASUREMENT_TTL_MS + 1);
    expect((await chooseBackends(none, later)).onnx).toBe('wasm');
    expect(later.measure).toHaveBeenCalledTimes(1);
    storage.setItem(deviceKey(REAL_GPU, UA), '{not json');
    const broken = deps(REAL_GPU, { wasmMs: 40, webgpuMs: 4 }, storage, () => t0);
    expect((await chooseBackends(none, broken)).onnx).toBe('webgpu');
    expect(broken.measure).toHaveBeenCalledTimes(1);
  });
});
