import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The console is served by the Go binary under /console/ (console/embed.go).
// File names carry no hash and everything is one chunk, so a rebuild of the
// same source gives the same bytes (CI rebuilds and diffs dist/).
export default defineConfig({
  base: "/console/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        entryFileNames: "assets/console.js",
        chunkFileNames: "assets/[name].js",
        assetFileNames: "assets/[name][extname]",
        codeSplitting: false,
      },
    },
  },
  server: { proxy: { "/graphql": "http://localhost:8080" } },
});
