import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Tauri loads the built files from ui/dist; nothing is fetched from the network.
export default defineConfig({
  plugins: [vue()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: 'safari15', outDir: 'dist', chunkSizeWarningLimit: 2000 },
  test: { environment: 'node' },
})
