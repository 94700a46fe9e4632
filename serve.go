package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"triage/backend/config"
	"triage/server"
)

func serveCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the console over SSH, one session per analyst (for a jump host)",
		Long: `serve runs an SSH server from the [ssh] section of the config: public-key
authentication against [[ssh.analysts]] only, each analyst's name, role and key
fingerprint on every audit line and on the session lines it logs to stderr
(and to the --debug file, when given). SIGHUP reloads the analysts; SIGTERM
or SIGINT tells connected analysts the server is shutting down, and stops.`,
		Example: "  triage serve --config /etc/triage/config.toml\n  ssh -p 2222 jump.example.com",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), g)
		},
	}
	return cmd
}

func runServe(ctx context.Context, g *globals) error {
	if g.log == nil {
		// A server logs its sessions, and writes refused or unrecorded for
		// want of an audit log, to stderr (the journal) even without --debug.
		g.log = slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	}
	s, err := openSession(g, false)
	if err != nil {
		return err
	}
	defer s.close()
	logger := s.logger
	for _, w := range s.cfg.Warnings {
		logger.Warn(w)
	}
	srv, err := server.New(server.Options{Config: s.cfg, Backends: s.backends, Keys: s.keys, Logger: logger, Version: versionString(), Clock: g.clock})
	if err != nil {
		return usageError(fmt.Errorf("%s: %w", s.cfg.File, err))
	}
	ln, err := srv.Listen()
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(signals)
	for {
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			return shutdown(srv, done)
		case sig := <-signals:
			if sig != syscall.SIGHUP {
				logger.Info("shutting down", "signal", sig.String(), "sessions", srv.Sessions())
				return shutdown(srv, done)
			}
			cfg, err := config.Load(s.cfg.File)
			if err == nil {
				err = srv.Reload(cfg.SSH.Analysts)
			}
			if err != nil {
				logger.Error("reload refused; the previous analysts stay", "error", err.Error())
			}
			// After a rotation: the new file is created now, or the log says why not.
			if err := s.audit.Reopen(); err != nil {
				logger.Error("audit log reopened on SIGHUP, but it cannot be written", "error", err.Error(), "on_error", s.cfg.Audit.OnError)
			} else {
				logger.Info("audit log reopened", "path", s.audit.Path())
			}
		}
	}
}

func shutdown(srv *server.Server, done <-chan error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx, 2*time.Second); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return nil
	}
}
