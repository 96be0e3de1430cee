// Package server is the relay behind `specter serve`: an HTTP server (chi)
// that serves the embedded PWA with strict security headers, keeps the node
// list (server/nodes), proxies allowlisted node JSON-RPC (server/rpcproxy),
// guards the API with user accounts (server/users), reaches .onion nodes and
// the price provider through Tor and can publish itself as an onion service
// (server/tornet), serves the BTC price (server/price) and fee servers'
// recommendations (server/fees), and answers
// GET /healthz. It never sees a private key.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/specterpwa/specter/server/fees"
	"github.com/specterpwa/specter/server/nodes"
	"github.com/specterpwa/specter/server/price"
	"github.com/specterpwa/specter/server/rpcproxy"
	"github.com/specterpwa/specter/server/tornet"
	"github.com/specterpwa/specter/server/users"
)

// Server is a configured relay.
type Server struct {
	cfg     Config
	opts    Options
	log     *slog.Logger
	users   *users.Manager
	tor     *tornet.Service
	price   *price.Service
	fees    *fees.Service
	nodes   *nodes.Manager
	proxy   *rpcproxy.Proxy
	static  *static
	handler http.Handler
	started time.Time
	version string
	closers []func() error
}

// Options are what New needs besides Config; the zero value is fine.
type Options struct {
	// Console receives the one-time setup token message (os.Stderr when nil).
	Console io.Writer
	// Users tunes the UserManager (tests use a cheap KDF and their clock).
	Users users.Options
	// APIRoutes, when set, adds routes under /api behind the same session
	// and CSRF checks as /api/nodes (`specter serve` adds /api/demo).
	APIRoutes func(r chi.Router, s *Server)
	// BeforeServe, when set, runs in Run once the relay is built and its
	// address is taken, before it serves (`specter serve` registers its
	// node or starts the demo node there). The stop function it returns,
	// if any, runs after the relay has stopped.
	BeforeServe func(ctx context.Context, s *Server) (stop func(), err error)
}

// New builds the relay: it opens the users and the node list in
// cfg.DataDir, starts Tor as cfg.Tor says (ctx bounds only the start), and
// indexes the PWA in assets (manifest.json and web/ at its root, as
// specter.Assets). Close what it holds with Serve, or Close when not serving.
func New(ctx context.Context, cfg Config, assets fs.FS, log *slog.Logger, opts Options) (_ *Server, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// Once, for everything below (a Config not from LoadConfig may hold
	// origins as typed).
	cfg.AllowOrigins = normalizeOrigins(cfg.AllowOrigins)
	cfg.ConnectRelays = normalizeOrigins(cfg.ConnectRelays)
	if opts.Console == nil {
		opts.Console = os.Stderr
	}
	st, err := newStatic(assets)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data dir %s: %w", cfg.DataDir, err)
	}
	s := &Server{
		cfg:     cfg,
		opts:    opts,
		log:     log,
		static:  st,
		started: time.Now(),
		version: Version(),
	}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	uopts := opts.Users
	uopts.TrustedOrigins = append(slices.Clone(uopts.TrustedOrigins), cfg.AllowOrigins...)
	if s.users, err = users.Open(cfg.DataDir, uopts); err != nil {
		return nil, err
	}
	if err := s.checkExposure(); err != nil {
		return nil, err
	}
	s.tor, err = tornet.Start(ctx, tornet.Config{
		Mode:            tornet.Mode(cfg.Tor),
		DataDir:         cfg.DataDir,
		ControlAddr:     cfg.TorControl,
		ControlPassword: cfg.TorControlPassword,
		TorBinary:       cfg.TorBinary,
		TorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug).Writer(),
	})
	if err != nil {
		return nil, fmt.Errorf("starting Tor (--tor %s): %w", cfg.Tor, err)
	}
	s.closers = append(s.closers, s.tor.Close)
	nopts := nodes.Options{BitcoinDir: cfg.BitcoinDir, CallTimeout: time.Duration(cfg.RPCTimeout)}
	var client *http.Client
	fcfg := fees.Config{AllowPrivate: cfg.FeesAllowPrivate, CacheFor: time.Duration(cfg.FeesCacheFor)}
	if cfg.Tor != "none" {
		nopts.OnionDialContext = s.tor.DialContext
		client = s.tor.HTTPClient()
		fcfg.TorDial = s.tor.DialContext
	}
	s.fees = fees.New(fcfg)
	if s.nodes, err = nodes.Open(cfg.DataDir, nopts); err != nil {
		return nil, err
	}
	s.price = price.New(price.Config{
		Provider: cfg.PriceProvider,
		URL:      cfg.PriceURL,
		Path:     cfg.PricePath,
		CacheFor: time.Duration(cfg.PriceCacheFor),
	}, client)
	s.proxy = rpcproxy.New(s.nodes, s.users, rpcproxy.Options{
		MaxBody:       cfg.RPCMaxBody,
		MaxBatch:      cfg.RPCMaxBatch,
		Timeout:       time.Duration(cfg.RPCTimeout),
		MaxConcurrent: cfg.RPCMaxConcurrent,
		QueueWait:     time.Duration(cfg.RPCQueueWait),
	})
	s.handler = s.routes()
	return s, nil
}

