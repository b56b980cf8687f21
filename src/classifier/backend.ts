/**
 * Picks and initialises the TensorFlow.js backend. `tensorflow` (tfjs-node, native) is used when that
 * optional package is installed; otherwise `wasm`. `cpu` (pure JS) is the slow reference.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PantauError } from '../core/errors.ts';

export type BackendChoice = 'auto' | 'wasm' | 'tensorflow' | 'cpu';
export type BackendName = 'wasm' | 'tensorflow' | 'cpu';

let nodeBackendProbe: Promise<boolean> | undefined;

/** True when @tensorflow/tfjs-node can be imported (it registers the `tensorflow` backend). */
export function isNodeBackendAvailable(): Promise<boolean> {
  nodeBackendProbe ??= (async () => {
    // A variable specifier keeps TypeScript from requiring the optional package's types.
    const specifier = '@tensorflow/tfjs-node';
    try {
      await import(specifier);
      return true;
    } catch {
      return false;
    }
  })();
  return nodeBackendProbe;
}

async function register(name: BackendName): Promise<void> {
  if (tf.findBackend(name) !== null || tf.findBackendFactory(name) !== null) return;
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else if (!(await isNodeBackendAvailable())) {
    throw new PantauError('The tensorflow backend needs @tensorflow/tfjs-node, which is not installed; use backend "wasm" or "auto".', {
      stage: 'classifying',
      code: 'backend_unavailable',
      retriable: false,
    });
  }
}

/** Makes `choice` the active tfjs backend and returns its name. */
export async function activateBackend(choice: BackendChoice = 'auto'): Promise<BackendName> {
  const name: BackendName = choice === 'auto' ? ((await isNodeBackendAvailable()) ? 'tensorflow' : 'wasm') : choice;
  await register(name);
  // PROD silences the cpu backend's "install tfjs-node" banner on stderr; it turns off no numeric checks we use.
  tf.env().set('PROD', true);
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) {
      throw new PantauError(`Could not initialise the TensorFlow.js "${name}" backend.`, {
        stage: 'classifying',
        code: 'backend_init_failed',
        retriable: false,
      });
    }
  }
  await tf.ready();
  return name;
}
