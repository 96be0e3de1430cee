package bridge

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/walletfile"
)

// WalletFileParams is a wallet setup file to read: its text, an optional
// format (walletfile.Format, detected when empty), the network to assume when
// the file does not say, and the BIP129 TOKEN of an encrypted BSMS record.
type WalletFileParams struct {
	Text      string `json:"text"`
	Format    string `json:"format,omitempty"`
	Network   string `json:"network,omitempty"`
	BSMSToken string `json:"bsms_token,omitempty"`
}

// ExportFileParams writes a wallet setup in a format.
type ExportFileParams struct {
	Setup  walletfile.WalletSetup `json:"setup"`
	Format string                 `json:"format"`
}

// FileResult is a written file.
type FileResult struct {
	Format string `json:"format"`
	Text   string `json:"text"`
}

// FormatsResult lists the wallet file formats.
type FormatsResult struct {
	Formats []walletfile.Format `json:"formats"`
}

func readWalletFile(p WalletFileParams) (*walletfile.Imported, error) {
	opts := walletfile.Options{BSMSToken: p.BSMSToken}
	if p.Network != "" {
		net, err := parseNetwork(p.Network)
		if err != nil {
			return nil, err
		}
		opts.Network = net
	}
	var (
		imp *walletfile.Imported
		err error
	)
	if p.Format == "" {
		imp, err = walletfile.ImportWith([]byte(p.Text), opts)
	} else {
		imp, err = walletfile.ImportAs([]byte(p.Text), walletfile.Format(p.Format), opts)
	}
	if err != nil {
		hint := "choose the wallet file exported by Specter, Sparrow, Coldcard, Electrum, Caravan, Bitcoin Core or a BSMS record"
		if errors.Is(err, walletfile.ErrEncrypted) {
			hint = "this BSMS record is encrypted: enter the TOKEN the coordinator gave you"
		}
		return nil, WithHint(err, hint)
	}
	return imp, nil
}

// ImportFileParams creates a wallet from a setup file; Name overrides the
// file's name, GapLimit 0 means the default.
type ImportFileParams struct {
	WalletFileParams
	Name     string `json:"name,omitempty"`
	GapLimit uint32 `json:"gap_limit,omitempty"`
}

// ImportFileResult is the new wallet, the format read and the warnings of
// the file and of the wallet creation.
type ImportFileResult struct {
	manager.CreateResult
	Format       walletfile.Format `json:"format"`
	FileWarnings []string          `json:"file_warnings,omitempty"`
}

// WalletExportParams names a wallet and a file format.
type WalletExportParams struct {
	ID     string `json:"id"`
	Format string `json:"format"`
}

// RegisterWalletFiles adds walletfile.* (stateless reading and writing of
// wallet setup files) and, over the managers, wallets.importFile and
// wallets.exportFile.
func RegisterWalletFiles(r *Registry, src EngineSource) {
	Register(r, "walletfile.formats", "lists the wallet setup file formats", func(context.Context, struct{}) (FormatsResult, error) {
		return FormatsResult{Formats: walletfile.Formats}, nil
	})
	Register(r, "walletfile.import", "reads a wallet setup file (descriptor, Core, Specter, account map, Coldcard, Electrum, Caravan, BSMS)", func(_ context.Context, p WalletFileParams) (*walletfile.Imported, error) {
		return readWalletFile(p)
	})
	Register(r, "walletfile.export", "writes a wallet setup in a file format", func(_ context.Context, p ExportFileParams) (FileResult, error) {
		b, err := walletfile.Export(p.Setup, walletfile.Format(p.Format))
		if err != nil {
			return FileResult{}, WithHint(err, "pick another format: not every format can hold every wallet")
		}
		return FileResult{Format: p.Format, Text: string(b)}, nil
	})
	stateful(r, src, "wallets.importFile", "creates a wallet from a wallet setup file", func(ctx context.Context, e *manager.Engine, p ImportFileParams) (ImportFileResult, error) {
		imp, err := readWalletFile(p.WalletFileParams)
		if err != nil {
			return ImportFileResult{}, err
		}
		name := p.Name
		if name == "" {
			name = imp.Setup.Name
		}
		res, err := e.ImportDescriptor(ctx, manager.ImportSpec{Name: name, Descriptor: imp.Setup.Descriptor, Network: imp.Setup.Network,
			Birthday: int32(imp.Setup.BirthdayHeight), GapLimit: p.GapLimit})
		if err != nil {
			return ImportFileResult{}, err
		}
		res.NewDevices = publicDevices(res.NewDevices)
		return ImportFileResult{CreateResult: res, Format: imp.Format, FileWarnings: imp.Warnings}, nil
	})
	stateful(r, src, "wallets.exportFile", "writes a wallet's setup in a file format, naming its devices", func(_ context.Context, e *manager.Engine, p WalletExportParams) (FileResult, error) {
		w, err := e.Wallet(p.ID)
		if err != nil {
			return FileResult{}, err
		}
		setup, err := walletSetup(e, w)
		if err != nil {
			return FileResult{}, err
		}
		b, err := walletfile.Export(setup, walletfile.Format(p.Format))
		if err != nil {
			return FileResult{}, WithHint(err, "pick another format: not every format can hold every wallet")
		}
		return FileResult{Format: p.Format, Text: string(b)}, nil
	})
}

// walletSetup describes a stored wallet as a walletfile.WalletSetup, with
// the names and types of the devices that hold its keys.
func walletSetup(e *manager.Engine, w manager.Wallet) (walletfile.WalletSetup, error) {
	text := w.Descriptor
	if text == "" {
		text = w.Receive + "\n" + w.Change
	}
	imp, err := walletfile.ImportAs([]byte(text), walletfile.FormatDescriptor, walletfile.Options{Network: w.Network})
	if err != nil {
		return walletfile.WalletSetup{}, fmt.Errorf("the descriptors of wallet %q cannot be exported: %w", w.Name, err)
	}
	setup := imp.Setup
	setup.Name = w.Name
	setup.BirthdayHeight = int64(w.Birthday)
	for i, d := range setup.Devices {
		for _, id := range w.DeviceIDs {
			dev, err := e.Device(id)
			if err != nil {
				continue
			}
			for _, k := range dev.Keys {
				if strings.EqualFold(k.Xpub, d.Xpub) {
					setup.Devices[i].Name, setup.Devices[i].Type = dev.Name, string(dev.Type)
				}
			}
		}
	}
	return setup, nil
}
