package signals

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deepfin/deepfin/nlp"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// keywordModel is a stand-in classifier: "rise"/"wins" are positive,
// "fall"/"fire"/"warns" negative, anything else neutral.
type keywordModel struct{}

func (keywordModel) Classes() []string { return []string{"negative", "neutral", "positive"} }

func (keywordModel) PredictProba(texts []string) ([][]float64, error) {
	out := make([][]float64, len(texts))
	for i, t := range texts {
		t = strings.ToLower(t)
		switch {
		case strings.Contains(t, "rise") || strings.Contains(t, "wins"):
			out[i] = []float64{0.1, 0.1, 0.8}
		case strings.Contains(t, "fall") || strings.Contains(t, "fire") || strings.Contains(t, "warns"):
			out[i] = []float64{0.7, 0.2, 0.1}
		default:
			out[i] = []float64{0.2, 0.6, 0.2}
		}
	}
	return out, nil
}

func TestReadHeadlines(t *testing.T) {
	hs, skipped, err := LoadHeadlines(filepath.Join("testdata", "headlines.csv"), ReadOptions{})
	require.NoError(t, err)
	assert.Empty(t, skipped)
	require.Len(t, hs, 6)
	assert.Equal(t, Headline{Time: time.Date(2024, 3, 4, 8, 15, 0, 0, time.UTC), HasTime: true, Ticker: "ACME",
		Text: "Acme wins a large order and raises its outlook", Line: 2}, hs[0])
	assert.False(t, hs[2].HasTime)
	assert.Equal(t, day("2024-03-04"), hs[2].Time)
	assert.Equal(t, time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC), hs[3].Time)

	est := time.FixedZone("EST", -5*3600)
	hs, _, err = ReadHeadlines(strings.NewReader("Timestamp,Symbol,Headline\n2024-03-05 10:00,X,t\n"), "in", ReadOptions{Location: est})
	require.NoError(t, err)
	assert.True(t, hs[0].Time.Equal(time.Date(2024, 3, 5, 15, 0, 0, 0, time.UTC)), "zoneless time read in Location")

	path := filepath.Join("testdata", "bad_headlines.csv")
	_, _, err = LoadHeadlines(path, ReadOptions{})
	require.ErrorIs(t, err, ErrBadDate)
	assert.Equal(t, `nlp: `+path+`:3: column "date": invalid date: "03/04/2024"`, err.Error())

	hs, skipped, err = LoadHeadlines(path, ReadOptions{SkipBad: true})
	require.NoError(t, err)
	assert.Len(t, hs, 1)
	require.Len(t, skipped, 4)
	for i, want := range []struct {
		err  error
		line int
	}{{ErrBadDate, 3}, {ErrMissingTicker, 4}, {nlp.ErrEmptyText, 5}, {nlp.ErrInvalidUTF8, 6}} {
		assert.ErrorIs(t, skipped[i], want.err)
		assert.Equal(t, want.line, skipped[i].Line)
	}

	_, _, err = ReadHeadlines(strings.NewReader("date,text\n"), "in", ReadOptions{})
	assert.ErrorIs(t, err, nlp.ErrMissingColumn)
	_, _, err = ReadHeadlines(strings.NewReader("date,ticker,text\n"), "in", ReadOptions{})
	assert.ErrorIs(t, err, nlp.ErrEmpty)
}

func TestAvailable(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	at := func(s string) Headline {
		ts, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return Headline{Time: ts, HasTime: true}
	}
	cases := []struct {
		name string
		tm   Timing
		h    Headline
		want string
	}{
		{"date only feeds the next day", Timing{}, Headline{Time: day("2024-03-04")}, "2024-03-05"},
		{"before the close", Timing{}, at("2024-03-04T15:59:59Z"), "2024-03-04"},
		{"at the close", Timing{}, at("2024-03-04T16:00:00Z"), "2024-03-05"},
		{"after the close", Timing{}, at("2024-03-04T23:00:00Z"), "2024-03-05"},
		{"custom close", Timing{Close: 17*time.Hour + 30*time.Minute}, at("2024-03-04T17:00:00Z"), "2024-03-04"},
		{"exchange zone, morning", Timing{Location: est}, at("2024-03-04T14:00:00Z"), "2024-03-04"},
		{"exchange zone, evening", Timing{Location: est}, at("2024-03-04T22:00:00Z"), "2024-03-05"},
		{"utc next day is still the evening in the zone", Timing{Location: est}, at("2024-03-05T02:00:00Z"), "2024-03-05"},
		{"offset in the timestamp", Timing{}, at("2024-03-04T10:00:00-08:00"), "2024-03-05"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, day(tc.want), tc.tm.Available(tc.h))
		})
	}
}

