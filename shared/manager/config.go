package manager

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/specterpwa/specter/shared/store"
)

// configKey is the one record of the config collection.
const configKey = "settings"

// Units is how amounts are shown: BTC or satoshis.
type Units string

// The display units.
const (
	UnitsBTC  Units = "btc"
	UnitsSats Units = "sats"
)

// FeeSourceNode asks the user's node for fee estimates (Specter's default).
const FeeSourceNode = "node"

// Config is the browser-side configuration, Specter's ConfigManager
// settings that belong to the user rather than the relay.
type Config struct {
	// Units is btc or sats.
	Units Units `json:"units"`
	// Explorer is a block explorer base URL ending in "/" (a transaction is
	// Explorer + "tx/" + txid, as in Specter), or "" for none.
	Explorer string `json:"explorer"`
	// FeeSource is "node" or the base URL of a mempool.space-compatible
	// fee API.
	FeeSource string `json:"fee_source"`
	// Language is a BCP 47 language tag such as "en" or "pt-BR".
	Language string `json:"language"`
	// RelayID and NodeID name the active relay and node ("" for none).
	RelayID string `json:"relay_id"`
	NodeID  string `json:"node_id"`
}

// DefaultConfig is the configuration of a new installation.
func DefaultConfig() Config {
	return Config{Units: UnitsBTC, FeeSource: FeeSourceNode, Language: "en"}
}

var (
	languageTag = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	refID       = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)
)

// IsLanguageTag reports whether tag is a language tag the config accepts
// (BCP 47 as "en", "de" or "pt-BR"): the UI's catalogues are named by it.
func IsLanguageTag(tag string) bool { return languageTag.MatchString(tag) }

// normalize checks every field and returns the canonical form.
func (c Config) normalize() (Config, error) {
	switch Units(strings.ToLower(string(c.Units))) {
	case UnitsBTC, UnitsSats:
		c.Units = Units(strings.ToLower(string(c.Units)))
	default:
		return c, invalid(fmt.Sprintf("unknown units %q", c.Units), "use btc or sats")
	}
	var err error
	if c.Explorer, err = checkURL("block explorer", c.Explorer, true); err != nil {
		return c, err
	}
	c.FeeSource = strings.TrimSpace(c.FeeSource)
	if c.FeeSource == "" {
		c.FeeSource = FeeSourceNode
	}
	if c.FeeSource != FeeSourceNode {
		if c.FeeSource, err = checkURL("fee source", c.FeeSource, false); err != nil {
			return c, err
		}
	}
	if !languageTag.MatchString(c.Language) {
		return c, invalid(fmt.Sprintf("language %q is not a language tag", c.Language), "use a tag such as en, de or pt-BR")
	}
	for _, f := range []struct{ name, v string }{{"relay", c.RelayID}, {"node", c.NodeID}} {
		if f.v != "" && !refID.MatchString(f.v) {
			return c, invalid(fmt.Sprintf("%s id %q is not valid", f.name, f.v), "choose the "+f.name+" from the list")
		}
	}
	return c, nil
}

// checkURL accepts "" or an absolute http(s) URL; slash adds a final "/".
func checkURL(what, s string, slash bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", invalid(fmt.Sprintf("the %s URL %q is not a plain http(s) address", what, s), "use an address such as https://mempool.space/")
	}
	if slash && !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}

// Config returns the configuration.
func (e *Engine) Config() Config {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.config
}

// SetConfig checks and stores a whole configuration (the settings form).
func (e *Engine) SetConfig(ctx context.Context, c Config) (Config, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.setConfig(ctx, c)
}

func (e *Engine) setConfig(ctx context.Context, c Config) (Config, error) {
	c, err := c.normalize()
	if err != nil {
		return e.config, err
	}
	op, err := putJSON(store.Config, configKey, c)
	if err != nil {
		return e.config, err
	}
	if err := e.apply(ctx, "saving the settings", op); err != nil {
		return e.config, err
	}
	e.config = c
	return c, nil
}

func (e *Engine) change(ctx context.Context, f func(*Config)) (Config, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.config
	f(&c)
	return e.setConfig(ctx, c)
}

// SetUnits sets the display units: btc or sats.
func (e *Engine) SetUnits(ctx context.Context, u Units) (Config, error) {
	return e.change(ctx, func(c *Config) { c.Units = u })
}

// SetExplorer sets the block explorer base URL ("" for none).
func (e *Engine) SetExplorer(ctx context.Context, u string) (Config, error) {
	return e.change(ctx, func(c *Config) { c.Explorer = u })
}

// SetFeeSource sets the fee estimate source: "node" or a mempool.space-
// compatible API base URL.
func (e *Engine) SetFeeSource(ctx context.Context, s string) (Config, error) {
	return e.change(ctx, func(c *Config) { c.FeeSource = s })
}

// SetLanguage sets the UI language (a BCP 47 tag).
func (e *Engine) SetLanguage(ctx context.Context, tag string) (Config, error) {
	return e.change(ctx, func(c *Config) { c.Language = tag })
}

// SetActiveRelay sets the id of the relay in use ("" for none).
func (e *Engine) SetActiveRelay(ctx context.Context, id string) (Config, error) {
	return e.change(ctx, func(c *Config) { c.RelayID = id })
}

// SetActiveNode sets the id of the node in use ("" for none).
func (e *Engine) SetActiveNode(ctx context.Context, id string) (Config, error) {
	return e.change(ctx, func(c *Config) { c.NodeID = id })
}
