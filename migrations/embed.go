// Package migrations holds the database schema as numbered SQL files, embedded in the binary.
package migrations

import "embed"

// FS holds every migration file; each file has an up part and, after the tern separator, a down part.
//
//go:embed *.sql
var FS embed.FS