// Close releases what New holds (Tor) when the relay is not served.
func (s *Server) Close() { s.close() }

// Users returns the relay's user manager.
func (s *Server) Users() *users.Manager { return s.users }

// Nodes returns the relay's node manager.
func (s *Server) Nodes() *nodes.Manager { return s.nodes }

// Handler returns the relay's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// routes builds the router (/healthz and /api answer CORS for the origins
// of --allow-origin and refuse other origins, corsPolicy):
//
//	GET  /healthz                  {"status":"ok","version":...,"uptime_seconds":...} (public)
//	     /api/auth/...             setup, login, logout, users (server/users)
//	     /api/nodes...             node list, add, test, remove (server/nodes)   \
//	POST /api/nodes/{id}/rpc       JSON-RPC proxy (server/rpcproxy)              | session + CSRF
//	GET  /api/price?currency=usd   BTC price (server/price)                     |
//	GET  /api/fees?source=URL      a mempool.space server's fees (server/fees)  |
//	GET  /api/tor                  Tor status and onion address (admin)         /
//	GET  /*                        the embedded PWA (public)
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	csp := ContentSecurityPolicyFor(s.cfg.ConnectRelays)
	s.static.bindPolicy(csp)
	cors := corsPolicy{allowed: s.cfg.AllowOrigins}
	r.Use(middleware.Recoverer)
	r.Use(func(next http.Handler) http.Handler { return securityHeaders(csp, next) })
	r.Use(s.logRequests)
	r.With(cors.handler).Get("/healthz", s.healthz)
	r.Route("/api", func(r chi.Router) {
		r.Use(cors.handler)
		r.Mount("/auth", s.users.Routes())
		r.Group(func(r chi.Router) {
			r.Use(s.users.Require)
			r.Route("/nodes", func(r chi.Router) {
				s.nodes.Register(r, s.users)
				r.Post("/{id}/rpc", s.proxy.ServeHTTP)
			})
			r.Method(http.MethodGet, "/price", s.price.Handler())
			r.Method(http.MethodGet, "/fees", s.fees.Handler())
			r.Get("/tor", s.torStatus)
			if s.opts.APIRoutes != nil {
				s.opts.APIRoutes(r, s)
			}
		})
		r.NotFound(func(w http.ResponseWriter, r *http.Request) {
			nodes.WriteError(w, http.StatusNotFound, fmt.Sprintf("no API route %s", r.URL.Path))
		})
		r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
			nodes.WriteError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path))
		})
	})
	r.Handle("/*", s.static)
	return r
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	nodes.WriteJSON(w, http.StatusOK, map[string]any{
		"status":         "ok",
		"version":        s.version,
		"uptime_seconds": time.Since(s.started).Seconds(),
	})
}

