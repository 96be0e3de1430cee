package bridge

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/specterpwa/specter/shared/coinselect"
	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/spend"
	"github.com/specterpwa/specter/shared/wallet"
)

// CreatePSBTParams is a payment from a wallet: recipients (addresses or
// BIP21 URIs, amounts in satoshis), the fee rate in sat/vB, manual coin
// control (outpoints "txid:vout"), RBF off with NoRBF, the node's tip for
// anti fee sniping, the node's estimate in sat/vB for warnings, and the
// pending transaction's name.
type CreatePSBTParams struct {
	ID               string            `json:"id"`
	Recipients       []spend.Recipient `json:"recipients"`
	FeeRate          float64           `json:"fee_rate"`
	MustUse          []string          `json:"must_use,omitempty"`
	UseOnly          bool              `json:"use_only,omitempty"`
	NoRBF            bool              `json:"no_rbf,omitempty"`
	TipHeight        uint32            `json:"tip_height,omitempty"`
	AllowUnconfirmed bool              `json:"allow_unconfirmed,omitempty"`
	Estimate         float64           `json:"estimate,omitempty"`
	Name             string            `json:"name,omitempty"`
}

// CreatePSBTResult is the built transaction for review (spend.Result: id,
// psbt, analysis, fee, vsize, fee_rate in sat/kvB, sent, change, warnings),
// its fee rate in sat/vB, and the pending PSBT that now locks its coins.
type CreatePSBTResult struct {
	*spend.Result
	FeeRateSatVB float64             `json:"fee_rate_sat_vb"`
	Pending      manager.PendingPSBT `json:"pending"`
}

// BIP21Params carries a "bitcoin:" URI.
type BIP21Params struct {
	URI string `json:"uri"`
}

// RecipientsResult lists recipients read from CSV.
type RecipientsResult struct {
	Recipients []spend.Recipient `json:"recipients"`
}

// RegisterSpend adds spend.parseBIP21, spend.parseCSV and
// wallets.createPSBT (shared/spend: coin selection, change, PSBT, review),
// which stores the new PSBT as pending with its coins locked.
func RegisterSpend(r *Registry, src EngineSource) {
	Register(r, "spend.parseBIP21", "reads a bitcoin: payment URI (BIP21)", func(_ context.Context, p BIP21Params) (spend.BIP21, error) {
		b, err := spend.ParseBIP21(p.URI)
		if err != nil {
			return spend.BIP21{}, WithHint(err, "scan or paste the payment request again")
		}
		return b, nil
	})
	Register(r, "spend.parseCSV", "reads recipients from CSV lines address,amount[,label]", func(_ context.Context, p TextParams) (RecipientsResult, error) {
		rs, err := spend.ParseCSV(p.Text)
		if err != nil {
			return RecipientsResult{}, WithHint(err, "write one recipient per line: address,amount[,label] (amount in BTC, or with sats)")
		}
		return RecipientsResult{Recipients: rs}, nil
	})
	stateful(r, src, "wallets.createPSBT", "builds the PSBT of a payment and keeps it as a pending transaction (its coins locked)", createPSBT)
	stateful(r, src, "wallets.bumpFee", "builds a BIP125 replacement of an unconfirmed send at a higher fee rate, kept as pending", func(ctx context.Context, e *manager.Engine, p ReplaceParams) (*CreatePSBTResult, error) {
		return replace(ctx, e, p, spend.Bump)
	})
	stateful(r, src, "wallets.cancelTx", "builds a BIP125 replacement sending an unconfirmed send's coins back to the wallet, kept as pending", func(ctx context.Context, e *manager.Engine, p ReplaceParams) (*CreatePSBTResult, error) {
		return replace(ctx, e, p, spend.Cancel)
	})
	stateful(r, src, "wallets.cpfp", "builds a child paying for an unconfirmed parent (CPFP), kept as pending", cpfp)
	stateful(r, src, "wallets.analysePSBT", "describes a PSBT for review against a stored wallet: change proven by its descriptors and within the addresses it watches, absurd fees flagged", analyseForWallet)
}

// WalletPSBTAnalyseParams asks for the review of a PSBT against a stored
// wallet.
type WalletPSBTAnalyseParams struct {
	ID   string `json:"id"`
	PSBT string `json:"psbt"`
}

// analyseForWallet is spend.Review on the wallet's current state, so the
// bound of its watched addresses is the wallet's own.
func analyseForWallet(_ context.Context, e *manager.Engine, p WalletPSBTAnalyseParams) (*psbt.Analysis, error) {
	pk, err := decodePSBT(p.PSBT)
	if err != nil {
		return nil, err
	}
	var a *psbt.Analysis
	err = e.View(p.ID, func(w *wallet.Wallet) error {
		var err error
		a, err = spend.Review(w, pk)
		return err
	})
	if err != nil {
		var me *manager.Error
		if errors.As(err, &me) {
			return nil, err
		}
		return nil, WithHint(err, "the PSBT is inconsistent; ask the sender for a fresh export")
	}
	return a, nil
}

// ReplaceParams asks for a replacement (bump or cancel) of the wallet's
// unconfirmed send TxID at FeeRate sat/vB; FullRBF for nodes that replace
// transactions without BIP125 signalling.
type ReplaceParams struct {
	ID        string  `json:"id"`
	TxID      string  `json:"txid"`
	FeeRate   float64 `json:"fee_rate"`
	FullRBF   bool    `json:"full_rbf,omitempty"`
	TipHeight uint32  `json:"tip_height,omitempty"`
	Name      string  `json:"name,omitempty"`
}

