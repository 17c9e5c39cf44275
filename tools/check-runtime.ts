// Run first by `npm start`, before the page is built: an unsupported Node or npm fails here with one clear
// message instead of somewhere inside Vite or onnxruntime.
import { resolve } from 'node:path';
import { exitUnlessSupportedRuntime } from '../apps/server/src/cli/supported-runtime';

exitUnlessSupportedRuntime(resolve(import.meta.dirname, '..'));
