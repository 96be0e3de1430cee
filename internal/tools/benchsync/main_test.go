package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/shared/chainsync"
	"github.com/specterpwa/specter/shared/wallet"
)

func TestPaymentHeightsSpreadEvenlyOrRefuseWhatDoesNotFit(t *testing.T) {
	tests := []struct {
		name          string
		txs, perBlock int
		from, to      int32
		want          []int32
		wantErr       string
	}{
		{name: "four blocks over eight heights", txs: 400, perBlock: 100, from: 10, to: 17, want: []int32{10, 12, 14, 16}},
		{name: "as many blocks as heights", txs: 300, perBlock: 100, from: 5, to: 7, want: []int32{5, 6, 7}},
		{name: "more blocks than heights", txs: 400, perBlock: 100, from: 5, to: 7, wantErr: "do not fit"},
		{name: "txs not a multiple of per-block", txs: 100, perBlock: 3, from: 0, to: 99, wantErr: "multiple of -per-block"},
		{name: "txs not a multiple of the fan-out", txs: 150, perBlock: 1, from: 0, to: 999, wantErr: "multiple of 100"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := paymentHeights(tc.txs, tc.perBlock, tc.from, tc.to)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	// The benchmark's own numbers: 500 blocks from 502 to at most 5000.
	got, err := paymentHeights(1000, 2, setupHeight+2, 5000)
	require.NoError(t, err)
	require.Len(t, got, 500)
	require.Equal(t, int32(502), got[0])
	require.Equal(t, int32(4992), got[499])
}

func TestTargetsAlternateKeychainsWithinTheGapLimitAndMatchTheWallet(t *testing.T) {
	acct, err := accountKey()
	require.NoError(t, err)
	w, err := newWallet(acct)
	require.NoError(t, err)
	watched := map[string]bool{}
	for _, s := range w.Scripts() {
		watched[string(s)] = true
	}
	// The wallet watches indexes 0..19 of both keychains before any use.
	for i, want := range []struct {
		kc    wallet.Keychain
		index uint32
	}{{wallet.Receive, 0}, {wallet.Change, 0}, {wallet.Receive, 3}, {wallet.Change, 3}, {wallet.Receive, 6}} {
		kc, index := target(i)
		require.Equal(t, want.kc, kc)
		require.Equal(t, want.index, index)
		script, err := walletScript(acct, kc, index)
		require.NoError(t, err)
		require.True(t, watched[string(script)], "payment %d goes to a script the wallet watches", i)
	}
	past, err := walletScript(acct, wallet.Receive, 20)
	require.NoError(t, err)
	require.False(t, watched[string(past)], "receive/20 is past the gap limit of a new wallet")
}

type fakeTransport struct{ answer []byte }

func (f fakeTransport) Post(context.Context, string, map[string]string, []byte) (int, []byte, error) {
	return 200, f.answer, nil
}

type fakeCaller struct{ calls int }

func (f *fakeCaller) CallBatch(_ context.Context, reqs []chainsync.Request) ([]chainsync.Response, error) {
	f.calls++
	return make([]chainsync.Response, len(reqs)), nil
}

func TestCountingTransportAndRecorderCountWhatPassesThrough(t *testing.T) {
	c := &countingTransport{inner: fakeTransport{answer: []byte("0123456789")}}
	_, _, err := c.Post(context.Background(), "http://relay", nil, []byte("abc"))
	require.NoError(t, err)
	_, _, err = c.Post(context.Background(), "http://relay", nil, []byte("de"))
	require.NoError(t, err)
	require.Equal(t, int64(5), c.sent)
	require.Equal(t, int64(20), c.received)

	inner := &fakeCaller{}
	r := &recorder{inner: inner}
	_, err = r.CallBatch(context.Background(), []chainsync.Request{
		{Method: "getblockhash", Params: []any{1}},
		{Method: "getblock", Params: []any{"aa", 0}},
		{Method: "getblock", Params: []any{"bb", 0}},
	})
	require.NoError(t, err)
	require.Equal(t, []string{"aa", "bb"}, r.blocks)
	require.Equal(t, 1, inner.calls)
}

func TestDirectBatchOrdersAnswersByIDAndFailsOnAnErrorAnswer(t *testing.T) {
	var bodySent, bodyAnswered int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "u" || pass != "p" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		bodySent = len(body)
		var reqs []struct {
			ID     int    `json:"id"`
			Method string `json:"method"`
		}
		if err := json.Unmarshal(body, &reqs); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var out []map[string]any
		for i := len(reqs) - 1; i >= 0; i-- { // answers in reverse order
			if reqs[i].Method == "bad" {
				out = append(out, map[string]any{"id": reqs[i].ID, "result": nil, "error": map[string]any{"code": -5, "message": "no such block"}})
				continue
			}
			out = append(out, map[string]any{"id": reqs[i].ID, "result": reqs[i].Method, "error": nil})
		}
		answer, _ := json.Marshal(out)
		bodyAnswered = len(answer)
		_, _ = w.Write(answer)
	}))
	defer srv.Close()
	d := newDirect(regtest.Endpoint{URL: srv.URL, User: "u", Password: "p", Client: srv.Client()})
	got, err := d.strings(context.Background(), []regtest.Call{{Method: "a"}, {Method: "b"}, {Method: "c"}})
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c"}, got)
	require.Equal(t, int64(3), d.requests)
	require.Equal(t, int64(1), d.roundTrips)
	require.Equal(t, int64(bodySent), d.sent)
	require.Equal(t, int64(bodyAnswered), d.received)

	_, err = d.strings(context.Background(), []regtest.Call{{Method: "a"}, {Method: "bad"}})
	require.ErrorContains(t, err, "bad: node RPC error -5: no such block")

	d.btcd.Password = "wrong"
	_, err = d.strings(context.Background(), []regtest.Call{{Method: "a"}})
	require.ErrorContains(t, err, "btcd answered HTTP 401")
}
