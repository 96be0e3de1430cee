package bridge

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/specterpwa/specter/shared/airgap"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/walletfile"
)

// collectors holds the page's air-gapped scan sessions, each an
// airgap.Collector (BC-UR, BBQr, Specter pMofN or one static QR code).
type collectors struct {
	mu       sync.Mutex
	sessions map[string]*airgap.Collector
	order    []string // oldest first
}

// AirgapProfilesResult lists the air-gapped device profiles (shared/airgap
// Profiles): each device type's default PSBT transport and the others it
// reads.
type AirgapProfilesResult struct {
	Profiles []airgap.Profile `json:"profiles"`
}

// AirgapFramesParams asks for the QR texts showing a PSBT (base64 or hex)
// or a text in a format (ur, ur-psbt, bbqr, pmofn, static) at a density
// (low, medium, high; medium when empty).
type AirgapFramesParams struct {
	PSBT    string `json:"psbt,omitempty"`
	Text    string `json:"text,omitempty"`
	Format  string `json:"format"`
	Density string `json:"density,omitempty"`
}

// AirgapFramesResult is the frames to show in a loop (one when it fits).
type AirgapFramesResult struct {
	Frames  []string `json:"frames"`
	Format  string   `json:"format"`
	Density string   `json:"density"`
}

// AirgapPayload is what a scan or a file held: Kind is psbt (PSBT as
// base64), transaction (hex), wallet-setup (Text, Setup when it
// verified), keys (Text, Keys), text or bytes (Base64). Source says how it
// arrived ("ur:crypto-psbt", "bbqr:P", "pmofn", "static", "file").
type AirgapPayload struct {
	Kind   string               `json:"kind"`
	Source string               `json:"source"`
	PSBT   string               `json:"psbt,omitempty"`
	Hex    string               `json:"hex,omitempty"`
	Text   string               `json:"text,omitempty"`
	Base64 string               `json:"base64,omitempty"`
	Setup  *walletfile.Imported `json:"setup,omitempty"`
	Keys   []keys.KeyExport     `json:"keys,omitempty"`
}

// AirgapScanResult is the progress of a scan session after one decoded
// QR text; Refused explains a text that was not taken (a misread, or a
// code of another sequence: scanning goes on); Payload is set once complete.
type AirgapScanResult struct {
	airgap.Progress
	Refused string         `json:"refused,omitempty"`
	Payload *AirgapPayload `json:"payload,omitempty"`
}

// AirgapFileParams is an uploaded file's bytes, base64-encoded.
type AirgapFileParams struct {
	Base64 string `json:"base64"`
}

// AirgapPSBTFileParams asks for the binary .psbt file of a PSBT.
type AirgapPSBTFileParams struct {
	PSBT string `json:"psbt"`
	Name string `json:"name,omitempty"`
}

// AirgapRegisterParams asks how to register a wallet setup (as
// walletfile.import or wallets.exportFile describe it) on a device type
// (and model: "q" for a Coldcard Q) at a QR density.
type AirgapRegisterParams struct {
	Setup   walletfile.WalletSetup `json:"setup"`
	Type    string                 `json:"type"`
	Model   string                 `json:"model,omitempty"`
	Density string                 `json:"density,omitempty"`
}

// AirgapRegisterResult lists the ways to register, the default first; a
// file's data is base64 in JSON.
type AirgapRegisterResult struct {
	Registrations []airgap.Registration `json:"registrations"`
}

// AirgapAddressParams asks for the show-address-on-device QR text.
type AirgapAddressParams struct {
	Type    string `json:"type"`
	Address string `json:"address"`
	Index   uint32 `json:"index"`
	Network string `json:"network"`
}

// AirgapTextResult is one QR text.
type AirgapTextResult struct {
	Text string `json:"text"`
}

