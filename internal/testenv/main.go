// Package testenv gives tests throwaway PostgreSQL and Redis servers started from the system's
// binaries, so that stores are tested against the real thing and never skipped.
//
// A test package that uses it declares
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// so that the servers it shares between tests are stopped when the tests end.
package testenv

import (
	"os"
	"sync"
	"testing"
	"time"
)

// startTimeout bounds starting a server and preparing its databases.
const startTimeout = 2 * time.Minute

var (
	shutdownMu sync.Mutex
	shutdowns  []func()
)

// atShutdown registers f to run when Main finishes the package's tests.
func atShutdown(f func()) {
	shutdownMu.Lock()
	defer shutdownMu.Unlock()
	shutdowns = append(shutdowns, f)
}

// Main runs the package's tests, stops the servers they shared, and exits with the tests' code.
func Main(m *testing.M) {
	code := m.Run()
	shutdownMu.Lock()
	fs := shutdowns
	shutdowns = nil
	shutdownMu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
	os.Exit(code)
}
