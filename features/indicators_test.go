package features

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEMA(t *testing.T) {
	tests := []struct {
		name string
		x    []float64
		span int
		want []float64
	}{
		// alpha = 2/(3+1) = 0.5; seed (1+2+3)/3 = 2; 0.5*4+0.5*2 = 3;
		// 0.5*5+0.5*3 = 4.
		{"span3", []float64{1, 2, 3, 4, 5}, 3, []float64{nan, nan, 2, 3, 4}},
		{"span1 is identity", []float64{4, 2, 9}, 1, []float64{4, 2, 9}},
		// alpha = 2/3; seed (1+2)/2 = 1.5; 2/3*3 + 1/3*1.5 = 2.5; the NaN
		// restarts: seed (4+6)/2 = 5; 2/3*8 + 1/3*5 = 7; 2/3*10 + 1/3*7 = 9.
		{"restart after hole", []float64{1, 2, 3, nan, 4, 6, 8, 10}, 2, []float64{nan, 1.5, 2.5, nan, nan, 5, 7, 9}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertClose(t, tc.want, EMA(tc.x, tc.span), 1e-12)
		})
	}
}

func TestRSI(t *testing.T) {
	tests := []struct {
		name   string
		x      []float64
		window int
		want   []float64
	}{
		// changes: +1 +1 -1 +2 -1. At t=3 (first 3 changes): avgGain =
		// (1+1+0)/3 = 2/3, avgLoss = 1/3, RSI = 100*(2/3)/(2/3+1/3) = 200/3.
		// t=4: gain (2/3*2+2)/3 = 10/9, loss (1/3*2+0)/3 = 2/9, RSI =
		// 100*10/12. t=5: gain (10/9*2)/3 = 20/27, loss (2/9*2+1)/3 =
		// 13/27, RSI = 100*20/33.
		{"wilder", []float64{10, 11, 12, 11, 13, 12}, 3, []float64{nan, nan, nan, 200.0 / 3, 1000.0 / 12, 2000.0 / 33}},
		{"only gains", []float64{1, 2, 3, 4}, 2, []float64{nan, nan, 100, 100}},
		{"only losses", []float64{4, 3, 2, 1}, 2, []float64{nan, nan, 0, 0}},
		{"flat is 50", []float64{5, 5, 5, 5}, 2, []float64{nan, nan, 50, 50}},
		// the NaN kills the changes at t=2 and t=3; restart needs two
		// changes: t=4 (+1), t=5 (+1) -> 100.
		{"restart", []float64{1, 2, nan, 3, 4, 5}, 2, []float64{nan, nan, nan, nan, nan, 100}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertClose(t, tc.want, RSI(tc.x, tc.window), 1e-12)
		})
	}
}

func TestMACD(t *testing.T) {
	// x = 1,2,4,8,16,32 with fast 2 (alpha 2/3), slow 3 (alpha 1/2),
	// signal 2 (alpha 2/3).
	// EMA2: seed t1 (1+2)/2 = 3/2; t2 2/3*4+1/3*3/2 = 19/6;
	//       t3 16/3+19/18 = 115/18; t4 32/3+115/54 = 691/54;
	//       t5 64/3+691/162 = 4147/162.
	// EMA3: seed t2 7/3; t3 4+7/6 = 31/6; t4 8+31/12 = 127/12;
	//       t5 16+127/24 = 511/24.
	// macd: t2 19/6-7/3 = 5/6; t3 115/18-31/6 = 11/9;
	//       t4 691/54-127/12 = 239/108; t5 4147/162-511/24 = 2791/648.
	// sig:  seed t3 (5/6+11/9)/2 = 37/36; t4 2/3*239/108+1/3*37/36 =
	//       589/324; t5 2/3*2791/648+1/3*589/324 = 6760/1944.
	// hist: t3 11/9-37/36 = 7/36; t4 239/108-589/324 = 128/324;
	//       t5 2791/648-6760/1944 = 1613/1944.
	x := []float64{1, 2, 4, 8, 16, 32}
	macd, sig, hist := MACD(x, 2, 3, 2)
	assertClose(t, []float64{nan, nan, 5.0 / 6, 11.0 / 9, 239.0 / 108, 2791.0 / 648}, macd, 1e-12)
	assertClose(t, []float64{nan, nan, nan, 37.0 / 36, 589.0 / 324, 6760.0 / 1944}, sig, 1e-12)
	assertClose(t, []float64{nan, nan, nan, 7.0 / 36, 128.0 / 324, 1613.0 / 1944}, hist, 1e-12)
	assert.Panics(t, func() { MACD(x, 0, 3, 2) })
	assert.Panics(t, func() { MACD(x, 2, 3, 0) })
}

