import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** Builds the volunteer page and the operator dashboard (apps/web) into apps/web/dist, which the server serves. */
export default defineConfig({
  root: 'apps/web',
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      input: {
        main: resolve(import.meta.dirname, 'apps/web/index.html'),
        dashboard: resolve(import.meta.dirname, 'apps/web/dashboard.html'),
      },
    },
  },
  worker: { format: 'es' },
  server: {
    // `npx vite` for page development against a running `npm run serve`.
    proxy: {
      '/api': 'http://localhost:8080',
      '/socket.io': { target: 'ws://localhost:8080', ws: true },
      '/model': 'http://localhost:8080',
      '/ort': 'http://localhost:8080',
      '/tfjs-wasm': 'http://localhost:8080',
    },
  },
});
