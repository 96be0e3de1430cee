package nodes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/specterpwa/specter/shared/network"
)

// Check is the outcome of one step of a node test.
type Check struct {
	// Status is "ok", "fail" (the step failed) or "skipped" (an earlier step
	// failed, so this one could not run).
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// The statuses of a Check.
const (
	StatusOK      = "ok"
	StatusFail    = "fail"
	StatusSkipped = "skipped"
)

func passed(format string, args ...any) Check { return Check{StatusOK, fmt.Sprintf(format, args...)} }
func failed(format string, args ...any) Check { return Check{StatusFail, fmt.Sprintf(format, args...)} }

var skipped = Check{Status: StatusSkipped, Message: "not checked: an earlier step failed"}

// TestResult reports each aspect of a node separately, as Specter Desktop's
// node test does: reachability, credentials, network, sync state, version and
// whether a BIP158 block filter index is available.
type TestResult struct {
	// OK is true when the node is usable: reachable, credentials accepted,
	// right network. A node still syncing or without a filter index is usable
	// with warnings.
	OK          bool  `json:"ok"`
	Reachable   Check `json:"reachable"`
	Credentials Check `json:"credentials"`
	Network     Check `json:"network"`
	Synced      Check `json:"synced"`
	Version     Check `json:"version"`
	FilterIndex Check `json:"filter_index"`

	Flavour              Flavour `json:"flavour,omitempty"`
	Chain                string  `json:"chain,omitempty"`
	Blocks               int64   `json:"blocks,omitempty"`
	Headers              int64   `json:"headers,omitempty"`
	VerificationProgress float64 `json:"verification_progress,omitempty"`
	VersionNumber        int64   `json:"version_number,omitempty"`
	Subversion           string  `json:"subversion,omitempty"`
}

// staleTip is how old a btcd tip may be before the node is reported as still
// syncing (btcd has no initialblockdownload flag in getblockchaininfo).
const staleTip = 12 * time.Hour

// Test tests a stored node and caches its flavour.
func (m *Manager) Test(ctx context.Context, id string) (TestResult, error) {
	c, err := m.Client(id)
	if err != nil {
		return TestResult{}, err
	}
	res := TestNode(ctx, c)
	if res.Flavour != "" {
		m.mu.Lock()
		if _, still := m.nodes[id]; still {
			m.flavours[id] = res.Flavour
		}
		m.mu.Unlock()
	}
	return res, nil
}

// TestNew validates and tests a node without storing it.
func (m *Manager) TestNew(ctx context.Context, in NewNode) (TestResult, error) {
	n, err := m.Validate(in)
	if err != nil {
		return TestResult{}, err
	}
	return TestNode(ctx, m.newClient(n)), nil
}

// TestNode runs the node test through a client.
func TestNode(ctx context.Context, c *Client) TestResult {
	r := TestResult{Credentials: skipped, Network: skipped, Synced: skipped, Version: skipped, FilterIndex: skipped}
	raw, err := c.Call(ctx, "getblockchaininfo")
	var ue *UpstreamError
	if errors.As(err, &ue) {
		switch ue.Kind {
		case Unauthorized:
			r.Reachable = passed("the node answers at %s", c.node.URL)
			r.Credentials = failed("%v", ue)
		case BadConfig:
			r.Reachable = skipped
			r.Credentials = failed("%v", ue)
		default:
			r.Reachable = failed("%v", ue)
		}
		return r
	}
	r.Reachable = passed("the node answers at %s", c.node.URL)
	if err != nil {
		r.Credentials = passed("accepted")
		r.Network = failed("getblockchaininfo failed: %v", err)
		return r
	}
	r.Credentials = passed("accepted")
	var bci struct {
		Chain                string   `json:"chain"`
		Blocks               int64    `json:"blocks"`
		Headers              int64    `json:"headers"`
		BestBlockHash        string   `json:"bestblockhash"`
		InitialBlockDownload *bool    `json:"initialblockdownload"`
		VerificationProgress *float64 `json:"verificationprogress"`
	}
	if err := json.Unmarshal(raw, &bci); err != nil {
		r.Network = failed("getblockchaininfo answered something unexpected: %v", err)
		return r
	}
	r.Chain, r.Blocks, r.Headers = bci.Chain, bci.Blocks, bci.Headers
	got, perr := network.Parse(bci.Chain)
	switch {
	case perr != nil:
		r.Network = failed("the node is on %q, which the relay does not support; expected %s", bci.Chain, c.node.Network)
	case got != c.node.Network:
		r.Network = failed("the node is on %s but this entry expects %s: pick the right network or the right node/port", got, c.node.Network)
	default:
		r.Network = passed("%s", got)
	}
	r.OK = r.Network.Status == StatusOK

	f, ferr := DetectFlavour(ctx, c)
	if ferr != nil {
		r.Version = failed("%v", ferr)
	}
	r.Flavour = f

	switch f {
	case Core:
		var ni struct {
			Version    int64  `json:"version"`
			Subversion string `json:"subversion"`
		}
		if raw, err := c.Call(ctx, "getnetworkinfo"); err != nil {
			r.Version = failed("getnetworkinfo failed: %v", err)
		} else if err := json.Unmarshal(raw, &ni); err != nil {
			r.Version = failed("getnetworkinfo answered something unexpected: %v", err)
		} else {
			r.VersionNumber, r.Subversion = ni.Version, ni.Subversion
			r.Version = passed("Bitcoin Core %s (%d)", ni.Subversion, ni.Version)
		}
		if bci.VerificationProgress != nil {
			r.VerificationProgress = *bci.VerificationProgress
		}
		ibd := bci.InitialBlockDownload != nil && *bci.InitialBlockDownload
		if ibd || (bci.VerificationProgress != nil && *bci.VerificationProgress < 0.9999) || bci.Blocks < bci.Headers {
			r.Synced = failed("still syncing: %d of %d blocks, %.2f%% verified; balances will be incomplete until it finishes", bci.Blocks, bci.Headers, 100*r.VerificationProgress)
		} else {
			r.Synced = passed("synced at height %d", bci.Blocks)
		}
		r.FilterIndex = coreFilterIndex(ctx, c, bci.BestBlockHash)
	case Btcd:
		var gi struct {
			Version int64 `json:"version"`
		}
		if raw, err := c.Call(ctx, "getinfo"); err != nil {
			r.Version = failed("getinfo failed: %v", err)
		} else if err := json.Unmarshal(raw, &gi); err != nil {
			r.Version = failed("getinfo answered something unexpected: %v", err)
		} else {
			r.VersionNumber = gi.Version
			r.Version = passed("btcd %d.%d.%d", gi.Version/1000000, gi.Version/10000%100, gi.Version/100%100)
		}
		r.Synced = btcdSynced(ctx, c, bci.BestBlockHash, bci.Blocks)
		if _, err := c.Call(ctx, "getcfilter", bci.BestBlockHash, 0); err != nil {
			r.FilterIndex = failed("no block filter index (getcfilter on the tip: %v): start btcd without --nocfilters; until then wallets are scanned block by block", err)
		} else {
			r.FilterIndex = passed("btcd serves basic (BIP158) block filters")
		}
	}
	return r
}

func coreFilterIndex(ctx context.Context, c *Client, tip string) Check {
	raw, err := c.Call(ctx, "getindexinfo", "basic block filter index")
	if err == nil {
		var idx map[string]struct {
			Synced          bool  `json:"synced"`
			BestBlockHeight int64 `json:"best_block_height"`
		}
		if err := json.Unmarshal(raw, &idx); err != nil {
			return failed("getindexinfo answered something unexpected: %v", err)
		}
		bf, present := idx["basic block filter index"]
		if !present {
			return failed("no block filter index: add blockfilterindex=1 to bitcoin.conf and restart; until then wallets are scanned block by block")
		}
		if !bf.Synced {
			return failed("the block filter index is still being built (at height %d)", bf.BestBlockHeight)
		}
		return passed("basic (BIP158) block filter index, synced")
	}
	// Before Core 0.21 there is no getindexinfo: try the filter of the tip.
	if _, ferr := c.Call(ctx, "getblockfilter", tip); ferr != nil {
		return failed("no block filter index (%v): add blockfilterindex=1 to bitcoin.conf and restart; until then wallets are scanned block by block", ferr)
	}
	return passed("basic (BIP158) block filters are served")
}

func btcdSynced(ctx context.Context, c *Client, tip string, height int64) Check {
	if c.node.Network == network.Regtest {
		return passed("regtest: synced at height %d", height)
	}
	raw, err := c.Call(ctx, "getblockheader", tip, true)
	if err != nil {
		return failed("getblockheader on the tip failed: %v", err)
	}
	var h struct {
		Time int64 `json:"time"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return failed("getblockheader answered something unexpected: %v", err)
	}
	age := time.Since(time.Unix(h.Time, 0))
	if age > staleTip {
		return failed("probably still syncing: the tip at height %d is %s old", height, age.Round(time.Minute))
	}
	return passed("synced at height %d (tip %s old)", height, age.Round(time.Second))
}