func TestBollingerPercentB(t *testing.T) {
	// {1,2,3}: mean 2, sample std 1. k=1: bands 1..3, (3-1)/(3-1) = 1.
	// k=2: bands 0..4, 3/4. {2,3,4}: same shape. {3,4,10}: mean 17/3,
	// std sqrt(129)/3 (see TestRollingHand), %B = (x-mean)/(2k std) + 1/2
	// = (13/3)/(2k sqrt(129)/3) + 1/2 = 13/(2k sqrt(129)) + 1/2.
	x := []float64{1, 2, 3, 4, 10}
	tests := []struct {
		name string
		x    []float64
		k    float64
		want []float64
	}{
		{"k1", x, 1, []float64{nan, nan, 1, 1, 13/(2*math.Sqrt(129)) + 0.5}},
		{"k2", x, 2, []float64{nan, nan, 0.75, 0.75, 13/(4*math.Sqrt(129)) + 0.5}},
		{"flat is middle", []float64{3, 3, 3}, 2, []float64{nan, nan, 0.5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertClose(t, tc.want, BollingerPercentB(tc.x, 3, tc.k), 1e-12)
		})
	}
	for _, k := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		assert.Panics(t, func() { BollingerPercentB(x, 3, k) }, "k=%v", k)
	}
	assert.Panics(t, func() { BollingerPercentB(x, 0, 2) })
}

func TestATR(t *testing.T) {
	h := []float64{10, 12, 15, 11}
	l := []float64{8, 11, 13, 9}
	c := []float64{9, 11.5, 14, 10}
	// TR0 = 10-8 = 2; TR1 = max(1, |12-9|, |11-9|) = 3;
	// TR2 = max(2, |15-11.5|, |13-11.5|) = 3.5; TR3 = max(2, |11-14|, |9-14|) = 5.
	// window 2: seed (2+3)/2 = 2.5; (2.5*1+3.5)/2 = 3; (3*1+5)/2 = 4.
	// window 1: the true ranges themselves.
	tests := []struct {
		name   string
		h, l   []float64
		c      []float64
		window int
		want   []float64
	}{
		{"w2", h, l, c, 2, []float64{nan, 2.5, 3, 4}},
		{"w1", h, l, c, 1, []float64{2, 3, 3.5, 5}},
		// missing close at t=1: TR2 falls back to 15-13 = 2; a missing
		// close does not stop the average: (2.5+2)/2 = 2.25.
		{"missing prev close", h, l, []float64{9, nan, 14, 10}, 2, []float64{nan, 2.5, 2.25, 3.625}},
		// missing high at t=1 restarts: seed (TR2+TR3)/2 = (3.5+5)/2.
		{"missing high", []float64{10, nan, 15, 11}, l, c, 2, []float64{nan, nan, nan, 4.25}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertClose(t, tc.want, ATR(tc.h, tc.l, tc.c, tc.window), 1e-12)
		})
	}
	assert.Panics(t, func() { ATR(h, l[:3], c, 2) })
	assert.Panics(t, func() { ATR(h, l, c, 0) })
}

func TestVolumeZScore(t *testing.T) {
	tests := []struct {
		name string
		v    []float64
		want []float64
	}{
		{"all zero", []float64{0, 0, 0, 0}, []float64{nan, nan, 0, 0}},
		// {0,0,30}: mean 10, squared deviations 100+100+400 = 600,
		// /2 = 300, z = 20/sqrt(300).
		{"spike", []float64{0, 0, 0, 30}, []float64{nan, nan, 0, 20 / math.Sqrt(300)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertClose(t, tc.want, VolumeZScore(tc.v, 3), 1e-12)
		})
	}
}
