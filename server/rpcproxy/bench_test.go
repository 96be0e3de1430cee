package rpcproxy

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/server/nodes"
)

// BenchmarkRelayVsDirect measures getblockcount against one btcd regtest node,
// directly and through the relay's proxy over loopback HTTP, with 1 and 50
// concurrent clients. It reports the mean latency of a call (us/call) and
// the throughput (calls/s); scripts/bench-relay.sh prints their ratios.
// The relay runs with a call cap of 50 so that the numbers measure the
// proxy's own cost rather than its default cap of 8.
func BenchmarkRelayVsDirect(b *testing.B) {
	btcd := regtest.StartWith(b, regtest.Options{ExtraArgs: []string{"--rpcmaxclients=200", "--rpcmaxconcurrentreqs=200"}})
	btcd.Generate(1)
	dir := b.TempDir()
	m, err := nodes.Open(dir, nodes.Options{BitcoinDir: filepath.Join(dir, "none")})
	if err != nil {
		b.Fatal(err)
	}
	info, err := m.Add(nodes.NewNode{Name: "btcd", URL: btcd.URL, Network: "regtest", User: btcd.User, Password: btcd.Password})
	if err != nil {
		b.Fatal(err)
	}
	r := chi.NewRouter()
	r.Post("/api/nodes/{id}/rpc", New(m, nil, Options{MaxConcurrent: 50}).ServeHTTP)
	relay := httptest.NewServer(r)
	defer relay.Close()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100, Proxy: nil}}
	body := []byte(`{"jsonrpc":"1.0","id":1,"method":"getblockcount","params":[]}`)
	targets := []struct {
		name, url string
		auth      bool
	}{
		{"direct", btcd.URL, true},
		{"relay", relay.URL + "/api/nodes/" + info.ID + "/rpc", false},
	}
	for _, clients := range []int{1, 50} {
		for _, tg := range targets {
			b.Run(fmt.Sprintf("%s/clients=%d", tg.name, clients), func(b *testing.B) {
				var next atomic.Int64
				var totalLatency atomic.Int64
				var firstErr error
				var once sync.Once
				var wg sync.WaitGroup
				b.ResetTimer()
				start := time.Now()
				for range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for next.Add(1) <= int64(b.N) {
							t0 := time.Now()
							req, _ := http.NewRequest(http.MethodPost, tg.url, bytes.NewReader(body))
							if tg.auth {
								req.SetBasicAuth(btcd.User, btcd.Password)
							}
							resp, err := client.Do(req)
							if err == nil {
								_, err = io.Copy(io.Discard, resp.Body)
								resp.Body.Close()
								if err == nil && resp.StatusCode != http.StatusOK {
									err = fmt.Errorf("HTTP %d", resp.StatusCode)
								}
							}
							if err != nil {
								once.Do(func() { firstErr = err })
								return
							}
							totalLatency.Add(int64(time.Since(t0)))
						}
					}()
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				if firstErr != nil {
					b.Fatalf("%s: %v", tg.name, firstErr)
				}
				b.ReportMetric(float64(totalLatency.Load())/float64(b.N)/1e3, "us/call")
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "calls/s")
			})
		}
	}
}
