package bridge

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"

	"github.com/specterpwa/specter/shared/coinselect"
	"github.com/specterpwa/specter/shared/manager"
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
	var seed [8]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return nil, fmt.Errorf("coin selection needs random numbers: %w", err)
	}
	req.Seed = binary.LittleEndian.Uint64(seed[:])
	w, err := e.Wallet(p.ID)
	if err != nil {
		return nil, err
	}
	req.Network = w.Network

	// The change address and the coin locks are kept in one Apply; the
	// pending PSBT record in a second. If that one fails the coins are
	// released again.
	var res *spend.Result
	err = e.Update(ctx, p.ID, func(w *wallet.Wallet) (wallet.ChangeSet, error) {
		r, err := spend.Build(w, req)
		if err != nil {
			return wallet.ChangeSet{}, WithHint(err, "check the recipients, amounts and fee rate")
		}
		res = r
		return r.Changes, nil
	})
	if err != nil {
		return nil, err
	}
	pending, err := e.SavePSBT(ctx, p.ID, p.Name, []byte(res.PSBTBase64))
	if err != nil {
		_ = e.Update(context.WithoutCancel(ctx), p.ID, func(w *wallet.Wallet) (wallet.ChangeSet, error) { return w.UnlockID(res.ID), nil })
		return nil, err
	}
	return &CreatePSBTResult{Result: res, FeeRateSatVB: res.FeeRate.SatPerVByte(), Pending: pending}, nil
}