func TestScoreAggregateJoin(t *testing.T) {
	hs, _, err := LoadHeadlines(filepath.Join("testdata", "headlines.csv"), ReadOptions{})
	require.NoError(t, err)
	scored, err := Score(context.Background(), keywordModel{}, hs, ScoreConfig{BatchSize: 4})
	require.NoError(t, err)
	require.Len(t, scored, 6)
	assert.InDelta(t, 0.7, scored[0].Score, 1e-12)
	assert.Equal(t, 1, scored[0].Polarity)
	assert.InDelta(t, -0.6, scored[1].Score, 1e-12)
	assert.Equal(t, -1, scored[1].Polarity)
	assert.Equal(t, 0, scored[2].Polarity)

	daily := Aggregate(scored, Timing{})
	// ACME: 03-04 08:15 → 03-04; 03-04 17:40 → 03-05; 03-05 10:00 → 03-05;
	// 03-09 (date only) → 03-10. BOLT: 03-04 (date only) → 03-05;
	// 03-11 09:00 → 03-11.
	want := []Daily{
		{"ACME", day("2024-03-04"), 0.7, 1, 1},
		{"ACME", day("2024-03-05"), (-0.6 + 0.7) / 2, 2, 0},
		{"ACME", day("2024-03-10"), -0.6, 1, -1},
		{"BOLT", day("2024-03-05"), 0, 1, 0},
		{"BOLT", day("2024-03-11"), 0.7, 1, 1},
	}
	require.Len(t, daily, len(want))
	for i, w := range want {
		g := daily[i]
		assert.Equal(t, w.Ticker, g.Ticker, "row %d", i)
		assert.Equal(t, w.Date, g.Date, "row %d", i)
		assert.InDelta(t, w.Mean, g.Mean, 1e-12, "row %d", i)
		assert.Equal(t, w.Count, g.Count, "row %d", i)
		assert.InDelta(t, w.NetPositive, g.NetPositive, 1e-12, "row %d", i)
	}

	bars := []time.Time{day("2024-03-04"), day("2024-03-05"), day("2024-03-06"), day("2024-03-08"), day("2024-03-11")}
	tab, err := Join(bars, daily, "ACME", JoinOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"news_mean", "news_count", "news_net"}, tab.Names)
	nan := math.NaN()
	assertNaNSlice(t, []float64{0.7, 0.05, nan, nan, -0.6}, tab.Col("news_mean"))
	assert.Equal(t, []float64{1, 2, 0, 0, 1}, tab.Col("news_count"))
	assertNaNSlice(t, []float64{1, 0, nan, nan, -1}, tab.Col("news_net"))

	df := tab.DataFrame()
	require.NoError(t, df.Err)
	assert.Equal(t, 5, df.Nrow())

	frame := DailyFrame(daily)
	require.NoError(t, frame.Err)
	assert.Equal(t, []string{"date", "ticker", "mean", "count", "net"}, frame.Names())
	assert.Equal(t, "2024-03-10", frame.Col("date").Records()[2])

	_, err = Join([]time.Time{day("2024-03-05"), day("2024-03-05")}, daily, "ACME", JoinOptions{})
	assert.ErrorIs(t, err, ErrUnsortedBars)
	_, err = Join(nil, daily, "ACME", JoinOptions{})
	assert.ErrorIs(t, err, nlp.ErrInvalidArgument)

	_, err = Score(context.Background(), keywordModel{}, hs, ScoreConfig{Positive: "1", Negative: "0"})
	assert.ErrorIs(t, err, ErrClass)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Score(ctx, keywordModel{}, hs, ScoreConfig{})
	assert.ErrorIs(t, err, context.Canceled)
}

