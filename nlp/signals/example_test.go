package signals_test

import (
	"fmt"
	"time"

	"github.com/deepfin/deepfin/nlp/signals"
)

func ExampleJoin() {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	tm := signals.Timing{} // close at 16:00 UTC
	scored := []signals.Scored{
		// Timestamped before Monday's close: feeds Monday.
		{Headline: signals.Headline{Ticker: "ACME", Time: time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC), HasTime: true}, Score: 0.8, Polarity: 1},
		// Date only: may have come after the close, so it feeds Tuesday.
		{Headline: signals.Headline{Ticker: "ACME", Time: d("2024-03-04")}, Score: -0.5, Polarity: -1},
		// Saturday news feeds the next bar, Monday 11th.
		{Headline: signals.Headline{Ticker: "ACME", Time: d("2024-03-09")}, Score: 0.4, Polarity: 1},
	}
	bars := []time.Time{d("2024-03-04"), d("2024-03-05"), d("2024-03-06"), d("2024-03-11")}
	tab, err := signals.Join(bars, signals.Aggregate(scored, tm), "ACME", signals.JoinOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for t, bar := range bars {
		fmt.Printf("%s mean %5.2f count %.0f\n", bar.Format(time.DateOnly), tab.Col("news_mean")[t], tab.Col("news_count")[t])
	}
	// Output:
	// 2024-03-04 mean  0.80 count 1
	// 2024-03-05 mean -0.50 count 1
	// 2024-03-06 mean   NaN count 0
	// 2024-03-11 mean  0.40 count 1
}
