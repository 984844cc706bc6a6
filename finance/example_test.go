package finance_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/deepfin/deepfin/finance"
)

func ExampleReadOHLCV() {
	const in = `Date,Open,High,Low,Close,Volume
2015-03-03,10.2,10.6,10.1,10.5,1200
2015-03-02,10.0,10.3,9.9,10.2,1000
2015-03-04,10.5,10.5,9.8,9.9,NA
`
	md, err := finance.ReadOHLCV(strings.NewReader(in), "xyz.csv", finance.LoadOptions{MinBars: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, _ := md.Lookup("XYZ")
	for i := range s.Len() {
		fmt.Printf("%s close %.2f volume %.0f\n", s.Time[i].Format("2006-01-02"), s.Close[i], s.Volume[i])
	}
	for _, w := range md.Warnings {
		fmt.Println(w)
	}

	_, err = finance.ReadOHLCV(strings.NewReader(strings.Replace(in, "10.5,1200", "abc,1200", 1)),
		"xyz.csv", finance.LoadOptions{MinBars: 3})
	fmt.Println(err)
	var de *finance.DataError
	if errors.As(err, &de) && errors.Is(err, finance.ErrBadNumber) {
		fmt.Println("row", de.Row, "column", de.Column)
	}
	// Output:
	// 2015-03-02 close 10.20 volume 1000
	// 2015-03-03 close 10.50 volume 1200
	// 2015-03-04 close 9.90 volume NaN
	// finance: xyz.csv:3: XYZ: rows not in date order; sorted by date
	// finance: xyz.csv:4: XYZ: 1 missing volume cells set to NaN
	// finance: xyz.csv:2: column "close": invalid number "abc"
	// row 2 column close
}
