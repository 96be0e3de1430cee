package manager

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestErrorFormsForTheUI(t *testing.T) {
	cause := errors.New("quota exceeded")
	e := storageErr("adding device \"A\"", cause)
	wrapped := fmt.Errorf("outer: %w", e)
	require.ErrorIs(t, wrapped, ErrStorage)
	require.ErrorIs(t, wrapped, cause)
	require.NotErrorIs(t, wrapped, ErrInvalid)
	require.Equal(t, `storage failed while adding device "A"; nothing was changed: quota exceeded`, e.Text())
	require.Equal(t, e.Text()+" (try again; if it keeps failing, free browser storage or export a backup)", e.Error())
	b, err := json.Marshal(&Error{Kind: KindInUse, Message: "m", Hint: "h", Wallets: []string{"W"}, Err: cause})
	require.NoError(t, err)
	require.Equal(t, `{"kind":"in_use","message":"m","hint":"h","wallets":["W"]}`, string(b))
	require.Equal(t, "no hint", invalid("no hint", "").Error())
}
