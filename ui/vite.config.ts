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
  // Two pages: the clerk's window and the rating screen that faces the applicant (评价器),
  // which loads nothing of the clerk's.
  build: {
    target: 'safari15', outDir: 'dist', chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { main: 'index.html', applicant: 'applicant.html' } },
  },
  test: { environment: 'node' },
})
