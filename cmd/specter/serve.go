package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"

	specter "github.com/specterpwa/specter"
	"github.com/specterpwa/specter/server"
	"github.com/specterpwa/specter/server/demo"
	"github.com/specterpwa/specter/server/nodes"
	"github.com/specterpwa/specter/shared/network"
)

func init() {
	register(command{
		name:    "serve",
		summary: "run the relay: serves the PWA on 127.0.0.1:25441 and proxies your node (serve -h for flags)",
		run:     runServe,
	})
}

// runServe runs the relay until SIGINT or SIGTERM, then shuts down
// gracefully. Configuration: flags, SPECTER_* variables, DATADIR/config.json.
// The node flags (--demo, --node...) choose the node at start and are not
// kept in config.json.
func runServe(args []string, _ io.Reader, _, stderr io.Writer) error {
	var nf nodeFlags
	nodeArgs, rest := nf.split(args)
	nfs := nf.flagSet(io.Discard)
	if err := nf.parse(nfs, nodeArgs, os.Getenv); err != nil {
		return usagef("%v", err)
	}
	cfg, err := server.LoadConfig(rest, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stderr, "\nNode selection (not kept in config.json; also SPECTER_DEMO, SPECTER_NODE, ...):")
		nf.flagSet(stderr).PrintDefaults()
		return nil
	}
	if err != nil {
		return usagef("%v", err)
	}
	log := server.NewLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var running atomic.Pointer[demo.Demo]
	return server.Run(ctx, cfg, specter.Assets, log, server.Options{
		Console: stderr,
		APIRoutes: func(r chi.Router, s *server.Server) {
			r.Route("/demo", func(r chi.Router) { demo.Routes(r, s.Users(), running.Load) })
		},
		BeforeServe: func(ctx context.Context, s *server.Server) (func(), error) {
			d, err := nf.chooseNode(ctx, s.Nodes(), cfg, log)
			if err != nil || d == nil {
				return nil, err
			}
			running.Store(d)
			return func() { running.Store(nil); d.Stop() }, nil
		},
	})
}

// nodeFlags are serve's node selection flags.
type nodeFlags struct {
	demo         string
	mineInterval time.Duration
	btcd         string
	node         string
	user         string
	password     string
	cookie       string
	network      string
}

// isNodeFlag reports whether name is one of the flags nodeFlags binds; each
// takes a value.
func isNodeFlag(name string) bool {
	switch name {
	case "demo", "demo-mine-interval", "demo-btcd", "node", "node-user", "node-password", "node-cookie", "node-network":
		return true
	}
	return false
}

func (f *nodeFlags) flagSet(out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&f.demo, "demo", "auto", "demo mode, a local btcd REGTEST node with funded demo wallets (coins have no value): auto (when no node is configured or detected), on or off")
	fs.DurationVar(&f.mineInterval, "demo-mine-interval", 0, "in demo mode, mine a regtest block at this interval, e.g. 30s (default: only on request)")
	fs.StringVar(&f.btcd, "demo-btcd", "", "btcd binary for demo mode (default: btcd on PATH, then $GOPATH/bin/btcd; `make deps` installs it)")
	fs.StringVar(&f.node, "node", "", "JSON-RPC URL of your Bitcoin Core or btcd node, e.g. http://127.0.0.1:8332 (registered as \"Node (--node)\")")
	fs.StringVar(&f.user, "node-user", "", "RPC user of --node")
	fs.StringVar(&f.password, "node-password", "", "RPC password of --node")
	fs.StringVar(&f.cookie, "node-cookie", "", "RPC cookie file of --node (default without user/password: Bitcoin Core's, found in --bitcoin-dir)")
	fs.StringVar(&f.network, "node-network", "", "network of --node: main, test, signet or regtest (default: asked from the node)")
	return fs
}