func (s *Server) torStatus(w http.ResponseWriter, r *http.Request) {
	if !s.users.IsAdmin(r) {
		nodes.WriteError(w, http.StatusForbidden, "only an admin may see the Tor settings")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	nodes.WriteJSON(w, http.StatusOK, s.tor.Status(ctx))
}

// logRequests logs each request once it is answered: at debug level when it
// went well, warn for 5xx answers.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		status := ww.Status()
		if status == 0 {
			status = http.StatusOK
		}
		level := slog.LevelDebug
		switch {
		case status >= 500:
			level = slog.LevelWarn
		case status >= 400:
			level = slog.LevelInfo
		}
		s.log.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path, "status", status,
			"bytes", ww.BytesWritten(), "duration", time.Since(start).Round(time.Microsecond))
	})
}

// Serve answers HTTP on ln until ctx is cancelled, then shuts down
// gracefully: it stops accepting, lets open requests finish within
// cfg.ShutdownTimeout, and releases what the relay holds.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Duration(s.cfg.RPCTimeout) + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if msg := s.users.SetupMessage(); msg != "" {
		fmt.Fprintf(s.opts.Console, "\n%s\n\n", msg)
	}
	if s.cfg.TorPublish {
		onion, err := s.tor.Publish(ctx, filepath.Join(s.cfg.DataDir, "tor", OnionKeyFile), 0, s.handler)
		if err != nil {
			s.close()
			return fmt.Errorf("publishing the relay as an onion service: %w", err)
		}
		s.log.Info("onion service published", "address", "http://"+onion)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("relay listening", "addr", ln.Addr().String(), "data_dir", s.cfg.DataDir, "tor", s.cfg.Tor, "version", s.version)
	select {
	case err := <-errc:
		s.close()
		return fmt.Errorf("serving HTTP: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", time.Duration(s.cfg.ShutdownTimeout))
	sctx, cancel := context.WithTimeout(context.Background(), time.Duration(s.cfg.ShutdownTimeout))
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		s.log.Warn("open requests did not finish in time; closing them")
		err = srv.Close()
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	s.close()
	s.log.Info("stopped")
	return err
}

func (s *Server) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		if err := s.closers[i](); err != nil {
			s.log.Warn("closing", "err", err)
		}
	}
	s.closers = nil
}

// OnionKeyFile is the name of the onion service's key in DATADIR/tor.
const OnionKeyFile = "relay_onion_v3.key"

// Run saves cfg to DATADIR/config.json, builds the relay, listens on
// cfg.Listen and serves until ctx is cancelled (SIGINT/SIGTERM in `specter
// serve`). It refuses a non-loopback address, or an onion service, while no
// admin password is set.
func Run(ctx context.Context, cfg Config, assets fs.FS, log *slog.Logger, opts Options) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if err := cfg.Save(); err != nil {
		return err
	}
	s, err := New(ctx, cfg, assets, log, opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		s.close()
		return fmt.Errorf("listening on %s (is another relay running? choose another --listen): %w", cfg.Listen, err)
	}
	if opts.BeforeServe != nil {
		stop, err := opts.BeforeServe(ctx, s)
		if err != nil {
			ln.Close()
			s.close()
			return err
		}
		if stop != nil {
			defer stop()
		}
	}
	return s.Serve(ctx, ln)
}

// checkExposure refuses to serve beyond this machine before an admin
// password protects the API.
func (s *Server) checkExposure() error {
	if !s.users.NeedsSetup() {
		return nil
	}
	if !IsLoopback(s.cfg.Listen) {
		return fmt.Errorf("refusing to listen on %s: it is not a loopback address and no admin password is set yet; start once on 127.0.0.1, create the admin with the setup token, then restart with --listen %s", s.cfg.Listen, s.cfg.Listen)
	}
	if s.cfg.TorPublish {
		return errors.New("refusing to publish an onion service: no admin password is set yet; start once without --tor-publish, create the admin with the setup token, then restart with it")
	}
	return nil
}

// NewLogger makes the relay's slog logger from cfg.LogLevel and cfg.LogFormat.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Version is the relay's version from the build info: the module version or
// the VCS revision, "dev" otherwise.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}
