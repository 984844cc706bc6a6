package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/deepfin/deepfin/finance/price"
)

// progress draws a bar on standard error over the epochs of a walk-forward
// run. Its length is folds × the most epochs a fold may run; a fold that
// stops early jumps the bar to the fold's end.
type progress struct {
	w      io.Writer
	quiet  bool
	epochs int
	bar    *progressbar.ProgressBar
}

func newProgress(w io.Writer, quiet bool, epochs int) *progress {
	return &progress{w: w, quiet: quiet, epochs: epochs}
}

func (p *progress) update(pr price.Progress) {
	if p.quiet {
		return
	}
	if p.bar == nil {
		p.bar = newBar(p.w, pr.Folds*p.epochs, "")
	}
	if pr.FoldDone {
		p.bar.Set((pr.Fold + 1) * p.epochs)
		return
	}
	p.bar.Describe(fmt.Sprintf("refit %d/%d epoch %2d loss %.4f", pr.Fold+1, pr.Folds, pr.Epoch, pr.TrainLoss))
	p.bar.Set(pr.Fold*p.epochs + pr.Epoch)
}

// finish completes the bar after a successful run, or leaves it where it
// stopped, on a line of its own, after a failed one.
func (p *progress) finish(err error) {
	if p.bar == nil || p.bar.IsFinished() {
		return
	}
	if err != nil {
		p.bar.Exit()
		fmt.Fprintln(p.w)
		return
	}
	p.bar.Finish()
}

// isTerminal reports whether w is a terminal; progress bars are drawn only
// there, so that logs and pipes do not fill with carriage returns.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newBar returns the progress bar every command draws on w: 30 cells wide,
// redrawn at most ten times a second, with elapsed and remaining time, and
// a line break when it completes. Commands create one only when w is a
// terminal and --quiet is off (see isTerminal).
func newBar(w io.Writer, max int, desc string) *progressbar.ProgressBar {
	return progressbar.NewOptions(max,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
}