// RegisterAirgap adds the air-gapped signer methods over shared/airgap:
// airgap.profiles, airgap.frames (BC-UR BCR-2020-005, BBQr, Specter pMofN,
// static), airgap.scan and airgap.cancel (the Collector), airgap.readFile,
// airgap.psbtFile (BIP174 binary file), airgap.register (multisig
// registration per vendor) and airgap.addressQR.
func RegisterAirgap(r *Registry) {
	c := &collectors{sessions: map[string]*airgap.Collector{}}
	Register(r, "airgap.profiles", "lists each air-gapped device type's default PSBT format and the others it reads", func(context.Context, struct{}) (AirgapProfilesResult, error) {
		return AirgapProfilesResult{Profiles: airgap.Profiles()}, nil
	})
	Register(r, "airgap.frames", "splits a PSBT or text into the QR texts of a format (ur, ur-psbt, bbqr, pmofn, static) at a density", airgapFrames)
	Register(r, "airgap.scan", "adds one decoded QR text to a scan session (any transport) and returns the payload once complete", c.scan)
	Register(r, "airgap.cancel", "drops an air-gapped scan session", func(_ context.Context, p QRSessionParams) (Deleted, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.drop(p.Session)
		return Deleted{Deleted: p.Session}, nil
	})
	Register(r, "airgap.readFile", "tells what an uploaded or SD-card file holds (PSBT binary/base64/hex, transaction, wallet setup, keys)", func(_ context.Context, p AirgapFileParams) (*AirgapPayload, error) {
		data, err := base64.StdEncoding.DecodeString(p.Base64)
		if err != nil {
			return nil, WithCode(fmt.Errorf("the file's bytes are not base64: %w", err), CodeBadParams, "send the file as base64")
		}
		pl, err := airgap.ReadFile(data)
		if err != nil {
			return nil, WithHint(err, "choose the PSBT or transaction file the signer wrote")
		}
		return payloadView(pl)
	})
	Register(r, "airgap.psbtFile", "writes a PSBT as the binary .psbt file signers read from an SD card", func(_ context.Context, p AirgapPSBTFileParams) (*airgap.File, error) {
		pk, err := decodePSBT(p.PSBT)
		if err != nil {
			return nil, err
		}
		data, err := psbt.Serialize(pk)
		if err != nil {
			return nil, err
		}
		name := p.Name
		if strings.TrimSpace(name) == "" {
			name = pk.UnsignedTx.TxHash().String()[:16]
		}
		return airgap.PSBTFile(data, name)
	})
	Register(r, "airgap.register", "returns the file or QR frames that register a multisig wallet on a device type", func(_ context.Context, p AirgapRegisterParams) (AirgapRegisterResult, error) {
		d, err := airgap.ParseDensity(p.Density)
		if err != nil {
			return AirgapRegisterResult{}, WithCode(err, CodeBadParams, "use low, medium or high")
		}
		regs, err := airgap.Register(p.Setup, manager.DeviceType(p.Type), p.Model, d)
		if err != nil {
			return AirgapRegisterResult{}, WithHint(err, "register the wallet on this device over USB, or choose a QR or SD-card device")
		}
		return AirgapRegisterResult{Registrations: regs}, nil
	})
	Register(r, "airgap.addressQR", "returns the QR text that makes a QR device check an address of the wallet", func(_ context.Context, p AirgapAddressParams) (AirgapTextResult, error) {
		s, err := airgap.AddressQR(manager.DeviceType(p.Type), p.Address, p.Index, network.Network(p.Network))
		if err != nil {
			return AirgapTextResult{}, WithHint(err, "check the address on the device's own screen")
		}
		return AirgapTextResult{Text: s}, nil
	})
}

func airgapFrames(_ context.Context, p AirgapFramesParams) (AirgapFramesResult, error) {
	if (p.PSBT == "") == (p.Text == "") {
		return AirgapFramesResult{}, WithCode(errors.New("give either a PSBT or a text"), CodeBadParams, `set "psbt" or "text"`)
	}
	d, err := airgap.ParseDensity(p.Density)
	if err != nil {
		return AirgapFramesResult{}, WithCode(err, CodeBadParams, "use low, medium or high")
	}
	var pl airgap.Payload
	if p.PSBT != "" {
		pk, err := decodePSBT(p.PSBT)
		if err != nil {
			return AirgapFramesResult{}, err
		}
		data, err := psbt.Serialize(pk)
		if err != nil {
			return AirgapFramesResult{}, err
		}
		pl = airgap.Payload{Kind: airgap.KindPSBT, Data: data}
	} else {
		pl = *airgap.Classify([]byte(p.Text))
		if pl.Kind == airgap.KindTransaction || pl.Kind == airgap.KindBytes {
			pl = airgap.Payload{Kind: airgap.KindText, Data: []byte(p.Text)}
		}
	}
	frames, err := airgap.Frames(pl, airgap.Format(p.Format), d)
	if err != nil {
		return AirgapFramesResult{}, WithHint(err, "choose another QR format or a lower density, or save it as a file")
	}
	return AirgapFramesResult{Frames: frames, Format: p.Format, Density: [...]string{"low", "medium", "high"}[d]}, nil
}

func (c *collectors) drop(id string) {
	delete(c.sessions, id)
	for i, o := range c.order {
		if o == id {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
}

func (c *collectors) scan(_ context.Context, p QRScanParams) (*AirgapScanResult, error) {
	if p.Session == "" {
		return nil, WithCode(errors.New("the scan session is not named"), CodeBadParams, `set "session" to an id of the camera view`)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	col := c.sessions[p.Session]
	if col == nil {
		col = airgap.NewCollector()
		c.sessions[p.Session] = col
		c.order = append(c.order, p.Session)
		for len(c.order) > MaxScanSessions {
			c.drop(c.order[0])
		}
	}
	prog, err := col.Add(strings.TrimSpace(p.Part))
	res := &AirgapScanResult{Progress: prog}
	if err != nil {
		res.Refused = err.Error()
		return res, nil
	}
	if !prog.Complete {
		return res, nil
	}
	c.drop(p.Session)
	pl, err := col.Result()
	if err != nil {
		return nil, WithHint(err, "the scanned code is damaged: start the scan again")
	}
	if res.Payload, err = payloadView(pl); err != nil {
		return nil, err
	}
	return res, nil
}

// payloadView turns an airgap.Payload into what the page shows: a PSBT
// checked and as base64, a transaction as hex, text as text.
func payloadView(pl *airgap.Payload) (*AirgapPayload, error) {
	v := &AirgapPayload{Kind: string(pl.Kind), Source: pl.Source, Setup: pl.Setup, Keys: pl.Keys}
	switch pl.Kind {
	case airgap.KindPSBT:
		pk, err := psbt.Decode(pl.Data)
		if err != nil {
			return nil, WithHint(fmt.Errorf("the PSBT is not valid: %w", err), "scan or load it again from the signer")
		}
		if v.PSBT, err = psbt.EncodeBase64(pk); err != nil {
			return nil, err
		}
	case airgap.KindTransaction:
		v.Hex = hex.EncodeToString(pl.Data)
	case airgap.KindBytes:
		v.Base64 = base64.StdEncoding.EncodeToString(pl.Data)
	default:
		v.Text = string(pl.Data)
	}
	return v, nil
}
