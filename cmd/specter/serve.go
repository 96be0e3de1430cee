package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/signal"
	"syscall"

	specter "github.com/specterpwa/specter"
	"github.com/specterpwa/specter/server"
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
func runServe(args []string, _ io.Reader, _, stderr io.Writer) error {
	cfg, err := server.LoadConfig(args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return usagef("%v", err)
	}
	log := server.NewLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return server.Run(ctx, cfg, specter.Assets, log, server.Options{Console: stderr})
}
