// Package specter holds the files of the PWA, embedded in the binary so that
// `specter serve` serves the app with nothing else installed: the W3C Web App
// Manifest (manifest.json) and web/ (pages, scripts, icons, the engine's wasm
// and, after `make build`, their precompressed .br/.gz siblings).
package specter

import "embed"

// Assets is the embedded PWA: manifest.json at its root and the web/ tree.
//
//go:embed manifest.json all:web
var Assets embed.FS
