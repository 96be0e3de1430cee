package wallet

import (
	"encoding/json"
	"testing"
)

// FuzzFromChangeSetJSON feeds stored change sets (outside data: a store may
// be corrupted or edited) to FromChangeSet: it must fail cleanly, never
// panic, and a wallet it accepts must answer its views.
func FuzzFromChangeSetJSON(f *testing.F) {
	fx := newFixture(&testing.T{})
	_, first, err := New(Params{Receive: fx.desc, Network: "regtest", GapLimit: 2})
	if err != nil {
		f.Fatal(err)
	}
	seed, _ := json.Marshal(first)
	f.Add(seed)
	f.Add([]byte(`{"params":{"receive":"wpkh(","network":"regtest"}}`))
	f.Add([]byte(`{"txs":{"00":"00"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var cs ChangeSet
		if json.Unmarshal(data, &cs) != nil {
			return
		}
		if cs.Params != nil && cs.Params.GapLimit > 50 {
			cs.Params.GapLimit = 50 // keep derivation cheap
		}
		for k, n := range cs.Derived {
			if n > 100 {
				cs.Derived[k] = 100
			}
		}
		w, err := FromChangeSet(cs)
		if err != nil {
			return
		}
		_ = w.Balance()
		_ = w.Transactions(100)
		_, _ = w.HistoryCSV(100)
		_ = w.Addresses(Receive, AllAddresses)
	})
}
