package features_test

import (
	"fmt"

	"github.com/deepfin/deepfin/features"
)

func ExampleRollingMean() {
	x := []float64{1, 2, 3, 4, 5}
	fmt.Println(features.RollingMean(x, 3))
	// Output: [NaN NaN 2 3 4]
}

func ExampleRSI() {
	closes := []float64{10, 11, 12, 11, 13, 12}
	for _, v := range features.RSI(closes, 3) {
		fmt.Printf("%.2f ", v)
	}
	fmt.Println()
	// Output: NaN NaN NaN 66.67 83.33 60.61
}

func ExampleWindows() {
	price := []float64{10, 11, 12, 13, 14, 15}
	volume := []float64{1, 2, 3, 4, 5, 6}
	target := features.ForwardReturn(price, 1)

	// Two-bar windows ending at bars 1..3 (the training slice); bar 5 has
	// no target, so it could never be a sample.
	ws, err := features.Windows([][]float64{price, volume}, target, 2, 0, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	row := ws.Window * ws.Features
	for i, end := range ws.End {
		fmt.Printf("end %d: x=%v y=%.4f\n", end, ws.X[i*row:(i+1)*row], ws.Y[i])
	}
	// Output:
	// end 1: x=[10 1 11 2] y=0.0909
	// end 2: x=[11 2 12 3] y=0.0833
	// end 3: x=[12 3 13 4] y=0.0769
}

func ExampleFitStandardScaler() {
	cols := [][]float64{
		{1, 2, 3, 100}, // row 3 is outside the training slice
		{5, 5, 5, 6},   // constant on the training slice
	}
	s, err := features.FitStandardScaler(cols, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mean %.3f std %.3f\n", s.Mean, s.Std)
	for _, c := range s.Transform(cols) {
		fmt.Printf("%.3f\n", c)
	}
	// Output:
	// mean [2.000 5.000] std [0.816 0.000]
	// [-1.225 0.000 1.225 120.025]
	// [0.000 0.000 0.000 0.000]
}

func ExampleStandard() {
	n := 60
	bars := features.OHLCV{}
	for i := range n {
		c := 100 + float64(i%7) - float64(i%3)
		bars.Open = append(bars.Open, c)
		bars.High = append(bars.High, c+1)
		bars.Low = append(bars.Low, c-1)
		bars.Close = append(bars.Close, c)
		bars.Volume = append(bars.Volume, float64(1000+10*(i%5)))
	}
	tab := features.Standard(bars)
	fmt.Println(tab.Names)
	fmt.Printf("rows %d, first complete row %d\n", tab.Len(), features.StandardWarmup)
	fmt.Printf("rsi14 at row 59: %.4f\n", tab.Col(features.NameRSI14)[59])
	// Output:
	// [ret1 ret5 ret20 rvol20 close_z20 rsi14 macd_hist bb_pctb20 atr14 volume_z20]
	// rows 60, first complete row 33
	// rsi14 at row 59: -0.0160
}

func ExampleTable_DataFrame() {
	var t features.Table
	t.Add("ret1", []float64{0.01, -0.02})
	t.Add("rsi14", []float64{0.1, 0.2})
	df := t.DataFrame()
	if df.Err != nil {
		fmt.Println(df.Err)
		return
	}
	back, err := features.TableFromFrame(df, "rsi14")
	fmt.Println(df.Names(), df.Nrow(), back.Names, back.Cols[0], err)
	// Output: [ret1 rsi14] 2 [rsi14] [0.1 0.2] <nil>
}