// split separates the node flags (--name value or --name=value) from the
// relay's flags and arguments, which keep their order.
func (f *nodeFlags) split(args []string) (mine, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		if !strings.HasPrefix(a, "-") {
			rest = append(rest, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !isNodeFlag(name) {
			rest = append(rest, a)
			continue
		}
		mine = append(mine, a)
		if !hasValue && i+1 < len(args) {
			i++
			mine = append(mine, args[i])
		}
	}
	return mine, rest
}

// parse reads SPECTER_* variables, then the flags.
func (f *nodeFlags) parse(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	var envErr error
	fs.VisitAll(func(fl *flag.Flag) {
		if v := getenv(server.EnvName(fl.Name)); v != "" && envErr == nil {
			if err := fs.Set(fl.Name, v); err != nil {
				envErr = fmt.Errorf("environment variable %s=%q: %w", server.EnvName(fl.Name), v, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch f.demo {
	case "auto", "on", "off":
	default:
		return fmt.Errorf("--demo %q: use auto, on or off", f.demo)
	}
	if f.mineInterval < 0 {
		return errors.New("--demo-mine-interval must not be negative")
	}
	if f.node == "" && (f.user != "" || f.password != "" || f.cookie != "" || f.network != "") {
		return errors.New("--node-user, --node-password, --node-cookie and --node-network need --node URL")
	}
	return nil
}

// flagNodeName is the NodeManager name of the node given with --node.
const flagNodeName = "Node (--node)"

// chooseNode registers the node given with --node, or a local Bitcoin Core
// found by its cookie, or starts the demo, as the flags say, and logs which.
func (f *nodeFlags) chooseNode(ctx context.Context, m *nodes.Manager, cfg server.Config, log *slog.Logger) (*demo.Demo, error) {
	detected := false
	if f.node != "" {
		info, err := f.registerFlagNode(ctx, m, log)
		if err != nil {
			return nil, err
		}
		log.Info("using the node given with --node", "id", info.ID, "url", info.URL, "network", info.Network)
	} else if f.demo != "on" && !hasOwnNode(m) {
		info, ok := detectCore(m, cfg.BitcoinDir)
		if ok {
			detected = true
			log.Info("using the local Bitcoin Core node found by its RPC cookie", "id", info.ID, "url", info.URL, "network", info.Network, "cookie", info.CookieFile)
		}
	}
	useDemo := f.demo == "on" || (f.demo == "auto" && f.node == "" && !detected && !hasOwnNode(m))
	if !useDemo {
		removeDemoNode(m, log)
		if f.demo == "auto" && f.node == "" && !detected {
			log.Info("demo mode off: the relay has nodes configured")
		}
		return nil, nil
	}
	log.Info("Demo mode: a local REGTEST node with demo wallets (coins have no value)", "warning", demo.Warning)
	d, err := demo.Start(ctx, demo.Options{DataDir: cfg.DataDir, BtcdBinary: f.btcd, Nodes: m, MineInterval: f.mineInterval, Log: log})
	if err != nil {
		if f.demo == "auto" {
			log.Warn("demo mode could not start; the relay runs without a node (add one in the app, or start with --node URL)", "err", err)
			return nil, nil
		}
		return nil, fmt.Errorf("demo mode: %w", err)
	}
	log.Info("demo node ready: log in, then choose Load the demo wallets on the welcome screen", "node", d.NodeID(), "rpc", d.URL(), "funded_now", d.Funded)
	return d, nil
}

// hasOwnNode reports whether the relay has a node other than the demo's.
func hasOwnNode(m *nodes.Manager) bool {
	for _, n := range m.List() {
		if n.Name != demo.NodeName {
			return true
		}
	}
	return false
}

// removeDemoNode drops the demo node entry of an earlier demo run, which
// points at a node that is not running.
func removeDemoNode(m *nodes.Manager, log *slog.Logger) {
	for _, n := range m.List() {
		if n.Name == demo.NodeName && n.Network == network.Regtest {
			if err := m.Remove(n.ID); err != nil {
				log.Warn("removing the old demo node entry", "err", err)
				continue
			}
			log.Info("demo mode off: removed the demo node entry of an earlier run", "id", n.ID)
		}
	}
}

// corePort is Bitcoin Core's default RPC port of a network.
func corePort(net network.Network) string {
	switch net {
	case network.Test:
		return "18332"
	case network.Signet:
		return "38332"
	case network.Regtest:
		return "18443"
	}
	return "8332"
}

// coreNetworks are the networks in the order their cookies are looked for.
func coreNetworks() []network.Network {
	return []network.Network{network.Main, network.Test, network.Signet, network.Regtest}
}

// detectCore looks for a Bitcoin Core RPC cookie of each network in the
// Bitcoin Core data dir (server/nodes' cookie auto-detection) and registers
// the first node found at its default port.
func detectCore(m *nodes.Manager, bitcoinDir string) (nodes.Info, bool) {
	if bitcoinDir == "" {
		bitcoinDir = nodes.DefaultBitcoinDir()
	}
	for _, net := range coreNetworks() {
		if _, _, err := nodes.ReadCookie(nodes.CookiePath(bitcoinDir, net)); err != nil {
			continue
		}
		info, err := m.Add(nodes.NewNode{Name: "Bitcoin Core (local " + string(net) + ")", URL: "http://127.0.0.1:" + corePort(net), Network: string(net)})
		if err == nil {
			return info, true
		}
	}
	return nodes.Info{}, false
}

// registerFlagNode stores the --node node as "Node (--node)", replacing the
// entry of an earlier start. Without --node-network the network is asked
// from the node (getblockchaininfo), guessed from the port until then.
func (f *nodeFlags) registerFlagNode(ctx context.Context, m *nodes.Manager, log *slog.Logger) (nodes.Info, error) {
	in := nodes.NewNode{Name: flagNodeName, URL: f.node, Network: f.network, User: f.user, Password: f.password, CookieFile: f.cookie}
	if in.Network == "" {
		in.Network = string(network.Main)
		if u, err := url.Parse(f.node); err == nil {
			for _, net := range coreNetworks() {
				if u.Port() == corePort(net) {
					in.Network = string(net)
				}
			}
		}
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		res, err := m.TestNew(tctx, in)
		cancel()
		if err != nil {
			return nodes.Info{}, fmt.Errorf("--node %s: %w", f.node, err)
		}
		if got, perr := network.Parse(res.Chain); perr == nil {
			in.Network = string(got)
		} else {
			log.Warn("could not ask --node for its network; assuming "+in.Network+" (set --node-network)",
				"reachable", res.Reachable.Message, "credentials", res.Credentials.Message)
		}
	}
	if _, err := m.Validate(in); err != nil {
		return nodes.Info{}, fmt.Errorf("--node %s: %w", f.node, err)
	}
	for _, n := range m.List() {
		if n.Name == flagNodeName {
			if err := m.Remove(n.ID); err != nil {
				return nodes.Info{}, err
			}
		}
	}
	info, err := m.Add(in)
	if err != nil {
		return nodes.Info{}, fmt.Errorf("--node %s: %w", f.node, err)
	}
	return info, nil
}
