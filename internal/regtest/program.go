package regtest

import (
	"errors"
	"fmt"
	"os"
	"sync"
)

// StartProgram starts a btcd regtest node, as StartWith does, for a program
// run outside `go test` (such as internal/tools/benchsync). logf, when not
// nil, receives the harness's log lines. stop kills btcd and removes its
// temporary directory; call it before the program exits. In a node started
// this way MustRPC, Generate and CoinbaseAddress panic on an RPC error:
// use RPC.
func StartProgram(opts Options, logf func(format string, args ...any)) (n *Node, stop func(), err error) {
	h := &programHarness{logf: logf}
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(programFailure)
			if !ok {
				panic(r)
			}
			h.cleanup()
			n, stop, err = nil, nil, errors.New(string(f))
		}
	}()
	n, _ = startWith(h, opts, FreePorts)
	return n, h.cleanup, nil
}

// programFailure is the panic value of programHarness.Fatalf.
type programFailure string

// programHarness stands in for testing.TB in StartProgram.
type programHarness struct {
	logf     func(format string, args ...any)
	mu       sync.Mutex
	cleanups []func()
	dirs     []string
	once     sync.Once
}

func (h *programHarness) Helper() {}

func (h *programHarness) Fatalf(format string, args ...any) {
	panic(programFailure(fmt.Sprintf(format, args...)))
}

func (h *programHarness) Logf(format string, args ...any) {
	if h.logf != nil {
		h.logf(format, args...)
	}
}

func (h *programHarness) TempDir() string {
	dir, err := os.MkdirTemp("", "regtest-")
	if err != nil {
		h.Fatalf("regtest: creating a temporary directory for btcd: %v", err)
	}
	h.mu.Lock()
	h.dirs = append(h.dirs, dir)
	h.mu.Unlock()
	return dir
}

func (h *programHarness) Cleanup(f func()) {
	h.mu.Lock()
	h.cleanups = append(h.cleanups, f)
	h.mu.Unlock()
}

// cleanup runs the registered functions last first, then removes the
// temporary directories.
func (h *programHarness) cleanup() {
	h.once.Do(func() {
		h.mu.Lock()
		fs, dirs := h.cleanups, h.dirs
		h.mu.Unlock()
		for i := len(fs) - 1; i >= 0; i-- {
			fs[i]()
		}
		for _, d := range dirs {
			_ = os.RemoveAll(d)
		}
	})
}
