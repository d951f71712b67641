#!/usr/bin/env node
// Bundles each page's entry in web/ with esbuild into build/static/<site>/ and writes that site's manifest.json
// (docs/architecture.md, "Front end"; ADR 0018). File names carry a content hash, so a deploy never mixes old and
// new modules and the files may be cached forever; templates find them through the manifest
// ({% entry_script "messenger/chat/app" %}, parta/common/frontend/).
//
//   node scripts/build-web.mjs                 build once, minified (npm run build)
//   node scripts/build-web.mjs --watch --dev   rebuild on every change, readable, with source maps (npm run watch)
//   --src DIR --outdir DIR                     other source and output folders (the build's own test uses them)
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import * as esbuild from "esbuild";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// Each site's pages, by entry name (the path under web/ without ".js"). A site's entries share chunks with each
// other, never with the other site's: each site serves only its own build folder.
export const ENTRIES = {
  journal: [
    "journal/grid",
    "journal/imports/job-progress",
    "journal/messenger_link/add-chat",
    "journal/messenger_link/chats",
  ],
  messenger: [
    "messenger/accounts/code",
    "messenger/accounts/sign-in",
    "messenger/calls/call",
    "messenger/chat/app",
    "messenger/chat/create",
    "messenger/realtime", // also a page's own module: tests/messenger/realtime/test_client_js.py imports it
  ],
};

const { values: options } = parseArgs({
  options: {
    src: { type: "string", default: path.join(REPO, "web") },
    outdir: { type: "string", default: path.join(REPO, "build", "static") },
    watch: { type: "boolean", default: false },
    dev: { type: "boolean", default: false },
  },
});
const src = path.resolve(options.src);
const outRoot = path.resolve(options.outdir);

/**
 * The manifest: entry name → its file and the chunks it imports statically (directly or through another chunk),
 * which the page preloads. Paths are relative to the site's build folder (served under static/bundles/).
 * @param {import("esbuild").Metafile} metafile
 * @param {string} outdir
 */
function manifestOf(metafile, outdir) {
  /** @param {string} file */
  const relative = (file) => path.relative(outdir, path.resolve(REPO, file)).split(path.sep).join("/");
  /** @param {string} file @param {Set<string>} seen */
  const staticImports = (file, seen = new Set()) => {
    for (const imported of metafile.outputs[file]?.imports ?? []) {
      if (imported.kind !== "import-statement" || imported.external || seen.has(imported.path)) continue;
      seen.add(imported.path);
      staticImports(imported.path, seen);
    }
    return seen;
  };
  /** @type {Record<string, {file: string, imports: string[]}>} */
  const manifest = {};
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (!output.entryPoint || !file.endsWith(".js")) continue;
    const name = path.relative(src, path.resolve(REPO, output.entryPoint)).split(path.sep).join("/").replace(/\.js$/, "");
    manifest[name] = { file: relative(file), imports: [...staticImports(file)].map(relative).sort() };
  }
  return Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b)));
}

/** @param {string} site @param {string[]} entries */
async function siteContext(site, entries) {
  const outdir = path.join(outRoot, site);
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  /** @type {import("esbuild").Plugin} */
  const writeManifest = {
    name: "parta-manifest",
    setup(build) {
      let started = 0;
      build.onStart(() => {
        started = performance.now();
      });
      build.onEnd(async (result) => {
        if (result.errors.length || !result.metafile) return;
        const manifest = manifestOf(result.metafile, outdir);
        await writeFile(path.join(outdir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
        const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
        const ms = Math.round(performance.now() - started);
        console.log(`web: ${site}: ${Object.keys(manifest).length} entries, ${(bytes / 1024).toFixed(1)} KB, ${ms} ms`);
      });
    },
  };
  return esbuild.context({
    absWorkingDir: REPO,
    // The locked npm packages (yjs…) are found from any --src, also a copy outside the checkout (tests/frontend).
    nodePaths: [path.join(REPO, "node_modules")],
    entryPoints: entries.map((name) => path.join(src, `${name}.js`)),
    outbase: src,
    outdir,
    entryNames: "[dir]/[name]-[hash]",
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    target: ["es2022"],
    platform: "browser",
    minify: !options.dev,
    sourcemap: options.dev ? "linked" : false,
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
    plugins: [writeManifest],
  });
}

const contexts = await Promise.all(Object.entries(ENTRIES).map(([site, entries]) => siteContext(site, entries)));
if (options.watch) {
  await Promise.all(contexts.map((context) => context.watch()));
  console.log(`web: watching ${path.relative(REPO, src) || "."} (Ctrl+C to stop)`);
} else {
  try {
    await Promise.all(contexts.map((context) => context.rebuild()));
  } catch {
    process.exitCode = 1; // esbuild has printed the errors
  } finally {
    await Promise.all(contexts.map((context) => context.dispose()));
  }
}
