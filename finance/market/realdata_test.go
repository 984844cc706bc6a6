package market

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/deepfin/deepfin/finance"
)

// universeDir returns the sp500_5yr directory, or skips the test.
func universeDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("DEEPFIN_DATA")
	if root == "" {
		root = filepath.Join("..", "..", "..", "shared", "data")
	}
	dir := filepath.Join(root, "markets", "sp500_5yr")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("needs ../shared/data/markets/sp500_5yr (or DEEPFIN_DATA): " + err.Error())
	}
	return dir
}

// TestRealUniverseTable trains the five models on the 100-ticker universe
// and logs the table. It takes minutes, so it also needs
// DEEPFIN_MARKET_FULL=1.
func TestRealUniverseTable(t *testing.T) {
	dir := universeDir(t)
	if os.Getenv("DEEPFIN_MARKET_FULL") == "" {
		t.Skip("set DEEPFIN_MARKET_FULL=1 to train the five models on the real universe (minutes)")
	}
	md, err := finance.LoadOHLCV(dir, finance.LoadOptions{DropIncomplete: true})
	require.NoError(t, err)
	start := time.Now()
	ds, err := BuildDataset(md.Series, 0)
	require.NoError(t, err)
	t.Logf("dataset: %d days × %d tickers × %d features in %v, %d filled", ds.Days(), len(ds.Names), len(ds.Features), time.Since(start), ds.Filled)
	kinds := Kinds()
	if k := os.Getenv("DEEPFIN_MARKET_KINDS"); k != "" {
		kinds = filepath.SplitList(k)
	}
	_, rows, err := RunAll(context.Background(), ds, kinds, func(k string) Config {
		c := DefaultConfig(k)
		c.Progress = func(p Progress) {
			t.Logf("%s epoch %d/%d train %.4f val %.4f", p.Model, p.Epoch, p.Epochs, p.TrainLoss, p.ValLoss)
		}
		return c
	})
	require.NoError(t, err)
	for _, r := range rows {
		t.Logf("%-6s IC %.4f ICIR %.3f RankIC %.4f RankICIR %.3f excess %.4f IR %.3f MDD %.4f turnover %.2f epochs %d time %v err %v",
			r.Model, r.IC, r.ICIR, r.RankIC, r.RankICIR, r.ExcessReturn, r.IR, r.MaxDD, r.Turnover, r.Epochs, r.TrainTime, r.Err)
	}
}

func BenchmarkBuildDatasetReal(b *testing.B) {
	root := os.Getenv("DEEPFIN_DATA")
	if root == "" {
		root = filepath.Join("..", "..", "..", "shared", "data")
	}
	md, err := finance.LoadOHLCV(filepath.Join(root, "markets", "sp500_5yr"), finance.LoadOptions{DropIncomplete: true})
	if err != nil {
		b.Skip("needs ../shared/data/markets/sp500_5yr: " + err.Error())
	}
	b.Run("alpha158", func(b *testing.B) {
		for b.Loop() {
			ComputeAlpha158(md.Series, 0)
		}
	})
	b.Run("dataset", func(b *testing.B) {
		for b.Loop() {
			if _, err := BuildDataset(md.Series, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}
