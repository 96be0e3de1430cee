package manager

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/store"
)

func TestConfigSettersValidateAndPersist(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	e := openEngine(t, st)
	require.Equal(t, Config{Units: UnitsBTC, FeeSource: "node", Language: "en"}, e.Config())

	for _, tc := range []struct {
		name string
		set  func() (Config, error)
		want func(c *Config)
		msg  string
	}{
		{"units sats", func() (Config, error) { return e.SetUnits(ctx, "SATS") }, func(c *Config) { c.Units = UnitsSats }, ""},
		{"units unknown", func() (Config, error) { return e.SetUnits(ctx, "mbtc") }, nil, `unknown units "mbtc" (use btc or sats)`},
		{"explorer gets a final slash", func() (Config, error) { return e.SetExplorer(ctx, " https://mempool.space/testnet ") },
			func(c *Config) { c.Explorer = "https://mempool.space/testnet/" }, ""},
		{"explorer onion over http", func() (Config, error) {
			return e.SetExplorer(ctx, "http://mempoolhqx4isw62xs7abwphsq7ldayuidyx2v2oethdhhj6mlo2r6ad.onion/")
		},
			func(c *Config) { c.Explorer = "http://mempoolhqx4isw62xs7abwphsq7ldayuidyx2v2oethdhhj6mlo2r6ad.onion/" }, ""},
		{"explorer javascript scheme", func() (Config, error) { return e.SetExplorer(ctx, "javascript:alert(1)") }, nil,
			`the block explorer URL "javascript:alert(1)" is not a plain http(s) address (use an address such as https://mempool.space/)`},
		{"explorer with credentials", func() (Config, error) { return e.SetExplorer(ctx, "https://u:p@x.org/") }, nil,
			`the block explorer URL "https://u:p@x.org/" is not a plain http(s) address (use an address such as https://mempool.space/)`},
		{"explorer cleared", func() (Config, error) { return e.SetExplorer(ctx, "") }, func(c *Config) { c.Explorer = "" }, ""},
		{"fee source URL", func() (Config, error) { return e.SetFeeSource(ctx, "https://mempool.space/api") }, func(c *Config) { c.FeeSource = "https://mempool.space/api" }, ""},
		{"fee source bad", func() (Config, error) { return e.SetFeeSource(ctx, "ftp://x") }, nil, `the fee source URL "ftp://x" is not a plain http(s) address (use an address such as https://mempool.space/)`},
		{"fee source empty means node", func() (Config, error) { return e.SetFeeSource(ctx, "") }, func(c *Config) { c.FeeSource = "node" }, ""},
		{"language tag", func() (Config, error) { return e.SetLanguage(ctx, "pt-BR") }, func(c *Config) { c.Language = "pt-BR" }, ""},
		{"language bad", func() (Config, error) { return e.SetLanguage(ctx, "<script>") }, nil, `language "<script>" is not a language tag (use a tag such as en, de or pt-BR)`},
		{"relay id", func() (Config, error) { return e.SetActiveRelay(ctx, "home-relay") }, func(c *Config) { c.RelayID = "home-relay" }, ""},
		{"node id", func() (Config, error) { return e.SetActiveNode(ctx, "core_main") }, func(c *Config) { c.NodeID = "core_main" }, ""},
		{"node id bad", func() (Config, error) { return e.SetActiveNode(ctx, "a b") }, nil, `node id "a b" is not valid (choose the node from the list)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := e.Config()
			got, err := tc.set()
			if tc.msg != "" {
				require.ErrorIs(t, err, ErrInvalid)
				require.EqualError(t, err, tc.msg)
				require.Equal(t, want, got)
				require.Equal(t, want, e.Config())
				return
			}
			require.NoError(t, err)
			tc.want(&want)
			require.Equal(t, want, got)
			require.Equal(t, want, openEngine(t, st).Config())
		})
	}
}