// TestJoinNoLookAhead checks the look-ahead rule: headlines that become
// available after bar t (dated after it, dated on it without a time, or
// timestamped at or after its close) never change rows 0..t, and a
// headline dated on bar t without a time feeds bar t+1, not t.
func TestJoinNoLookAhead(t *testing.T) {
	bars := []time.Time{day("2024-03-04"), day("2024-03-05"), day("2024-03-06"), day("2024-03-07"), day("2024-03-08"), day("2024-03-11"), day("2024-03-12")}
	rng := rand.New(rand.NewPCG(11, 12))
	texts := []string{"shares rise", "profit to fall", "plant fire", "board meets", "wins order"}
	randomHeadline := func(from, to time.Time) Headline {
		span := int(to.Sub(from).Hours()/24) + 1
		d := from.AddDate(0, 0, rng.IntN(span))
		h := Headline{Ticker: "ACME", Text: texts[rng.IntN(len(texts))], Time: d}
		if rng.IntN(2) == 0 {
			h.HasTime = true
			h.Time = d.Add(time.Duration(rng.IntN(24*60)) * time.Minute)
		}
		return h
	}
	run := func(hs []Headline) [][]float64 {
		scored, err := Score(context.Background(), keywordModel{}, hs, ScoreConfig{})
		require.NoError(t, err)
		tab, err := Join(bars, Aggregate(scored, Timing{}), "ACME", JoinOptions{})
		require.NoError(t, err)
		return tab.Cols
	}

	var base []Headline
	for range 40 {
		base = append(base, randomHeadline(day("2024-03-01"), day("2024-03-13")))
	}
	tm := Timing{}
	for cut := range bars {
		// Keep the headlines available by bar cut's close, then add news
		// that becomes available later.
		var past []Headline
		for _, h := range base {
			if !tm.Available(h).After(bars[cut]) {
				past = append(past, h)
			}
		}
		want := run(past)
		future := append([]Headline(nil), past...)
		future = append(future,
			Headline{Ticker: "ACME", Text: "plant fire", Time: bars[cut]},                                    // date only, same day
			Headline{Ticker: "ACME", Text: "plant fire", Time: bars[cut].Add(16 * time.Hour), HasTime: true}, // at the close
			Headline{Ticker: "ACME", Text: "wins order", Time: bars[cut].Add(23 * time.Hour), HasTime: true},
		)
		for range 20 {
			h := randomHeadline(bars[cut].AddDate(0, 0, 1), day("2024-03-20"))
			future = append(future, h)
		}
		got := run(future)
		for c := range want {
			assertNaNSlice(t, want[c][:cut+1], got[c][:cut+1], "bar %d, column %d", cut, c)
		}
	}

	// A date-only headline on bar 1's date feeds bar 2.
	tab := run([]Headline{{Ticker: "ACME", Text: "shares rise", Time: bars[1]}})
	assert.Equal(t, []float64{0, 0, 1, 0, 0, 0, 0}, tab[1])
}

// assertNaNSlice compares float slices bit-for-bit, NaN equal to NaN.
func assertNaNSlice(t *testing.T, want, got []float64, msg ...any) {
	t.Helper()
	require.Equal(t, len(want), len(got), msg...)
	for i := range want {
		if math.IsNaN(want[i]) || math.IsNaN(got[i]) {
			assert.True(t, math.IsNaN(want[i]) && math.IsNaN(got[i]), "index %d: want %v, got %v %v", i, want[i], got[i], msg)
			continue
		}
		assert.InDelta(t, want[i], got[i], 1e-12, "index %d %v", i, msg)
	}
}

func TestBaselineAsClassifier(t *testing.T) {
	d, err := nlp.LoadCSV(filepath.Join("..", "testdata", "reviews.csv"), nlp.CSVOptions{})
	require.NoError(t, err)
	b, err := nlp.FitBaselineDataset(context.Background(), d, nlp.BaselineConfig{LogReg: nlp.LogRegConfig{C: 10}})
	require.NoError(t, err)
	var c Classifier = b
	scored, err := Score(context.Background(), c, []Headline{{Ticker: "X", Text: "great lovely fresh", Time: day("2024-01-02")}}, ScoreConfig{Positive: "pos", Negative: "neg"})
	require.NoError(t, err)
	assert.Greater(t, scored[0].Score, 0.0)
	assert.Equal(t, 1, scored[0].Polarity)
}
