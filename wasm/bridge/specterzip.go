package bridge

import (
	"context"
	"errors"

	"github.com/specterpwa/specter/shared/manager"
)

// SpecterZipParams is Specter Desktop's backup archive (specter-backup.zip)
// as its bytes, base64 in JSON.
type SpecterZipParams struct {
	Zip []byte `json:"zip"`
}

// registerSpecterZip adds backup.importSpecterZip: the whole archive is
// unpacked, checked and stored by the engine in one store transaction
// (manager.Engine.ImportSpecterZip), so a tab closed midway leaves the data
// as it was.
func registerSpecterZip(r *Registry, src EngineSource) {
	stateful(r, src, "backup.importSpecterZip", "adds the devices, wallets and address labels of Specter Desktop's backup zip in one transaction; a bad file refuses all of it",
		func(ctx context.Context, e *manager.Engine, p SpecterZipParams) (manager.SpecterSummary, error) {
			if len(p.Zip) == 0 {
				return manager.SpecterSummary{}, WithCode(errors.New("no backup archive given"), CodeBadParams, "choose the specter-backup.zip that Specter Desktop saved")
			}
			return e.ImportSpecterZip(ctx, p.Zip)
		})
}
