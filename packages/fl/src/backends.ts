import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { BackendError } from './errors';

/**
 * The tfjs backend table for Node, in one place. Order of preference: tfjs-node (native
 * TensorFlow, registered as 'tensorflow'; an optional install that needs internet access to
 * fetch libtensorflow), then wasm (shipped inside @tensorflow/tfjs-backend-wasm, 3-10× faster
 * than cpu here), then the pure-JS cpu backend.
 */
export const NODE_BACKEND_ORDER = ['tensorflow', 'wasm', 'cpu'] as const;

export interface NodeTfBackend {
  backend: string;
  /** Why this backend, including why each preferred one before it was skipped. */
  reason: string;
}

const ALIASES: Record<string, string> = { 'tfjs-node': 'tensorflow', tensorflow: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

export async function initNodeTfBackend(
  preferred: readonly string[] = NODE_BACKEND_ORDER,
  log: (message: string) => void = (m) => console.info(m),
): Promise<NodeTfBackend> {
  if (preferred.length === 0) throw new BackendError('no tfjs backend requested');
  const skipped: string[] = [];
  for (const requested of preferred) {
    const name = ALIASES[requested];
    if (!name) throw new BackendError(`unknown tfjs backend "${requested}" (known: ${Object.keys(ALIASES).join(', ')})`);
    const problem = await tryBackend(name);
    if (problem === null) {
      const reason = skipped.length ? `${name} (skipped ${skipped.join('; ')})` : `${name} (first choice)`;
      log(`tfjs backend: ${reason}`);
      return { backend: name, reason };
    }
    skipped.push(`${name}: ${problem}`);
    log(`tfjs backend ${name} unavailable: ${problem}`);
  }
  throw new BackendError(`no tfjs backend could start: ${skipped.join('; ')}`);
}

/** Returns null when `name` is now the active backend, else why not. */
async function tryBackend(name: string): Promise<string | null> {
  if (name === 'tensorflow' && tf.findBackendFactory('tensorflow') === null) {
    // A computed specifier keeps bundlers and the type checker from requiring the optional package.
    const specifier = ['@tensorflow', 'tfjs-node'].join('/');
    try {
      await import(/* @vite-ignore */ specifier);
    } catch (err) {
      return `@tensorflow/tfjs-node is not installed (${firstLine(err)})`;
    }
    if (tf.findBackendFactory('tensorflow') === null) {
      return '@tensorflow/tfjs-node loaded but registered its backend with another copy of tfjs-core';
    }
  }
  try {
    const ok = await tf.setBackend(name);
    if (!ok || tf.getBackend() !== name) return `tf.setBackend('${name}') failed`;
    await tf.ready();
    return null;
  } catch (err) {
    return firstLine(err);
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0];
}