// CPFPParams asks for a child of the unconfirmed parent TxID bringing both
// to FeeRate sat/vB; ParentFee in satoshis when the wallet cannot know it
// (an incoming payment).
type CPFPParams struct {
	ID        string  `json:"id"`
	TxID      string  `json:"txid"`
	FeeRate   float64 `json:"fee_rate"`
	ParentFee int64   `json:"parent_fee,omitempty"`
	TipHeight uint32  `json:"tip_height,omitempty"`
	Name      string  `json:"name,omitempty"`
}

func randomSeed() (uint64, error) {
	var seed [8]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return 0, fmt.Errorf("coin selection needs random numbers: %w", err)
	}
	return binary.LittleEndian.Uint64(seed[:]), nil
}

func replace(ctx context.Context, e *manager.Engine, p ReplaceParams, build func(*wallet.Wallet, spend.ReplaceRequest) (*spend.Result, error)) (*CreatePSBTResult, error) {
	rate, err := coinselect.ParseFeeRate(p.FeeRate)
	if err != nil {
		return nil, WithHint(err, "give the new fee rate in sat/vB")
	}
	seed, err := randomSeed()
	if err != nil {
		return nil, err
	}
	req := spend.ReplaceRequest{Txid: p.TxID, FeeRate: rate, FullRBF: p.FullRBF, AntiFeeSnipingHeight: p.TipHeight, Seed: seed}
	return buildAndKeep(ctx, e, p.ID, p.Name, p.TxID, "sync the wallet first: only its unconfirmed sends that signal replace-by-fee can be replaced, at a higher fee rate", func(w *wallet.Wallet) (*spend.Result, error) { return build(w, req) })
}

func cpfp(ctx context.Context, e *manager.Engine, p CPFPParams) (*CreatePSBTResult, error) {
	rate, err := coinselect.ParseFeeRate(p.FeeRate)
	if err != nil {
		return nil, WithHint(err, "give the target fee rate in sat/vB")
	}
	req := spend.CPFPRequest{Txid: p.TxID, FeeRate: rate, ParentFee: p.ParentFee, AntiFeeSnipingHeight: p.TipHeight}
	return buildAndKeep(ctx, e, p.ID, p.Name, "", "sync the wallet first: the parent must be unconfirmed and pay the wallet", func(w *wallet.Wallet) (*spend.Result, error) { return spend.CPFP(w, req) })
}

func createPSBT(ctx context.Context, e *manager.Engine, p CreatePSBTParams) (*CreatePSBTResult, error) {
	rate, err := coinselect.ParseFeeRate(p.FeeRate)
	if err != nil {
		return nil, WithHint(err, "give the fee rate in sat/vB, e.g. 2.5")
	}
	req := spend.Request{Recipients: p.Recipients, FeeRate: rate, NoRBF: p.NoRBF, AntiFeeSnipingHeight: p.TipHeight,
		AllowUnconfirmed: p.AllowUnconfirmed, CoinControl: spend.CoinControl{UseOnly: p.UseOnly}}
	if p.Estimate > 0 {
		if req.Estimate, err = coinselect.ParseFeeRate(p.Estimate); err != nil {
			return nil, WithCode(err, CodeBadParams, "give the estimate in sat/vB")
		}
	}
	for i, s := range p.MustUse {
		op, err := coinselect.ParseOutPoint(s)
		if err != nil {
			return nil, WithCode(fmt.Errorf("chosen coin %d: %w", i+1, err), CodeBadParams, "write outpoints as txid:vout")
		}
		req.CoinControl.MustUse = append(req.CoinControl.MustUse, op)
	}
	if req.Seed, err = randomSeed(); err != nil {
		return nil, err
	}
	w, err := e.Wallet(p.ID)
	if err != nil {
		return nil, err
	}
	req.Network = w.Network
	return buildAndKeep(ctx, e, p.ID, p.Name, "", "check the recipients, amounts and fee rate", func(w *wallet.Wallet) (*spend.Result, error) { return spend.Build(w, req) })
}

// buildAndKeep runs build on the wallet core, persisting its changes (change
// address, coin locks) in one Apply, then stores the PSBT as pending in a
// second. A replacement's original pending PSBT (replaces) is deleted in
// between: its transaction is being replaced. The pending PSBT keeps the
// builder's warnings for a later review. If storing fails, the coins
// are released again.
func buildAndKeep(ctx context.Context, e *manager.Engine, walletID, name, replaces, hint string, build func(*wallet.Wallet) (*spend.Result, error)) (*CreatePSBTResult, error) {
	var res *spend.Result
	err := e.Update(ctx, walletID, func(w *wallet.Wallet) (wallet.ChangeSet, error) {
		r, err := build(w)
		if err != nil {
			return wallet.ChangeSet{}, WithHint(err, hint)
		}
		res = r
		return r.Changes, nil
	})
	if err != nil {
		return nil, err
	}
	release := func() {
		_ = e.Update(context.WithoutCancel(ctx), walletID, func(w *wallet.Wallet) (wallet.ChangeSet, error) { return w.UnlockID(res.ID), nil })
	}
	if replaces != "" {
		if _, err := e.PSBT(walletID, replaces); err == nil {
			if err := e.DeletePSBT(ctx, walletID, replaces); err != nil {
				release()
				return nil, err
			}
		}
	}
	pending, err := e.SavePSBT(ctx, walletID, name, []byte(res.PSBTBase64), res.Warnings...)
	if err != nil {
		release()
		return nil, err
	}
	return &CreatePSBTResult{Result: res, FeeRateSatVB: res.FeeRate.SatPerVByte(), Pending: pending}, nil
}
