package bridge

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzHandle feeds arbitrary request text to a registry with every engine
// method: Handle must never panic and must always answer one JSON response
// with exactly one of result and error, echoing a valid request's id.
func FuzzHandle(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"method":"engine.methods"}`,
		`{"id":"a","method":"descriptor.normalize","params":{"descriptor":"raw(deadbeef)"}}`,
		`{"id":2,"method":"descriptor.addresses","params":{"descriptor":"wpkh(xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL/*)","network":"main","count":3}}`,
		`{"id":3,"method":"psbt.decode","params":{"psbt":"cHNidP8BAAoCAAAAAAAAAAAAAA=="}}`,
		`{"id":4,"method":"keys.parseExport","params":{"text":"[d34db33f/84h/0h/0h]xpub"}}`,
		`{"id":5,"method":"coinselect.select","params":{"network":"main","fee_rate":1,"wallet":{"script_type":"wpkh"},"utxos":[{"outpoint":"00:0","value":5}]}}`,
		`{"id":6,"method":"keys.validateMnemonic","params":{"mnemonic":"zoo zoo"}}`,
		`{"id":7,"method":"psbt.combine","params":{"psbts":["", "x"]}}`,
		`{"id":8,"method":"qr.scan","params":{"session":"s","part":"ur:crypto-psbt/1-3/lpadaxcfaxhlcyhdhtmkmwjlnteefhutiy"}}`,
		`{"id":9,"method":"qr.scan","params":{"session":"s","part":"B$2U0100KRUGS4ZANFZSAYJAORSXG5A"}}`,
		`{"id":10,"method":"qr.encode","params":{"text":"hi","format":"ur","max_fragment_len":10}}`,
		`[]`, `null`, `{"id":{"nested":[1,2]},"method":""}`, "\x00\xff",
	} {
		f.Add([]byte(s))
	}
	r := engine()
	f.Fuzz(func(t *testing.T, data []byte) {
		out := r.Handle(context.Background(), data)
		var resp struct {
			ID     json.RawMessage `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *Error          `json:"error"`
		}
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatalf("response is not JSON: %v: %s", err, out)
		}
		if (resp.Error == nil) == (resp.Result == nil) {
			t.Fatalf("response must hold exactly one of result and error: %s", out)
		}
		if resp.Error != nil && resp.Error.Message == "" {
			t.Fatalf("an error without a message: %s", out)
		}
		var req Request
		if json.Unmarshal(data, &req) == nil && len(req.ID) > 0 {
			var a, b any
			if json.Unmarshal(req.ID, &a) == nil && json.Unmarshal(resp.ID, &b) == nil {
				ja, _ := json.Marshal(a)
				jb, _ := json.Marshal(b)
				if string(ja) != string(jb) {
					t.Fatalf("id %s came back as %s", req.ID, resp.ID)
				}
			}
		}
	})
}

// FuzzQRScan feeds the lines of the input as frames of one scan session:
// whatever a camera reads, qr.scan answers without panicking and a complete
// scan always carries a content of a known kind.
func FuzzQRScan(f *testing.F) {
	f.Add("ur:bytes/gdaebycpeofygoiyktlonlpkrksfutwyzmwmfyeozs")
	f.Add("B$2U0200KRUGS4ZANFZSAYJAORSXG5A\nB$2U0201KRUGS4ZANFZSAYJAORSXG5A")
	f.Add("ur:crypto-psbt/1-2/lpadaocsdyhdvl\nur:crypto-psbt/2-2/lpaoaocsdyhdvl")
	f.Add("[73c5da0a/84h/0h/0h]xpub\nraw(00)")
	kinds := map[string]bool{"psbt": true, "descriptor": true, "account": true, "keys": true, "transaction": true, "text": true, "binary": true}
	f.Fuzz(func(t *testing.T, in string) {
		r := NewRegistry()
		RegisterQR(r)
		for _, line := range strings.Split(in, "\n") {
			params, _ := json.Marshal(QRScanParams{Session: "s", Part: line})
			var resp struct {
				Result *QRScanResult `json:"result"`
				Error  *Error        `json:"error"`
			}
			raw := r.Handle(context.Background(), []byte(`{"id":1,"method":"qr.scan","params":`+string(params)+`}`))
			if err := json.Unmarshal(raw, &resp); err != nil {
				t.Fatalf("bad response %s: %v", raw, err)
			}
			if resp.Error == nil && resp.Result.Complete && (resp.Result.Content == nil || !kinds[resp.Result.Content.Kind]) {
				t.Fatalf("complete scan without a known content: %s", raw)
			}
		}
	})
}
