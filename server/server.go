// Package server is the relay behind `specter serve`: an HTTP server (chi)
// that serves the embedded PWA with strict security headers, keeps the node
// list (server/nodes), proxies allowlisted node JSON-RPC (server/rpcproxy),
// and answers GET /healthz. It never sees a private key.
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
	"runtime/debug"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/specterpwa/specter/server/nodes"
	"github.com/specterpwa/specter/server/rpcproxy"
)

// Server is a configured relay.
type Server struct {
	cfg     Config
	log     *slog.Logger
	nodes   *nodes.Manager
	proxy   *rpcproxy.Proxy
	static  *static
	handler http.Handler
	started time.Time
	version string
	closers []func() error
}

// New builds the relay: it opens the node list in cfg.DataDir and indexes the
// PWA in assets (manifest.json and web/ at its root, as specter.Assets).
func New(cfg Config, assets fs.FS, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	st, err := newStatic(assets)
	if err != nil {
		return nil, err
	}
	nm, err := nodes.Open(cfg.DataDir, nodes.Options{BitcoinDir: cfg.BitcoinDir, CallTimeout: time.Duration(cfg.RPCTimeout)})
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		log:     log,
		nodes:   nm,
		static:  st,
		started: time.Now(),
		version: Version(),
	}
	s.proxy = rpcproxy.New(nm, nil, rpcproxy.Options{
		MaxBody:       cfg.RPCMaxBody,
		MaxBatch:      cfg.RPCMaxBatch,
		Timeout:       time.Duration(cfg.RPCTimeout),
		MaxConcurrent: cfg.RPCMaxConcurrent,
		QueueWait:     time.Duration(cfg.RPCQueueWait),
	})
	s.handler = s.routes()
	return s, nil
}

// Nodes returns the relay's node manager.
func (s *Server) Nodes() *nodes.Manager { return s.nodes }

// Handler returns the relay's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// routes builds the router:
//
//	GET  /healthz                  {"status":"ok","version":...,"uptime_seconds":...}
//	     /api/nodes...             node list, add, test, remove (server/nodes)
//	POST /api/nodes/{id}/rpc       JSON-RPC proxy (server/rpcproxy)
//	GET  /*                        the embedded PWA
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Use(securityHeaders)
	r.Use(s.logRequests)
	r.Get("/healthz", s.healthz)
	r.Route("/api", func(r chi.Router) {
		r.Route("/nodes", func(r chi.Router) {
			s.nodes.Register(r, nil)
			r.Post("/{id}/rpc", s.proxy.ServeHTTP)
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
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("relay listening", "addr", ln.Addr().String(), "data_dir", s.cfg.DataDir, "version", s.version)
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

// Run saves cfg to DATADIR/config.json, builds the relay, listens on
// cfg.Listen and serves until ctx is cancelled (SIGINT/SIGTERM in `specter
// serve`). It refuses a non-loopback address while nobody can log in.
func Run(ctx context.Context, cfg Config, assets fs.FS, log *slog.Logger) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if err := cfg.Save(); err != nil {
		return err
	}
	s, err := New(cfg, assets, log)
	if err != nil {
		return err
	}
	if err := s.checkExposure(); err != nil {
		s.close()
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		s.close()
		return fmt.Errorf("listening on %s (is another relay running? choose another --listen): %w", cfg.Listen, err)
	}
	return s.Serve(ctx, ln)
}

// checkExposure refuses to serve beyond this machine without user accounts.
func (s *Server) checkExposure() error {
	if IsLoopback(s.cfg.Listen) {
		return nil
	}
	return fmt.Errorf("refusing to listen on %s: it is not a loopback address and the relay has no admin password to protect it; listen on 127.0.0.1 or reach it through Tor", s.cfg.Listen)
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
