package chainsync

import (
	"encoding/hex"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/gcs"
	"github.com/btcsuite/btcd/btcutil/gcs/builder"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// Filter is a decoded BIP158 basic block filter, ready for matching.
type Filter struct {
	f   *gcs.Filter
	key [gcs.KeySize]byte
	raw []byte
}

// ParseFilter decodes a BIP158 basic filter (hex of N as CompactSize then
// the Golomb-Rice coded set, P=19, M=784931) of the block blockHash (RPC
// hex); the SipHash key is the first 16 bytes of the block hash in internal
// byte order, as BIP158 specifies.
func ParseFilter(blockHash, filterHex string) (*Filter, error) {
	h, err := chainhash.NewHashFromStr(blockHash)
	if err != nil || len(blockHash) != 64 {
		return nil, fmt.Errorf("block hash %q is not 64 hex characters", blockHash)
	}
	raw, err := hex.DecodeString(filterHex)
	if err != nil || len(raw) == 0 {
		return nil, fmt.Errorf("the node sent a block filter for %s that is not hex", blockHash)
	}
	f, err := gcs.FromNBytes(builder.DefaultP, builder.DefaultM, raw)
	if err != nil {
		return nil, fmt.Errorf("the node sent a malformed BIP158 filter for block %s: %w", blockHash, err)
	}
	// Each element takes at least P+1 bits: a larger N cannot be honest and
	// would make matching read past the data.
	if uint64(f.N())*(builder.DefaultP+1) > uint64(len(raw))*8 {
		return nil, fmt.Errorf("the node sent a BIP158 filter for block %s claiming %d elements in %d bytes", blockHash, f.N(), len(raw))
	}
	return &Filter{f: f, key: builder.DeriveKey(h), raw: raw}, nil
}

// N is the number of elements in the filter.
func (f *Filter) N() uint32 { return f.f.N() }

// MatchAny reports whether any of scripts is (probably, false positive rate
// 1/784931 per script) in the filter. A false result is certain.
func (f *Filter) MatchAny(scripts [][]byte) (bool, error) {
	if f.f.N() == 0 || len(scripts) == 0 {
		return false, nil
	}
	ok, err := f.f.MatchAny(f.key, scripts)
	if err != nil {
		return false, fmt.Errorf("matching a BIP158 filter: %w", err)
	}
	return ok, nil
}

// Header computes the BIP157 filter header of this filter given the
// previous block's filter header (RPC hex; all zeros before genesis):
// double-SHA256(double-SHA256(filter) || previous header).
func (f *Filter) Header(prevHeader string) (string, error) {
	prev, err := chainhash.NewHashFromStr(prevHeader)
	if err != nil || len(prevHeader) != 64 {
		return "", fmt.Errorf("filter header %q is not 64 hex characters", prevHeader)
	}
	fh := chainhash.DoubleHashB(f.raw)
	h := chainhash.DoubleHashH(append(fh, prev[:]...))
	return h.String(), nil
}
