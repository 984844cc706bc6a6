// Command deepfin trains deep models on market data and backtests them.
//
// Usage:
//
//	deepfin backtest [flags]
//
// With no flags, backtest walks a GRU forward through five embedded S&P 500
// tickers and writes a report to ./deepfin-out. Run "deepfin help backtest"
// for the flags. Errors are printed as one line on standard error and the
// exit status is 1, or 130 after an interrupt.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	interrupted := ctx.Err() != nil
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "deepfin: "+oneLine(err.Error()))
		if interrupted {
			os.Exit(130) // the shell's convention for a command ended by SIGINT
		}
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "deepfin",
		Short:         "Deep models for financial prediction, with walk-forward backtests",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(withUniverse(newBacktestCmd()))
	root.AddCommand(newCreditCmd(), newServeCmd())
	root.AddCommand(newBenchCmd())
	root.AddCommand(newChartCmd())
	root.AddCommand(newNLPCmd())
	return root
}

// oneLine folds a multi-line message so that the command's failure is
// always a single line a user can act on.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}
