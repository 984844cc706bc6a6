package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/deepfin/deepfin/finance/credit"
	"github.com/deepfin/deepfin/finance/credit/server"
)

type serveFlags struct {
	model, addr                                string
	maxBody                                    int64
	maxBatch, reasons                          int
	readTimeout, writeTimeout, shutdownTimeout time.Duration
}

func newServeCmd() *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve a saved credit model over HTTP (POST /v1/score, GET /v1/schema, GET /healthz)",
		Long: `Serve loads a model folder written by "deepfin credit train" and answers:

  POST /v1/score   one applicant (a JSON object) or a batch (an array);
                   Content-Type: application/json
  GET  /v1/schema  the model's input fields and limits
  GET  /healthz    liveness

Bad input answers 400 with {"error":..., "field":...} naming the field:
among others a body that is not UTF-8, and a number outside the field's
min and max (listed by /v1/schema; training sets them ten training spreads
beyond the range seen in training, and models saved before that have no
max).
It runs until SIGINT or SIGTERM, then stops accepting connections and lets
requests in flight finish (up to --shutdown-timeout).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), f, cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "", "model folder written by credit train (required)")
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "host:port to listen on")
	fl.Int64Var(&f.maxBody, "max-body", 1<<20, "largest request body in bytes")
	fl.IntVar(&f.maxBatch, "max-batch", 1000, "most applicants in one batch")
	fl.IntVar(&f.reasons, "reasons", 3, "reason codes per applicant")
	fl.DurationVar(&f.readTimeout, "read-timeout", 10*time.Second, "time to read a whole request")
	fl.DurationVar(&f.writeTimeout, "write-timeout", 10*time.Second, "time to write a response")
	fl.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long to wait for requests in flight on shutdown")
	return cmd
}

func runServe(ctx context.Context, f *serveFlags, stderr io.Writer) error {
	if f.model == "" {
		return errors.New("serve needs --model")
	}
	if f.maxBody < 1 || f.maxBatch < 1 || f.reasons < 0 || f.readTimeout <= 0 || f.writeTimeout <= 0 || f.shutdownTimeout <= 0 {
		return errors.New("--max-body, --max-batch and the timeouts must be positive, --reasons not negative")
	}
	b, err := credit.LoadBundle(f.model)
	if err != nil {
		return err
	}
	reasons := f.reasons
	if reasons == 0 {
		reasons = -1 // none
	}
	cfg := server.Config{
		MaxBodyBytes: f.maxBody, MaxBatch: f.maxBatch, Reasons: reasons,
		ReadTimeout: f.readTimeout, WriteTimeout: f.writeTimeout, ShutdownTimeout: f.shutdownTimeout,
	}
	h, err := server.New(b, cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "serving %s model %s (%d fields) on http://%s\n", b.Kind(), f.model, b.Schema().Len(), ln.Addr())
	if err := server.Serve(ctx, ln, h, cfg); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "shut down cleanly")
	return nil
}
