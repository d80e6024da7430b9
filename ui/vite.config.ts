import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Tauri loads the built files from ui/dist; nothing is fetched from the network.
export default defineConfig({
  plugins: [vue()],
  clearScreen: false,
  // The shipped font lives in ../assets/fonts (shared with the printed documents).
  server: { port: 5173, strictPort: true, fs: { allow: ['..'] } },
  // Fonts are never inlined as data: URLs.
  assetsInlineLimit: 0,
  build: { target: 'safari15', outDir: 'dist', chunkSizeWarningLimit: 2000 },
  test: { environment: 'node' },
})
